"""The interfaces through which the lifecycle reaches the analysis: guards learn analysis facts
(`AnalysisFacts`, asked only for the kinds of fact a guard declares it needs), and `publish` /
`decline_publication` render and freeze what is published (`Publisher`). `findings` implements both;
`workflow` never imports `findings`. Until something implements them, `NoAnalysis` makes every guard
that needs analysis facts refuse and `NoPublisher` refuses to publish: never pass silently."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy.orm import Session

from workflow.errors import TriggerRefused


class AnalysisNeed(StrEnum):
    """A kind of analysis fact a guard may need; the port reads only the kinds asked for."""

    NARRATIVES = "narratives"
    EPISODES = "episodes"
    PANEL = "panel"
    FINDINGS = "findings"  # the findings, the blocking and the acknowledged quality warnings
    BOARD_RESPONSE = "board_response"
    ACTIONS = "actions"
    ANONYMISATION = "anonymisation"
    REGISTER = "register"  # whether the sealed register can be read


@dataclass(frozen=True)
class FactorFacts:
    category: str
    individual_level: bool


@dataclass(frozen=True)
class EpisodeFacts:
    number: int
    title: str
    valence: str  # good | problematic | mixed
    has_appraisal: bool
    has_explanation: bool
    factors: tuple[FactorFacts, ...]


@dataclass(frozen=True)
class FindingFacts:
    number: int
    title: str
    missing: tuple[str, ...]  # the parts of DESIGN §5.4 still empty, in words
    linked_episodes: int


@dataclass(frozen=True)
class AcknowledgedWarning:
    """An advisory quality warning a lead reviewer acknowledged: what the chair accepts by approving."""

    warning: str  # where and what, in words
    reason: str
    by: str  # the lead reviewer's name
    at: datetime | None
    fingerprint: str


@dataclass(frozen=True)
class ActionFacts:
    title: str
    has_owner: bool
    has_due_date: bool
    has_status: bool


@dataclass(frozen=True)
class AnalysisSnapshot:
    """The facts about a review's analysis that the lifecycle guards need, as plain data. Only the
    kinds asked for are read; the others keep their empty defaults and no guard looks at them."""

    narratives_submitted: frozenset[str] = frozenset()  # agencies whose narrative is submitted
    narrative_exemptions: Mapping[str, str] = field(default_factory=dict)  # agency -> reason
    episodes: tuple[EpisodeFacts, ...] = ()
    panel_submitted: frozenset[int] = frozenset()  # membership ids
    panel_waived: frozenset[int] = frozenset()  # membership ids
    findings: tuple[FindingFacts, ...] = ()
    blocking_warnings: tuple[str, ...] = ()  # each a refusal in words (a blocking one is only fixed)
    blocking_unworded: tuple[str, ...] = ()  # the same, without the words found (publish's refusals)
    acknowledged_warnings: tuple[AcknowledgedWarning, ...] = ()
    board_response_recorded: bool = False
    findings_without_response: tuple[str, ...] = ()  # "Finding 2 'Title'", in number order
    anonymisation_hits: tuple[str, ...] | None = None  # None: the check could not run
    register_problem: str | None = None  # why the sealed register cannot be read, in words
    # False: the check was not run here (listing triggers never renders the report) and no result is
    # known for the review as it stands; firing `publish` always runs it.
    anonymisation_known: bool = True
    actions: tuple[ActionFacts, ...] = ()


class AnalysisFacts(Protocol):
    def snapshot(
        self, session: Session, review_id: int, needs: frozenset[AnalysisNeed], *, run_checks: bool
    ) -> AnalysisSnapshot | None:
        """The kinds of fact in `needs`, read in the caller's transaction; None if unavailable.
        `run_checks=False` (listing triggers) gives the anonymisation check's last known result for
        the review as it stands instead of running it (`anonymisation_known=False` when none is)."""
        ...


class NoAnalysis:
    """The default wiring: no analysis module, so guards that need its facts refuse."""

    def snapshot(
        self, session: Session, review_id: int, needs: frozenset[AnalysisNeed], *, run_checks: bool
    ) -> AnalysisSnapshot | None:
        return None


class Publisher(Protocol):
    """Renders, checks and freezes what a review publishes, inside the transaction of the trigger.

    `ReviewService.fire` calls `publish` for `publish` and `decline` for `decline_publication` after
    every guard passed and before it appends the trigger's audit row; what they return is added to that
    row's params (e.g. the digest of the frozen documents). Raising `TriggerRefused` refuses the
    trigger and nothing is saved."""

    def publish(self, session: Session, review_id: int, actor_id: int) -> Mapping[str, str]:
        """Freeze the full report (and practitioner briefing); the audit params to record."""
        ...

    def decline(self, session: Session, review_id: int, actor_id: int) -> Mapping[str, str]:
        """Freeze the summary of improvements instead of the report; the audit params to record."""
        ...


NO_PUBLISHER = (
    "No publisher is connected, so the report cannot be rendered, checked and frozen; nothing is "
    "published unchecked."
)


class NoPublisher:
    """The default wiring: nothing can render and freeze a publication, so publishing is refused."""

    def publish(self, session: Session, review_id: int, actor_id: int) -> Mapping[str, str]:
        raise TriggerRefused("publish", [NO_PUBLISHER])

    def decline(self, session: Session, review_id: int, actor_id: int) -> Mapping[str, str]:
        raise TriggerRefused("decline_publication", [NO_PUBLISHER])

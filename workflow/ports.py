"""The interface through which guards learn analysis facts. `findings` implements it; `workflow` never
imports `findings`. Until something implements it, `NoAnalysis` makes every guard that needs analysis
facts refuse, never pass silently."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session


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
class ActionFacts:
    title: str
    has_owner: bool
    has_due_date: bool
    has_status: bool


@dataclass(frozen=True)
class AnalysisSnapshot:
    """The facts about a review's analysis that the lifecycle guards need, as plain data."""

    narratives_submitted: frozenset[str] = frozenset()  # agencies whose narrative is submitted
    narrative_exemptions: Mapping[str, str] = field(default_factory=dict)  # agency -> reason
    episodes: tuple[EpisodeFacts, ...] = ()
    panel_submitted: frozenset[int] = frozenset()  # membership ids
    panel_waived: frozenset[int] = frozenset()  # membership ids
    findings: tuple[FindingFacts, ...] = ()
    blocking_warnings: tuple[str, ...] = ()  # unresolved, unacknowledged, in words
    board_response_recorded: bool = False
    anonymisation_hits: tuple[str, ...] | None = None  # None: the check could not run
    actions: tuple[ActionFacts, ...] = ()


class AnalysisFacts(Protocol):
    def snapshot(self, session: Session, review_id: int) -> AnalysisSnapshot | None:
        """The review's analysis facts, read in the caller's transaction; None if unavailable."""
        ...


class NoAnalysis:
    """The default wiring: no analysis module, so guards that need its facts refuse."""

    def snapshot(self, session: Session, review_id: int) -> AnalysisSnapshot | None:
        return None

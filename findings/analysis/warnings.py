"""Quality warnings (DESIGN §5.5): the systems lens over every text the review publishes (episodes,
factors, findings, their evidence and questions, and everything else the reports print: the case
summary, the briefing, the board's response and actions, narratives, good practice), computed for
what is asked (one finding's, a page of findings', one kind's), and a lead reviewer's acknowledgement
of an advisory one, with a reason (a blocking one cannot be acknowledged, only fixed).

The checks themselves are pure (`findings.analysis.quality`); this module gathers only the texts
asked for (the reports' own through `findings.publication.lens`), the names no published text may
carry (members and the sealed register) and the acknowledgements.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from sqlalchemy.orm import Session

from findings.analysis import quality, wording
from findings.analysis.base import AnalysisService, Context, Page
from findings.analysis.facts import (
    FindingsFacts,
    ReviewAgencies,
    acknowledgements,
    episode_text,
    episodes_of,
    factor_text,
    factors_of,
    finding_text,
    findings_of,
    review_names,
)
from findings.analysis.models import Finding, WarningAcknowledgement
from findings.publication.lens import published_texts
from workflow.commands import Command, Reason, required
from workflow.errors import InvalidInput, NotFound
from workflow.models import Review, User, utcnow
from workflow.policy import READERS
from workflow.service import ReviewService

# The records whose texts the lens reads (`quality.KINDS`, in words there).
Kind = Literal[
    "episode",
    "factor",
    "finding",
    "question",
    "evidence",
    "research_question",
    "referral",
    "narrative_entry",
    "good_practice",
    "board_response",
    "action",
    "report_text",
    "briefing",
    "family_member",
    "independence",
    "quality_marker",
]
# The kinds read with the analysis; the others are the reports' own texts.
ANALYSIS_KINDS = frozenset({"episode", "factor", "finding", "question", "evidence"})


class AcknowledgeWarning(Command):
    reason: Annotated[Reason, required("Say why the wording is right as it is.")]


@dataclass(frozen=True)
class Warnings(Page[quality.QualityWarning]):
    """A page of warnings, and how many of all of them block `submit_for_signoff` now."""

    blocking: int


def finding_warnings(
    session: Session, review: Review, findings: Sequence[Finding], extra_names: Sequence[str]
) -> dict[int, list[quality.QualityWarning]]:
    """The warnings of these findings, their evidence and their questions (acknowledgements applied),
    by finding id: only these findings' texts are checked."""
    names = wording.Names(review_names(review, extra_names))
    agencies = ReviewAgencies.of(review)
    acks = acknowledgements(session, review.id)
    return {
        f.id: quality.acknowledge(quality.finding_warnings(finding_text(f, agencies), names), acks)
        for f in findings
    }


@dataclass(frozen=True)
class WarningCounts:
    """How many of a finding's warnings block and how many are not acknowledged: what a list of
    findings shows of them."""

    blocking: int
    open: int

    @classmethod
    def of(cls, warnings: Iterable[quality.QualityWarning]) -> WarningCounts:
        found = list(warnings)
        return cls(sum(1 for w in found if w.blocks), sum(1 for w in found if not w.acknowledged))


def counts_key(review: Review, names: Sequence[str]) -> Hashable:
    """What a review's findings' warning counts are computed from, to keep them under
    (`workflow.recent.RecentResults`): the review's audit anchor (`audit_count`, `audit_head`) and the
    names and agencies the checks look for. Every change to a finding, its evidence, questions and
    episodes, the entries, conversations and factors under them, the acknowledgements and the sealed
    register is audited in the review's chain in the same transaction, so it moves the anchor; the
    names and agencies come partly from accounts outside that chain, so they are in the key too. Only
    reads use the kept counts, so no uncommitted state is kept."""
    agencies = ReviewAgencies.of(review)
    return (
        review.id,
        review.audit_count,
        review.audit_head,
        review_names(review, names),
        tuple(sorted(agencies.of_practitioner.items())),
        agencies.known,
    )


def _review_text(
    session: Session, review: Review, kinds: frozenset[str] | None, names: Sequence[str]
) -> quality.ReviewText:
    """The texts of the objects of `kinds` (every kind when None)."""
    wanted = kinds or frozenset(quality.KINDS)
    agencies = ReviewAgencies.of(review)
    return quality.ReviewText(
        episodes=tuple(episode_text(e) for e in episodes_of(session, review.id))
        if "episode" in wanted
        else (),
        factors=tuple(factor_text(f) for f in factors_of(session, review.id)) if "factor" in wanted else (),
        findings=tuple(finding_text(f, agencies) for f in findings_of(session, review.id))
        if wanted & {"finding", "question", "evidence"}
        else (),
        published=published_texts(session, review) if wanted - ANALYSIS_KINDS else (),
        names=review_names(review, names),
    )


class WarningService(AnalysisService):
    def __init__(
        self,
        reviews: ReviewService,
        *,
        facts: FindingsFacts | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(reviews, today=today)
        self._facts = facts or FindingsFacts()

    def _found(self, ctx: Context, kinds: frozenset[str] | None = None) -> list[quality.QualityWarning]:
        text = _review_text(ctx.session, ctx.review, kinds, self._facts.names(ctx.session, ctx.review.id))
        found = quality.acknowledge(
            quality.review_warnings(text), acknowledgements(ctx.session, ctx.review.id)
        )
        return [w for w in found if kinds is None or w.where.kind in kinds]

    def list(
        self,
        *,
        review_id: int,
        actor: int,
        kind: Kind | None = None,
        kinds: Iterable[Kind] = (),
        object_id: int | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Warnings:
        """The review's warnings in reading order, acknowledged ones marked; only those of `kind` or
        `kinds` (and of the object `object_id`) are computed when asked for (every member)."""
        wanted = frozenset([*([kind] if kind else []), *kinds]) or None
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            found = [w for w in self._found(ctx, wanted) if object_id is None or w.where.id == object_id]
            shown = found[offset : None if limit is None else offset + limit]
            return Warnings(shown, len(found), sum(1 for w in found if w.blocks))

    def acknowledge(
        self, *, review_id: int, actor: int, fingerprint: str, command: AcknowledgeWarning
    ) -> quality.QualityWarning:
        """A lead reviewer acknowledges an advisory warning with a reason (audited; the chair sees it
        at sign-off and approving records it). A blocking warning is refused: it is only fixed."""
        with self.change(review_id, actor, "acknowledge_warning") as ctx:
            warning = next((w for w in self._found(ctx) if w.fingerprint == fingerprint), None)
            if warning is None:
                raise NotFound("This warning no longer applies (the text may have changed).")
            if not warning.acknowledgeable:
                raise InvalidInput({"fingerprint": warning.fix_instead()})
            if warning.acknowledged:
                raise InvalidInput({"fingerprint": "This warning is already acknowledged."})
            row = WarningAcknowledgement(
                review_id=ctx.review.id,
                fingerprint=fingerprint,
                code=warning.code.value,
                warning=warning.in_words(),
                reason=command.reason,
                by=actor,
                at=utcnow(),
            )
            ctx.session.add(row)
            ctx.audit(
                "acknowledge_warning",
                reason=command.reason,
                code=warning.code.value,
                severity=warning.severity.value,
                object=f"{warning.where.kind} {warning.where.id}",
                field=warning.where.field,
                matched=list(warning.matched),
            )
            by = ctx.session.get(User, actor)
            ack = quality.Acknowledgement(command.reason, by.name if by else "", row.at)
            return quality.acknowledge([warning], {fingerprint: ack})[0]

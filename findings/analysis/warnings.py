"""Quality warnings (DESIGN §5.5): the systems lens over episodes, factors, findings and questions,
computed for what is asked (one finding's, a page of findings', one kind's), and a lead reviewer's
acknowledgement of an advisory one, with a reason (a blocking one cannot be acknowledged, only fixed).

The checks themselves are pure (`findings.analysis.quality`); this module gathers only the texts
asked for, the names no finding may carry (members and the sealed register) and the acknowledgements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from sqlalchemy.orm import Session

from findings.analysis import quality
from findings.analysis.base import AnalysisService, Context, Page
from findings.analysis.facts import (
    FindingsFacts,
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
from workflow.commands import Command, Reason, required
from workflow.errors import InvalidInput, NotFound
from workflow.models import Review, User, utcnow
from workflow.policy import READERS
from workflow.service import ReviewService

Kind = Literal["episode", "factor", "finding", "question"]


class AcknowledgeWarning(Command):
    reason: Annotated[Reason, required("Say why the wording is right as it is.")]


@dataclass(frozen=True)
class Warnings(Page[quality.QualityWarning]):
    """A page of warnings, and how many of all of them block `submit_for_signoff` now."""

    blocking: int


def finding_warnings(
    session: Session, review: Review, findings: Sequence[Finding], extra_names: Sequence[str]
) -> dict[int, list[quality.QualityWarning]]:
    """The warnings of these findings and of their questions (acknowledgements applied), by finding
    id: only these findings' texts are checked."""
    text = quality.ReviewText(
        findings=tuple(finding_text(f) for f in findings), names=review_names(review, extra_names)
    )
    found = quality.acknowledge(quality.review_warnings(text), acknowledgements(session, review.id))
    finding_of = {("finding", f.id): f.id for f in findings} | {
        ("question", q.id): f.id for f in findings for q in f.questions
    }
    out: dict[int, list[quality.QualityWarning]] = {f.id: [] for f in findings}
    for warning in found:
        out[finding_of[(warning.where.kind, warning.where.id)]].append(warning)
    return out


def _review_text(
    session: Session, review: Review, kind: Kind | None, names: Sequence[str]
) -> quality.ReviewText:
    """The texts of the objects of `kind` (every kind when None)."""
    wanted = {kind} if kind else {"episode", "factor", "finding", "question"}
    return quality.ReviewText(
        episodes=tuple(episode_text(e) for e in episodes_of(session, review.id))
        if "episode" in wanted
        else (),
        factors=tuple(factor_text(f) for f in factors_of(session, review.id)) if "factor" in wanted else (),
        findings=tuple(finding_text(f) for f in findings_of(session, review.id))
        if wanted & {"finding", "question"}
        else (),
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

    def _found(self, ctx: Context, kind: Kind | None = None) -> list[quality.QualityWarning]:
        text = _review_text(ctx.session, ctx.review, kind, self._facts.names(ctx.session, ctx.review.id))
        found = quality.acknowledge(
            quality.review_warnings(text), acknowledgements(ctx.session, ctx.review.id)
        )
        return [w for w in found if kind is None or w.where.kind == kind]

    def list(
        self,
        *,
        review_id: int,
        actor: int,
        kind: Kind | None = None,
        object_id: int | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Warnings:
        """The review's warnings in reading order, acknowledged ones marked; only those of `kind`
        (and of the object `object_id`) are computed when asked for (every member)."""
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            found = [w for w in self._found(ctx, kind) if object_id is None or w.where.id == object_id]
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

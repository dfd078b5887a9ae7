"""The review's quality self-assessment against the quality markers (`findings.analysis.markers`):
each marker with what the review's data suggests (prefilled where the data can say) and the
coordinator's assessment (met, partly met or not met, with a comment). The full report prints the
assessments in an appendix; a comment is read by the anonymisation check and the systems lens."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from findings.analysis.base import AnalysisService, Context, check_version
from findings.analysis.markers import (
    BY_KEY,
    MARKERS,
    Marker,
    MarkerFacts,
    MarkerKey,
    Rating,
    Suggestion,
    suggestion,
)
from findings.analysis.models import (
    AgencyNarrative,
    Conversation,
    FamilyMember,
    Finding,
    GoodPractice,
    IndependenceDeclaration,
    MarkerAssessment,
)
from workflow.clocks import Clock
from workflow.commands import Command, Text
from workflow.errors import NotFound
from workflow.policy import READERS
from workflow.service import clock_anchors, report_notices
from workflow.states import ReviewRole


class AssessMarker(Command):
    rating: Rating = Field(description="met, partly (partly met) or not_met.")
    comment: Text = Field(default="", description="Why (printed in the full report: use pseudonyms only).")


@dataclass(frozen=True)
class MarkerView:
    """One marker: what the data suggests and what the coordinator assessed, if they have."""

    marker: Marker
    suggestion: Suggestion | None
    assessment: MarkerAssessment | None


class SelfAssessmentService(AnalysisService):
    def list(self, *, review_id: int, actor: int) -> list[MarkerView]:
        """Every marker, in order, with its suggestion and assessment (the review team)."""
        with self.read(review_id, actor, READERS["quality_assessment"]) as ctx:
            facts = self._facts(ctx)
            assessed = _assessments(ctx.session, ctx.review.id)
            return [MarkerView(m, suggestion(m, facts), assessed.get(m.key)) for m in MARKERS]

    def assessment(self, *, review_id: int, actor: int, marker: MarkerKey) -> MarkerAssessment | None:
        with self.read(review_id, actor, READERS["quality_assessment"]) as ctx:
            return _assessments(ctx.session, ctx.review.id).get(_marker(marker).key)

    def assess(
        self,
        *,
        review_id: int,
        actor: int,
        marker: MarkerKey,
        expected_version: int | None,
        command: AssessMarker,
    ) -> MarkerAssessment:
        """Record the coordinator's assessment against one marker: the first needs no version, a
        change names the assessment's version."""
        key = _marker(marker).key
        with self.change(review_id, actor, "assess_quality") as ctx:
            row = _assessments(ctx.session, ctx.review.id).get(key)
            if row is None:
                row = MarkerAssessment(
                    review_id=ctx.review.id, marker=key, rating=command.rating, assessed_by=actor
                )
                ctx.session.add(row)
            else:
                check_version(row, expected_version, "quality marker assessment")
            row.rating = command.rating
            row.comment = command.comment
            row.assessed_by = actor
            ctx.session.flush()
            ctx.audit("assess_quality_marker", marker=key, rating=command.rating)
            return row

    def _facts(self, ctx: Context) -> MarkerFacts:
        session, review = ctx.session, ctx.review
        rid = review.id

        def count(model: type[Conversation] | type[GoodPractice]) -> int:
            return session.scalar(select(func.count()).select_from(model).where(model.review_id == rid)) or 0

        leads = {m.id for m in review.memberships if m.role == ReviewRole.LEAD_REVIEWER}
        declared = set(
            session.scalars(
                select(IndependenceDeclaration.membership_id).where(IndependenceDeclaration.review_id == rid)
            )
        )
        narratives = {
            n.agency: n
            for n in session.scalars(select(AgencyNarrative).where(AgencyNarrative.review_id == rid))
        }
        given = [
            a
            for a in review.agencies_in_scope
            if (a in narratives and (narratives[a].status == "submitted" or narratives[a].exemption))
        ]
        family = list(session.scalars(select(FamilyMember).where(FamilyMember.review_id == rid)))
        taking_part = [f for f in family if f.wishes == "taking_part"]
        findings = list(session.scalars(select(Finding).where(Finding.review_id == rid)))
        detail = self._reviews.detail(session, review, ctx.roles)
        notices = report_notices(clock_anchors(session, [rid])[rid])
        completion = next((c for c in detail.clocks if c.key == "completion"), None)
        return MarkerFacts(
            decided=bool(review.route and (review.decision_rationale or "").strip()),
            research_questions=len(review.research_questions),
            lead_reviewers=len(leads),
            leads_declared=len(leads & declared),
            agencies_in_scope=len(review.agencies_in_scope),
            accounts_given=len(given),
            case_group=sum(1 for m in review.memberships if m.role == ReviewRole.CASE_GROUP),
            conversations=count(Conversation),
            family_members=len(family),
            family_invited=sum(1 for f in family if f.invited_on is not None),
            family_heard=sum(1 for f in family if f.views.strip()),
            family_declined=sum(1 for f in family if f.wishes == "declined"),
            family_taking_part=len(taking_part),
            family_draft_shared=sum(1 for f in taking_part if f.draft_shared_on is not None),
            findings=len(findings),
            findings_with_wider_evidence=sum(1 for f in findings if f.evidence),
            good_practice=count(GoodPractice),
            notices_due=len(detail.regime.report_notice_to),
            notices_sent=sum(1 for r in detail.regime.report_notice_to if r in notices),
            completion_overdue=_overdue(completion),
        )


def _overdue(clock: Clock | None) -> bool | None:
    """Completed late (or still running past its due day): True; completed in time: False; still
    running in time, or no such clock: None (not yet known)."""
    if clock is None:
        return None
    if clock.met_on is not None:
        return clock.met_on > clock.due
    return True if clock.overdue else None


def _marker(key: str) -> Marker:
    marker = BY_KEY.get(key)
    if marker is None:
        raise NotFound(f"There is no quality marker '{key}'.")
    return marker


def _assessments(session: Session, review_id: int) -> dict[str, MarkerAssessment]:
    rows = session.scalars(select(MarkerAssessment).where(MarkerAssessment.review_id == review_id))
    return {row.marker: row for row in rows}

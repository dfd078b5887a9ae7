"""The review's overview in one read: the review as its pages show it, each trigger from its stage
with whether the actor may fire it (or why not), and the lead reviewers with their declarations of
independence."""

from __future__ import annotations

from dataclasses import dataclass

from findings.analysis.base import AnalysisService
from findings.analysis.independence import LeadReviewer, lead_reviewers
from workflow.policy import READERS
from workflow.service import ReviewDetail, TriggerOption


@dataclass(frozen=True)
class ReviewOverview:
    detail: ReviewDetail
    triggers: list[TriggerOption]
    leads: list[LeadReviewer]


class OverviewService(AnalysisService):
    def overview(self, *, review_id: int, actor: int) -> ReviewOverview:
        """Every member's (need-to-know: NotFound for anyone else)."""
        with self.read(review_id, actor, READERS["independence"]) as ctx:
            return ReviewOverview(
                self.detail(ctx),
                self._reviews.trigger_options(ctx.session, ctx.review, ctx.roles),
                lead_reviewers(ctx),
            )

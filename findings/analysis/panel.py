"""Panel analyses: each panel member's own appraisal of the episodes, a note per episode and the
factors they propose. A draft is private to its author and the lead reviewers; once submitted (or
waived by the coordinator) the review team reads it; the case group never does."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from sqlalchemy import ColumnElement, or_, select, true

from findings.analysis import frameworks
from findings.analysis.base import AnalysisService, Context, Page, check_version, page_of
from findings.analysis.factors import Category, Description, FrameworkKey, Level
from findings.analysis.models import Episode, PanelSubmission
from workflow.commands import MAX_ITEMS, MAX_LINKS, Command, Id, Reason, Text, required
from workflow.errors import InvalidInput, NotAtThisStage, NotFound, NotPermitted
from workflow.models import Membership, utcnow
from workflow.policy import EVERYONE, REVIEW_TEAM
from workflow.states import ReviewRole

NOT_NULL = "Leave this field out to keep it as it is; it cannot be null."
READABLE_BY_THE_TEAM = ("submitted", "waived")


class ProposedFactor(Command):
    framework: FrameworkKey = "learning_together"
    level: Level
    category: Category
    description: Description
    evidence: Text = ""
    episode_ids: list[Id] = Field(default_factory=list, max_length=MAX_LINKS)


class SavePanelAnalysis(Command):
    """The caller's own draft; only the fields sent change."""

    appraisal: Text | None = None
    episode_notes: dict[Id, Text] | None = Field(
        default=None, max_length=MAX_LINKS, description="Episode id -> the panel member's note on it."
    )
    proposed_factors: list[ProposedFactor] | None = Field(default=None, max_length=MAX_ITEMS)


class WaivePanelAnalysis(Command):
    membership_id: Id = Field(description="The panel member's membership (from the members list).")
    reason: Annotated[Reason, required("Give the reason for waiving their analysis.")] = Field(
        description="Why their analysis is not needed (kept in the audit log)."
    )


class PanelService(AnalysisService):
    def save(
        self, *, review_id: int, actor: int, expected_version: int | None, command: SavePanelAnalysis
    ) -> PanelSubmission:
        """Create or change the actor's own draft panel analysis. Creating needs no version;
        changing names the draft's version."""
        with self.change(review_id, actor, "write_panel_submission") as ctx:
            membership = _own_membership(ctx)
            submission = _of(ctx, membership)
            if submission is None:
                submission = PanelSubmission(
                    review_id=ctx.review.id, membership_id=membership.id, author_id=actor
                )
                ctx.session.add(submission)
            else:
                check_version(submission, expected_version, "panel analysis")
                if submission.status != "draft":
                    raise NotAtThisStage(
                        "write_panel_submission",
                        f"Your panel analysis is {submission.status}; it can no longer change.",
                    )
            _apply(ctx, submission, command)
            ctx.session.flush()
            ctx.audit("save_panel_analysis", submission_id=submission.id, membership_id=membership.id)
            return submission

    def submit(self, *, review_id: int, actor: int, expected_version: int | None) -> PanelSubmission:
        """Submit the actor's panel analysis: from now on the review team can read it."""
        with self.change(review_id, actor, "write_panel_submission") as ctx:
            membership = _own_membership(ctx)
            submission = _of(ctx, membership)
            if submission is None:
                raise NotFound("You have no draft panel analysis to submit.")
            check_version(submission, expected_version, "panel analysis")
            if submission.status != "draft":
                raise InvalidInput({"status": f"Your panel analysis is already {submission.status}."})
            if (
                not submission.appraisal.strip()
                and not submission.episode_notes
                and not submission.proposed_factors
            ):
                raise InvalidInput({"appraisal": "Write your appraisal before you submit it."})
            submission.status = "submitted"
            submission.submitted_at = utcnow()
            ctx.audit("submit_panel_analysis", submission_id=submission.id, membership_id=membership.id)
            return submission

    def waive(self, *, review_id: int, actor: int, command: WaivePanelAnalysis) -> PanelSubmission:
        """The coordinator waives a panel member's analysis, with a reason (audited)."""
        with self.change(review_id, actor, "waive_panel_submission") as ctx:
            membership = next(
                (
                    m
                    for m in ctx.review.memberships
                    if m.id == command.membership_id and m.role == ReviewRole.PANEL_MEMBER
                ),
                None,
            )
            if membership is None:
                raise InvalidInput({"membership_id": "This is not a panel member of the review."})
            submission = _of(ctx, membership)
            if submission is None:
                submission = PanelSubmission(
                    review_id=ctx.review.id, membership_id=membership.id, author_id=membership.user_id
                )
                ctx.session.add(submission)
            elif submission.status == "submitted":
                raise InvalidInput(
                    {"membership_id": "This panel member has already submitted their analysis."}
                )
            submission.status = "waived"
            submission.waiver_reason = command.reason
            submission.updated_at = utcnow()
            ctx.session.flush()
            ctx.audit("waive_panel_analysis", reason=command.reason, membership_id=membership.id)
            return submission

    def list(
        self, *, review_id: int, actor: int, limit: int | None = None, offset: int = 0
    ) -> Page[PanelSubmission]:
        """The panel analyses the actor may read (`_readable`), in the order they were started."""
        with self.read(review_id, actor, EVERYONE) as ctx:
            query = (
                select(PanelSubmission)
                .where(PanelSubmission.review_id == ctx.review.id, _readable(ctx))
                .order_by(PanelSubmission.id)
            )
            return page_of(ctx.session, query, limit=limit, offset=offset)

    def get(self, *, review_id: int, actor: int, submission_id: int) -> PanelSubmission:
        """One panel analysis; one the actor may not read is not found."""
        with self.read(review_id, actor, EVERYONE) as ctx:
            found = ctx.session.scalar(
                select(PanelSubmission).where(
                    PanelSubmission.id == submission_id,
                    PanelSubmission.review_id == ctx.review.id,
                    _readable(ctx),
                )
            )
            if found is None:
                raise NotFound(f"Panel analysis {submission_id} was not found in this review.")
            return found

    def mine(self, *, review_id: int, actor: int) -> PanelSubmission | None:
        """The actor's own panel analysis, if they have started one (or it was waived)."""
        with self.read(review_id, actor, EVERYONE) as ctx:
            return ctx.session.scalar(
                select(PanelSubmission).where(
                    PanelSubmission.review_id == ctx.review.id, PanelSubmission.author_id == actor
                )
            )


def _readable(ctx: Context) -> ColumnElement[bool]:
    """Who reads a panel analysis: its author and the lead reviewers always; the rest of the review
    team once it is submitted or waived; never the case group."""
    if ReviewRole.LEAD_REVIEWER in ctx.roles:
        return true()
    own = PanelSubmission.author_id == ctx.actor
    if ctx.roles & REVIEW_TEAM:
        return or_(own, PanelSubmission.status.in_(READABLE_BY_THE_TEAM))
    return own


def _own_membership(ctx: Context) -> Membership:
    """The actor's panel membership (the object-level rule next to the policy's role check: a
    panel analysis is always one's own)."""
    membership = next(
        (m for m in ctx.review.memberships if m.user_id == ctx.actor and m.role == ReviewRole.PANEL_MEMBER),
        None,
    )
    if membership is None:
        raise NotPermitted("Only a panel member may write a panel analysis.")
    return membership


def _of(ctx: Context, membership: Membership) -> PanelSubmission | None:
    return ctx.session.scalar(select(PanelSubmission).where(PanelSubmission.membership_id == membership.id))


def _apply(ctx: Context, submission: PanelSubmission, command: SavePanelAnalysis) -> None:
    """Set what was sent, or raise InvalidInput with every field's problem at once."""
    sent = command.sent()
    errors = {name: NOT_NULL for name, value in sent.items() if value is None}
    notes = command.episode_notes
    if notes is not None:
        _in_review(ctx, errors, list(notes), "episode_notes")
    for i, proposal in enumerate(command.proposed_factors or ()):
        prefix = f"proposed_factors[{i}]"
        for field, message in frameworks.validate(
            proposal.framework, proposal.level, proposal.category
        ).items():
            errors[f"{prefix}.{field}"] = message
        _in_review(ctx, errors, proposal.episode_ids, f"{prefix}.episode_ids")
    if errors:
        raise InvalidInput(errors)
    if command.appraisal is not None:
        submission.appraisal = command.appraisal
    if notes is not None:
        submission.episode_notes = {str(k): v for k, v in notes.items()}
    if command.proposed_factors is not None:
        submission.proposed_factors = [p.model_dump() for p in command.proposed_factors]


def _in_review(ctx: Context, errors: dict[str, str], ids: list[int], field: str) -> None:
    try:
        ctx.in_review(Episode, ids, field)
    except InvalidInput as error:
        errors.update(error.errors)

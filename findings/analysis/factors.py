"""Contributory factors: conditions that made the practice in an episode more or less likely, coded
under a framework (DESIGN §5.3; the frameworks are in `findings.analysis.frameworks`), including a
factor a panel member proposed and a lead reviewer adopted."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from sqlalchemy import select

from findings.analysis import frameworks
from findings.analysis.base import AnalysisService, Context, Page, check_version, page_of
from findings.analysis.models import Episode, Factor, PanelSubmission
from workflow.commands import MAX_LINKS, Command, Id, Key, Text, required
from workflow.errors import InvalidInput
from workflow.policy import READERS

DESCRIPTION_MISSING = "Describe the factor: what condition made the practice more or less likely?"
NOT_NULL = "Leave this field out to keep it as it is; it cannot be null."

FrameworkKey = Literal["learning_together", "london_protocol", "seips"]
Description = Annotated[Text, required(DESCRIPTION_MISSING)]
Level = Annotated[Key, Field(description="A level of the framework (see /api/v1/factor-frameworks).")]
Category = Annotated[Key, Field(description="A category of that level.")]
EpisodeIds = Annotated[list[Id], Field(max_length=MAX_LINKS, description="The episodes it explains.")]


class AddFactor(Command):
    framework: FrameworkKey = "learning_together"
    level: Level
    category: Category
    description: Description
    evidence: Text = ""
    episode_ids: EpisodeIds = Field(default_factory=list)


class ChangeFactor(Command):
    """The fields sent are changed; the others are left as they are. `episode_ids` replaces the links."""

    framework: FrameworkKey | None = None
    level: Level | None = None
    category: Category | None = None
    description: Description | None = None
    evidence: Text | None = None
    episode_ids: EpisodeIds | None = None


class AdoptProposedFactor(Command):
    submission_id: Id = Field(description="A submitted panel analysis.")
    index: int = Field(ge=0, le=MAX_LINKS, description="Which of its proposed factors (from 0).")


class FactorService(AnalysisService):
    def add(self, *, review_id: int, actor: int, command: AddFactor) -> Factor:
        """Code a contributory factor and say which episodes it explains (lead reviewer)."""
        with self.change(review_id, actor, "write_factor") as ctx:
            factor = Factor(review_id=ctx.review.id)
            _apply(ctx, factor, command.model_dump())
            ctx.session.add(factor)
            ctx.session.flush()
            ctx.audit("add_factor", factor_id=factor.id, episode_ids=factor.episode_ids)
            return factor

    def adopt(self, *, review_id: int, actor: int, command: AdoptProposedFactor) -> Factor:
        """A lead reviewer adopts a factor a panel member proposed in their submitted analysis."""
        with self.change(review_id, actor, "write_factor") as ctx:
            submission = ctx.get(PanelSubmission, command.submission_id, "panel analysis")
            if submission.status != "submitted":
                raise InvalidInput(
                    {"submission_id": "Only factors of a submitted panel analysis can be adopted."}
                )
            if not 0 <= command.index < len(submission.proposed_factors):
                raise InvalidInput({"index": "The panel analysis has no such proposed factor."})
            proposal = dict(submission.proposed_factors[command.index])
            factor = Factor(review_id=ctx.review.id, proposed_by=submission.author_id)
            fields = ("framework", "level", "category", "description", "evidence")
            sent = {key: str(proposal.get(key) or "") for key in fields}
            _apply(ctx, factor, sent | {"episode_ids": [int(i) for i in proposal.get("episode_ids") or []]})
            ctx.session.add(factor)
            ctx.session.flush()
            ctx.audit(
                "adopt_proposed_factor",
                factor_id=factor.id,
                submission_id=submission.id,
                index=command.index,
            )
            return factor

    def update(
        self,
        *,
        review_id: int,
        actor: int,
        factor_id: int,
        expected_version: int | None,
        command: ChangeFactor,
    ) -> Factor:
        with self.change(review_id, actor, "write_factor") as ctx:
            factor = ctx.get(Factor, factor_id, "factor")
            check_version(factor, expected_version, "factor")
            _apply(ctx, factor, command.sent())
            ctx.session.flush()
            ctx.audit("update_factor", factor_id=factor.id, fields=sorted(command.model_fields_set))
            return factor

    def delete(self, *, review_id: int, actor: int, factor_id: int, expected_version: int | None) -> None:
        with self.change(review_id, actor, "write_factor") as ctx:
            factor = ctx.get(Factor, factor_id, "factor")
            check_version(factor, expected_version, "factor")
            ctx.session.delete(factor)
            ctx.audit("delete_factor", factor_id=factor_id)

    def list(self, *, review_id: int, actor: int, limit: int | None = None, offset: int = 0) -> Page[Factor]:
        """The review's factors in the order they were coded (every member)."""
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            query = select(Factor).where(Factor.review_id == ctx.review.id).order_by(Factor.id)
            return page_of(ctx.session, query, limit=limit, offset=offset)

    def get(self, *, review_id: int, actor: int, factor_id: int) -> Factor:
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            return ctx.get(Factor, factor_id, "factor")


def _apply(ctx: Context, factor: Factor, sent: dict[str, Any]) -> None:
    """Set the fields in `sent` on `factor`, or raise InvalidInput with every field's problem. The
    code (framework, level, category) is checked as a whole, with the factor's own values for the
    parts not sent."""
    errors = {name: NOT_NULL for name, value in sent.items() if value is None}
    framework = sent.get("framework") or factor.framework or frameworks.DEFAULT_FRAMEWORK
    level = sent.get("level") or factor.level or ""
    category = sent.get("category") or factor.category or ""
    for field, message in frameworks.validate(framework, level, category).items():
        errors.setdefault(field, message)
    description = sent.get("description", factor.description) or ""
    if not description.strip() and "description" not in errors:
        errors["description"] = DESCRIPTION_MISSING
    episodes = None
    if sent.get("episode_ids") is not None:
        try:
            episodes = ctx.in_review(Episode, sent["episode_ids"], "episode_ids")
        except InvalidInput as error:
            errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    factor.framework, factor.level, factor.category = framework, level, category
    factor.description = description.strip()
    if "evidence" in sent:
        factor.evidence = sent["evidence"].strip()
    if episodes is not None:
        factor.episodes = episodes

"""Good practice: what went well in the case and what enabled it (first-class, not an afterthought)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from sqlalchemy import select

from findings.analysis.base import AnalysisService, Context, Page, agencies, check_version, page_of
from findings.analysis.models import Episode, GoodPractice
from workflow.commands import MAX_ITEMS, Agency, Command, Id, Text, required
from workflow.errors import InvalidInput
from workflow.policy import READERS


class AddGoodPractice(Command):
    what_went_well: Annotated[Text, required("Say what went well.")]
    what_enabled_it: Text = ""
    agencies: list[Agency] = Field(default_factory=list, max_length=MAX_ITEMS)
    episode_id: Id | None = Field(default=None, description="The key practice episode it shows in.")


class ChangeGoodPractice(Command):
    """The fields sent are changed; the others are left as they are."""

    what_went_well: Annotated[Text, required("Say what went well.")] | None = None
    what_enabled_it: Text | None = None
    agencies: list[Agency] | None = Field(default=None, max_length=MAX_ITEMS)
    episode_id: Id | None = None


class GoodPracticeService(AnalysisService):
    def add(self, *, review_id: int, actor: int, command: AddGoodPractice) -> GoodPractice:
        """Record what went well and what enabled it (any member of the review team but the chair)."""
        with self.change(review_id, actor, "write_good_practice") as ctx:
            item = GoodPractice(review_id=ctx.review.id, author_id=actor, what_went_well="")
            _apply(ctx, item, command)
            ctx.session.add(item)
            ctx.session.flush()
            ctx.audit("add_good_practice", good_practice_id=item.id)
            return item

    def update(
        self,
        *,
        review_id: int,
        actor: int,
        good_practice_id: int,
        expected_version: int | None,
        command: ChangeGoodPractice,
    ) -> GoodPractice:
        with self.change(review_id, actor, "write_good_practice") as ctx:
            item = ctx.get(GoodPractice, good_practice_id, "good practice entry")
            check_version(item, expected_version, "good practice entry")
            _apply(ctx, item, command)
            ctx.audit(
                "update_good_practice", good_practice_id=item.id, fields=sorted(command.model_fields_set)
            )
            ctx.session.flush()
            return item

    def list(
        self, *, review_id: int, actor: int, limit: int | None = None, offset: int = 0
    ) -> Page[GoodPractice]:
        """The review's good practice in the order it was recorded (every member)."""
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            query = (
                select(GoodPractice).where(GoodPractice.review_id == ctx.review.id).order_by(GoodPractice.id)
            )
            return page_of(ctx.session, query, limit=limit, offset=offset)

    def get(self, *, review_id: int, actor: int, good_practice_id: int) -> GoodPractice:
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            return ctx.get(GoodPractice, good_practice_id, "good practice entry")


def _apply(ctx: Context, item: GoodPractice, command: AddGoodPractice | ChangeGoodPractice) -> None:
    sent = command.sent()
    if isinstance(command, AddGoodPractice):
        sent = command.model_dump()
    if "what_went_well" in sent:
        if sent["what_went_well"] is None:
            raise InvalidInput({"what_went_well": "Say what went well."})
        item.what_went_well = sent["what_went_well"]
    if sent.get("what_enabled_it") is not None:
        item.what_enabled_it = sent["what_enabled_it"]
    if sent.get("agencies") is not None:
        item.agencies = agencies(sent["agencies"])
    if "episode_id" in sent:
        ctx.in_review(Episode, [sent["episode_id"]] if sent["episode_id"] is not None else [], "episode_id")
        item.episode_id = sent["episode_id"]

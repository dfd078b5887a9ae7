"""Key practice episodes: neutral by design (good, problematic or mixed), each resting on narrative
entries and conversations, appraised against expected practice and explained by contributory factors."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select

from findings.analysis.base import AnalysisService, Context, Page, agencies, check_version, page_of
from findings.analysis.models import VALENCES, Conversation, Episode, NarrativeEntry
from workflow.commands import MAX_ITEMS, MAX_LINKS, Agency, AnyDate, Command, Id, Text, Title, required
from workflow.errors import InvalidInput
from workflow.policy import READERS

TITLE_MISSING = "Give the episode a short title."
VALENCE_MISSING = "Say whether it was good, problematic or mixed practice."
NOT_NULL = "Leave this field out to keep it as it is; it cannot be null."


def _valence(value: Any) -> Any:
    if value is not None and value not in VALENCES:
        raise PydanticCustomError("valence", VALENCE_MISSING)
    return value


Valence = Annotated[
    Literal["good", "problematic", "mixed"],
    BeforeValidator(_valence),
    Field(description="good, problematic or mixed: episodes are neutral by design."),
]
EpisodeTitle = Annotated[Title, required(TITLE_MISSING)]
Links = Annotated[list[Id], Field(max_length=MAX_LINKS)]

# The episode's free text, in the order a page shows it.
TEXTS = ("what_happened", "view_from_tunnel", "appraisal", "appraisal_reference", "explanation")


class AddEpisode(Command):
    title: EpisodeTitle
    valence: Valence
    period_start: AnyDate | None = None
    period_end: AnyDate | None = None
    agencies: list[Agency] = Field(default_factory=list, max_length=MAX_ITEMS)
    what_happened: Text = ""
    view_from_tunnel: Text = Field(
        default="", description="What was known and what mattered to those involved then."
    )
    appraisal: Text = Field(default="", description="Against expected practice.")
    appraisal_reference: Text = Field(
        default="", description="The guidance or research that defines the expected practice."
    )
    explanation: Text = Field(default="", description="Why it happened: made of contributory factors.")
    entry_ids: Links = Field(default_factory=list, description="Narrative entries it rests on.")
    conversation_ids: Links = Field(default_factory=list, description="Conversations it rests on.")


class ChangeEpisode(Command):
    """The fields sent are changed; the others are left as they are. `entry_ids` and
    `conversation_ids` replace the links."""

    title: EpisodeTitle | None = None
    valence: Valence | None = None
    period_start: AnyDate | None = None
    period_end: AnyDate | None = None
    agencies: list[Agency] | None = Field(default=None, max_length=MAX_ITEMS)
    what_happened: Text | None = None
    view_from_tunnel: Text | None = None
    appraisal: Text | None = None
    appraisal_reference: Text | None = None
    explanation: Text | None = None
    entry_ids: Links | None = None
    conversation_ids: Links | None = None


# Fields of an episode that may be emptied (sent as null); any other field sent as null is refused.
_NULLABLE = frozenset({"period_start", "period_end"})


class EpisodeService(AnalysisService):
    def add(self, *, review_id: int, actor: int, command: AddEpisode) -> Episode:
        """Record a key practice episode (lead reviewer); it is numbered after the last one."""
        with self.change(review_id, actor, "write_episode") as ctx:
            episode = Episode(review_id=ctx.review.id, factors=[])
            _apply(ctx, episode, command.model_dump())
            last = ctx.session.scalar(
                select(func.max(Episode.number)).where(Episode.review_id == ctx.review.id)
            )
            episode.number = (last or 0) + 1
            ctx.session.add(episode)
            ctx.session.flush()
            ctx.audit("add_episode", episode_id=episode.id, number=episode.number)
            return episode

    def update(
        self,
        *,
        review_id: int,
        actor: int,
        episode_id: int,
        expected_version: int | None,
        command: ChangeEpisode,
    ) -> Episode:
        with self.change(review_id, actor, "write_episode") as ctx:
            episode = ctx.get(Episode, episode_id, "episode")
            check_version(episode, expected_version, "episode")
            _apply(ctx, episode, command.sent())
            ctx.session.flush()
            ctx.audit("update_episode", episode_id=episode.id, fields=sorted(command.model_fields_set))
            return episode

    def delete(self, *, review_id: int, actor: int, episode_id: int, expected_version: int | None) -> None:
        """Delete an episode; the ones after it move up a number."""
        with self.change(review_id, actor, "write_episode") as ctx:
            episode = ctx.get(Episode, episode_id, "episode")
            check_version(episode, expected_version, "episode")
            number = episode.number
            ctx.session.delete(episode)
            ctx.session.flush()
            for later in ctx.session.scalars(
                select(Episode).where(Episode.review_id == ctx.review.id, Episode.number > number)
            ):
                later.number -= 1
            ctx.audit("delete_episode", episode_id=episode_id, number=number)

    def list(self, *, review_id: int, actor: int, limit: int | None = None, offset: int = 0) -> Page[Episode]:
        """The review's episodes in number order (every member)."""
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            query = select(Episode).where(Episode.review_id == ctx.review.id).order_by(Episode.number)
            return page_of(ctx.session, query, limit=limit, offset=offset)

    def get(self, *, review_id: int, actor: int, episode_id: int) -> Episode:
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            return ctx.get(Episode, episode_id, "episode")


def _apply(ctx: Context, episode: Episode, sent: dict[str, Any]) -> None:
    """Set the fields in `sent` on `episode`, or raise InvalidInput with every field's problem."""
    errors = {name: NOT_NULL for name, value in sent.items() if value is None and name not in _NULLABLE}
    start = sent.get("period_start", episode.period_start)
    end = sent.get("period_end", episode.period_end)
    if start and end and end < start and "period_end" not in errors:
        errors["period_end"] = "The period must end on or after the day it starts."
    entries = _links(ctx, errors, NarrativeEntry, sent, "entry_ids")
    conversations = _links(ctx, errors, Conversation, sent, "conversation_ids")
    if errors:
        raise InvalidInput(errors)
    for name in ("title", "valence", "period_start", "period_end", *TEXTS):
        if name in sent:
            setattr(episode, name, sent[name])
    if "agencies" in sent:
        episode.agencies = agencies(sent["agencies"])
    if entries is not None:
        episode.entries = entries
    if conversations is not None:
        episode.conversations = conversations


def _links(ctx: Context, errors: dict[str, str], model: Any, sent: dict[str, Any], field: str) -> Any:
    """The objects of this review named in `sent[field]` (None when not sent); a problem goes in
    `errors`, so every field's problem is told at once."""
    if sent.get(field) is None:
        return None
    try:
        return ctx.in_review(model, sent[field], field)
    except InvalidInput as error:
        errors.update(error.errors)
        return None

"""The service through which the analysis of a review is read and changed.

Every change follows one path (`FindingsService._change`): load the review through
`ReviewService.load` (need-to-know: a non-member gets NotFound), check the actor's review role and
the review's stage, check the edited object's own version (StaleObject on a stale one), change it,
append one audit row (which also raises the review's version, so concurrent audited writes are
serialised), commit once. A refused change leaves nothing behind.

Who may do what, and at which stages, is declared once, in `workflow.policy`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from findings.analysis import chronology as narr
from findings.analysis import frameworks
from findings.analysis.facts import FindingsFacts, episodes_of
from findings.analysis.models import (
    VALENCES,
    AgencyNarrative,
    Conversation,
    ConversationComment,
    Episode,
    Factor,
    NarrativeEntry,
    PanelSubmission,
)
from findings.errors import StaleObject
from workflow import audit, policy
from workflow.errors import InvalidInput, NotAtThisStage, NotFound, NotPermitted, StaleReview
from workflow.models import Membership, Review, utcnow
from workflow.policy import EVERYONE, READERS, REVIEW_TEAM
from workflow.service import ReviewService
from workflow.states import ReviewRole

_C, _L, _P, _G, _CH = (
    ReviewRole.COORDINATOR,
    ReviewRole.LEAD_REVIEWER,
    ReviewRole.PANEL_MEMBER,
    ReviewRole.CASE_GROUP,
    ReviewRole.CHAIR,
)

NARRATIVE_ENTRY_FIELDS = frozenset(
    {"occurred_on", "occurred_at", "what_happened", "source_record", "aware", "significant"}
)
CONVERSATION_FIELDS = frozenset(
    {
        "held_on",
        "overview",
        "turning_points",
        "mindset",
        "contributory_factors",
        "went_well",
        "queries",
        "suggested_changes",
    }
)
CONVERSATION_HEADINGS: dict[str, str] = {
    "overview": "Overview of what happened and their part",
    "turning_points": "Turning points",
    "mindset": "Their mindset at the time (what they thought was going on, what was front of mind, "
    "competing demands, what they hoped to achieve, options they saw)",
    "contributory_factors": "Contributory factors as they see them",
    "went_well": "What went well and what enabled it",
    "queries": "Queries",
    "suggested_changes": "Suggested changes",
}
EPISODE_FIELDS = frozenset(
    {
        "title",
        "valence",
        "period_start",
        "period_end",
        "agencies",
        "what_happened",
        "view_from_tunnel",
        "appraisal",
        "appraisal_reference",
        "explanation",
        "entry_ids",
        "conversation_ids",
    }
)
FACTOR_FIELDS = frozenset({"framework", "level", "category", "description", "evidence", "episode_ids"})
T = TypeVar("T")


@dataclass
class _Ctx:
    session: Session
    review: Review
    roles: frozenset[ReviewRole]
    actor: int


@dataclass(frozen=True)
class NarrativeOverview:
    """Every agency's narrative side by side, and all of them merged in date order."""

    columns: list[narr.AgencyColumn]
    days: list[narr.Day]


@dataclass(frozen=True)
class ImportResult:
    agency: str
    imported: int
    replaced: int


def _text(
    value: Any, field: str, errors: dict[str, str], *, required: bool = False, limit: int = 20_000
) -> str:
    if value is not None and not isinstance(value, str):
        errors[field] = "Must be text."
        return ""
    text = (value or "").strip()
    if required and not text:
        errors[field] = "This cannot be empty."
    elif len(text) > limit:
        errors[field] = f"Keep this under {limit} characters."
    return text


def _agencies(values: Iterable[str] | None) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values or () if v and v.strip()))


def _unknown(fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput({name: "This field cannot be changed here." for name in sorted(unknown)})


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput(errors)


class FindingsService:
    """Reads and changes the analysis of reviews. Every method is keyword-only and owns its
    transaction; `actor` is the id of the user acting."""

    def __init__(
        self,
        reviews: ReviewService,
        *,
        facts: FindingsFacts | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._reviews = reviews
        self._facts = facts or FindingsFacts()
        self._today = today

    # ---- the one path for changes and reads -------------------------------------------------

    @contextmanager
    def _read(self, review_id: int, actor: int, readers: frozenset[ReviewRole]) -> Iterator[_Ctx]:
        with self._reviews.session() as session:
            review, roles = self._reviews.load(session, review_id, actor)
            if not roles & readers:
                raise NotPermitted("Your role in this review does not let you see this.")
            yield _Ctx(session, review, roles, actor)

    @contextmanager
    def _change(self, review_id: int, actor: int, action: str) -> Iterator[_Ctx]:
        with self._reviews.session() as session:
            try:
                review, roles = self._reviews.load(session, review_id, actor)
                policy.check(roles, review.state, action)
                yield _Ctx(session, review, roles, actor)
                session.commit()
            except StaleDataError as error:
                session.rollback()
                raise StaleReview(None, None) from error
            except IntegrityError as error:
                # A unique key taken by a concurrent writer (one panel analysis per member, one
                # board response per finding) is a lost race; anything else is a bug and surfaces.
                session.rollback()
                if "unique" not in str(error.orig).lower():
                    raise
                raise StaleReview(None, None) from error

    @staticmethod
    def _audit(ctx: _Ctx, action: str, reason: str | None = None, **params: Any) -> None:
        audit.append(ctx.session, ctx.review, actor_id=ctx.actor, action=action, reason=reason, params=params)

    @staticmethod
    def _get(ctx: _Ctx, model: type[T], object_id: int, kind: str) -> T:
        obj = ctx.session.get(model, object_id)
        if obj is None or getattr(obj, "review_id", None) != ctx.review.id:
            raise NotFound(f"{kind.capitalize()} {object_id} was not found in this review.")
        return obj

    @staticmethod
    def _check_version(obj: Any, expected: int | None, kind: str) -> None:
        if expected is None or expected != obj.version:
            raise StaleObject(kind, expected, obj.version)
        obj.updated_at = utcnow()

    def _ids_in_review(self, ctx: _Ctx, model: Any, ids: Iterable[int], field: str) -> list[Any]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        found = {
            o.id: o
            for o in ctx.session.scalars(
                select(model).where(model.id.in_(wanted), model.review_id == ctx.review.id)
            )
        }
        missing = [i for i in wanted if i not in found]
        if missing:
            raise InvalidInput({field: f"Not part of this review: {', '.join(map(str, missing))}."})
        return [found[i] for i in wanted]

    # ---- narratives ---------------------------------------------------------------------------

    def _narrative(self, ctx: _Ctx, agency: str, *, create: bool) -> AgencyNarrative:
        agency = agency.strip()
        known = _agencies([*ctx.review.agencies_in_scope, *ctx.review.agencies_involved])
        if agency not in known:
            raise InvalidInput(
                {"agency": f"'{agency}' is not an agency of this review ({', '.join(known)})."}
            )
        narrative = ctx.session.scalar(
            select(AgencyNarrative).where(
                AgencyNarrative.review_id == ctx.review.id, AgencyNarrative.agency == agency
            )
        )
        if narrative is None:
            if not create:
                raise NotFound(f"{agency} has no narrative in this review yet.")
            narrative = AgencyNarrative(review_id=ctx.review.id, agency=agency, status="draft")
            ctx.session.add(narrative)
            ctx.session.flush()
        return narrative

    @staticmethod
    def _may_write_for(ctx: _Ctx, agency: str, what: str) -> None:
        if _C in ctx.roles:
            return
        own = {m.agency for m in ctx.review.memberships if m.user_id == ctx.actor and m.role == _P}
        if agency.strip() not in own:
            raise NotPermitted(f"Only {agency}'s panel member or the review coordinator may {what}.")

    @staticmethod
    def _editable(narrative: AgencyNarrative) -> None:
        if not narrative.editable:
            raise NotAtThisStage(
                "edit_narrative",
                f"{narrative.agency}'s narrative is submitted and read-only; it can be changed again "
                "once it is returned.",
            )

    def add_entry(
        self,
        *,
        review_id: int,
        actor: int,
        agency: str,
        occurred_on: date,
        what_happened: str,
        occurred_at: time | None = None,
        source_record: str = "",
        aware: Mapping[str, date | str | None] | None = None,
        significant: bool = False,
    ) -> NarrativeEntry:
        """Add a dated entry to an agency's narrative (a draft, or a returned one). `aware` maps each
        other agency that knew of it to the day it knew (None: at the time)."""
        with self._change(review_id, actor, "write_narrative") as ctx:
            self._may_write_for(ctx, agency, "write its narrative")
            narrative = self._narrative(ctx, agency, create=True)
            self._editable(narrative)
            data = narr.EntryData(
                occurred_on=occurred_on,
                what_happened=what_happened.strip(),
                occurred_at=occurred_at,
                source_record=source_record.strip(),
                aware=_aware(aware, occurred_on),
                significant=significant,
            )
            _raise(narr.check_entry(data))
            seq = (
                ctx.session.scalar(
                    select(func.max(NarrativeEntry.seq)).where(NarrativeEntry.narrative_id == narrative.id)
                )
                or 0
            )
            entry = NarrativeEntry(
                narrative_id=narrative.id,
                review_id=ctx.review.id,
                seq=seq + 1,
                occurred_on=data.occurred_on,
                occurred_at=data.occurred_at,
                what_happened=data.what_happened,
                source_record=data.source_record,
                aware=data.aware,
                significant=data.significant,
            )
            ctx.session.add(entry)
            ctx.session.flush()
            self._audit(ctx, "add_narrative_entry", agency=narrative.agency, entry_id=entry.id)
            return entry

    def update_entry(
        self, *, review_id: int, actor: int, entry_id: int, expected_version: int | None, **fields: Any
    ) -> NarrativeEntry:
        _unknown(fields, NARRATIVE_ENTRY_FIELDS)
        with self._change(review_id, actor, "write_narrative") as ctx:
            entry = self._get(ctx, NarrativeEntry, entry_id, "narrative entry")
            narrative = entry.narrative
            self._may_write_for(ctx, narrative.agency, "change its narrative")
            self._editable(narrative)
            self._check_version(entry, expected_version, "narrative entry")
            occurred_on = fields.get("occurred_on", entry.occurred_on)
            data = narr.EntryData(
                occurred_on=occurred_on,
                what_happened=str(fields.get("what_happened", entry.what_happened)).strip(),
                occurred_at=fields.get("occurred_at", entry.occurred_at),
                source_record=str(fields.get("source_record", entry.source_record)).strip(),
                aware=_aware(fields["aware"], occurred_on) if "aware" in fields else dict(entry.aware),
                significant=bool(fields.get("significant", entry.significant)),
            )
            _raise(narr.check_entry(data))
            entry.occurred_on, entry.occurred_at = data.occurred_on, data.occurred_at
            entry.what_happened, entry.source_record = data.what_happened, data.source_record
            entry.aware, entry.significant = data.aware, data.significant
            self._audit(
                ctx,
                "update_narrative_entry",
                agency=narrative.agency,
                entry_id=entry.id,
                fields=sorted(fields),
            )
            return entry

    def delete_entry(
        self, *, review_id: int, actor: int, entry_id: int, expected_version: int | None
    ) -> None:
        with self._change(review_id, actor, "write_narrative") as ctx:
            entry = self._get(ctx, NarrativeEntry, entry_id, "narrative entry")
            narrative = entry.narrative
            self._may_write_for(ctx, narrative.agency, "change its narrative")
            self._editable(narrative)
            self._check_version(entry, expected_version, "narrative entry")
            ctx.session.delete(entry)
            self._audit(ctx, "delete_narrative_entry", agency=narrative.agency, entry_id=entry_id)

    def import_csv(
        self, *, review_id: int, actor: int, agency: str, data: bytes, replace: bool = False
    ) -> ImportResult:
        """Import an agency's entries from a CSV file (docs/narrative-csv.md). All or nothing: a file
        with any bad row is refused with every problem by line and column, and nothing is saved.
        With `replace`, the file's entries replace the narrative's existing ones."""
        entries = narr.parse_csv(narr.decode(data))
        with self._change(review_id, actor, "write_narrative") as ctx:
            self._may_write_for(ctx, agency, "import its narrative")
            narrative = self._narrative(ctx, agency, create=True)
            self._editable(narrative)
            replaced = 0
            if replace:
                replaced = len(narrative.entries)
                ctx.session.execute(delete(NarrativeEntry).where(NarrativeEntry.narrative_id == narrative.id))
                ctx.session.expire(narrative, ["entries"])
                start = 0
            else:
                start = (
                    ctx.session.scalar(
                        select(func.max(NarrativeEntry.seq)).where(
                            NarrativeEntry.narrative_id == narrative.id
                        )
                    )
                    or 0
                )
            now = utcnow()
            if entries:
                ctx.session.execute(
                    insert(NarrativeEntry),
                    [
                        {
                            "narrative_id": narrative.id,
                            "review_id": ctx.review.id,
                            "seq": start + i,
                            "occurred_on": e.occurred_on,
                            "occurred_at": e.occurred_at,
                            "what_happened": e.what_happened,
                            "source_record": e.source_record,
                            "aware": e.aware,
                            "significant": e.significant,
                            "version": 1,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for i, e in enumerate(entries, start=1)
                    ],
                )
            narrative.updated_at = now
            self._audit(
                ctx,
                "import_narrative",
                agency=narrative.agency,
                entries=len(entries),
                replaced=replaced,
            )
            return ImportResult(narrative.agency, len(entries), replaced)

    def submit_narrative(
        self, *, review_id: int, actor: int, agency: str, expected_version: int | None
    ) -> AgencyNarrative:
        """Submit an agency's narrative: it becomes read-only until returned."""
        with self._change(review_id, actor, "submit_narrative") as ctx:
            self._may_write_for(ctx, agency, "submit its narrative")
            narrative = self._narrative(ctx, agency, create=False)
            self._check_version(narrative, expected_version, "narrative")
            if not narrative.editable:
                raise InvalidInput({"agency": f"{narrative.agency}'s narrative is already submitted."})
            if not narrative.entries:
                raise InvalidInput(
                    {"entries": "A narrative needs at least one entry before it is submitted."}
                )
            narrative.status = "submitted"
            narrative.submitted_at = utcnow()
            narrative.submitted_by = actor
            narrative.returned_reason = None
            self._audit(ctx, "submit_narrative", agency=narrative.agency, entries=len(narrative.entries))
            return narrative

    def return_narrative(
        self, *, review_id: int, actor: int, agency: str, reason: str, expected_version: int | None
    ) -> AgencyNarrative:
        """Return a submitted narrative to its agency for changes (the reason is required)."""
        errors: dict[str, str] = {}
        reason = _text(reason, "reason", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "return_narrative") as ctx:
            narrative = self._narrative(ctx, agency, create=False)
            self._check_version(narrative, expected_version, "narrative")
            if narrative.status != "submitted":
                raise InvalidInput({"agency": f"{narrative.agency}'s narrative is not submitted."})
            narrative.status = "returned"
            narrative.returned_reason = reason
            self._audit(ctx, "return_narrative", reason=reason, agency=narrative.agency)
            return narrative

    def record_narrative_exemption(
        self, *, review_id: int, actor: int, agency: str, reason: str
    ) -> AgencyNarrative:
        """Record why an agency need not submit a narrative; an empty reason clears the exemption."""
        with self._change(review_id, actor, "record_narrative_exemption") as ctx:
            narrative = self._narrative(ctx, agency, create=True)
            narrative.exemption = reason.strip() or None
            narrative.updated_at = utcnow()
            self._audit(
                ctx,
                "record_narrative_exemption" if narrative.exemption else "clear_narrative_exemption",
                reason=narrative.exemption,
                agency=narrative.agency,
            )
            return narrative

    def _entry_views(self, ctx: _Ctx) -> tuple[list[narr.EntryView], list[AgencyNarrative]]:
        narratives = list(
            ctx.session.scalars(select(AgencyNarrative).where(AgencyNarrative.review_id == ctx.review.id))
        )
        views = [
            narr.EntryView(
                e.id,
                n.agency,
                e.occurred_on,
                e.occurred_at,
                e.what_happened,
                e.source_record,
                dict(e.aware),
                e.significant,
                e.version,
            )
            for n in narratives
            for e in n.entries
        ]
        return views, narratives

    def narratives(self, *, review_id: int, actor: int) -> NarrativeOverview:
        """The review's narratives side by side per agency, and merged in date order."""
        with self._read(review_id, actor, READERS["narratives"]) as ctx:
            views, narratives = self._entry_views(ctx)
            columns = narr.side_by_side(
                views,
                agencies=_agencies(ctx.review.agencies_in_scope),
                statuses={n.agency: n.status for n in narratives},
                exemptions={n.agency: n.exemption for n in narratives if n.exemption},
            )
            return NarrativeOverview(columns, narr.merged(views))

    def narrative(self, *, review_id: int, actor: int, agency: str) -> AgencyNarrative:
        with self._read(review_id, actor, READERS["narratives"]) as ctx:
            return self._narrative(ctx, agency, create=False)

    def information_sharing(self, *, review_id: int, actor: int) -> narr.SharingMap:
        """For each significant narrative entry: which agencies knew of it, and from when."""
        with self._read(review_id, actor, READERS["narratives"]) as ctx:
            views, _ = self._entry_views(ctx)
            return narr.information_sharing(views, agencies=_agencies(ctx.review.agencies_in_scope))

    # ---- conversations ------------------------------------------------------------------------

    def add_conversation(
        self,
        *,
        review_id: int,
        actor: int,
        practitioner_id: int,
        held_on: date | None = None,
        **headings: str,
    ) -> Conversation:
        """Record a conversation with a case group member under the headings of DESIGN §2."""
        _unknown(headings, CONVERSATION_FIELDS - {"held_on"})
        with self._change(review_id, actor, "write_conversation") as ctx:
            if not any(m.user_id == practitioner_id and m.role == _G for m in ctx.review.memberships):
                raise InvalidInput(
                    {"practitioner_id": "The practitioner must be a member of the case group."}
                )
            errors: dict[str, str] = {}
            values = {name: _text(headings.get(name), name, errors) for name in CONVERSATION_HEADINGS}
            _raise(errors)
            conversation = Conversation(
                review_id=ctx.review.id,
                practitioner_id=practitioner_id,
                held_on=held_on,
                author_id=actor,
                **values,
            )
            ctx.session.add(conversation)
            ctx.session.flush()
            self._audit(
                ctx, "add_conversation", conversation_id=conversation.id, practitioner_id=practitioner_id
            )
            return conversation

    def update_conversation(
        self, *, review_id: int, actor: int, conversation_id: int, expected_version: int | None, **fields: Any
    ) -> Conversation:
        _unknown(fields, CONVERSATION_FIELDS)
        with self._change(review_id, actor, "write_conversation") as ctx:
            conversation = self._get(ctx, Conversation, conversation_id, "conversation")
            self._check_version(conversation, expected_version, "conversation")
            errors: dict[str, str] = {}
            for name, value in fields.items():
                setattr(conversation, name, value if name == "held_on" else _text(value, name, errors))
            _raise(errors)
            self._audit(ctx, "update_conversation", conversation_id=conversation.id, fields=sorted(fields))
            return conversation

    @staticmethod
    def _may_see_conversation(ctx: _Ctx, conversation: Conversation) -> bool:
        return bool(ctx.roles & REVIEW_TEAM) or (
            _G in ctx.roles and conversation.practitioner_id == ctx.actor
        )

    def conversations(self, *, review_id: int, actor: int) -> list[Conversation]:
        """The conversations the actor may see: all for the review team, their own for a practitioner."""
        with self._read(review_id, actor, EVERYONE) as ctx:
            rows = ctx.session.scalars(
                select(Conversation).where(Conversation.review_id == ctx.review.id).order_by(Conversation.id)
            )
            return [c for c in rows if self._may_see_conversation(ctx, c)]

    def conversation(self, *, review_id: int, actor: int, conversation_id: int) -> Conversation:
        with self._read(review_id, actor, EVERYONE) as ctx:
            conversation = self._get(ctx, Conversation, conversation_id, "conversation")
            if not self._may_see_conversation(ctx, conversation):
                raise NotFound(f"Conversation {conversation_id} was not found in this review.")
            return conversation

    def comment_on_conversation(
        self, *, review_id: int, actor: int, conversation_id: int, text: str
    ) -> ConversationComment:
        """A practitioner comments on their own conversation (a lead reviewer may answer)."""
        errors: dict[str, str] = {}
        text = _text(text, "text", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "comment_on_conversation") as ctx:
            conversation = self._get(ctx, Conversation, conversation_id, "conversation")
            if _L not in ctx.roles and conversation.practitioner_id != actor:
                raise NotFound(f"Conversation {conversation_id} was not found in this review.")
            comment = ConversationComment(conversation_id=conversation.id, author_id=actor, text=text)
            conversation.comments.append(comment)
            ctx.session.flush()
            self._audit(
                ctx, "comment_on_conversation", conversation_id=conversation.id, comment_id=comment.id
            )
            return comment

    # ---- key practice episodes ---------------------------------------------------------------

    def _episode_values(self, ctx: _Ctx, fields: Mapping[str, Any], episode: Episode | None) -> Episode:
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name in ("what_happened", "view_from_tunnel", "appraisal", "appraisal_reference", "explanation"):
            if name in fields:
                values[name] = _text(fields[name], name, errors)
        if "title" in fields or episode is None:
            values["title"] = _text(fields.get("title"), "title", errors, required=True, limit=300)
        if "valence" in fields or episode is None:
            if fields.get("valence") not in VALENCES:
                errors["valence"] = "Valence must be good, problematic or mixed."
            values["valence"] = fields.get("valence")
        if "agencies" in fields:
            values["agencies"] = _agencies(fields["agencies"])
        for name in ("period_start", "period_end"):
            if name in fields:
                values[name] = fields[name]
        start = values.get("period_start", episode.period_start if episode else None)
        end = values.get("period_end", episode.period_end if episode else None)
        if start and end and end < start:
            errors["period_end"] = "The period must end on or after the day it starts."
        _raise(errors)
        target = episode or Episode(review_id=ctx.review.id)
        for name, value in values.items():
            setattr(target, name, value)
        if "entry_ids" in fields:
            target.entries = self._ids_in_review(ctx, NarrativeEntry, fields["entry_ids"], "entry_ids")
        if "conversation_ids" in fields:
            target.conversations = self._ids_in_review(
                ctx, Conversation, fields["conversation_ids"], "conversation_ids"
            )
        if episode is None:
            number = ctx.session.scalar(
                select(func.max(Episode.number)).where(Episode.review_id == ctx.review.id)
            )
            target.number = (number or 0) + 1
            ctx.session.add(target)
        ctx.session.flush()
        return target

    def add_episode(self, *, review_id: int, actor: int, title: str, valence: str, **fields: Any) -> Episode:
        """Record a key practice episode; it is numbered after the last one. Fields: period_start,
        period_end, agencies, what_happened, view_from_tunnel, appraisal, appraisal_reference,
        explanation, entry_ids (narrative entries), conversation_ids."""
        _unknown(fields, EPISODE_FIELDS)
        with self._change(review_id, actor, "write_episode") as ctx:
            episode = self._episode_values(ctx, {**fields, "title": title, "valence": valence}, None)
            self._audit(ctx, "add_episode", episode_id=episode.id, number=episode.number)
            return episode

    def update_episode(
        self, *, review_id: int, actor: int, episode_id: int, expected_version: int | None, **fields: Any
    ) -> Episode:
        _unknown(fields, EPISODE_FIELDS)
        with self._change(review_id, actor, "write_episode") as ctx:
            episode = self._get(ctx, Episode, episode_id, "episode")
            self._check_version(episode, expected_version, "episode")
            self._episode_values(ctx, fields, episode)
            self._audit(ctx, "update_episode", episode_id=episode.id, fields=sorted(fields))
            return episode

    def delete_episode(
        self, *, review_id: int, actor: int, episode_id: int, expected_version: int | None
    ) -> None:
        """Delete an episode; the ones after it move up a number."""
        with self._change(review_id, actor, "write_episode") as ctx:
            episode = self._get(ctx, Episode, episode_id, "episode")
            self._check_version(episode, expected_version, "episode")
            number = episode.number
            ctx.session.delete(episode)
            ctx.session.flush()
            for later in episodes_of(ctx.session, ctx.review.id):
                if later.number > number:
                    later.number -= 1
            self._audit(ctx, "delete_episode", episode_id=episode_id, number=number)

    def episodes(self, *, review_id: int, actor: int) -> list[Episode]:
        with self._read(review_id, actor, READERS["analysis"]) as ctx:
            return episodes_of(ctx.session, ctx.review.id)

    def episode(self, *, review_id: int, actor: int, episode_id: int) -> Episode:
        with self._read(review_id, actor, READERS["analysis"]) as ctx:
            return self._get(ctx, Episode, episode_id, "episode")

    # ---- contributory factors ----------------------------------------------------------------

    def _factor_values(self, ctx: _Ctx, factor: Factor, fields: Mapping[str, Any]) -> None:
        errors: dict[str, str] = {}
        framework = fields.get("framework", factor.framework) or frameworks.DEFAULT_FRAMEWORK
        level = fields.get("level", factor.level)
        category = fields.get("category", factor.category)
        errors.update(frameworks.validate(str(framework), str(level), str(category)))
        description = _text(
            fields.get("description", factor.description), "description", errors, required=True
        )
        evidence = _text(fields.get("evidence", factor.evidence), "evidence", errors)
        _raise(errors)
        factor.framework, factor.level, factor.category = framework, level, category
        factor.description, factor.evidence = description, evidence
        if "episode_ids" in fields:
            factor.episodes = self._ids_in_review(ctx, Episode, fields["episode_ids"], "episode_ids")

    def add_factor(
        self,
        *,
        review_id: int,
        actor: int,
        level: str,
        category: str,
        description: str,
        framework: str = frameworks.DEFAULT_FRAMEWORK,
        evidence: str = "",
        episode_ids: Sequence[int] = (),
    ) -> Factor:
        """Code a contributory factor (DESIGN §5.3) and say which episodes it explains."""
        with self._change(review_id, actor, "write_factor") as ctx:
            factor = Factor(review_id=ctx.review.id, framework="", level="", category="", description="")
            self._factor_values(
                ctx,
                factor,
                {
                    "framework": framework,
                    "level": level,
                    "category": category,
                    "description": description,
                    "evidence": evidence,
                    "episode_ids": episode_ids,
                },
            )
            ctx.session.add(factor)
            ctx.session.flush()
            self._audit(ctx, "add_factor", factor_id=factor.id, episode_ids=factor.episode_ids)
            return factor

    def update_factor(
        self, *, review_id: int, actor: int, factor_id: int, expected_version: int | None, **fields: Any
    ) -> Factor:
        _unknown(fields, FACTOR_FIELDS)
        with self._change(review_id, actor, "write_factor") as ctx:
            factor = self._get(ctx, Factor, factor_id, "factor")
            self._check_version(factor, expected_version, "factor")
            self._factor_values(ctx, factor, fields)
            self._audit(ctx, "update_factor", factor_id=factor.id, fields=sorted(fields))
            return factor

    def delete_factor(
        self, *, review_id: int, actor: int, factor_id: int, expected_version: int | None
    ) -> None:
        with self._change(review_id, actor, "write_factor") as ctx:
            factor = self._get(ctx, Factor, factor_id, "factor")
            self._check_version(factor, expected_version, "factor")
            ctx.session.delete(factor)
            self._audit(ctx, "delete_factor", factor_id=factor_id)

    def factors(self, *, review_id: int, actor: int) -> list[Factor]:
        with self._read(review_id, actor, READERS["analysis"]) as ctx:
            return list(
                ctx.session.scalars(
                    select(Factor).where(Factor.review_id == ctx.review.id).order_by(Factor.id)
                )
            )

    def adopt_proposed_factor(self, *, review_id: int, actor: int, submission_id: int, index: int) -> Factor:
        """A lead reviewer adopts a factor a panel member proposed in their submitted analysis."""
        with self._change(review_id, actor, "write_factor") as ctx:
            submission = self._get(ctx, PanelSubmission, submission_id, "panel analysis")
            if submission.status != "submitted":
                raise InvalidInput(
                    {"submission_id": "Only factors of a submitted panel analysis can be adopted."}
                )
            if not 0 <= index < len(submission.proposed_factors):
                raise InvalidInput({"index": "The panel analysis has no such proposed factor."})
            proposal = dict(submission.proposed_factors[index])
            factor = Factor(review_id=ctx.review.id, proposed_by=submission.author_id)
            self._factor_values(
                ctx,
                factor,
                {
                    key: proposal.get(key)
                    for key in ("framework", "level", "category", "description", "evidence")
                }
                | {"episode_ids": proposal.get("episode_ids") or []},
            )
            ctx.session.add(factor)
            ctx.session.flush()
            self._audit(
                ctx, "adopt_proposed_factor", factor_id=factor.id, submission_id=submission.id, index=index
            )
            return factor

    # ---- panel analysis submissions ----------------------------------------------------------

    @staticmethod
    def _panel_membership(ctx: _Ctx) -> Membership:
        membership = next(
            (m for m in ctx.review.memberships if m.user_id == ctx.actor and m.role == _P), None
        )
        if membership is None:
            raise NotPermitted("Only a panel member may write a panel analysis.")
        return membership

    def _proposals(self, ctx: _Ctx, proposals: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        errors: dict[str, str] = {}
        for i, proposal in enumerate(proposals):
            framework = str(proposal.get("framework") or frameworks.DEFAULT_FRAMEWORK)
            level, category = str(proposal.get("level", "")), str(proposal.get("category", ""))
            for field, message in frameworks.validate(framework, level, category).items():
                errors[f"proposed_factors[{i}].{field}"] = message
            description = _text(
                proposal.get("description"), f"proposed_factors[{i}].description", errors, required=True
            )
            episode_ids = [int(x) for x in proposal.get("episode_ids") or []]
            self._ids_in_review(ctx, Episode, episode_ids, f"proposed_factors[{i}].episode_ids")
            out.append(
                {
                    "framework": framework,
                    "level": level,
                    "category": category,
                    "description": description,
                    "evidence": str(proposal.get("evidence") or "").strip(),
                    "episode_ids": episode_ids,
                }
            )
        _raise(errors)
        return out

    def save_panel_submission(
        self,
        *,
        review_id: int,
        actor: int,
        expected_version: int | None = None,
        appraisal: str | None = None,
        episode_notes: Mapping[int, str] | None = None,
        proposed_factors: Sequence[Mapping[str, Any]] | None = None,
    ) -> PanelSubmission:
        """Create or change the actor's own draft panel analysis: their appraisal, notes per episode
        (episode id -> text) and proposed factors. Private to them and the lead reviewers until
        submitted. Creating needs no version; changing names the draft's version."""
        with self._change(review_id, actor, "write_panel_submission") as ctx:
            membership = self._panel_membership(ctx)
            submission = ctx.session.scalar(
                select(PanelSubmission).where(PanelSubmission.membership_id == membership.id)
            )
            if submission is None:
                submission = PanelSubmission(
                    review_id=ctx.review.id, membership_id=membership.id, author_id=actor
                )
                ctx.session.add(submission)
            else:
                self._check_version(submission, expected_version, "panel analysis")
                if submission.status != "draft":
                    raise NotAtThisStage(
                        "write_panel_submission",
                        f"Your panel analysis is {submission.status}; it can no longer change.",
                    )
            errors: dict[str, str] = {}
            if appraisal is not None:
                submission.appraisal = _text(appraisal, "appraisal", errors)
            if episode_notes is not None:
                self._ids_in_review(ctx, Episode, [int(k) for k in episode_notes], "episode_notes")
                submission.episode_notes = {
                    str(k): _text(v, f"episode_notes[{k}]", errors) for k, v in episode_notes.items()
                }
            if proposed_factors is not None:
                submission.proposed_factors = self._proposals(ctx, proposed_factors)
            _raise(errors)
            ctx.session.flush()
            self._audit(ctx, "save_panel_analysis", submission_id=submission.id, membership_id=membership.id)
            return submission

    def submit_panel_submission(
        self, *, review_id: int, actor: int, expected_version: int | None
    ) -> PanelSubmission:
        """Submit the actor's panel analysis: from now on the review team can read it."""
        with self._change(review_id, actor, "write_panel_submission") as ctx:
            membership = self._panel_membership(ctx)
            submission = ctx.session.scalar(
                select(PanelSubmission).where(PanelSubmission.membership_id == membership.id)
            )
            if submission is None:
                raise NotFound("You have no draft panel analysis to submit.")
            self._check_version(submission, expected_version, "panel analysis")
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
            self._audit(
                ctx, "submit_panel_analysis", submission_id=submission.id, membership_id=membership.id
            )
            return submission

    def waive_panel_submission(
        self, *, review_id: int, actor: int, membership_id: int, reason: str
    ) -> PanelSubmission:
        """The coordinator waives a panel member's analysis, with a reason (audited)."""
        errors: dict[str, str] = {}
        reason = _text(reason, "reason", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "waive_panel_submission") as ctx:
            membership = next(
                (m for m in ctx.review.memberships if m.id == membership_id and m.role == _P), None
            )
            if membership is None:
                raise InvalidInput({"membership_id": "This is not a panel member of the review."})
            submission = ctx.session.scalar(
                select(PanelSubmission).where(PanelSubmission.membership_id == membership.id)
            )
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
            submission.waiver_reason = reason
            submission.updated_at = utcnow()
            ctx.session.flush()
            self._audit(ctx, "waive_panel_analysis", reason=reason, membership_id=membership.id)
            return submission

    @staticmethod
    def _may_read_submission(ctx: _Ctx, submission: PanelSubmission) -> bool:
        """Author and lead reviewers always; the review team once submitted (or waived); never the
        case group."""
        if submission.author_id == ctx.actor or _L in ctx.roles:
            return True
        return submission.status in ("submitted", "waived") and bool(ctx.roles & REVIEW_TEAM)

    def panel_submissions(self, *, review_id: int, actor: int) -> list[PanelSubmission]:
        with self._read(review_id, actor, EVERYONE) as ctx:
            rows = ctx.session.scalars(
                select(PanelSubmission)
                .where(PanelSubmission.review_id == ctx.review.id)
                .order_by(PanelSubmission.id)
            )
            return [s for s in rows if self._may_read_submission(ctx, s)]

    def panel_submission(self, *, review_id: int, actor: int, submission_id: int) -> PanelSubmission:
        with self._read(review_id, actor, EVERYONE) as ctx:
            submission = self._get(ctx, PanelSubmission, submission_id, "panel analysis")
            if not self._may_read_submission(ctx, submission):
                raise NotFound(f"Panel analysis {submission_id} was not found in this review.")
            return submission


def _aware(values: Mapping[str, date | str | None] | None, occurred_on: date) -> dict[str, str]:
    out: dict[str, str] = {}
    for agency, on in (values or {}).items():
        name = agency.strip()
        if not name:
            continue
        if on is None or on == "":
            out[name] = occurred_on.isoformat()
        elif isinstance(on, date):
            out[name] = on.isoformat()
        else:
            try:
                out[name] = narr.parse_date(on).isoformat()
            except ValueError as error:
                raise InvalidInput({"aware": str(error)}) from None
    return out

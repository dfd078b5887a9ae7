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
from findings.analysis import quality
from findings.analysis.facts import FindingsFacts, findings_of, review_warnings
from findings.analysis.models import (
    ACTION_STATUSES,
    FINDING_STATUSES,
    Action,
    AgencyNarrative,
    BoardQuestion,
    BoardResponse,
    Conversation,
    ConversationComment,
    Episode,
    Finding,
    FindingComment,
    FindingEvidence,
    NarrativeEntry,
    PartnershipTheme,
    ReviewTheme,
    WarningAcknowledgement,
)
from findings.analysis.vocabulary import BUILT_IN_THEMES, FINDING_CATEGORIES, theme_key
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
FINDING_FIELDS = frozenset(
    {
        "title",
        "category",
        "statement",
        "context",
        "how_it_showed",
        "why_it_matters",
        "themes",
        "status",
        "episode_ids",
    }
)
ACTION_FIELDS = frozenset(
    {"title", "description", "owner_agency", "due_on", "status", "evidence_of_impact", "finding_id"}
)

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


@dataclass(frozen=True)
class ActionView:
    action: Action
    overdue: bool


def is_overdue(*, due_on: date | None, status: str | None, today: date) -> bool:
    """An action is overdue when its due date has passed and it is neither done nor verified."""
    return due_on is not None and due_on < today and status not in ("done", "verified")


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

    # ---- good practice -----------------------------------------------------------------------

    # ---- findings ------------------------------------------------------------------------------

    def _vocabulary(self, session: Session) -> dict[str, str]:
        added = {
            t.key: t.label for t in session.scalars(select(PartnershipTheme).order_by(PartnershipTheme.key))
        }
        return BUILT_IN_THEMES | added

    def _themes(self, session: Session, themes: Iterable[str], field: str) -> list[str]:
        vocabulary = self._vocabulary(session)
        chosen = list(dict.fromkeys(t.strip() for t in themes if t and t.strip()))
        unknown = [t for t in chosen if t not in vocabulary]
        if unknown:
            raise InvalidInput(
                {field: f"Unknown theme(s): {', '.join(unknown)}. Add them to the vocabulary first."}
            )
        return chosen

    def _finding_values(self, ctx: _Ctx, finding: Finding, fields: Mapping[str, Any]) -> None:
        errors: dict[str, str] = {}
        if "title" in fields:
            finding.title = _text(fields["title"], "title", errors, required=True, limit=300)
        for name in ("statement", "context", "how_it_showed", "why_it_matters"):
            if name in fields:
                setattr(finding, name, _text(fields[name], name, errors))
        if "category" in fields:
            if fields["category"] not in (None, "", *FINDING_CATEGORIES):
                errors["category"] = "Category must be one of: " + ", ".join(FINDING_CATEGORIES) + "."
            finding.category = fields["category"] or None
        if "status" in fields:
            if fields["status"] not in FINDING_STATUSES:
                errors["status"] = "Status must be draft or agreed."
            finding.status = fields["status"]
        _raise(errors)
        if "themes" in fields:
            finding.themes = self._themes(ctx.session, fields["themes"], "themes")
        if "episode_ids" in fields:
            finding.episodes = self._ids_in_review(ctx, Episode, fields["episode_ids"], "episode_ids")

    def add_finding(self, *, review_id: int, actor: int, title: str, **fields: Any) -> Finding:
        """Draft a finding, numbered after the last one. Fields: category, statement, context,
        how_it_showed, why_it_matters, themes, episode_ids."""
        _unknown(fields, FINDING_FIELDS - {"status", "title"})
        with self._change(review_id, actor, "write_finding") as ctx:
            number = ctx.session.scalar(
                select(func.max(Finding.number)).where(Finding.review_id == ctx.review.id)
            )
            finding = Finding(review_id=ctx.review.id, number=(number or 0) + 1, title="", status="draft")
            self._finding_values(ctx, finding, {**fields, "title": title})
            ctx.session.add(finding)
            ctx.session.flush()
            self._audit(ctx, "add_finding", finding_id=finding.id, number=finding.number)
            return finding

    def update_finding(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None, **fields: Any
    ) -> Finding:
        """Change a finding's fields, its linked episodes or its status (draft / agreed)."""
        _unknown(fields, FINDING_FIELDS)
        with self._change(review_id, actor, "write_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            self._finding_values(ctx, finding, fields)
            self._audit(ctx, "update_finding", finding_id=finding.id, fields=sorted(fields))
            return finding

    def move_finding(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None, to_number: int
    ) -> list[Finding]:
        """Move a finding to another place in the order; the others renumber around it."""
        with self._change(review_id, actor, "write_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            ordered = findings_of(ctx.session, ctx.review.id)
            if not 1 <= to_number <= len(ordered):
                raise InvalidInput({"to_number": f"Choose a number from 1 to {len(ordered)}."})
            ordered.remove(finding)
            ordered.insert(to_number - 1, finding)
            for number, item in enumerate(ordered, start=1):
                if item.number != number:
                    item.number = number
                    item.updated_at = utcnow()
            self._audit(ctx, "move_finding", finding_id=finding.id, to_number=to_number)
            return ordered

    def delete_finding(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None
    ) -> None:
        with self._change(review_id, actor, "write_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            number = finding.number
            ctx.session.delete(finding)
            ctx.session.flush()
            for later in findings_of(ctx.session, ctx.review.id):
                if later.number > number:
                    later.number -= 1
            self._audit(ctx, "delete_finding", finding_id=finding_id, number=number)

    def add_evidence(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        expected_version: int | None,
        kind: str,
        summary: str,
        reference: str,
    ) -> Finding:
        """Add evidence that the finding is not a quirk of this case (kind: typicality, audit, data,
        other_reviews, research), with its reference."""
        errors: dict[str, str] = {}
        if kind not in quality.EVIDENCE_KINDS:
            errors["kind"] = "Kind must be one of: " + ", ".join(quality.EVIDENCE_KINDS) + "."
        summary = _text(summary, "summary", errors, required=True)
        reference = _text(reference, "reference", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "write_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            finding.evidence.append(FindingEvidence(kind=kind, summary=summary, reference=reference))
            ctx.session.flush()
            self._audit(ctx, "add_finding_evidence", finding_id=finding.id, kind=kind)
            return finding

    def remove_evidence(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None, evidence_id: int
    ) -> Finding:
        with self._change(review_id, actor, "write_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            item = next((e for e in finding.evidence if e.id == evidence_id), None)
            if item is None:
                raise NotFound(f"Evidence {evidence_id} is not part of this finding.")
            finding.evidence.remove(item)
            ctx.session.flush()
            self._audit(ctx, "remove_finding_evidence", finding_id=finding.id, evidence_id=evidence_id)
            return finding

    def add_question(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None, text: str
    ) -> Finding:
        """Add a question for the board to a finding."""
        errors: dict[str, str] = {}
        text = _text(text, "text", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "write_question") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            number = max((q.number for q in finding.questions), default=0) + 1
            finding.questions.append(BoardQuestion(number=number, text=text))
            ctx.session.flush()
            self._audit(ctx, "add_board_question", finding_id=finding.id, number=number)
            return finding

    def update_question(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        expected_version: int | None,
        question_id: int,
        text: str | None,
    ) -> Finding:
        """Change a question for the board; `text=None` removes it (the others renumber)."""
        with self._change(review_id, actor, "write_question") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            question = next((q for q in finding.questions if q.id == question_id), None)
            if question is None:
                raise NotFound(f"Question {question_id} is not part of this finding.")
            if text is None:
                finding.questions.remove(question)
                for number, q in enumerate(sorted(finding.questions, key=lambda q: q.number), start=1):
                    q.number = number
            else:
                errors: dict[str, str] = {}
                question.text = _text(text, "text", errors, required=True)
                _raise(errors)
            ctx.session.flush()
            self._audit(
                ctx,
                "remove_board_question" if text is None else "update_board_question",
                finding_id=finding.id,
                question_id=question_id,
            )
            return finding

    def comment_on_finding(self, *, review_id: int, actor: int, finding_id: int, text: str) -> FindingComment:
        """A case group member (or panel member, or lead reviewer) comments on a draft finding."""
        errors: dict[str, str] = {}
        text = _text(text, "text", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "comment_on_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            if finding.status != "draft":
                raise NotAtThisStage("comment_on_finding", "Only draft findings take comments.")
            comment = FindingComment(finding_id=finding.id, author_id=actor, text=text)
            finding.comments.append(comment)
            ctx.session.flush()
            self._audit(ctx, "comment_on_finding", finding_id=finding.id, comment_id=comment.id)
            return comment

    def findings(self, *, review_id: int, actor: int) -> list[Finding]:
        with self._read(review_id, actor, READERS["analysis"]) as ctx:
            return findings_of(ctx.session, ctx.review.id)

    def finding(self, *, review_id: int, actor: int, finding_id: int) -> Finding:
        with self._read(review_id, actor, READERS["analysis"]) as ctx:
            return self._get(ctx, Finding, finding_id, "finding")

    # ---- board response and actions ---------------------------------------------------------

    def record_board_response(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        response: str,
        expected_version: int | None = None,
    ) -> BoardResponse:
        """Record (or, naming its version, change) the board's response to a finding."""
        errors: dict[str, str] = {}
        response = _text(response, "response", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "record_board_response") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            existing = finding.response
            if existing is None:
                existing = BoardResponse(
                    review_id=ctx.review.id, finding_id=finding.id, response=response, recorded_by=actor
                )
                finding.response = existing
            else:
                self._check_version(existing, expected_version, "board response")
                existing.response, existing.recorded_by = response, actor
            ctx.session.flush()
            self._audit(ctx, "record_board_response", finding_id=finding.id)
            return existing

    def _action_values(self, ctx: _Ctx, action: Action, fields: Mapping[str, Any]) -> None:
        errors: dict[str, str] = {}
        if "title" in fields:
            action.title = _text(fields["title"], "title", errors, required=True, limit=300)
        for name in ("description", "evidence_of_impact"):
            if name in fields:
                setattr(action, name, _text(fields[name], name, errors))
        if "owner_agency" in fields:
            action.owner_agency = _text(fields["owner_agency"], "owner_agency", errors, limit=200) or None
        if "due_on" in fields:
            action.due_on = fields["due_on"]
        if "status" in fields:
            if fields["status"] not in ACTION_STATUSES:
                errors["status"] = "Status must be one of: " + ", ".join(ACTION_STATUSES) + "."
            action.status = fields["status"]
        if "finding_id" in fields:
            if fields["finding_id"] is not None:
                self._ids_in_review(ctx, Finding, [fields["finding_id"]], "finding_id")
            action.finding_id = fields["finding_id"]
        _raise(errors)

    def add_action(self, *, review_id: int, actor: int, title: str, **fields: Any) -> Action:
        """Record an action of the board's response. Fields: description, owner_agency, due_on,
        status (planned, in_progress, done, verified; default planned), evidence_of_impact, finding_id."""
        _unknown(fields, ACTION_FIELDS - {"title"})
        with self._change(review_id, actor, "write_action") as ctx:
            action = Action(review_id=ctx.review.id, title="", status="planned")
            self._action_values(ctx, action, {**fields, "title": title})
            ctx.session.add(action)
            ctx.session.flush()
            self._audit(ctx, "add_action", action_id=action.id)
            return action

    def update_action(
        self, *, review_id: int, actor: int, action_id: int, expected_version: int | None, **fields: Any
    ) -> Action:
        _unknown(fields, ACTION_FIELDS)
        with self._change(review_id, actor, "write_action") as ctx:
            action = self._get(ctx, Action, action_id, "action")
            self._check_version(action, expected_version, "action")
            self._action_values(ctx, action, fields)
            self._audit(ctx, "update_action", action_id=action.id, fields=sorted(fields))
            return action

    def actions(self, *, review_id: int, actor: int) -> list[ActionView]:
        with self._read(review_id, actor, READERS["board"]) as ctx:
            today = self._today()
            rows = ctx.session.scalars(
                select(Action).where(Action.review_id == ctx.review.id).order_by(Action.id)
            )
            return [ActionView(a, is_overdue(due_on=a.due_on, status=a.status, today=today)) for a in rows]

    def actions_across_reviews(self, *, actor: int, overdue_only: bool = False) -> list[ActionView]:
        """Actions of every review the actor is a member of (need-to-know), overdue derived."""
        with self._reviews.session() as session:
            self._reviews.active_user(session, actor)
            member_of = select(Membership.review_id).where(Membership.user_id == actor)
            rows = session.scalars(
                select(Action).where(Action.review_id.in_(member_of)).order_by(Action.due_on, Action.id)
            )
            today = self._today()
            views = [ActionView(a, is_overdue(due_on=a.due_on, status=a.status, today=today)) for a in rows]
            return [v for v in views if v.overdue] if overdue_only else views

    # ---- themes --------------------------------------------------------------------------------

    def vocabulary(self, *, actor: int) -> dict[str, str]:
        """The themes a review or finding can carry: DESIGN §6's and the partnership's own."""
        with self._reviews.session() as session:
            self._reviews.active_user(session, actor)
            return self._vocabulary(session)

    def add_theme(self, *, actor: int, label: str) -> PartnershipTheme:
        """Add a theme to the partnership's vocabulary (a coordinator or chair of the partnership)."""
        with self._reviews.session() as session:
            user = self._reviews.active_user(session, actor)
            if user.global_role not in ("coordinator", "chair"):
                raise NotPermitted("Only a review coordinator or chair may add a theme.")
            errors: dict[str, str] = {}
            label = _text(label, "label", errors, required=True, limit=200)
            key = theme_key(label)
            if not errors and not key:
                errors["label"] = "A theme needs at least one letter or digit."
            if not errors and key in self._vocabulary(session):
                errors["label"] = f"The theme '{key}' already exists."
            _raise(errors)
            theme = PartnershipTheme(key=key[:80], label=label, added_by=actor)
            session.add(theme)
            try:
                session.commit()
            except IntegrityError as error:
                session.rollback()
                raise InvalidInput({"label": f"The theme '{key}' already exists."}) from error
            return theme

    def set_review_themes(self, *, review_id: int, actor: int, themes: Sequence[str]) -> list[str]:
        """Tag the review as a whole with themes (replaces the previous tags)."""
        with self._change(review_id, actor, "set_review_themes") as ctx:
            chosen = self._themes(ctx.session, themes, "themes")
            ctx.session.execute(delete(ReviewTheme).where(ReviewTheme.review_id == ctx.review.id))
            ctx.session.add_all(ReviewTheme(review_id=ctx.review.id, theme=t) for t in chosen)
            self._audit(ctx, "set_review_themes", themes=chosen)
            return chosen

    def review_themes(self, *, review_id: int, actor: int) -> list[str]:
        with self._read(review_id, actor, EVERYONE) as ctx:
            return [
                t.theme
                for t in ctx.session.scalars(
                    select(ReviewTheme)
                    .where(ReviewTheme.review_id == ctx.review.id)
                    .order_by(ReviewTheme.theme)
                )
            ]

    # ---- quality warnings ----------------------------------------------------------------------

    def warnings(
        self, *, review_id: int, actor: int, kind: str | None = None, object_id: int | None = None
    ) -> list[quality.QualityWarning]:
        """The review's quality warnings (acknowledged ones marked), optionally for one object."""
        with self._read(review_id, actor, READERS["analysis"]) as ctx:
            found = review_warnings(ctx.session, ctx.review, self._facts.names(ctx.session, ctx.review.id))
            return [
                w
                for w in found
                if (kind is None or w.where.kind == kind) and (object_id is None or w.where.id == object_id)
            ]

    def acknowledge_warning(
        self, *, review_id: int, actor: int, fingerprint: str, reason: str
    ) -> quality.QualityWarning:
        """A lead reviewer acknowledges a warning with a reason (audited); an acknowledged blocking
        warning no longer blocks `submit_for_signoff`."""
        errors: dict[str, str] = {}
        reason = _text(reason, "reason", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "acknowledge_warning") as ctx:
            found = review_warnings(ctx.session, ctx.review, self._facts.names(ctx.session, ctx.review.id))
            warning = next((w for w in found if w.fingerprint == fingerprint), None)
            if warning is None:
                raise NotFound("This warning no longer applies (the text may have changed).")
            if warning.code in quality.NOT_ACKNOWLEDGEABLE:
                raise InvalidInput(
                    {
                        "fingerprint": "This warning is a rule of the lifecycle and cannot be "
                        "acknowledged: fix it."
                    }
                )
            if warning.acknowledged:
                raise InvalidInput({"fingerprint": "This warning is already acknowledged."})
            ctx.session.add(
                WarningAcknowledgement(
                    review_id=ctx.review.id,
                    fingerprint=fingerprint,
                    code=warning.code.value,
                    warning=warning.in_words(),
                    reason=reason,
                    by=actor,
                )
            )
            self._audit(
                ctx,
                "acknowledge_warning",
                reason=reason,
                code=warning.code.value,
                severity=warning.severity.value,
                object=f"{warning.where.kind} {warning.where.id}",
                field=warning.where.field,
                matched=list(warning.matched),
            )
            return quality.acknowledge([warning], {fingerprint: reason})[0]


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

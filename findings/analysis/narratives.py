"""Agency narratives: dated entries (typed, or imported from CSV), submitting and returning a
narrative, exemptions, the views side by side and merged, and the information-sharing map.

The rules of the entries as plain data (the CSV format, the views, the map) are in
`findings.analysis.chronology`; this module holds the commands and the service.

Every change to a narrative queues on the review's row (`_change`): concurrent writers to one
review, such as several panel members adding entries at once, each wait for the one before and
then see its entries, so a create never loses a race it did not know it was in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError
from sqlalchemy import delete, func, insert, select

from findings.analysis import chronology as narr
from findings.analysis.base import AnalysisService, Context, agencies, check_version
from findings.analysis.models import AgencyNarrative, NarrativeEntry
from workflow.commands import MAX_ITEMS, Agency, AnyDate, Command, Reason, Text, Title, required
from workflow.errors import InvalidInput, NotAtThisStage, NotFound, NotPermitted
from workflow.models import utcnow
from workflow.policy import READERS
from workflow.service import ReviewDetail
from workflow.states import ReviewRole

TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
DATE_MESSAGE = "Enter the date it happened."
WHAT_MESSAGE = "Say what happened, in the agency's words."


def _time_of_day(value: Any) -> time:
    if isinstance(value, time) and value.tzinfo is None:
        return value
    if not isinstance(value, str) or not re.fullmatch(TIME_PATTERN, value.strip()):
        raise PydanticCustomError(
            "time_of_day", "Enter the time as HH:MM (24-hour), for example 09:30, or leave it empty."
        )
    return time.fromisoformat(value.strip())


def _given(message: str) -> BeforeValidator:
    """Refuse an empty value (a blank date input) with `message`."""

    def check(value: Any) -> Any:
        if value is None or value == "":
            raise PydanticCustomError("required", message)
        return value

    return BeforeValidator(check)


# A time of day as the agency recorded it: local, 24-hour, no time zone ("09:30", "14:05:10").
TimeOfDay = Annotated[
    time,
    BeforeValidator(_time_of_day),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": TIME_PATTERN,
            "description": "The time of day, 24-hour HH:MM (or HH:MM:SS), local; null when not known.",
        }
    ),
]
SourceRecord = Title  # at most 300 characters, as the narrative CSV
# The other agencies that knew of an entry -> the day each knew (None: at the time).
Aware = dict[Agency, AnyDate | None]


def time_of_day(value: time | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")


class AddEntry(Command):
    occurred_on: Annotated[AnyDate, _given(DATE_MESSAGE)] = Field(description="The day it happened.")
    occurred_at: TimeOfDay | None = None
    what_happened: Annotated[Text, required(WHAT_MESSAGE)] = Field(
        description="What happened, in the agency's words (pseudonyms only)."
    )
    source_record: SourceRecord = Field(default="", description="Where it is recorded.")
    aware: Aware = Field(
        default_factory=dict,
        max_length=MAX_ITEMS,
        description="The other agencies that knew of it -> the day each knew (null: at the time).",
    )
    significant: bool = Field(default=False, description="A key fact for the information-sharing map.")


class ChangeEntry(Command):
    """The fields sent are changed; the others are left as they are."""

    occurred_on: Annotated[AnyDate, _given(DATE_MESSAGE)] | None = None
    occurred_at: TimeOfDay | None = None
    what_happened: Annotated[Text, required(WHAT_MESSAGE)] | None = None
    source_record: SourceRecord | None = None
    aware: Aware | None = Field(default=None, max_length=MAX_ITEMS)
    significant: bool | None = None


class ImportNarrative(Command):
    """A narrative file (docs/narrative-csv.md) as uploaded."""

    data: bytes
    replace: bool = Field(default=False, description="Replace the narrative's entries instead of adding.")


class ReturnNarrative(Command):
    reason: Annotated[Reason, required("Say what the agency needs to change.")] = Field(
        description="Why, in words (kept in the audit log)."
    )


class ExemptNarrative(Command):
    reason: Annotated[Reason, required("Say why this agency need not submit a narrative.")] = Field(
        description="Why, in words (kept in the audit log)."
    )


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


class NarrativeService(AnalysisService):
    # ---- entries -----------------------------------------------------------------------------

    def add_entry(self, *, review_id: int, actor: int, agency: str, command: AddEntry) -> NarrativeEntry:
        """Add a dated entry to an agency's narrative (a draft, or a returned one); the narrative is
        created with its first entry."""
        with self.change(review_id, actor, "write_narrative") as ctx:
            _may_write_for(ctx, agency, "write its narrative")
            narrative = _narrative(ctx, agency, create=True)
            _editable(narrative)
            data = narr.EntryData(
                occurred_on=command.occurred_on,
                what_happened=command.what_happened,
                occurred_at=command.occurred_at,
                source_record=command.source_record,
                aware=_aware(command.aware, command.occurred_on),
                significant=command.significant,
            )
            _check(data)
            entry = NarrativeEntry(
                narrative_id=narrative.id,
                review_id=ctx.review.id,
                seq=_last_seq(ctx, narrative) + 1,
                occurred_on=data.occurred_on,
                occurred_at=data.occurred_at,
                what_happened=data.what_happened,
                source_record=data.source_record,
                aware=data.aware,
                significant=data.significant,
            )
            ctx.session.add(entry)
            ctx.session.flush()
            ctx.audit("add_narrative_entry", agency=narrative.agency, entry_id=entry.id)
            return entry

    def update_entry(
        self,
        *,
        review_id: int,
        actor: int,
        entry_id: int,
        expected_version: int | None,
        command: ChangeEntry,
    ) -> NarrativeEntry:
        with self.change(review_id, actor, "write_narrative") as ctx:
            entry = ctx.get(NarrativeEntry, entry_id, "narrative entry")
            narrative = entry.narrative
            _may_write_for(ctx, narrative.agency, "change its narrative")
            _editable(narrative)
            check_version(entry, expected_version, "narrative entry")
            sent = command.sent()
            for name, message in (("occurred_on", DATE_MESSAGE), ("what_happened", WHAT_MESSAGE)):
                if name in sent and sent[name] is None:
                    raise InvalidInput({name: message})
            occurred_on = sent.get("occurred_on") or entry.occurred_on
            aware = sent.get("aware")
            data = narr.EntryData(
                occurred_on=occurred_on,
                what_happened=sent.get("what_happened") or entry.what_happened,
                occurred_at=sent.get("occurred_at", entry.occurred_at),
                source_record=_or(sent.get("source_record"), entry.source_record),
                aware=_aware(aware, occurred_on) if aware is not None else dict(entry.aware),
                significant=_or(sent.get("significant"), entry.significant),
            )
            _check(data)
            entry.occurred_on, entry.occurred_at = data.occurred_on, data.occurred_at
            entry.what_happened, entry.source_record = data.what_happened, data.source_record
            entry.aware, entry.significant = data.aware, data.significant
            ctx.audit(
                "update_narrative_entry", agency=narrative.agency, entry_id=entry.id, fields=sorted(sent)
            )
            ctx.session.flush()
            return entry

    def delete_entry(
        self, *, review_id: int, actor: int, entry_id: int, expected_version: int | None
    ) -> None:
        with self.change(review_id, actor, "write_narrative") as ctx:
            entry = ctx.get(NarrativeEntry, entry_id, "narrative entry")
            narrative = entry.narrative
            _may_write_for(ctx, narrative.agency, "change its narrative")
            _editable(narrative)
            check_version(entry, expected_version, "narrative entry")
            ctx.session.delete(entry)
            ctx.audit("delete_narrative_entry", agency=narrative.agency, entry_id=entry_id)

    def get_entry(self, *, review_id: int, actor: int, entry_id: int) -> narr.EntryView:
        with self.read(review_id, actor, READERS["narratives"]) as ctx:
            entry = ctx.get(NarrativeEntry, entry_id, "narrative entry")
            return _view(entry.narrative.agency, entry)

    def import_csv(
        self, *, review_id: int, actor: int, agency: str, command: ImportNarrative
    ) -> ImportResult:
        """Import an agency's entries from a CSV file (docs/narrative-csv.md). All or nothing: a file
        with any bad row is refused with every problem by line and column, and nothing is saved.
        With `replace`, the file's entries replace the narrative's existing ones. The rows go in as
        one executemany: every row has every key, and `render_nulls` keeps a None (no time of day)
        in the row, where the ORM would otherwise drop it and start a new INSERT for each change in
        which keys are present."""
        entries = narr.parse_csv(narr.decode(command.data))
        with self.change(review_id, actor, "write_narrative") as ctx:
            _may_write_for(ctx, agency, "import its narrative")
            narrative = _narrative(ctx, agency, create=True)
            _editable(narrative)
            replaced = 0
            start = 0
            if command.replace:
                replaced = len(narrative.entries)
                ctx.session.execute(delete(NarrativeEntry).where(NarrativeEntry.narrative_id == narrative.id))
                ctx.session.expire(narrative, ["entries"])
            else:
                start = _last_seq(ctx, narrative)
            now = utcnow()
            if entries:
                rows = [_row(narrative, start + i, e, now) for i, e in enumerate(entries, start=1)]
                ctx.session.execute(insert(NarrativeEntry).execution_options(render_nulls=True), rows)
            narrative.updated_at = now
            ctx.audit("import_narrative", agency=narrative.agency, entries=len(entries), replaced=replaced)
            return ImportResult(narrative.agency, len(entries), replaced)

    # ---- the narrative -----------------------------------------------------------------------

    def submit(
        self, *, review_id: int, actor: int, agency: str, expected_version: int | None
    ) -> AgencyNarrative:
        """Submit an agency's narrative: it becomes read-only until returned."""
        with self.change(review_id, actor, "submit_narrative") as ctx:
            _may_write_for(ctx, agency, "submit its narrative")
            narrative = _narrative(ctx, agency, create=False)
            check_version(narrative, expected_version, "narrative")
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
            ctx.audit("submit_narrative", agency=narrative.agency, entries=len(narrative.entries))
            ctx.session.flush()
            return narrative

    def return_for_changes(
        self,
        *,
        review_id: int,
        actor: int,
        agency: str,
        expected_version: int | None,
        command: ReturnNarrative,
    ) -> AgencyNarrative:
        """Return a submitted narrative to its agency for changes, with the reason."""
        with self.change(review_id, actor, "return_narrative") as ctx:
            narrative = _narrative(ctx, agency, create=False)
            check_version(narrative, expected_version, "narrative")
            if narrative.status != "submitted":
                raise InvalidInput({"agency": f"{narrative.agency}'s narrative is not submitted."})
            narrative.status = "returned"
            narrative.returned_reason = command.reason
            ctx.audit("return_narrative", reason=command.reason, agency=narrative.agency)
            ctx.session.flush()
            return _loaded(narrative)

    def record_exemption(
        self, *, review_id: int, actor: int, agency: str, command: ExemptNarrative
    ) -> AgencyNarrative:
        """Record why an agency need not submit a narrative; it stands in for one at `begin_analysis`."""
        return self._exemption(review_id, actor, agency, command.reason)

    def clear_exemption(self, *, review_id: int, actor: int, agency: str) -> AgencyNarrative:
        return self._exemption(review_id, actor, agency, None)

    def _exemption(self, review_id: int, actor: int, agency: str, reason: str | None) -> AgencyNarrative:
        with self.change(review_id, actor, "record_narrative_exemption") as ctx:
            narrative = _narrative(ctx, agency, create=True)
            narrative.exemption = reason
            narrative.updated_at = utcnow()
            ctx.audit(
                "record_narrative_exemption" if reason else "clear_narrative_exemption",
                reason=reason,
                agency=narrative.agency,
            )
            ctx.session.flush()
            return _loaded(narrative)

    # ---- reading -----------------------------------------------------------------------------

    def get(self, *, review_id: int, actor: int, agency: str) -> AgencyNarrative:
        """One agency's narrative with its entries; NotFound while it has none."""
        with self.read(review_id, actor, READERS["narratives"]) as ctx:
            return _narrative(ctx, agency, create=False)

    def overview(self, *, review_id: int, actor: int) -> NarrativeOverview:
        """The review's narratives side by side per agency, and merged in date order."""
        with self.read(review_id, actor, READERS["narratives"]) as ctx:
            views, narratives = _entry_views(ctx)
            columns = narr.side_by_side(
                views,
                agencies=agencies(ctx.review.agencies_in_scope),
                statuses={n.agency: n.status for n in narratives},
                exemptions={n.agency: n.exemption for n in narratives if n.exemption},
            )
            return NarrativeOverview(columns, narr.merged(views))

    def statuses(self, *, review_id: int, actor: int) -> tuple[ReviewDetail, list[narr.AgencyStatus]]:
        """The review (as its pages show it) and each agency's narrative as the list of narratives
        shows it (its status and number of entries), without reading the entries."""
        with self.read(review_id, actor, READERS["narratives"]) as ctx:
            rows = ctx.session.execute(
                select(
                    AgencyNarrative.agency,
                    AgencyNarrative.status,
                    AgencyNarrative.exemption,
                    func.count(NarrativeEntry.id),
                )
                .outerjoin(NarrativeEntry, NarrativeEntry.narrative_id == AgencyNarrative.id)
                .where(AgencyNarrative.review_id == ctx.review.id)
                .group_by(
                    AgencyNarrative.id,
                    AgencyNarrative.agency,
                    AgencyNarrative.status,
                    AgencyNarrative.exemption,
                )
                .order_by(AgencyNarrative.id)
            ).all()
            return self.detail(ctx), narr.agency_statuses(
                {agency: count for agency, _, _, count in rows},
                agencies=agencies(ctx.review.agencies_in_scope),
                statuses={agency: status for agency, status, _, _ in rows},
                exemptions={agency: exemption for agency, _, exemption, _ in rows if exemption},
            )

    def information_sharing(self, *, review_id: int, actor: int) -> narr.SharingMap:
        """For each significant narrative entry: which agencies knew of it, and from when."""
        with self.read(review_id, actor, READERS["narratives"]) as ctx:
            views, _ = _entry_views(ctx)
            return narr.information_sharing(views, agencies=agencies(ctx.review.agencies_in_scope))


# ---- the rules next to the policy's --------------------------------------------------------------


def _may_write_for(ctx: Context, agency: str, what: str) -> None:
    """Finer than the policy table: a panel member writes only their own agency's narrative."""
    if ReviewRole.COORDINATOR in ctx.roles:
        return
    own = {
        m.agency
        for m in ctx.review.memberships
        if m.user_id == ctx.actor and m.role == ReviewRole.PANEL_MEMBER
    }
    if agency.strip() not in own:
        raise NotPermitted(f"Only {agency}'s panel member or the review coordinator may {what}.")


def _editable(narrative: AgencyNarrative) -> None:
    if not narrative.editable:
        raise NotAtThisStage(
            "edit_narrative",
            f"{narrative.agency}'s narrative is submitted and read-only; it can be changed again "
            "once it is returned.",
        )


def _narrative(ctx: Context, agency: str, *, create: bool) -> AgencyNarrative:
    agency = agency.strip()
    known = agencies([*ctx.review.agencies_in_scope, *ctx.review.agencies_involved])
    if agency not in known:
        raise InvalidInput({"agency": f"'{agency}' is not an agency of this review ({', '.join(known)})."})
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


def _loaded(narrative: AgencyNarrative) -> AgencyNarrative:
    """The narrative with its entries loaded, for an answer read after the transaction."""
    _ = narrative.entries
    return narrative


def _last_seq(ctx: Context, narrative: AgencyNarrative) -> int:
    query = select(func.max(NarrativeEntry.seq)).where(NarrativeEntry.narrative_id == narrative.id)
    return ctx.session.scalar(query) or 0


def _check(data: narr.EntryData) -> None:
    """Every problem of an entry at once, under the command's field names."""
    errors = narr.check_entry(data)
    if errors:
        raise InvalidInput({("aware" if k == "agencies_aware" else k): v for k, v in errors.items()})


def _or(value: Any, current: Any) -> Any:
    return current if value is None else value


def _aware(values: Mapping[str, date | None] | None, occurred_on: date) -> dict[str, str]:
    """Agency -> ISO day it knew (the entry's own day when it knew at the time)."""
    out: dict[str, str] = {}
    for agency, on in (values or {}).items():
        if agency.strip():
            out[agency.strip()] = (on or occurred_on).isoformat()
    return out


def _row(narrative: AgencyNarrative, seq: int, entry: narr.EntryData, now: Any) -> dict[str, Any]:
    """One imported entry as a row; every row has every column, so the rows go in together."""
    return {
        "narrative_id": narrative.id,
        "review_id": narrative.review_id,
        "seq": seq,
        "occurred_on": entry.occurred_on,
        "occurred_at": entry.occurred_at,
        "what_happened": entry.what_happened,
        "source_record": entry.source_record,
        "aware": entry.aware,
        "significant": entry.significant,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _view(agency: str, e: NarrativeEntry) -> narr.EntryView:
    return narr.EntryView(
        e.id,
        agency,
        e.occurred_on,
        e.occurred_at,
        e.what_happened,
        e.source_record,
        dict(e.aware),
        e.significant,
        e.version,
    )


def _entry_views(ctx: Context) -> tuple[list[narr.EntryView], list[AgencyNarrative]]:
    narratives = list(
        ctx.session.scalars(select(AgencyNarrative).where(AgencyNarrative.review_id == ctx.review.id))
    )
    return [_view(n.agency, e) for n in narratives for e in n.entries], narratives

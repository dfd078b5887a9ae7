"""Agency narratives and their entries, the views side by side and merged, the information-sharing
map, and conversations with practitioners: the answers. The requests are the commands of
`findings.analysis.narratives` and `findings.analysis.conversations`."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.common import Body, Reason, UtcDateTime
from findings.analysis import chronology as narr
from findings.analysis.models import AgencyNarrative, Conversation, NarrativeEntry
from findings.analysis.narratives import TIME_PATTERN, ImportResult, time_of_day

# ---- entries --------------------------------------------------------------------------------------


class EntryOut(BaseModel):
    id: int
    agency: str
    occurred_on: date
    occurred_at: str | None = Field(pattern=TIME_PATTERN, description="24-hour HH:MM (or HH:MM:SS), local.")
    what_happened: str
    source_record: str
    aware: dict[str, date] = Field(description="Each other agency that knew of it -> from which day.")
    significant: bool
    version: int = Field(description='Send it back as If-Match: "<version>" to change the entry.')

    @classmethod
    def of(cls, entry: NarrativeEntry | narr.EntryView, agency: str | None = None) -> EntryOut:
        """From a stored entry (its agency given) or from a view of one."""
        return cls(
            id=entry.id,
            agency=agency if agency is not None else getattr(entry, "agency", ""),
            occurred_on=entry.occurred_on,
            occurred_at=time_of_day(entry.occurred_at),
            what_happened=entry.what_happened,
            source_record=entry.source_record,
            aware={k: date.fromisoformat(v) for k, v in entry.aware.items()},
            significant=entry.significant,
            version=entry.version,
        )


class NarrativeOut(BaseModel):
    agency: str
    status: str = Field(description="draft, submitted (read-only) or returned.")
    submitted_at: UtcDateTime | None
    submitted_by: int | None
    returned_reason: str | None
    exemption: str | None
    entries: list[EntryOut]
    version: int = Field(description='Send it back as If-Match: "<version>" to submit or return it.')

    @classmethod
    def of(cls, narrative: AgencyNarrative) -> NarrativeOut:
        return cls(
            agency=narrative.agency,
            status=narrative.status,
            submitted_at=narrative.submitted_at,
            submitted_by=narrative.submitted_by,
            returned_reason=narrative.returned_reason,
            exemption=narrative.exemption,
            entries=[EntryOut.of(e, narrative.agency) for e in narrative.entries],
            version=narrative.version,
        )


class ColumnOut(BaseModel):
    agency: str
    status: str = Field(description="draft, submitted, returned, exempt, or missing (nothing yet).")
    exemption: str | None
    entries: list[EntryOut]

    @classmethod
    def of(cls, column: narr.AgencyColumn) -> ColumnOut:
        return cls(
            agency=column.agency,
            status=column.status,
            exemption=column.exemption,
            entries=[EntryOut.of(e) for e in column.entries],
        )


class ColumnList(BaseModel):
    """Every agency's narrative side by side: one column per agency, entries in date order."""

    items: list[ColumnOut]
    total: int


class DayOut(BaseModel):
    on: date
    agencies: list[str]
    several_accounts: bool = Field(
        description="More than one agency recorded this day: their accounts may differ, and all stay."
    )
    entries: list[EntryOut]

    @classmethod
    def of(cls, day: narr.Day) -> DayOut:
        return cls(
            on=day.on,
            agencies=list(day.agencies),
            several_accounts=day.several_accounts,
            entries=[EntryOut.of(e) for e in day.entries],
        )


class DayList(BaseModel):
    """All narratives merged in date order, a day at a time."""

    items: list[DayOut]
    total: int


class ImportOut(BaseModel):
    agency: str
    imported: int = Field(description="Entries added from the file.")
    replaced: int = Field(description="Entries the file replaced (with replace=true).")

    @classmethod
    def of(cls, result: ImportResult) -> ImportOut:
        return cls(agency=result.agency, imported=result.imported, replaced=result.replaced)


# ---- the information-sharing map ------------------------------------------------------------------


class SharingCellOut(BaseModel):
    agency: str
    knew: bool
    known_from: date | None
    how: str = Field(description="recorded (its own entry), at_the_time, later, or not_known.")


class SharingRowOut(BaseModel):
    entry_id: int
    recorded_by: str
    occurred_on: date
    what_happened: str
    not_known_to: list[str]
    cells: list[SharingCellOut] = Field(description="One per agency, in the order of `agencies`.")


class SharingMapOut(BaseModel):
    """A grid: a row per significant narrative entry, a column per agency."""

    agencies: list[str]
    rows: list[SharingRowOut]

    @classmethod
    def of(cls, grid: narr.SharingMap) -> SharingMapOut:
        return cls(
            agencies=list(grid.agencies),
            rows=[
                SharingRowOut(
                    entry_id=r.entry_id,
                    recorded_by=r.recorded_by,
                    occurred_on=r.occurred_on,
                    what_happened=r.what_happened,
                    not_known_to=list(r.not_known_to),
                    cells=[
                        SharingCellOut(agency=c.agency, knew=c.knew, known_from=c.known_from, how=c.how)
                        for c in r.cells
                    ],
                )
                for r in grid.rows
            ],
        )


# ---- conversations --------------------------------------------------------------------------------


class CommentIn(Body):
    text: Reason


class CommentOut(BaseModel):
    id: int
    author_id: int
    at: UtcDateTime
    text: str

    @classmethod
    def of(cls, comment: Any) -> CommentOut:
        """A comment on a conversation or on a finding."""
        return cls(id=comment.id, author_id=comment.author_id, at=comment.at, text=comment.text)


class ConversationOut(BaseModel):
    id: int
    practitioner_id: int
    author_id: int
    held_on: date | None
    overview: str
    turning_points: str
    mindset: str
    contributory_factors: str
    went_well: str
    queries: str
    suggested_changes: str
    comments: list[CommentOut]
    version: int

    @classmethod
    def of(cls, c: Conversation) -> ConversationOut:
        return cls(
            id=c.id,
            practitioner_id=c.practitioner_id,
            author_id=c.author_id,
            held_on=c.held_on,
            overview=c.overview,
            turning_points=c.turning_points,
            mindset=c.mindset,
            contributory_factors=c.contributory_factors,
            went_well=c.went_well,
            queries=c.queries,
            suggested_changes=c.suggested_changes,
            comments=[CommentOut.of(x) for x in c.comments],
            version=c.version,
        )


class ConversationList(BaseModel):
    items: list[ConversationOut]
    total: int

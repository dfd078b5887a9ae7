"""Agency narratives as plain data: the CSV format (docs/narrative-csv.md), the views side by side
and merged in date order, and the information-sharing map. Pure functions; no database here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TypeVar

from workflow.errors import InvalidInput

COLUMNS = ("date", "time", "what_happened", "source_record", "agencies_aware", "significant")
REQUIRED_COLUMNS = ("date", "what_happened")
MAX_ROWS = 100_000
MAX_PROBLEMS = 50
MAX_TEXT = 20_000
MAX_SOURCE = 300
MAX_AGENCY = 200

_TRUE = {"yes", "y", "true", "1", "significant"}
_FALSE = {"no", "n", "false", "0", ""}
T = TypeVar("T")
_AWARE_ITEM = re.compile(r"^(?P<agency>.*?)\s*(?:\((?P<on>[^()]*)\))?$")


@dataclass(frozen=True)
class CsvProblem:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


class CsvImportError(InvalidInput):
    """A narrative file that cannot be imported; nothing of it was saved."""

    def __init__(self, problems: Sequence[CsvProblem], *, more: int = 0) -> None:
        self.problems = tuple(problems)
        self.more = more  # problems found beyond those listed
        errors: dict[str, str] = {}
        for problem in self.problems:
            key = f"line {problem.line}" + (f", {problem.column}" if problem.column else "")
            errors[key] = f"{errors[key]} {problem.message}" if key in errors else problem.message
        if more:
            errors["more"] = f"{more} more problem(s) not listed; fix these and import again."
        super().__init__(errors)


@dataclass(frozen=True)
class EntryData:
    """One narrative entry as plain data (from a form or a CSV row)."""

    occurred_on: date
    what_happened: str
    occurred_at: time | None = None
    source_record: str = ""
    aware: dict[str, str] = field(default_factory=dict)  # agency -> ISO day it knew
    significant: bool = False
    line: int | None = None  # the CSV line it came from


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without a byte-order mark), or a clear error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex().upper()
        raise CsvImportError(
            [
                CsvProblem(
                    line,
                    None,
                    f"The file is not UTF-8 text: byte 0x{byte} cannot be read. Save it as "
                    "'CSV UTF-8 (comma delimited)' and import it again.",
                )
            ]
        ) from None


def parse_date(value: str) -> date:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date: write it as YYYY-MM-DD (or DD/MM/YYYY).")


def parse_time(value: str) -> time | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).time()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a time: write it as HH:MM (24-hour), or leave it empty.")


def parse_significant(value: str) -> bool:
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"'{value}' is not yes or no.")


def parse_aware(value: str, occurred_on: date) -> dict[str, str]:
    """'Police; Health (2025-03-04)': agencies that knew, each from the entry's day unless a later
    day is given in brackets."""
    aware: dict[str, str] = {}
    for item in value.split(";"):
        item = item.strip()
        if not item:
            continue
        match = _AWARE_ITEM.match(item)
        agency = (match.group("agency") if match else item).strip()
        if not agency:
            raise ValueError(f"'{item}' does not name an agency.")
        if len(agency) > MAX_AGENCY:
            raise ValueError(f"An agency name is longer than {MAX_AGENCY} characters.")
        on = occurred_on
        if match and match.group("on") is not None:
            on = parse_date(match.group("on"))
            if on < occurred_on:
                raise ValueError(
                    f"{agency} cannot have known of it ({on}) before it happened ({occurred_on})."
                )
        aware[agency] = on.isoformat()
    return aware


def check_entry(entry: EntryData) -> dict[str, str]:
    """Errors per field of an entry, in words; empty when it can be saved."""
    errors: dict[str, str] = {}
    if not entry.what_happened.strip():
        errors["what_happened"] = "Say what happened."
    elif len(entry.what_happened) > MAX_TEXT:
        errors["what_happened"] = f"Keep what happened under {MAX_TEXT} characters."
    if len(entry.source_record) > MAX_SOURCE:
        errors["source_record"] = f"Keep the source record under {MAX_SOURCE} characters."
    for agency, on in entry.aware.items():
        if not agency.strip() or len(agency) > MAX_AGENCY:
            errors["agencies_aware"] = "Each agency that knew must be named (at most 200 characters)."
        elif date.fromisoformat(on) < entry.occurred_on:
            errors["agencies_aware"] = f"{agency} cannot have known of it before it happened."
    return errors


def parse_csv(text: str) -> list[EntryData]:
    """Every row of a narrative file, or CsvImportError naming every problem at once: the header's
    and each bad row's, by line and column (the first MAX_PROBLEMS of them, and a count of the rest).
    A column the header lacks is named once, on the header, not again on every row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvImportError([CsvProblem(1, None, "The file is empty: it needs a header row.")]) from None
    except csv.Error as error:
        raise CsvImportError([CsvProblem(1, None, f"The header cannot be read ({error}).")]) from None
    names = [h.strip().lower().replace(" ", "_") for h in header]
    problems = _Problems(_header_problems(names))
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in COLUMNS:
            index.setdefault(name, i)
    entries: list[EntryData] = []
    for count, item in enumerate(_rows(reader), start=1):
        if isinstance(item, CsvProblem):
            problems.add([item])
            break
        line, row = item
        if count > MAX_ROWS:
            problems.add([CsvProblem(line, None, f"The file has more than {MAX_ROWS} rows.")])
            break
        result = _entry_or_problems(line, row, index, len(names))
        if isinstance(result, EntryData):
            entries.append(result)
        else:
            problems.add(result)
    problems.raise_any()
    return entries


def _header_problems(names: list[str]) -> list[CsvProblem]:
    problems: list[CsvProblem] = []
    for name in names:
        if name not in COLUMNS:
            problems.append(CsvProblem(1, name, "Unknown column. Columns are: " + ", ".join(COLUMNS) + "."))
    for name in dict.fromkeys(n for n in names if names.count(n) > 1):
        problems.append(CsvProblem(1, name, "The column appears more than once."))
    for name in REQUIRED_COLUMNS:
        if name not in names:
            problems.append(CsvProblem(1, name, "This column is required."))
    return problems


class _Problems:
    """The problems found so far: the first MAX_PROBLEMS kept, the rest counted."""

    def __init__(self, first: Sequence[CsvProblem] = ()) -> None:
        self.kept: list[CsvProblem] = []
        self.more = 0
        self.add(first)

    def add(self, problems: Sequence[CsvProblem]) -> None:
        room = max(0, MAX_PROBLEMS - len(self.kept))
        self.kept.extend(problems[:room])
        self.more += max(0, len(problems) - room)

    def raise_any(self) -> None:
        if self.kept:
            raise CsvImportError(self.kept, more=self.more)


def _rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]] | CsvProblem]:
    """(line, cells) of each row that is not blank; a row that cannot be read ends the file with
    its problem (what follows it cannot be told apart)."""
    line = 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield CsvProblem(line, None, f"The row cannot be read ({error}).")
            return
        start = line
        line = reader.line_num + 1  # type: ignore[attr-defined]
        if any(cell.strip() for cell in row):
            yield start, row


def _entry_or_problems(
    line: int, row: list[str], index: dict[str, int], width: int
) -> EntryData | list[CsvProblem]:
    if len(row) != width:
        return [CsvProblem(line, None, f"The row has {len(row)} cells; the header has {width}.")]

    def cell(name: str) -> str:
        return row[index[name]] if name in index else ""

    problems: list[CsvProblem] = []

    def parsed(column: str, parse: Callable[[str], T], default: T) -> T:
        try:
            return parse(cell(column))
        except ValueError as error:
            problems.append(CsvProblem(line, column, str(error)))
            return default

    occurred_on = parsed("date", parse_date, None) if "date" in index else None
    occurred_at = parsed("time", parse_time, None)
    significant = parsed("significant", parse_significant, False)
    aware: dict[str, str] = {}
    if occurred_on is not None:
        aware = parsed("agencies_aware", lambda v: parse_aware(v, occurred_on), {})
    entry = EntryData(
        occurred_on=occurred_on or date.min,
        what_happened=cell("what_happened").strip(),
        occurred_at=occurred_at,
        source_record=cell("source_record").strip(),
        aware=aware,
        significant=significant,
        line=line,
    )
    for column, message in check_entry(entry).items():
        if column in index and not any(p.column == column for p in problems):
            problems.append(CsvProblem(line, column, message))
    return problems or entry


# ---- views ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryView:
    id: int
    agency: str
    occurred_on: date
    occurred_at: time | None
    what_happened: str
    source_record: str
    aware: dict[str, str]
    significant: bool
    version: int


@dataclass(frozen=True)
class AgencyColumn:
    agency: str
    status: str  # draft | submitted | returned | exempt | missing
    exemption: str | None
    entries: tuple[EntryView, ...]


@dataclass(frozen=True)
class AgencyStatus:
    """An agency's narrative as the list of narratives shows it: how many entries, not the entries."""

    agency: str
    status: str  # as AgencyColumn's
    exemption: str | None
    entries: int


@dataclass(frozen=True)
class Day:
    """One day of the merged chronology: every agency's entries for it, none merged away."""

    on: date
    entries: tuple[EntryView, ...]

    @property
    def agencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.agency for e in self.entries))

    @property
    def several_accounts(self) -> bool:
        """More than one agency recorded this day: their accounts may differ, and both stay."""
        return len(self.agencies) > 1


def _order(entry: EntryView) -> tuple[date, time, str, int]:
    return (entry.occurred_on, entry.occurred_at or time.min, entry.agency.lower(), entry.id)


def side_by_side(
    entries: Iterable[EntryView],
    *,
    agencies: Sequence[str],
    statuses: dict[str, str],
    exemptions: dict[str, str],
) -> list[AgencyColumn]:
    """One column per agency (the agencies given first, in their order), entries in date order."""
    by_agency: dict[str, list[EntryView]] = {a: [] for a in agencies}
    for entry in entries:
        by_agency.setdefault(entry.agency, []).append(entry)
    for agency in statuses:
        by_agency.setdefault(agency, [])
    return [
        AgencyColumn(
            agency,
            "exempt" if agency in exemptions else statuses.get(agency, "missing"),
            exemptions.get(agency),
            tuple(sorted(items, key=_order)),
        )
        for agency, items in by_agency.items()
    ]


def agency_statuses(
    counts: Mapping[str, int],
    *,
    agencies: Sequence[str],
    statuses: dict[str, str],
    exemptions: dict[str, str],
) -> list[AgencyStatus]:
    """`side_by_side` without the entries, in its order: the agencies given, then those with entries,
    then those with a narrative and none."""
    order = dict.fromkeys([*agencies, *(a for a, n in counts.items() if n), *statuses])
    return [
        AgencyStatus(
            agency,
            "exempt" if agency in exemptions else statuses.get(agency, "missing"),
            exemptions.get(agency),
            counts.get(agency, 0),
        )
        for agency in order
    ]


def merged(entries: Iterable[EntryView]) -> list[Day]:
    """All agencies' entries in one date order, grouped by day; disagreements stay visible."""
    days: dict[date, list[EntryView]] = {}
    for entry in sorted(entries, key=_order):
        days.setdefault(entry.occurred_on, []).append(entry)
    return [Day(on, tuple(items)) for on, items in days.items()]


# ---- the information-sharing map --------------------------------------------------------------


@dataclass(frozen=True)
class SharingCell:
    agency: str
    knew: bool
    known_from: date | None
    how: str  # recorded | at_the_time | later | not_known


@dataclass(frozen=True)
class SharingRow:
    entry_id: int
    recorded_by: str
    occurred_on: date
    what_happened: str
    cells: tuple[SharingCell, ...]

    @property
    def not_known_to(self) -> tuple[str, ...]:
        return tuple(c.agency for c in self.cells if not c.knew)


@dataclass(frozen=True)
class SharingMap:
    agencies: tuple[str, ...]
    rows: tuple[SharingRow, ...]


def information_sharing(entries: Iterable[EntryView], *, agencies: Sequence[str]) -> SharingMap:
    """For each significant entry: which agencies knew of it, and from when (a grid a page draws)."""
    significant = sorted((e for e in entries if e.significant), key=_order)
    axis: dict[str, None] = dict.fromkeys(agencies)
    for entry in significant:
        axis.setdefault(entry.agency)
        for agency in entry.aware:
            axis.setdefault(agency)
    rows = []
    for entry in significant:
        cells = []
        for agency in axis:
            if agency == entry.agency:
                cells.append(SharingCell(agency, True, entry.occurred_on, "recorded"))
            elif agency in entry.aware:
                on = date.fromisoformat(entry.aware[agency])
                how = "at_the_time" if on == entry.occurred_on else "later"
                cells.append(SharingCell(agency, True, on, how))
            else:
                cells.append(SharingCell(agency, False, None, "not_known"))
        rows.append(SharingRow(entry.id, entry.agency, entry.occurred_on, entry.what_happened, tuple(cells)))
    return SharingMap(tuple(axis), tuple(rows))

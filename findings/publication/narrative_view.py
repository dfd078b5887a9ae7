"""The agencies' narratives as the full report shows them: each agency's entries, the merged narrative
that interleaves them by date, and the appendix's account of each agency by where its entries stand in
the merged narrative (`findings.publication.view_model.ReportData` offers them as properties).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from findings.publication.sources import SourceKind, Text, shown_date


@dataclass(frozen=True)
class NarrativeEntry:
    id: int
    agency: Text
    text: Text
    on: date | None = None
    date_label: str | None = None  # for an approximate date, e.g. "Spring 2010"
    known_to: tuple[Text, ...] = ()  # other agencies that knew of it at the time

    @property
    def when(self) -> Text | str:
        if self.date_label:
            return self.date_label
        return shown_date(self.on, SourceKind.NARRATIVE_ENTRY, self.id, "occurred_on") or "Date not known"

    @property
    def sort_key(self) -> tuple[date, int]:
        return (self.on or date.max, self.id)


@dataclass(frozen=True)
class AgencyNarrative:
    agency: Text
    entries: tuple[NarrativeEntry, ...]


@dataclass(frozen=True)
class AgencyAccount:
    """One agency's account as the appendix lists it: where its entries stand in the merged narrative,
    in the agency's own order, so the account is read there rather than printed a second time."""

    agency: Text
    entry_count: int
    first: NarrativeEntry | None  # its earliest and latest dated entries
    last: NarrativeEntry | None
    numbers: str  # its entries' numbers in the merged narrative, e.g. "3, 7, 12-15" with an en dash


def number_ranges(numbers: list[int]) -> str:
    """1, 2, 3, 5, 4 -> "1-3, 5, 4" (an en dash): ascending runs of three or more as a range."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = []
    for run in runs:
        parts.append(f"{run[0]}\N{EN DASH}{run[-1]}" if len(run) > 2 else ", ".join(str(n) for n in run))
    return ", ".join(parts)


def merged(narratives: Sequence[AgencyNarrative]) -> tuple[NarrativeEntry, ...]:
    """Every agency's entries in one dated sequence (each keeps its agency); accounts are not merged
    into one canonical chronology, only interleaved by date."""
    entries = [entry for narrative in narratives for entry in narrative.entries]
    return tuple(sorted(entries, key=lambda e: e.sort_key))


def accounts(narratives: Sequence[AgencyNarrative]) -> tuple[AgencyAccount, ...]:
    """Each agency's account by its entries' numbers in the merged narrative (numbered from 1)."""
    number = {id(entry): i for i, entry in enumerate(merged(narratives), start=1)}
    out = []
    for narrative in narratives:
        dated = sorted((e for e in narrative.entries if e.on is not None), key=lambda e: e.sort_key)
        out.append(
            AgencyAccount(
                agency=narrative.agency,
                entry_count=len(narrative.entries),
                first=dated[0] if dated else None,
                last=dated[-1] if dated else None,
                numbers=number_ranges([number[id(e)] for e in narrative.entries]),
            )
        )
    return tuple(out)


__all__ = ["AgencyAccount", "AgencyNarrative", "NarrativeEntry", "accounts", "merged", "number_ranges"]

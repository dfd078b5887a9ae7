"""A person's words in a report, and where each came from.

Every piece of free text a person typed is a `Text`, which carries its `Source` (the kind of object, its
id and number, and the field), so that the anonymisation check can say exactly where a sealed identifier
stands in the rendered report. A date a person entered is printed as a `Text` too (`shown_date`), so a
hit on a printed date is placed on the record it comes from. `texts` walks every `Text` of a view model
(`findings.publication.view_model`, `findings.publication.narrative_view`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    """The kinds of object a text in a report comes from."""

    REVIEW = "review"
    PARTICIPATION = "participation"
    NARRATIVE_ENTRY = "narrative_entry"
    EPISODE = "episode"
    FACTOR = "factor"
    FINDING = "finding"
    EVIDENCE = "evidence"
    BOARD_QUESTION = "board_question"
    GOOD_PRACTICE = "good_practice"
    BOARD_RESPONSE = "board_response"
    ACTION = "action"
    BRIEFING = "briefing"
    BOARD_BRIEFING = "board_briefing"
    FAMILY_MEMBER = "family_member"
    INDEPENDENCE = "independence"
    QUALITY_MARKER = "quality_marker"


SOURCE_NAMES: dict[SourceKind, str] = {
    SourceKind.REVIEW: "Review",
    SourceKind.PARTICIPATION: "Participation",
    SourceKind.NARRATIVE_ENTRY: "Narrative entry",
    SourceKind.EPISODE: "Key practice episode",
    SourceKind.FACTOR: "Contributory factor",
    SourceKind.FINDING: "Finding",
    SourceKind.EVIDENCE: "Evidence",
    SourceKind.BOARD_QUESTION: "Question for the board",
    SourceKind.GOOD_PRACTICE: "Good practice",
    SourceKind.BOARD_RESPONSE: "Board response",
    SourceKind.ACTION: "Action",
    SourceKind.BRIEFING: "Practitioner briefing",
    SourceKind.BOARD_BRIEFING: "Board briefing",
    SourceKind.FAMILY_MEMBER: "Family member",
    SourceKind.INDEPENDENCE: "Declaration of independence",
    SourceKind.QUALITY_MARKER: "Quality marker",
}


# The words for fields whose model name reads badly in a sentence.
FIELD_WORDS: dict[str, str] = {
    "occurred_on": "date",
    "period_start": "start of the period",
    "period_end": "end of the period",
    "due_on": "due date",
}


@dataclass(frozen=True)
class Source:
    """Where a text came from: the object (kind, id, number a person sees) and the field."""

    kind: SourceKind
    id: int | str | None
    field: str
    number: int | str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.id}:{self.field}"

    def describe(self) -> str:
        """In words for the chair, e.g. "Finding 3, field 'how it showed' (id 17)"."""
        name = SOURCE_NAMES[self.kind]
        if self.number is not None:
            name = f"{name} {self.number}"
        field_words = FIELD_WORDS.get(self.field, self.field.replace("_", " "))
        ident = f" (id {self.id})" if self.id is not None and self.id != self.number else ""
        return f"{name}{ident}, field '{field_words}'"


@dataclass(frozen=True)
class Text:
    """A piece of text a person wrote, with its source. Renders as its value."""

    value: str
    source: Source

    def __str__(self) -> str:
        return self.value

    def __bool__(self) -> bool:
        return bool(self.value.strip())

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The value split at blank lines, each paragraph's lines joined."""
        blocks = [" ".join(line.strip() for line in block.splitlines()) for block in _blocks(self.value)]
        return tuple(b for b in blocks if b)


def _blocks(value: str) -> list[str]:
    blocks: list[str] = []
    current: list[str] = []
    for line in value.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def shown_date(value: date | None, kind: SourceKind, id: int | str | None, field: str) -> Text | None:
    """A date a person entered, as the report prints it, with the record it comes from."""
    return Text(format_date(value), Source(kind, id, field)) if value is not None else None


def text(
    value: str, kind: SourceKind, id: int | str | None, field: str, number: int | str | None = None
) -> Text:
    """Shorthand for the mappings: `text(f.statement, SourceKind.FINDING, f.id, "statement", f.number)`."""
    return Text(value, Source(kind, id, field, number))


# ---- walking the view model ---------------------------------------------------------------------


def texts(data: Any) -> Iterator[Text]:
    """Every `Text` in a view model, depth first, in declaration order (properties are not walked:
    everything they return is reachable through fields)."""
    if isinstance(data, Text):
        yield data
    elif dataclasses.is_dataclass(data) and not isinstance(data, type):
        for item in dataclasses.fields(data):
            yield from texts(getattr(data, item.name))
    elif isinstance(data, tuple | list):
        for item in data:
            yield from texts(item)


def format_date(value: date) -> str:
    """12 March 2015 (the style of the reference briefing and GOV.UK)."""
    return f"{value.day} {value:%B %Y}"


__all__ = [
    "FIELD_WORDS",
    "SOURCE_NAMES",
    "Source",
    "SourceKind",
    "Text",
    "format_date",
    "shown_date",
    "text",
    "texts",
]

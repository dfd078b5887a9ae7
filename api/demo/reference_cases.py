"""The three reviews of the reference briefing (`shared/reference/lscb-briefing-2011.md`) as briefing
data, read from `api/demo/data/reference.toml`.

The wording is the reference's, kept verbatim (including its punctuation), so that the practitioner
briefing rendered for the Alice demo review reproduces the reference's headings and content. The names are
the reference's own pseudonyms. The demo loader and the golden-file tests both read from here; the file is
read once, when this module is imported, so a wrong file fails at once and names its key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from api.demo.reader import Table, read_file
from findings.publication.sources import SourceKind, Text, text
from findings.publication.view_model import BoardBriefing, BriefingData, BriefingItem, BriefingSection

DATA = Path(__file__).resolve().parent / "data"
SECTIONS = ("background", "key_issues", "positive_factors", "lessons_learned")


@dataclass(frozen=True)
class Reference:
    """The reference briefing: its partnership, its cases by name, and its own gathering of them."""

    partnership: str
    cases: Mapping[str, BriefingData]
    board: BoardBriefing


def _file_texts(table: Table, key: str, review: str, field: str, kind: SourceKind) -> tuple[Text, ...]:
    return tuple(text(p, kind, review, field, n) for n, p in enumerate(table.texts(key), start=1))


def _file_item(table: Table, index: int, value: object, review: str, field: str) -> BriefingItem:
    number = index + 1
    if isinstance(value, str):
        return BriefingItem(text(value, SourceKind.BRIEFING, review, field, number))
    if not isinstance(value, dict):
        raise table.error("items", f"item {number} must be a string or {{ text = ..., items = [...] }}")
    item = Table(table.file, f"{table.where('items')}[{index}]", value)
    words = item.text("text")
    children = tuple(
        BriefingItem(text(child, SourceKind.BRIEFING, review, field, f"{number}.{sub}"))
        for sub, child in enumerate(item.texts("items", required=True), start=1)
    )
    item.done()
    return BriefingItem(text(words, SourceKind.BRIEFING, review, field, number), children)


def _file_section(case: Table, field: str, review: str) -> BriefingSection:
    table = case.table(field)
    heading = table.text("heading")
    intro = _file_texts(table, "intro", review, f"{field}_intro", SourceKind.BRIEFING)
    raw = table.array("items")
    items = tuple(_file_item(table, i, value, review, field) for i, value in enumerate(raw))
    outro = _file_texts(table, "outro", review, f"{field}_outro", SourceKind.BRIEFING)
    table.done()
    return BriefingSection(heading=heading, intro=intro, items=items, outro=outro)


def _file_case(cases: Table, review: str, partnership: str, review_type: str) -> BriefingData:
    case = cases.table(review)
    pseudonym = case.text("pseudonym")
    background, key_issues, positive, lessons = (_file_section(case, name, review) for name in SECTIONS)
    case.done()
    return BriefingData(
        review_id=review,
        child_pseudonym=text(pseudonym, SourceKind.REVIEW, review, "child_pseudonym"),
        review_type=review_type,
        background=background,
        key_issues=key_issues,
        positive_factors=positive,
        lessons_learned=lessons,
        partnership=partnership,
    )


def read_reference(path: Path = DATA / "reference.toml") -> Reference:
    """The reference briefing's cases from its data file; `DemoDataError` names the key that is wrong."""
    top = read_file(path)
    partnership, review_type = top.text("partnership"), top.text("review_type")
    cases = top.table("cases")
    found = {name: _file_case(cases, name, partnership, review_type) for name in cases.values}
    board = top.table("board")
    order = board.texts("cases", required=True)
    for index, name in enumerate(order):
        if name not in found:
            raise board.error("cases", f"{name!r} (item {index + 1}) is not one of the [cases]")
    gathered = BoardBriefing(
        title=board.text("title"),
        partnership=partnership,
        introduction=_file_texts(
            board, "introduction", "reference", "introduction", SourceKind.BOARD_BRIEFING
        ),
        briefings=tuple(found[name] for name in order),
        reviews_heading=board.text("reviews_heading"),
        reviews_intro=_file_texts(
            board, "reviews_intro", "reference", "reviews_intro", SourceKind.BOARD_BRIEFING
        ),
    )
    board.done()
    top.done()
    return Reference(partnership=partnership, cases=found, board=gathered)


REFERENCE = read_reference()
PARTNERSHIP = REFERENCE.partnership
ALICE, ANDREW, BENJAMIN = (REFERENCE.cases[name] for name in ("alice", "andrew", "benjamin"))
REFERENCE_BRIEFINGS: tuple[BriefingData, ...] = REFERENCE.board.briefings


def board_briefing(published_on: date | None = None) -> BoardBriefing:
    """The reference's own gathering of the three reviews, with its introduction."""
    return dataclasses.replace(REFERENCE.board, published_on=published_on)

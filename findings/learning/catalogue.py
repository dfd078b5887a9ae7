"""Reviews published elsewhere (issue 12): a catalogue of other partnerships' and the national
panel's published reviews (title, partnership, year, themes, learning summary, link), imported from
CSV, searchable in the learning repository and offered as evidence that a finding is not a quirk of
this case, like the partnership's own.

A file is read row by row and every problem of every row is reported at once, by line and column
(`findings.analysis.chronology.CsvImportError`); a file with any problem saves nothing. A row whose
link is already in the catalogue updates that review (importing the same catalogue again changes
nothing). Coordinators and chairs keep the catalogue; everyone signed in but an admin reads it (admins
do not read learning). Each review records who imported it and when.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from findings.analysis.base import Page, page_of
from findings.analysis.chronology import CsvImportError, CsvProblem, decode
from findings.analysis.themes import vocabulary_of
from findings.learning.models import ExternalReview
from findings.learning.visibility import reader
from workflow.errors import NotFound, NotPermitted
from workflow.models import User, utcnow
from workflow.service import ReviewService

COLUMNS = ("title", "partnership", "year", "themes", "learning_summary", "link")
REQUIRED = ("title", "partnership", "year", "learning_summary", "link")
LIMITS = {"title": 300, "partnership": 200, "learning_summary": 20_000, "link": 1000}
MAX_ROWS = 5_000
MAX_PROBLEMS = 50
THEME_SEPARATORS = (";", "|")
# Who keeps the catalogue: a global role, as for the theme vocabulary (the catalogue is the
# partnership's, not one review's).
KEEPERS = frozenset({"coordinator", "chair"})


@dataclass(frozen=True)
class CatalogueRow:
    line: int
    title: str
    partnership: str
    year: int
    themes: tuple[str, ...]
    learning_summary: str
    link: str


@dataclass(frozen=True)
class CatalogueImport:
    added: int
    updated: int


def parse_catalogue(text: str, vocabulary: Mapping[str, str]) -> list[CatalogueRow]:
    """Every row of a catalogue file, or CsvImportError naming every problem at once (the header's and
    each bad row's, by line and column). Themes are keys or names of the vocabulary, separated by `;`."""
    reader_ = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader_)
    except StopIteration:
        raise CsvImportError([CsvProblem(1, None, "The file is empty: it needs a header row.")]) from None
    except csv.Error as error:
        raise CsvImportError([CsvProblem(1, None, f"The header cannot be read ({error}).")]) from None
    names = [h.strip().lower().replace(" ", "_") for h in header]
    problems = _header_problems(names)
    index = {name: names.index(name) for name in COLUMNS if name in names}
    themes = _theme_names(vocabulary)
    rows: list[CatalogueRow] = []
    links: dict[str, int] = {}
    for count, (line, cells) in enumerate(_rows(reader_, problems), start=1):
        if count > MAX_ROWS:
            problems.append(CsvProblem(line, None, f"The file has more than {MAX_ROWS} rows; split it."))
            break
        row, found = _row(line, cells, index, len(names), themes)
        if row is not None and row.link.casefold() in links:
            found.append(CsvProblem(line, "link", f"The same link as line {links[row.link.casefold()]}."))
        if row is not None:
            links.setdefault(row.link.casefold(), line)
        problems += found
        if row is not None and not found:
            rows.append(row)
    if not problems and not rows:
        problems.append(CsvProblem(2, None, "The file has a header but no reviews."))
    if problems:
        raise CsvImportError(problems[:MAX_PROBLEMS], more=max(0, len(problems) - MAX_PROBLEMS))
    return rows


def _header_problems(names: list[str]) -> list[CsvProblem]:
    problems = [
        CsvProblem(1, name, "Unknown column. Columns are: " + ", ".join(COLUMNS) + ".")
        for name in names
        if name not in COLUMNS
    ]
    problems += [
        CsvProblem(1, name, "The column appears more than once.")
        for name in dict.fromkeys(n for n in names if names.count(n) > 1)
    ]
    problems += [CsvProblem(1, name, "This column is required.") for name in REQUIRED if name not in names]
    return problems


def _rows(reader_: Iterator[list[str]], problems: list[CsvProblem]) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each row that is not blank; a row that cannot be read ends the file."""
    line = 2
    while True:
        try:
            cells = next(reader_)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(CsvProblem(line, None, f"The row cannot be read ({error})."))
            return
        start, line = line, reader_.line_num + 1  # type: ignore[attr-defined]
        if any(cell.strip() for cell in cells):
            yield start, cells


def _theme_names(vocabulary: Mapping[str, str]) -> dict[str, str]:
    """Each theme's key and name, folded, to its key."""
    out = {label.casefold(): key for key, label in vocabulary.items()}
    out |= {key.casefold(): key for key in vocabulary}
    return out


def _row(
    line: int, cells: list[str], index: dict[str, int], width: int, themes: Mapping[str, str]
) -> tuple[CatalogueRow | None, list[CsvProblem]]:
    if len(cells) != width:
        return None, [CsvProblem(line, None, f"The row has {len(cells)} cells; the header has {width}.")]

    def cell(name: str) -> str:
        return cells[index[name]].strip() if name in index else ""

    problems: list[CsvProblem] = []
    for name in REQUIRED:
        if name in index and not cell(name):
            problems.append(CsvProblem(line, name, "This cannot be empty."))
    for name, limit in LIMITS.items():
        if len(cell(name)) > limit:
            problems.append(CsvProblem(line, name, f"At most {limit} characters."))
    year = _year(cell("year"))
    if cell("year") and year is None:
        problems.append(CsvProblem(line, "year", "Give the year it was published, four digits (e.g. 2023)."))
    link = cell("link")
    if link and not _is_web_address(link):
        problems.append(
            CsvProblem(line, "link", "Give the address where it is published, starting https://.")
        )
    chosen, unknown = _themes(cell("themes"), themes)
    if unknown:
        problems.append(
            CsvProblem(
                line, "themes", f"Unknown theme(s): {', '.join(unknown)}. Add them to the vocabulary first."
            )
        )
    if not {"title", "partnership", "year", "learning_summary", "link"} <= index.keys():
        return None, problems
    row = CatalogueRow(
        line, cell("title"), cell("partnership"), year or 0, chosen, cell("learning_summary"), link
    )
    return row, problems


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) == 4 and 1900 <= int(value) <= 2100 else None


def _is_web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


def _themes(value: str, themes: Mapping[str, str]) -> tuple[tuple[str, ...], list[str]]:
    for separator in THEME_SEPARATORS[1:]:
        value = value.replace(separator, THEME_SEPARATORS[0])
    names = [n.strip() for n in value.split(THEME_SEPARATORS[0]) if n.strip()]
    unknown = [n for n in names if n.casefold() not in themes]
    return tuple(dict.fromkeys(themes[n.casefold()] for n in names if n.casefold() in themes)), unknown


class CatalogueService:
    """The catalogue of reviews published elsewhere. Keyword-only; `actor` is the person's id."""

    def __init__(self, reviews: ReviewService) -> None:
        self._reviews = reviews

    def import_csv(self, *, actor: int, data: bytes) -> CatalogueImport:
        """Add the reviews of a catalogue file, or update those whose link is already there; all or
        nothing (CsvImportError with every problem)."""
        with self._reviews.session() as session:
            self._keeper(session, actor)
            rows = parse_catalogue(decode(data), vocabulary_of(session))
            existing = {
                r.link.casefold(): r
                for r in session.scalars(
                    select(ExternalReview).where(
                        func.lower(ExternalReview.link).in_([r.link.casefold() for r in rows])
                    )
                )
            }
            added = updated = 0
            for row in rows:
                review = existing.get(row.link.casefold())
                if review is None:
                    review = ExternalReview(link=row.link)
                    session.add(review)
                    added += 1
                elif _differs(review, row):
                    updated += 1
                review.title, review.partnership, review.year = row.title, row.partnership, row.year
                review.themes, review.learning_summary = list(row.themes), row.learning_summary
                review.imported_by, review.imported_at = actor, utcnow()
            session.commit()
            return CatalogueImport(added, updated)

    def list(self, *, actor: int, limit: int | None = 50, offset: int = 0) -> Page[ExternalReview]:
        """The catalogue, newest first (an admin: none)."""
        with self._reviews.session(read_only=True) as session:
            if reader(session, actor).admin:
                return Page([], 0)
            query = select(ExternalReview).order_by(ExternalReview.year.desc(), ExternalReview.id.desc())
            return page_of(session, query, limit=limit, offset=offset)

    def get(self, *, actor: int, external_id: int) -> ExternalReview:
        with self._reviews.session(read_only=True) as session:
            found = session.get(ExternalReview, external_id)
            if found is None or reader(session, actor).admin:
                raise NotFound(f"Review published elsewhere {external_id} was not found.")
            return found

    def remove(self, *, actor: int, external_id: int) -> None:
        """Take one review out of the catalogue (and out of the repository)."""
        with self._reviews.session() as session:
            self._keeper(session, actor)
            found = session.get(ExternalReview, external_id)
            if found is None:
                raise NotFound(f"Review published elsewhere {external_id} was not found.")
            session.delete(found)
            session.commit()

    def may_keep(self, *, actor: int) -> bool:
        with self._reviews.session(read_only=True) as session:
            return self._reviews.active_user(session, actor).global_role in KEEPERS

    def _keeper(self, session: Session, actor: int) -> User:
        user = self._reviews.active_user(session, actor)
        if user.global_role not in KEEPERS:
            raise NotPermitted(
                "Only a review coordinator or chair may change the catalogue of reviews published elsewhere."
            )
        return user


def _differs(review: ExternalReview, row: CatalogueRow) -> bool:
    return (review.title, review.partnership, review.year, list(review.themes), review.learning_summary) != (
        row.title,
        row.partnership,
        row.year,
        list(row.themes),
        row.learning_summary,
    )

"""Trends across reviews (DESIGN §6): findings by category, by theme and by both, year by year, and
contributory factors by level and category, over every review the reader may see
(`findings.learning.visibility`), added up in SQL from the counts kept as reviews change
(`findings.learning.counts`).

A finding carries its own themes and its review's (the review's themes say what the case is about,
so each of its findings is about that too); a finding is counted once under a theme however many
times it carries it. A review's year is the year of its date of awareness. The tables are plain data:
the pages draw them as charts and tables, and `csv_rows` gives each as rows for a download.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from findings.analysis import frameworks
from findings.analysis.themes import vocabulary_of
from findings.analysis.vocabulary import FINDING_CATEGORIES
from findings.learning.models import TrendCount, TrendTotal
from findings.learning.visibility import Reader, ReviewFilters, member_of, reader, years_seen
from workflow.service import ReviewService

TableKey = Literal["categories", "themes", "categories-themes", "factors"]
TABLES: tuple[TableKey, ...] = ("categories", "themes", "categories-themes", "factors")
NO_CATEGORY = "No category yet"
MAX_YEARS = 40  # columns of a table; a wider range is cut to the latest years


def category_name(key: str | None) -> str:
    """A finding category's short name ("Tools"), from its label in the typology."""
    if not key:
        return NO_CATEGORY
    label = FINDING_CATEGORIES.get(key)
    return label.split(":", 1)[0] if label else key


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    counts: tuple[int, ...]  # one per year of the table

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class YearTable:
    """Counts by a subject (category, theme, factor category) and year."""

    key: TableKey
    title: str
    subject: str  # the heading of the rows' column
    unit: str  # what is counted, plural ("findings")
    years: tuple[int, ...]
    rows: tuple[Row, ...]

    @property
    def column_totals(self) -> tuple[int, ...]:
        return tuple(sum(r.counts[i] for r in self.rows) for i in range(len(self.years)))

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)


@dataclass(frozen=True)
class CubeCell:
    category: str
    theme: str
    year: int
    count: int


@dataclass(frozen=True)
class CategoryThemeTable:
    """Findings by category, theme and year: one line per combination that has any."""

    key: TableKey
    title: str
    cells: tuple[CubeCell, ...]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.cells)


@dataclass(frozen=True)
class Trends:
    filters: ReviewFilters
    years_available: tuple[int, ...]  # the years of every review the reader may see (filter choices)
    reviews: int  # reviews with a finding or a factor counted
    findings: int
    categories: YearTable
    themes: YearTable
    categories_themes: CategoryThemeTable
    factors: YearTable

    def table(self, key: TableKey) -> YearTable | CategoryThemeTable:
        if key == "categories-themes":
            return self.categories_themes
        tables = {"categories": self.categories, "themes": self.themes, "factors": self.factors}
        return tables[key]


def _years(found: Iterable[int]) -> tuple[int, ...]:
    """Every year from the first to the last with anything counted (years with none included)."""
    seen = sorted(set(found))
    if not seen:
        return ()
    first, last = seen[0], seen[-1]
    return tuple(range(max(first, last - MAX_YEARS + 1), last + 1))


def _year_table(
    key: TableKey,
    title: str,
    subject: str,
    unit: str,
    counts: Mapping[tuple[str, int], int],
    labels: Mapping[str, str],
    order: Callable[[str], Any],
    always: Sequence[str] = (),
) -> YearTable:
    years = _years(y for _, y in counts)
    keys = sorted({k for k, _ in counts} | set(always), key=order)
    rows = tuple(Row(k, labels.get(k, k), tuple(counts.get((k, y), 0) for y in years)) for k in keys)
    return YearTable(key, title, subject, unit, years, rows)


class TrendService:
    """Counts across reviews for the trends page. Keyword-only; `actor` is the reader's id."""

    def __init__(self, reviews: ReviewService) -> None:
        self._reviews = reviews

    def years(self, *, actor: int) -> tuple[int, ...]:
        """The years of the reviews the reader may see (the choices of the year filters)."""
        with self._reviews.session(read_only=True) as session:
            return tuple(years_seen(session, reader(session, actor)))

    def trends(self, *, actor: int, filters: ReviewFilters | None = None) -> Trends:
        filters = filters or ReviewFilters()
        with self._reviews.session(read_only=True) as session:
            who = reader(session, actor)
            counted = _counted(session, who, filters)
            by_category, cube, by_factor = counted.by_category, counted.cube, counted.by_factor
            # each finding has one category, so the cube's counts add up to distinct findings per theme
            by_theme: dict[tuple[str, int], int] = defaultdict(int)
            for (_, theme, year), count in cube.items():
                by_theme[(theme, year)] += count
            vocabulary = vocabulary_of(session)
            return Trends(
                filters=filters,
                years_available=tuple(years_seen(session, who)),
                reviews=counted.reviews,
                findings=counted.findings,
                categories=_year_table(
                    "categories",
                    "Findings by category and year",
                    "Category",
                    "findings",
                    by_category,
                    {k: category_name(k) for k in (*FINDING_CATEGORIES, "")},
                    _category_order,
                    always=tuple(FINDING_CATEGORIES),
                ),
                themes=_year_table(
                    "themes",
                    "Findings by theme and year",
                    "Theme",
                    "findings",
                    by_theme,
                    vocabulary,
                    _by_total(by_theme, vocabulary),
                ),
                categories_themes=_cube_table(cube, vocabulary),
                factors=_year_table(
                    "factors",
                    "Contributory factors by level, category and year",
                    "Level and category",
                    "factors",
                    by_factor,
                    _factor_labels(k for k, _ in by_factor),
                    _factor_order,
                ),
            )


def _cube_table(cube: Mapping[tuple[str, str, int], int], themes: Mapping[str, str]) -> CategoryThemeTable:
    def order(cell: tuple[str, str, int]) -> tuple[Any, ...]:
        category, theme, year = cell
        return (_category_order(category), themes.get(theme, theme).casefold(), year)

    cells = tuple(
        CubeCell(category_name(c), themes.get(t, t), y, cube[(c, t, y)])
        for c, t, y in sorted(cube, key=order)
    )
    return CategoryThemeTable("categories-themes", "Findings by category, theme and year", cells)


# ---- the queries ---------------------------------------------------------------------------------


@dataclass
class _Counted:
    by_category: dict[tuple[str, int], int] = field(default_factory=dict)
    cube: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (category, theme, year)
    by_factor: dict[tuple[str, int], int] = field(default_factory=dict)
    reviews: int = 0  # with a finding or a factor counted
    findings: int = 0

    def add(self, rows: Iterable[Any]) -> None:
        for kind, category, theme, factor, year, count in rows:
            if kind == "review":
                self.reviews += count
            elif kind == "finding":
                self.findings += count
                _add(self.by_category, (category, year), count)
            elif kind == "theme":
                _add(self.cube, (category, theme, year), count)
            elif kind == "factor":
                _add(self.by_factor, (factor, year), count)


def _add(counts: dict[Any, int], key: Any, count: int) -> None:
    counts[key] = counts.get(key, 0) + count


def _counted(session: Session, who: Reader, filters: ReviewFilters) -> _Counted:
    """Every table's counts, from the totals of the published reviews (unless the reader is an
    admin) and the counts of the reader's own reviews that are not among them
    (`findings.learning.counts`): two queries over a few thousand rows at national scale."""
    out = _Counted()
    own: list[ColumnElement[bool]] = [TrendCount.review_id.in_(member_of(who.id))]
    if who.sees_published:
        out.add(session.execute(_summed(TrendTotal, filters, TrendTotal.count > 0)))
        own.append(~TrendCount.public)
    out.add(session.execute(_summed(TrendCount, filters, *own)))
    return out


def _summed(
    counted: type[TrendCount | TrendTotal], filters: ReviewFilters, *where: ColumnElement[bool]
) -> Select[str, str, str, str, int, int]:
    headings = (counted.kind, counted.category, counted.theme, counted.factor, counted.year)
    return (
        select(*headings, func.sum(counted.count))
        .where(*filters.conditions(counted.year, counted.regime, counted.route), *where)
        .group_by(*headings)
    )


# ---- labels and order ----------------------------------------------------------------------------

_CATEGORY_ORDER = {key: n for n, key in enumerate(FINDING_CATEGORIES)}


def _category_order(key: str) -> tuple[int, str]:
    return (_CATEGORY_ORDER.get(key, len(_CATEGORY_ORDER)), key)


def _by_total(counts: Mapping[tuple[str, int], int], labels: Mapping[str, str]) -> Callable[[str], Any]:
    totals: dict[str, int] = defaultdict(int)
    for (key, _), count in counts.items():
        totals[key] += count
    return lambda key: (-totals[key], labels.get(key, key).casefold())


def _factor_labels(codes: Iterable[str]) -> dict[str, str]:
    out = {}
    for code in codes:
        framework, level, category = [*code.split("/"), "", ""][:3]
        found = frameworks.get(framework)
        found_level = found.level(level) if found else None
        level_label = found_level.label if found_level else level
        label = f"{level_label}: {frameworks.category_label(framework, level, category)}"
        if framework != frameworks.DEFAULT_FRAMEWORK:
            label = f"{found.label if found else framework}, {label}"
        out[code] = label
    return out


_FRAMEWORK_ORDER = {key: n for n, key in enumerate(frameworks.FRAMEWORKS)}


def _factor_order(code: str) -> tuple[int, int, int, str]:
    framework, level, category = [*code.split("/"), "", ""][:3]
    found = frameworks.get(framework)
    if found is None:
        return (len(_FRAMEWORK_ORDER), 0, 0, code)
    levels = [lvl.key for lvl in found.levels]
    if level not in levels:
        return (_FRAMEWORK_ORDER[framework], len(levels), 0, code)
    at = levels.index(level)
    categories = [c.key for c in found.levels[at].categories]
    place = categories.index(category) if category in categories else len(categories)
    return (_FRAMEWORK_ORDER[framework], at, place, code)


# ---- downloads -----------------------------------------------------------------------------------


def csv_rows(table: YearTable | CategoryThemeTable) -> list[list[Any]]:
    """A table as the rows of its CSV download: a header, then one line per row (and a total)."""
    if isinstance(table, CategoryThemeTable):
        header: list[Any] = ["Category", "Theme", "Year", "Findings"]
        return [header, *([c.category, c.theme, c.year, c.count] for c in table.cells)]
    out: list[list[Any]] = [[table.subject, *table.years, "Total"]]
    out += [[row.label, *row.counts, row.total] for row in table.rows]
    out.append(["Total", *table.column_totals, table.total])
    return out

"""The learning repository (DESIGN §6): full-text search, with ranking and marked snippets, over
everything a person may see across reviews (`findings.learning.visibility`): findings, questions for
the board, board responses, episodes, factors and published reports of the reviews they are a member
of (drafts included) and of every published review, and the reviews published elsewhere
(`findings.learning.catalogue`). An admin sees only the reviews they are a member of, and nothing
published elsewhere: admins do not read learning.

One query over `search_entries` (kept in step by `findings.learning.index`), narrowed by the
database's full-text search (`findings.learning.fulltext`) and by the filters, cut to a page in SQL;
the snippets are marked for that page only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints
from sqlalchemy import ColumnElement, exists, func, null, select, true, union_all
from sqlalchemy.orm import Session

from findings.analysis import frameworks
from findings.analysis.base import Page
from findings.analysis.findings import Category
from findings.analysis.themes import vocabulary_of
from findings.analysis.vocabulary import FINDING_CATEGORIES
from findings.learning import fulltext
from findings.learning.fulltext import Marked
from findings.learning.models import ExternalReview, SearchEntry
from findings.learning.query import Terms, parse
from findings.learning.visibility import (
    Reader,
    RegimeKey,
    ReviewRoute,
    Year,
    json_elements,
    member_of,
    reader,
)
from workflow.commands import Agency, Command, Key
from workflow.models import Membership, Review
from workflow.service import ReviewService

EntryKind = Literal["finding", "question", "board_response", "episode", "factor", "report", "external"]
KIND_LABELS = {
    "finding": "Finding",
    "question": "Question for the board",
    "board_response": "Board response",
    "episode": "Key practice episode",
    "factor": "Contributory factor",
    "report": "Published report",
    "external": "Review published elsewhere",
}
MAX_PAGE = 100


class SearchFilters(Command):
    """What to look for (`q`, see `findings.learning.query`) and the filters, all optional."""

    q: Annotated[str, StringConstraints(max_length=500, strip_whitespace=True)] | None = Field(
        default=None,
        description='Words to find; "a phrase" in quotes, OR between alternatives, -word to leave out.',
    )
    kind: EntryKind | None = Field(default=None, description="Only this kind of entry.")
    category: Category | None = Field(
        default=None, description="The finding category (its questions and response too)."
    )
    theme: Key | None = Field(default=None, description="A theme key (the entry's own or its review's).")
    factor: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="A contributory factor category as framework/level/category."
    )
    regime: RegimeKey | None = Field(default=None, description="wt2010 or wt2023.")
    route: ReviewRoute | None = Field(default=None, description="statutory or learning.")
    agency: Agency | None = Field(
        default=None, description="An agency of the review or the entry (case does not matter)."
    )
    year: Year | None = Field(default=None, description="The review's year.")

    @property
    def terms(self) -> Terms:
        return parse(self.q)

    @property
    def active(self) -> bool:
        return any(v not in (None, "") for v in self.model_dump().values())

    def conditions(self, session: Session) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.kind:
            out.append(SearchEntry.kind == self.kind)
        if self.category:
            out.append(SearchEntry.finding_category == self.category)
        if self.theme:
            out.append(_contains(session, SearchEntry.themes, self.theme))
        if self.factor:
            out.append(_contains(session, SearchEntry.factor_categories, self.factor))
        if self.regime:
            out.append(SearchEntry.regime == self.regime)
        if self.route:
            out.append(SearchEntry.route == self.route)
        if self.agency:
            out.append(_contains(session, SearchEntry.agencies, self.agency, fold=True))
        if self.year is not None:
            out.append(SearchEntry.year == self.year)
        return out


def _contains(session: Session, column: Any, value: str, *, fold: bool = False) -> ColumnElement[bool]:
    each = json_elements(session, column)
    found = func.lower(each.c.value) == value.lower() if fold else each.c.value == value
    return exists(select(true()).select_from(each).where(found))


def seen_by(who: Reader) -> ColumnElement[bool]:
    """The entries `who` may see: of their reviews; public ones (of published reviews, and from
    elsewhere) unless they are an admin."""
    mine = SearchEntry.review_id.in_(member_of(who.id))
    return mine if who.admin else SearchEntry.public | mine


def seen_in_parts(who: Reader) -> list[ColumnElement[bool]]:
    """`seen_by` as parts that do not overlap, each one an index can serve on its own: the public
    entries, and the reader's reviews' others."""
    mine = SearchEntry.review_id.in_(member_of(who.id))
    public = SearchEntry.public.expression
    return [mine] if who.admin else [public, mine & ~public]


@dataclass(frozen=True)
class Hit:
    """One entry found: what it is, where it is, its title and snippet with the matched words marked
    (`fulltext.segments`), and where the reader can open it."""

    entry_id: int
    kind: str
    title: str  # marked
    snippet: str  # marked
    review_id: int | None
    review_label: str | None  # "Review of Poppy"; for one published elsewhere, its partnership
    member: bool  # the reader is a member of its review (else it is published)
    finding_id: int | None
    finding_category: str | None
    themes: tuple[str, ...]
    year: int | None
    href: str
    rank: float | None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def title_segments(self) -> list[tuple[str, bool]]:
        return fulltext.segments(self.title)

    @property
    def snippet_segments(self) -> list[tuple[str, bool]]:
        return fulltext.segments(self.snippet)


@dataclass(frozen=True)
class SearchChoices:
    """What the filters offer."""

    kinds: tuple[tuple[str, str], ...]
    categories: tuple[tuple[str, str], ...]
    themes: tuple[tuple[str, str], ...]
    factors: tuple[tuple[str, str], ...]
    years: tuple[int, ...]


def factor_choices() -> tuple[tuple[str, str], ...]:
    """Every contributory factor category of every framework, as (code, label)."""
    out = []
    for framework in frameworks.FRAMEWORKS.values():
        for level in framework.levels:
            for category in level.categories:
                prefix = "" if framework.key == frameworks.DEFAULT_FRAMEWORK else f"{framework.label}, "
                out.append(
                    (
                        f"{framework.key}/{level.key}/{category.key}",
                        f"{prefix}{level.label}: {category.label}",
                    )
                )
    return tuple(out)


class LearningRepository:
    """Search across reviews. Keyword-only; `actor` is the reader's id."""

    def __init__(self, reviews: ReviewService) -> None:
        self._reviews = reviews

    def search(
        self, *, actor: int, filters: SearchFilters | None = None, limit: int = 20, offset: int = 0
    ) -> Page[Hit]:
        """The entries matching `filters` that the reader may see: best match first when words are
        given, else the newest reviews first."""
        filters = filters or SearchFilters()
        limit = max(1, min(limit, MAX_PAGE))
        with self._reviews.session(read_only=True) as session:
            who = reader(session, actor)
            terms = filters.terms
            if filters.q and not terms:
                return Page([], 0)  # only punctuation: nothing to look for
            full_text = fulltext.for_session(session)
            parts = []
            for part in seen_in_parts(who):
                query = select(SearchEntry.id.label("id"), SearchEntry.year.label("year")).where(
                    part, *filters.conditions(session)
                )
                if terms:
                    query, rank = full_text.narrow(query, terms)
                    query = query.add_columns(rank.label("rank"))
                else:
                    query = query.add_columns(null().label("rank"))
                parts.append(query)
            found = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("found")
            order = (
                (found.c.rank.desc(), found.c.id)
                if terms
                else (found.c.year.desc().nulls_last(), found.c.id.desc())
            )
            page = select(found.c.id, found.c.rank, func.count().over().label("total")).order_by(*order)
            rows = session.execute(page.limit(limit).offset(offset)).all()
            if rows:
                total = rows[0].total
            else:
                total = session.scalar(select(func.count()).select_from(found)) if offset else 0
            return Page(self._hits(session, who, rows, terms, full_text), total)

    def choices(self, *, actor: int) -> SearchChoices:
        with self._reviews.session(read_only=True) as session:
            who = reader(session, actor)
            years = session.scalars(
                select(SearchEntry.year)
                .where(seen_by(who), SearchEntry.year.is_not(None))
                .group_by(SearchEntry.year)
                .order_by(SearchEntry.year.desc())
            )
            return SearchChoices(
                kinds=tuple(KIND_LABELS.items()),
                categories=tuple((k, v.split(":", 1)[0]) for k, v in FINDING_CATEGORIES.items()),
                themes=tuple(sorted(vocabulary_of(session).items(), key=lambda kv: kv[1].casefold())),
                factors=factor_choices(),
                years=tuple(y for y in years if y is not None),
            )

    def _hits(
        self,
        session: Session,
        who: Reader,
        rows: Sequence[Any],
        terms: Terms,
        full_text: fulltext.FullText,
    ) -> list[Hit]:
        ids = [row[0] for row in rows]
        if not ids:
            return []
        entries = {e.id: e for e in session.scalars(select(SearchEntry).where(SearchEntry.id.in_(ids)))}
        marked = full_text.marked(session, ids, terms) if terms else {}
        review_ids = {e.review_id for e in entries.values() if e.review_id is not None}
        names: dict[int, str] = (
            dict(
                session.execute(
                    select(Review.id, Review.child_pseudonym).where(Review.id.in_(review_ids))
                ).all()
            )
            if review_ids
            else {}
        )
        mine = (
            set(session.scalars(member_of(who.id).where(Membership.review_id.in_(review_ids))))
            if review_ids
            else set()
        )
        external_ids = [e.external_review_id for e in entries.values() if e.external_review_id is not None]
        external = (
            {
                x.id: x
                for x in session.scalars(select(ExternalReview).where(ExternalReview.id.in_(external_ids)))
            }
            if external_ids
            else {}
        )
        out = []
        for row in rows:
            entry = entries[row[0]]
            found = marked.get(entry.id) or Marked(entry.title, fulltext.plain_snippet(entry.body))
            member = entry.review_id in mine
            elsewhere = external.get(entry.external_review_id or 0)
            out.append(
                Hit(
                    entry_id=entry.id,
                    kind=entry.kind,
                    title=found.title,
                    snippet=found.snippet or fulltext.plain_snippet(entry.body),
                    review_id=entry.review_id,
                    review_label=f"Review of {names[entry.review_id]}"
                    if entry.review_id in names
                    else (elsewhere.partnership if elsewhere else None),
                    member=member,
                    finding_id=entry.finding_id,
                    finding_category=entry.finding_category,
                    themes=tuple(entry.themes or ()),
                    year=entry.year,
                    href=_href(entry, member, elsewhere),
                    rank=row[1],
                )
            )
        return out


def _href(entry: SearchEntry, member: bool, elsewhere: ExternalReview | None) -> str:
    """Where the reader opens an entry: in their review, else the published report."""
    if elsewhere is not None:
        return elsewhere.link
    rid = entry.review_id
    if not member:
        return f"/published/{rid}/full/html"
    pages = {
        "finding": f"/reviews/{rid}/findings/{entry.source_id}",
        "question": f"/reviews/{rid}/findings/{entry.finding_id}",
        "board_response": f"/reviews/{rid}/board",
        "episode": f"/reviews/{rid}/episodes/{entry.source_id}",
        "factor": f"/reviews/{rid}/factors/{entry.source_id}",
        "report": f"/reviews/{rid}/report",
    }
    return pages.get(entry.kind, f"/reviews/{rid}")

"""Full-text search over the repository's entries, behind one port (`FullText`) with an adapter per
database: SQLite's FTS5 (`Fts5`) and PostgreSQL's text search (`PostgresTextSearch`). Each narrows a
query over `search_entries` to the entries that match the terms and gives a rank (higher is better;
the title weighs more than the body), and marks the matched words in a page of entries.

The marks are two control characters (`MARK`, `END`) that never occur in what people type; the pages
and the API turn them into `<mark>` and into segments (`segments`), so nothing typed is ever HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session

from findings.learning.models import SearchEntry
from findings.learning.query import Terms

MARK, END = "\x02", "\x03"
Query = Select[*tuple[Any, ...]]  # a query over `search_entries`, whatever its columns
ELLIPSIS = "…"
SNIPPET_WORDS = 24  # about how long a snippet of the body is
CONFIG = "english"  # PostgreSQL's text search configuration (stems and stop words)


@dataclass(frozen=True)
class Marked:
    """An entry's title and a snippet of its body with the matched words between MARK and END."""

    title: str
    snippet: str


class FullText(Protocol):
    """The port: what the repository needs from a database's full-text search."""

    def narrow(self, query: Query, terms: Terms) -> tuple[Query, ColumnElement[float]]:
        """`query` (over `search_entries`) kept to the entries matching `terms`, and their rank."""
        ...

    def marked(self, session: Session, ids: Sequence[int], terms: Terms) -> dict[int, Marked]:
        """The title and a snippet of each of these entries, matched words marked."""
        ...


def for_session(session: Session) -> FullText:
    """The adapter for the database `session` is bound to."""
    return Fts5() if session.get_bind().dialect.name == "sqlite" else PostgresTextSearch()


def segments(marked: str) -> list[tuple[str, bool]]:
    """A marked text as (text, matched) pieces, in order; empty pieces left out."""
    out: list[tuple[str, bool]] = []
    for n, part in enumerate(marked.replace(END, MARK).split(MARK)):
        if part:
            out.append((part, n % 2 == 1))
    return out


def plain_snippet(body: str, words: int = SNIPPET_WORDS) -> str:
    """The start of a body, for an entry found by filters alone."""
    split = body.split()
    return " ".join(split[:words]) + (f" {ELLIPSIS}" if len(split) > words else "")


# ---- SQLite ----------------------------------------------------------------------------------------

_fts = table("search_fts", column("rowid"), column("title"), column("body"))


class Fts5:
    """SQLite's FTS5: the `search_fts` table over `search_entries` (porter stemming), ranked by BM25
    with the title weighing ten times the body."""

    @staticmethod
    def expression(terms: Terms) -> str:
        """The FTS5 query of `terms`: every word quoted, so no input is FTS5 syntax."""

        def phrase(p: str) -> str:
            return f'"{p}"'

        groups = " AND ".join("(" + " OR ".join(phrase(p) for p in group) + ")" for group in terms.groups)
        if terms.excluded:
            groups += " NOT (" + " OR ".join(phrase(p) for p in terms.excluded) + ")"
        return groups

    def _matches(self, terms: Terms) -> Any:
        return (
            select(
                _fts.c.rowid.label("entry_id"),
                (-func.bm25(literal_column("search_fts"), 10.0, 1.0)).label("rank"),
            )
            .where(text("search_fts MATCH :fts_query").bindparams(fts_query=self.expression(terms)))
            .subquery("matches")
        )

    def narrow(self, query: Query, terms: Terms) -> tuple[Query, ColumnElement[float]]:
        matches = self._matches(terms)
        return query.join(matches, matches.c.entry_id == SearchEntry.id), matches.c.rank

    def marked(self, session: Session, ids: Sequence[int], terms: Terms) -> dict[int, Marked]:
        if not ids:
            return {}
        rows = session.execute(
            text(
                "SELECT rowid, highlight(search_fts, 0, :mark, :end),"
                " snippet(search_fts, 1, :mark, :end, :ellipsis, :words)"
                " FROM search_fts WHERE search_fts MATCH :fts_query AND rowid IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {
                "mark": MARK,
                "end": END,
                "ellipsis": ELLIPSIS,
                "words": SNIPPET_WORDS,
                "fts_query": self.expression(terms),
                "ids": list(ids),
            },
        )
        return {rowid: Marked(title, snippet) for rowid, title, snippet in rows}


# ---- PostgreSQL ------------------------------------------------------------------------------------

# The stored tsvector column the migration adds (not mapped: SQLite has no such type).
_document = literal_column("search_entries.document", TSVECTOR)


class PostgresTextSearch:
    """PostgreSQL's text search: the stored `search_entries.document` (title weighted A, body B, with
    a GIN index), matched against a `tsquery` built from the terms and ranked by `ts_rank`."""

    @staticmethod
    def tsquery(terms: Terms) -> ColumnElement[Any]:
        def phrase(p: str) -> ColumnElement[Any]:
            return func.phraseto_tsquery(CONFIG, literal(p))

        def any_of(phrases: Sequence[str]) -> ColumnElement[Any]:
            out = phrase(phrases[0])
            for p in phrases[1:]:
                out = func.tsquery_or(out, phrase(p))
            return out

        query = any_of(terms.groups[0])
        for group in terms.groups[1:]:
            query = func.tsquery_and(query, any_of(group))
        if terms.excluded:
            query = func.tsquery_and(query, func.tsquery_not(any_of(terms.excluded)))
        return query

    def narrow(self, query: Query, terms: Terms) -> tuple[Query, ColumnElement[float]]:
        tsquery = self.tsquery(terms)
        rank = func.ts_rank(_document, tsquery, type_=Float)
        return query.where(_document.op("@@")(tsquery)), rank

    def marked(self, session: Session, ids: Sequence[int], terms: Terms) -> dict[int, Marked]:
        if not ids:
            return {}
        tsquery = self.tsquery(terms)
        options = f"StartSel={MARK}, StopSel={END}"
        fragments = f'MaxWords={SNIPPET_WORDS}, MinWords=8, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
        body_options = f"{options}, {fragments}"
        rows = session.execute(
            select(
                SearchEntry.id,
                func.ts_headline(CONFIG, SearchEntry.title, tsquery, f"{options}, HighlightAll=true"),
                func.ts_headline(CONFIG, SearchEntry.body, tsquery, body_options),
            ).where(SearchEntry.id.in_(list(ids)))
        )
        return {entry_id: Marked(title, snippet) for entry_id, title, snippet in rows}

"""Keeping the learning repository's index (`search_entries`) and the trends' counts (`trend_counts`,
`findings.learning.counts`) in step, in the transaction of every change, so no service can forget them.

Listeners on every `Session` note what a transaction touched: after each flush, the reviews whose
findings, questions for the board, board responses, episodes, factors, themes, published reports or
indexed review fields were added, changed or deleted, and the external reviews likewise; before an
ORM bulk UPDATE or DELETE of those tables, the reviews its WHERE clause reaches. Before the
transaction commits, the entries and the counts of each review touched are rebuilt from what the
database holds then (deleted things leave no entry; a deleted review's entries and counts go with it
by cascade). The full-text index over the entries follows them inside the database
(`findings.learning.models`).

Statements sent on a raw connection, past the ORM session, are not seen: the services never do that;
`rebuild` rebuilds every entry and `counts.rebuild` every count (the migrations and `tunnelview
repository reindex`).
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, event, insert, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from findings.analysis.models import (
    BoardQuestion,
    BoardResponse,
    Episode,
    Factor,
    Finding,
    ReviewTheme,
    factor_episodes,
    finding_episodes,
)
from findings.learning import counts
from findings.learning.models import ExternalReview, SearchEntry
from findings.publication.models import PublishedDocument, PublishedReport
from workflow.models import Review

# The review fields an entry copies (the filters, the label): a change of another field (the audit
# anchor, the state) leaves the entries as they are.
REVIEW_FIELDS = frozenset(
    {"regime_key", "route", "date_of_awareness", "created_at", "agencies_involved", "agencies_in_scope"}
)
BY_REVIEW: tuple[type[Any], ...] = (Finding, BoardResponse, Episode, Factor, ReviewTheme, PublishedReport)
BY_FINDING: tuple[type[Any], ...] = (BoardQuestion,)
PENDING = "learning_index_pending"


@dataclass
class Pending:
    """What a transaction touched, to be indexed before it commits."""

    reviews: set[int] = field(default_factory=set)
    findings: set[int] = field(default_factory=set)
    external: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.reviews or self.findings or self.external)


def pending(session: Session) -> Pending:
    found = session.info.get(PENDING)
    if found is None:
        found = session.info[PENDING] = Pending()
    return found


def note(session: Session, obj: object) -> None:
    """Remember that `obj` (added, changed or deleted) touches the index."""
    marks = pending(session)
    if isinstance(obj, Review):
        marks.reviews.add(obj.id)
    elif isinstance(obj, BY_REVIEW):
        marks.reviews.add(obj.review_id)
    elif isinstance(obj, BY_FINDING):
        marks.findings.add(obj.finding_id)
    elif isinstance(obj, ExternalReview):
        marks.external.add(obj.id)


def _review_fields_changed(review: Review) -> bool:
    state = inspect(review)
    return any(state.attrs[name].history.has_changes() for name in REVIEW_FIELDS)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    # A review's counts go with it by cascade, too late to take them off the totals: take them now.
    deleted = [obj.id for obj in session.deleted if isinstance(obj, Review)]
    if deleted:
        counts.forget(session.connection(), deleted)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    # After a flush the session still lists what it flushed, with each attribute's history, and the
    # new rows have their ids and keys.
    for obj in (*session.new, *session.deleted):
        note(session, obj)
    for obj in session.dirty:
        if not isinstance(obj, Review) or _review_fields_changed(obj):
            note(session, obj)


_KEYS: dict[str, tuple[str, str]] = {
    Review.__tablename__: ("id", "reviews"),
    ExternalReview.__tablename__: ("id", "external"),
    BoardQuestion.__tablename__: ("finding_id", "findings"),
    factor_episodes.name: ("factor_id", "factors"),
    finding_episodes.name: ("finding_id", "findings"),
    **{model.__tablename__: ("review_id", "reviews") for model in BY_REVIEW},
}


def _sets_review_fields(statement: Any) -> bool:
    """Whether an UPDATE of reviews may set a field the entries copy (when its columns can't be
    read, assume it does)."""
    values = getattr(statement, "_values", None)
    if not values:
        return True
    return any(getattr(column, "key", column) in REVIEW_FIELDS for column in values)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    """An ORM bulk UPDATE or DELETE of an indexed table: note the rows its WHERE clause reaches,
    before it runs (a delete leaves nothing to read after)."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    known = _KEYS.get(getattr(table, "name", ""))
    if table is None or known is None:
        return
    column, kind = known
    if table.name == Review.__tablename__ and state.is_update and not _sets_review_fields(state.statement):
        return  # the audit anchor, the state, the version: nothing an entry copies
    where = state.statement.whereclause  # type: ignore[attr-defined]
    query = select(table.c[column])
    if where is not None:
        query = query.where(where)
    ids = set(state.session.connection().scalars(query))
    marks = pending(state.session)
    if kind == "reviews" and state.is_delete:
        counts.forget(state.session.connection(), sorted(ids))
    if kind == "factors":
        marks.reviews.update(
            state.session.connection().scalars(select(Factor.review_id).where(Factor.id.in_(ids)))
        )
    else:
        getattr(marks, kind).update(ids)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    session.flush()  # what is still unflushed is noted too (a no-op when nothing is)
    marks = session.info.pop(PENDING, None)
    if marks:
        index(session.connection(), marks)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


# ---- building the entries ------------------------------------------------------------------------


def index(connection: Connection, marks: Pending) -> None:
    """Rebuild the entries (and the counts) of the reviews and external reviews in `marks`."""
    reviews = {r for r in marks.reviews if r is not None}
    if marks.findings:
        reviews.update(connection.scalars(select(Finding.review_id).where(Finding.id.in_(marks.findings))))
    for chunk in _chunks(sorted(reviews)):
        connection.execute(delete(SearchEntry).where(SearchEntry.review_id.in_(chunk)))
        _insert(connection, review_entries(connection, chunk))
        counts.recount(connection, chunk)
    for chunk in _chunks(sorted(marks.external)):
        connection.execute(delete(SearchEntry).where(SearchEntry.external_review_id.in_(chunk)))
        _insert(connection, external_entries(connection, chunk))


def rebuild(connection: Connection) -> int:
    """Every entry built anew from what the database holds; how many there are."""
    connection.execute(delete(SearchEntry))
    count = 0
    for chunk in _chunks(list(connection.scalars(select(Review.id).order_by(Review.id))), 200):
        count += _insert(connection, review_entries(connection, chunk))
    for chunk in _chunks(list(connection.scalars(select(ExternalReview.id))), 500):
        count += _insert(connection, external_entries(connection, chunk))
    return count


def _insert(connection: Connection, rows: list[dict[str, Any]]) -> int:
    if rows:
        connection.execute(insert(SearchEntry), rows)
    return len(rows)


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _entry(kind: str, source_id: int, title: str, body: str, **fields: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "source_id": source_id,
        "title": title[:400],
        "body": body,
        "review_id": fields.get("review_id"),
        "external_review_id": fields.get("external_review_id"),
        "finding_id": fields.get("finding_id"),
        "finding_category": fields.get("finding_category"),
        "factor_categories": sorted(set(fields.get("factor_categories", ()))),
        "themes": sorted(set(fields.get("themes", ()))),
        "agencies": sorted(set(fields.get("agencies", ()))),
        "regime": fields.get("regime"),
        "route": fields.get("route"),
        "year": fields.get("year"),
        "public": bool(fields.get("public", False)),
    }


def _text(*parts: str | None) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


@dataclass(frozen=True)
class _Review:
    regime: str
    route: str | None
    year: int | None
    agencies: tuple[str, ...]
    themes: tuple[str, ...]
    public: bool  # it published its report (not a summary of improvements instead)

    def fields(self, review_id: int, **more: Any) -> dict[str, Any]:
        return {
            "review_id": review_id,
            "regime": self.regime,
            "route": self.route,
            "year": self.year,
            "public": self.public,
            "agencies": (*self.agencies, *more.pop("agencies", ())),
            "themes": (*self.themes, *more.pop("themes", ())),
            **more,
        }


def _reviews(connection: Connection, ids: list[int]) -> dict[int, _Review]:
    themes: dict[int, list[str]] = defaultdict(list)
    for review_id, theme in connection.execute(
        select(ReviewTheme.review_id, ReviewTheme.theme).where(ReviewTheme.review_id.in_(ids))
    ):
        themes[review_id].append(theme)
    published = set(
        connection.scalars(
            select(PublishedReport.review_id).where(
                PublishedReport.review_id.in_(ids), PublishedReport.variant == "full"
            )
        )
    )
    out = {}
    for row in connection.execute(
        select(
            Review.id,
            Review.regime_key,
            Review.route,
            Review.date_of_awareness,
            Review.created_at,
            Review.agencies_involved,
            Review.agencies_in_scope,
        ).where(Review.id.in_(ids))
    ):
        day = row.date_of_awareness or row.created_at
        agencies = tuple(dict.fromkeys([*(row.agencies_involved or ()), *(row.agencies_in_scope or ())]))
        year = day.year if day else None
        out[row.id] = _Review(
            row.regime_key, row.route, year, agencies, tuple(themes[row.id]), row.id in published
        )
    return out


def review_entries(connection: Connection, ids: list[int]) -> list[dict[str, Any]]:
    """The entries of these reviews, from what the database holds."""
    reviews = _reviews(connection, ids)
    if not reviews:
        return []
    ids = list(reviews)
    episodes = {
        row.id: row
        for row in connection.execute(
            select(
                Episode.id,
                Episode.review_id,
                Episode.number,
                Episode.title,
                Episode.agencies,
                Episode.what_happened,
                Episode.view_from_tunnel,
                Episode.appraisal,
                Episode.explanation,
            ).where(Episode.review_id.in_(ids))
        )
    }
    factors = list(
        connection.execute(
            select(
                Factor.id,
                Factor.review_id,
                Factor.framework,
                Factor.level,
                Factor.category,
                Factor.description,
                Factor.evidence,
            ).where(Factor.review_id.in_(ids))
        )
    )
    code = {f.id: f"{f.framework}/{f.level}/{f.category}" for f in factors}
    codes_of_episode: dict[int, set[str]] = defaultdict(set)
    episodes_of_factor: dict[int, set[int]] = defaultdict(set)
    if factors:
        for factor_id, episode_id in connection.execute(
            select(factor_episodes.c.factor_id, factor_episodes.c.episode_id).where(
                factor_episodes.c.factor_id.in_(list(code))
            )
        ):
            codes_of_episode[episode_id].add(code[factor_id])
            episodes_of_factor[factor_id].add(episode_id)
    out: list[dict[str, Any]] = []
    for e in episodes.values():
        out.append(
            _entry(
                "episode",
                e.id,
                f"Episode {e.number}: {e.title}",
                _text(e.what_happened, e.view_from_tunnel, e.appraisal, e.explanation),
                **reviews[e.review_id].fields(
                    e.review_id, agencies=e.agencies or (), factor_categories=codes_of_episode[e.id]
                ),
            )
        )
    for f in factors:
        agencies = [
            a for eid in episodes_of_factor[f.id] if eid in episodes for a in episodes[eid].agencies or ()
        ]
        out.append(
            _entry(
                "factor",
                f.id,
                f.description.strip().splitlines()[0][:200] if f.description.strip() else "Factor",
                _text(f.description, f.evidence),
                **reviews[f.review_id].fields(f.review_id, agencies=agencies, factor_categories=[code[f.id]]),
            )
        )
    out += _finding_entries(connection, ids, reviews, episodes, codes_of_episode)
    out += _report_entries(connection, ids, reviews)
    return out


def _finding_entries(
    connection: Connection,
    ids: list[int],
    reviews: dict[int, _Review],
    episodes: dict[int, Any],
    codes_of_episode: dict[int, set[str]],
) -> list[dict[str, Any]]:
    findings = list(
        connection.execute(
            select(
                Finding.id,
                Finding.review_id,
                Finding.number,
                Finding.title,
                Finding.category,
                Finding.statement,
                Finding.context,
                Finding.how_it_showed,
                Finding.why_it_matters,
                Finding.themes,
            ).where(Finding.review_id.in_(ids))
        )
    )
    if not findings:
        return []
    finding_ids = [f.id for f in findings]
    linked: dict[int, set[int]] = defaultdict(set)
    for finding_id, episode_id in connection.execute(
        select(finding_episodes.c.finding_id, finding_episodes.c.episode_id).where(
            finding_episodes.c.finding_id.in_(finding_ids)
        )
    ):
        linked[finding_id].add(episode_id)
    out = []
    shared: dict[int, dict[str, Any]] = {}
    for f in findings:
        eps = [episodes[e] for e in linked[f.id] if e in episodes]
        common = reviews[f.review_id].fields(
            f.review_id,
            finding_id=f.id,
            finding_category=f.category,
            themes=f.themes or (),
            agencies=[a for e in eps for a in e.agencies or ()],
            factor_categories=[c for e in eps for c in codes_of_episode[e.id]],
        )
        shared[f.id] = common
        body = _text(f.statement, f.context, f.how_it_showed, f.why_it_matters)
        out.append(_entry("finding", f.id, f"Finding {f.number}: {f.title}", body, **common))
    numbers = {f.id: f.number for f in findings}
    for q in connection.execute(
        select(BoardQuestion.id, BoardQuestion.finding_id, BoardQuestion.number, BoardQuestion.text).where(
            BoardQuestion.finding_id.in_(finding_ids)
        )
    ):
        title = f"Question {numbers[q.finding_id]}.{q.number} for the board"
        out.append(_entry("question", q.id, title, q.text, **dict(shared[q.finding_id])))
    for r in connection.execute(
        select(BoardResponse.id, BoardResponse.finding_id, BoardResponse.response).where(
            BoardResponse.finding_id.in_(finding_ids)
        )
    ):
        title = f"The board's response to finding {numbers[r.finding_id]}"
        out.append(_entry("board_response", r.id, title, r.response, **dict(shared[r.finding_id])))
    return out


def _report_entries(
    connection: Connection, ids: list[int], reviews: dict[int, _Review]
) -> list[dict[str, Any]]:
    """The published report (or the summary of improvements) of each review, as text."""
    documents: dict[int, dict[str, tuple[int, str, bytes]]] = defaultdict(dict)
    for row in connection.execute(
        select(
            PublishedReport.id,
            PublishedReport.review_id,
            PublishedReport.variant,
            PublishedDocument.format,
            PublishedDocument.content,
        )
        .join(PublishedDocument, PublishedDocument.report_id == PublishedReport.id)
        .where(
            PublishedReport.review_id.in_(ids),
            PublishedDocument.kind == PublishedReport.variant,
            PublishedDocument.format.in_(("md", "html")),
        )
    ):
        documents[row.review_id][row.format] = (row.id, row.variant, row.content)
    out = []
    for review_id, formats in documents.items():
        fmt = "md" if "md" in formats else "html"
        report_id, variant, content = formats[fmt]
        text = content.decode("utf-8", errors="replace")
        body = _markdown_text(text) if fmt == "md" else _html_text(text)
        title = "The published report" if variant == "full" else "The published summary of improvements"
        out.append(_entry("report", report_id, title, body, **reviews[review_id].fields(review_id)))
    return out


def _markdown_text(text: str) -> str:
    return re.sub(r"[#*_>`|]+", " ", text)


def _html_text(text: str) -> str:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def external_entries(connection: Connection, ids: Iterable[int]) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(
            ExternalReview.id,
            ExternalReview.title,
            ExternalReview.year,
            ExternalReview.themes,
            ExternalReview.learning_summary,
        ).where(ExternalReview.id.in_(list(ids)))
    )
    return [
        _entry(
            "external",
            r.id,
            r.title,
            r.learning_summary,
            external_review_id=r.id,
            public=True,
            themes=r.themes or (),
            year=r.year,
        )
        for r in rows
    ]

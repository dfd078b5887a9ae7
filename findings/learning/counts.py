"""What the trends count, kept as it changes: each review's counts (`trend_counts`) and those of the
reviews that published their report added up by year, regime and route (`trend_totals`), built
from what the database holds (`findings.learning.models`).

A finding carries its own themes and its review's (the review's themes say what the case is about,
so each of its findings is about that too), and is counted once under a theme however many times it
carries it. A review's year is the year of its date of awareness, else of the day it was logged.

A review's counts are rebuilt with its search entries, in the transaction of every change to it
(`findings.learning.index`); what its published counts were and are now is added to the totals as
a difference (an upsert that adds), so two transactions changing reviews of the same year never
undo each other's. `rebuild` builds both tables anew (migration `0014_trend_counts`, `tunnelview
repository reindex`, the benchmarks' generators).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from findings.analysis.models import Factor, Finding, ReviewTheme
from findings.learning.models import TrendCount, TrendTotal
from findings.publication.models import PublishedReport
from workflow.models import Review

HEADING = ("kind", "category", "theme", "factor")
WHERE = ("year", "regime", "route")
TOTAL_KEY = (*WHERE, *HEADING)


@dataclass(frozen=True)
class _Review:
    year: int
    regime: str
    route: str
    public: bool


def _reviews(connection: Connection, ids: list[int]) -> dict[int, _Review]:
    published = set(
        connection.scalars(
            select(PublishedReport.review_id).where(
                PublishedReport.review_id.in_(ids), PublishedReport.variant == "full"
            )
        )
    )
    rows = connection.execute(
        select(Review.id, Review.regime_key, Review.route, Review.date_of_awareness, Review.created_at).where(
            Review.id.in_(ids)
        )
    )
    out = {}
    for row in rows:
        year = (row.date_of_awareness or row.created_at).year
        out[row.id] = _Review(year, row.regime_key, row.route or "", row.id in published)
    return out


def review_counts(connection: Connection, ids: list[int]) -> list[dict[str, Any]]:
    """The counts of these reviews, as rows of `trend_counts`."""
    reviews = _reviews(connection, ids) if ids else {}
    if not reviews:
        return []
    ids = list(reviews)
    themes_of_review: dict[int, list[str]] = defaultdict(list)
    for review_id, theme in connection.execute(
        select(ReviewTheme.review_id, ReviewTheme.theme).where(ReviewTheme.review_id.in_(ids))
    ):
        themes_of_review[review_id].append(theme)
    counted: Counter[tuple[int, str, str, str, str]] = Counter()
    for review_id, category, themes in connection.execute(
        select(Finding.review_id, Finding.category, Finding.themes).where(Finding.review_id.in_(ids))
    ):
        counted[(review_id, "finding", category or "", "", "")] += 1
        for theme in dict.fromkeys([*(themes or ()), *themes_of_review[review_id]]):
            counted[(review_id, "theme", category or "", theme, "")] += 1
    for review_id, framework, level, category in connection.execute(
        select(Factor.review_id, Factor.framework, Factor.level, Factor.category).where(
            Factor.review_id.in_(ids)
        )
    ):
        counted[(review_id, "factor", "", "", f"{framework}/{level}/{category}")] += 1
    for review_id in {key[0] for key in counted}:
        counted[(review_id, "review", "", "", "")] = 1
    return [
        dict(zip(("review_id", *HEADING), key, strict=True))
        | {
            "count": count,
            "year": reviews[key[0]].year,
            "regime": reviews[key[0]].regime,
            "route": reviews[key[0]].route,
            "public": reviews[key[0]].public,
        }
        for key, count in counted.items()
    ]


def recount(connection: Connection, ids: list[int]) -> None:
    """Rebuild the counts of these reviews (a deleted review leaves none), and the totals with them."""
    was = _published(connection, ids)
    connection.execute(delete(TrendCount).where(TrendCount.review_id.in_(ids)))
    rows = review_counts(connection, ids)
    _insert(connection, rows)
    now: Counter[tuple[Any, ...]] = Counter()
    for row in rows:
        if row["public"]:
            now[tuple(row[k] for k in TOTAL_KEY)] += row["count"]
    _add_to_totals(connection, {key: now[key] - was[key] for key in now.keys() | was.keys()})


def forget(connection: Connection, ids: list[int]) -> None:
    """These reviews are about to be deleted: their counts go, and leave the totals."""
    was = _published(connection, ids)
    connection.execute(delete(TrendCount).where(TrendCount.review_id.in_(ids)))
    _add_to_totals(connection, {key: -n for key, n in was.items()})


def _published(connection: Connection, ids: list[int]) -> Counter[tuple[Any, ...]]:
    """What these reviews' counts add to the totals now."""
    key = [TrendCount.__table__.c[k] for k in TOTAL_KEY]
    query = (
        select(*key, func.sum(TrendCount.count))
        .where(TrendCount.review_id.in_(ids), TrendCount.public)
        .group_by(*key)
    )
    return Counter({tuple(row[:-1]): row[-1] for row in connection.execute(query)})


def _add_to_totals(connection: Connection, differences: dict[tuple[Any, ...], int]) -> None:
    # In the order of the key, so two transactions adding to the same totals lock them in one order.
    rows = [
        dict(zip(TOTAL_KEY, key, strict=True)) | {"count": n} for key, n in sorted(differences.items()) if n
    ]
    if not rows:
        return
    dialect = sqlite if connection.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(TrendTotal)
    table = TrendTotal.__table__
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=list(TOTAL_KEY), set_={"count": table.c["count"] + statement.excluded["count"]}
        ),
        rows,
    )


def rebuild(connection: Connection) -> int:
    """Every review's counts and the totals built anew from what the database holds; how many rows
    of counts there are."""
    connection.execute(delete(TrendTotal))
    connection.execute(delete(TrendCount))
    count = 0
    for chunk in _chunks(list(connection.scalars(select(Review.id).order_by(Review.id)))):
        count += _insert(connection, review_counts(connection, chunk))
    key = [TrendCount.__table__.c[k] for k in TOTAL_KEY]
    summed = select(*key, func.sum(TrendCount.count)).where(TrendCount.public).group_by(*key)
    connection.execute(insert(TrendTotal).from_select([*TOTAL_KEY, "count"], summed))
    return count


def _insert(connection: Connection, rows: list[dict[str, Any]]) -> int:
    if rows:
        connection.execute(insert(TrendCount), rows)
    return len(rows)


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]

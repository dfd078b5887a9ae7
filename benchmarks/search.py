"""Benchmark: the learning repository's search, "not a quirk" suggestions and the trends at national
scale (10,000 reviews, 100,000 findings by default) on PostgreSQL. Prints figures for
docs/performance.md; not a test.

    .venv/bin/python -m benchmarks.search --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python -m benchmarks.search --database-url ... --reviews 1000 --runs 10   # a quick look

The URL names a server and a database to connect to first: a database of its own
(`tunnelview_bench_search`, or `--database NAME`) is created there, migrated, seeded and dropped at the
end (`--keep` keeps it). The seed is bulk inserts of the lifecycle's and the analysis's own tables
(reviews over 15 years, both regimes and routes, a fifth of them published; ten findings a review with
themes, a category and two sentences drawn from a vocabulary where a few words are common and most are
rare; a question for the board per finding; three factors a review; the review's themes), then the
repository's index and the trends' counts are built by `findings.learning.index.rebuild` and
`findings.learning.counts.rebuild`, as the migrations do for existing data (their times are printed
too). The reader is a member of 20 reviews, so they see those and every published review."""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from benchmarks.common import timed
from findings.analysis.models import BoardQuestion, Factor, Finding, ReviewTheme
from findings.analysis.vocabulary import BUILT_IN_THEMES, FINDING_CATEGORIES
from findings.learning import counts
from findings.learning.index import rebuild
from findings.learning.repository import LearningRepository, SearchFilters
from findings.learning.suggestions import NotAQuirk
from findings.learning.trends import TrendService
from findings.learning.visibility import ReviewFilters
from findings.publication.models import PublishedReport
from workflow import migrate
from workflow.db import make_engine, make_session_factory
from workflow.models import Membership, Review, User
from workflow.service import ReviewService

BENCH_DATABASE = "tunnelview_bench_search"
AGENCIES = ("Police", "Health", "Children's social care", "Education", "Probation", "Housing")
FACTORS = (
    ("frontline", "conditions_of_work"),
    ("frontline", "own_team"),
    ("frontline", "family"),
    ("local_strategic", "resources_and_commissioning"),
    ("national", "wider_context"),
)
COMMON = [
    "assessment",
    "referral",
    "family",
    "child",
    "school",
    "health",
    "visitor",
    "social",
    "worker",
    "police",
    "information",
    "sharing",
    "supervision",
    "neglect",
    "appointment",
    "threshold",
    "escalation",
    "plan",
    "review",
    "meeting",
    "record",
    "case",
]
RARE_STEMS = [
    "dental",
    "orthodontic",
    "housing",
    "tenancy",
    "eviction",
    "probation",
    "custody",
    "bail",
    "interpreter",
    "asylum",
    "language",
    "fostering",
    "kinship",
    "adoption",
    "pregnancy",
    "midwife",
    "antenatal",
    "postnatal",
    "toddler",
    "nursery",
    "truancy",
    "exclusion",
    "gang",
    "exploitation",
    "county",
    "lines",
    "online",
    "grooming",
    "alcohol",
    "opioid",
    "methadone",
    "overdose",
    "hoarding",
    "disability",
    "autism",
    "epilepsy",
    "diabetes",
    "asthma",
    "bruising",
    "fracture",
    "burns",
    "weight",
    "growth",
]


def _vocabulary() -> list[str]:
    """A few hundred words: the common ones, and rare ones made from stems (so most words are rare)."""
    rare = [f"{stem}{suffix}" for stem in RARE_STEMS for suffix in ("", "s", "ing", "ed", "ness")]
    return COMMON + rare


def _sentence(rng: random.Random, words: list[str], length: int) -> str:
    # Zipf-like: the first words of the vocabulary are drawn far more often than the rest.
    chosen = [words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)] for _ in range(length)]
    return " ".join(chosen).capitalize() + "."


def _batches(rows: Iterator[dict[str, Any]], size: int = 5_000) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(
    engine: Engine, *, reviews: int, findings_per_review: int, members_of: int, rng: random.Random
) -> int:
    """Bulk-insert the world; the reader's user id."""
    words = _vocabulary()
    themes = list(BUILT_IN_THEMES)
    categories = list(FINDING_CATEGORIES)
    now = datetime(2026, 11, 26)
    with engine.begin() as connection:
        connection.execute(
            insert(User.__table__),
            [
                {"id": i, "email": f"person{i}@bench.example.org", "name": f"Person {i}", "global_role": role}
                for i, role in ((1, "member"), (2, "coordinator"), (3, "admin"))
            ],
        )

        def review_rows() -> Iterator[dict[str, Any]]:
            for rid in range(1, reviews + 1):
                year = 2012 + rid % 15
                yield {
                    "id": rid,
                    "version": 1,
                    "regime_key": "wt2010" if year < 2019 else "wt2023",
                    "regime_version": 1,
                    "state": "published" if rid % 5 == 0 else "findings",
                    "route": "statutory" if rid % 3 else "learning",
                    "child_pseudonym": f"Child {rid}",
                    "date_of_awareness": date(year, 1 + rid % 12, 1 + rid % 28),
                    "agencies_involved": rng.sample(AGENCIES, 3),
                    "agencies_in_scope": [],
                    "created_at": now,
                    "updated_at": now,
                }

        for batch in _batches(review_rows()):
            connection.execute(insert(Review.__table__), batch)
        connection.execute(
            insert(PublishedReport.__table__),
            [
                {"review_id": rid, "variant": "full", "digest": "0" * 64, "published_at": now}
                for rid in range(5, reviews + 1, 5)
            ],
        )
        reader_reviews = rng.sample([r for r in range(1, reviews + 1) if r % 5], members_of)
        connection.execute(
            insert(Membership.__table__),
            [
                {"review_id": rid, "user_id": 1, "role": "lead_reviewer", "created_at": now}
                for rid in reader_reviews
            ],
        )
        connection.execute(
            insert(ReviewTheme.__table__),
            [
                {"review_id": rid, "theme": theme}
                for rid in range(1, reviews + 1)
                for theme in rng.sample(themes, 2)
            ],
        )

        def finding_rows() -> Iterator[dict[str, Any]]:
            fid = 0
            for rid in range(1, reviews + 1):
                for number in range(1, findings_per_review + 1):
                    fid += 1
                    yield {
                        "id": fid,
                        "review_id": rid,
                        "number": number,
                        "title": _sentence(rng, words, 6)[:-1],
                        "category": rng.choice(categories),
                        "statement": _sentence(rng, words, 20),
                        "context": _sentence(rng, words, 25),
                        "how_it_showed": _sentence(rng, words, 25),
                        "why_it_matters": _sentence(rng, words, 15),
                        "themes": rng.sample(themes, 2),
                        "status": "draft",
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }

        for batch in _batches(finding_rows()):
            connection.execute(insert(Finding.__table__), batch)
        total = reviews * findings_per_review
        for batch in _batches(
            {"finding_id": fid, "number": 1, "text": "How will the board know " + _sentence(rng, words, 12)}
            for fid in range(1, total + 1)
        ):
            connection.execute(insert(BoardQuestion.__table__), batch)
        for batch in _batches(
            {
                "review_id": rid,
                "framework": "learning_together",
                "level": level,
                "category": category,
                "description": _sentence(rng, words, 18),
                "evidence": "",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for rid in range(1, reviews + 1)
            for level, category in rng.sample(FACTORS, 3)
        ):
            connection.execute(insert(Factor.__table__), batch)
        if connection.dialect.name == "postgresql":
            for table in ("users", "reviews", "findings"):
                connection.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    return 1


def _bench_engine(url: str, database: str, keep: bool) -> tuple[str, Any]:
    """A database of its own on the server `url` names (created afresh), and how to drop it."""
    base = make_url(url)
    if base.get_backend_name() != "postgresql":
        raise SystemExit("Give a PostgreSQL URL: the benchmark is of PostgreSQL at national scale.")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{database}"'))

    def drop() -> None:
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=database).render_as_string(hide_password=False), drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the learning repository at national scale.")
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server (any database on it)")
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--findings-per-review", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time the database a --keep run left")
    parser.add_argument("--database", default=BENCH_DATABASE, help="the name of the benchmark's database")
    args = parser.parse_args(argv)
    if args.reuse:
        url = make_url(args.database_url).set(database=args.database).render_as_string(hide_password=False)
        engine = make_engine(url)
        report(engine, 1, args.runs)
        engine.dispose()
        return 0
    url, drop = _bench_engine(args.database_url, args.database, args.keep)
    try:
        migrate.upgrade(url)
        engine = make_engine(url)
        rng = random.Random(12)
        start = time.perf_counter()
        reader = seed(
            engine, reviews=args.reviews, findings_per_review=args.findings_per_review, members_of=20, rng=rng
        )
        seeded = time.perf_counter() - start
        start = time.perf_counter()
        with engine.begin() as connection:
            entries = rebuild(connection)
        built = time.perf_counter() - start
        start = time.perf_counter()
        with engine.begin() as connection:
            counted = counts.rebuild(connection)
        tallied = time.perf_counter() - start
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; PostgreSQL")
        print(
            f"{args.reviews:,} reviews, {args.reviews * args.findings_per_review:,} findings: seeded in "
            f"{seeded:.1f} s; index built ({entries:,} entries) in {built:.1f} s; trends' counts "
            f"({counted:,} rows) in {tallied:.1f} s"
        )
        report(engine, reader, args.runs)
        engine.dispose()
    finally:
        drop()
    return 0


def report(engine: Engine, reader: int, runs: int) -> None:
    sessions = make_session_factory(engine)
    reviews = ReviewService(sessions)
    repository = LearningRepository(reviews)
    trends = TrendService(reviews)
    quirks = NotAQuirk(reviews)
    with sessions() as session:
        mine = session.execute(
            text(
                "SELECT f.review_id, f.id FROM findings f JOIN memberships m ON m.review_id = f.review_id"
                " WHERE m.user_id = :u ORDER BY f.id LIMIT 1"
            ),
            {"u": reader},
        ).one()

    def search(**filters: Any) -> Any:
        return lambda: repository.search(
            actor=reader, filters=SearchFilters.model_validate(filters), limit=20
        )

    cases = [
        ("search: a common word (supervision)", search(q="supervision")),
        ("search: two common words", search(q="neglect assessment")),
        ("search: a rare word (orthodontic)", search(q="orthodontic")),
        ("search: a phrase", search(q='"social worker"')),
        ("search: words and a theme and a year", search(q="referral", theme="neglect", year=2020)),
        (
            "search: words and a category, page 5",
            lambda: repository.search(
                actor=reader, filters=SearchFilters(q="school", category="tools"), limit=20, offset=80
            ),
        ),
        ("browse: filters only (findings, 2024)", search(kind="finding", year=2024)),
        (
            "suggestions for a finding",
            lambda: quirks.suggestions(review_id=mine[0], actor=reader, finding_id=mine[1]),
        ),
        ("trends: every review the reader sees", lambda: trends.trends(actor=reader)),
        (
            "trends: 2020-2024, statutory",
            lambda: trends.trends(
                actor=reader, filters=ReviewFilters(year_from=2020, year_to=2024, route="statutory")
            ),
        ),
    ]
    found = repository.search(actor=reader, filters=SearchFilters(q="supervision"), limit=1)
    print(f"(the reader may see {found.total:,} entries with 'supervision')")
    for label, work in cases:
        print(f"{label:44} {timed(work, runs=runs, warm_up=3)}")


if __name__ == "__main__":
    raise SystemExit(main())

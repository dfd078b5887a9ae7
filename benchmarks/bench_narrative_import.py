"""Benchmark: importing a 10,000-row agency narrative CSV (see docs/performance.md).

Run it as a plain script from the repository root; it prints the timings and exits non-zero if the
import takes 10 s or more:

    .venv/bin/python -m benchmarks.bench_narrative_import [--rows 10000] [--database-url URL]

Without --database-url it uses a fresh SQLite file in a temporary folder. It drives a review to the
data-gathering stage through the real service, then times the real `NarrativeService.import_csv`
(decode, parse and validate every cell, insert, audit, commit) against the migrated database, and
counts the INSERT statements the database received for the entries.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event

from findings.analysis.chronology import decode, parse_csv
from findings.analysis.facts import FindingsFacts
from findings.analysis.narratives import ImportNarrative, NarrativeService
from tests.support import Journey, People
from workflow import migrate
from workflow.db import make_engine, make_session_factory
from workflow.service import ReviewService
from workflow.states import State

LIMIT_SECONDS = 10.0


def make_csv(rows: int, seed: int = 1) -> bytes:
    """A realistic narrative: dates in order, times on most rows, quoted text, agencies that knew."""
    rng = random.Random(seed)
    lines = ["date,time,what_happened,source_record,agencies_aware,significant"]
    start = date(2020, 1, 1)
    for i in range(rows):
        on = start + timedelta(days=i // 5)
        at = f"{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}" if rng.random() < 0.6 else ""
        later = (on + timedelta(days=3)).isoformat()
        aware = rng.choice(["", "Police", '"Police; Children\'s social care"', f"Police ({later})"])
        state = rng.choice(["clean", "cluttered"])
        what = f'"Home visit {i}: child seen, house {state}, mother present"'
        lines.append(f"{on.isoformat()},{at},{what},Record {i},{aware},{rng.choice(['yes', 'no'])}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def run(rows: int, url: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        reviews = ReviewService(sessions, analysis=FindingsFacts())
        narratives = NarrativeService(reviews)
        journey = Journey(reviews, People(sessions), today=date.today()).to(State.DATA_GATHERING)
        data = make_csv(rows)

        started = time.perf_counter()
        parse_csv(decode(data))
        parsed = time.perf_counter() - started

        inserts = 0

        def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            nonlocal inserts
            inserts += statement.lstrip().upper().startswith("INSERT INTO NARRATIVE_ENTRIES")

        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        result = narratives.import_csv(
            review_id=journey.review_id,
            actor=journey.cast.coordinator,
            agency="Health",
            command=ImportNarrative(data=data),
        )
        imported = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", count)
        assert result.imported == rows, result
        engine.dispose()
        return {
            "parse_and_validate_seconds": parsed,
            "import_seconds": imported,
            "insert_statements": inserts,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time a narrative CSV import.")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite)")
    args = parser.parse_args(argv)
    timings = run(args.rows, args.database_url)
    print(f"rows: {args.rows}")
    for name, value in timings.items():
        print(f"{name}: {value:.3f}" if name.endswith("seconds") else f"{name}: {value:.0f}")
    if timings["import_seconds"] >= LIMIT_SECONDS:
        print(f"FAIL: the import took {timings['import_seconds']:.1f} s (limit {LIMIT_SECONDS:.0f} s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

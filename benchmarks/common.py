"""What the benchmarks share: timing, counting statements, a demo database and the bare endpoint that
every page is compared with. Benchmarks print figures; they are not tests and assert nothing."""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# After whatever PYTHONPATH names, so `PYTHONPATH=/other/checkout` measures that checkout's code.
sys.path.append(str(Path(__file__).resolve().parent.parent))

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from workflow.models import Review


@dataclass(frozen=True)
class Timing:
    """Milliseconds over `runs` repeats after a warm-up."""

    median: float
    p95: float
    best: float
    runs: int

    def __str__(self) -> str:
        return f"median {self.median:7.1f} ms  p95 {self.p95:7.1f} ms  best {self.best:7.1f} ms"


def timed(work: Callable[[], Any], *, runs: int = 20, warm_up: int = 2) -> Timing:
    for _ in range(warm_up):
        work()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(statistics.median(samples), p95, samples[0], runs)


def once(work: Callable[[], Any]) -> float:
    """Milliseconds of one call."""
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


class StatementCounter:
    """Counts the SQL statements an engine executes while `counting()` is open."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self._on = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        if self._on:
            self.count += 1

    @contextmanager
    def counting(self) -> Iterator[None]:
        self.count, self._on = 0, True
        try:
            yield
        finally:
            self._on = False


def bare_app(sessions: sessionmaker[Session]) -> FastAPI:
    """The yardstick: a FastAPI endpoint that reads one row of the same database and answers JSON."""
    app = FastAPI()

    @app.get("/bare/{review_id}")
    def bare(review_id: int) -> dict[str, Any]:
        with sessions() as session:
            row = session.execute(
                select(Review.id, Review.state, Review.version).where(Review.id == review_id)
            ).one()
            return {"id": row.id, "state": row.state, "version": row.version}

    return app


def bare_app_from_environment() -> FastAPI:
    """`bare_app` on the database named by BENCH_DATABASE_URL, for uvicorn's `--factory` (each worker
    builds its own, as `tunnelview serve` builds its app)."""
    import os

    from workflow.db import make_engine, make_session_factory

    return bare_app(make_session_factory(make_engine(os.environ["BENCH_DATABASE_URL"])))


def bare_timing(sessions: sessionmaker[Session], review_id: int, runs: int) -> Timing:
    with TestClient(bare_app(sessions)) as client:
        return timed(lambda: client.get(f"/bare/{review_id}").raise_for_status(), runs=runs)


def copy_database(source: Path, target: Path) -> str:
    """An SQLite file copied (with its WAL checkpointed first), as a URL."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{source}")
    with engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"

"""Test databases: an SQLite file always, and a fresh PostgreSQL database per test session (and per
xdist worker) when TUNNELVIEW_TEST_DATABASE_URL is set, so parallel runs never share tables.

A `Snapshot` is every row of every table, put back in one transaction: the empty migrated database
after each test, and the test worlds (a review at a stage) built once per session and copied into
the database for each test that wants one. Copying rows, rather than a database file or a
`CREATE DATABASE ... TEMPLATE` (0.15 s to 1 s per test on PostgreSQL 15), keeps the engine and its
pool, so the services' own sessions, threads and concurrent writers all see the copy; a
SAVEPOINT-wrapped session per test could not serve two writers at once."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, Table, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from workflow.models import Base

POSTGRES_ENV = "TUNNELVIEW_TEST_DATABASE_URL"


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


def worker_id() -> str:
    """The xdist worker running this process ("gw0", "gw1", ...), or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def fresh_database(backend: str, tmp_dir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_dir / f'tunnelview-test-{worker_id()}.db'}"
        return
    base = make_url(os.environ[POSTGRES_ENV])
    name = f"tunnelview_test_{worker_id()}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A test database need not survive a crash: commits return without waiting for the disk.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _tables(engine: Engine) -> list[Table]:
    existing = set(inspect(engine).get_table_names())
    return [table for table in Base.metadata.sorted_tables if table.name in existing]


def _in_order(table: Table) -> Select[Any]:
    return select(table).order_by(*table.primary_key)


@dataclass(frozen=True)
class Snapshot:
    """The rows of every table (parents first), each table in primary-key order."""

    rows: tuple[tuple[Table, tuple[Mapping[str, Any], ...]], ...]

    @classmethod
    def take(cls, engine: Engine) -> Snapshot:
        with engine.connect() as connection:
            return cls(
                tuple(
                    (table, tuple(row._asdict() for row in connection.execute(_in_order(table))))
                    for table in _tables(engine)
                )
            )

    def restore(self, engine: Engine) -> None:
        """Make the database hold exactly these rows. SQLite gives a new row max(id) + 1; PostgreSQL
        gives the next of a sequence, which inserts with explicit ids do not move, so each sequence
        is moved past the largest id copied in if it is not already (it is never moved back: a test
        that restored a backup set the sequences to that backup's ids, and a copy taken before can
        hold larger ones)."""
        with engine.begin() as connection:
            for table, _ in reversed(self.rows):
                connection.execute(table.delete())
            for table, rows in self.rows:
                if rows:
                    connection.execute(table.insert(), [dict(row) for row in rows])
            if engine.dialect.name == "postgresql":
                for table, rows in self.rows:
                    _never_behind(connection, table, rows)


def _never_behind(connection: Any, table: Table, rows: tuple[Mapping[str, Any], ...]) -> None:
    key = list(table.primary_key.columns)
    if len(key) != 1 or not rows or not isinstance(rows[-1].get(key[0].name), int):
        return
    sequence = connection.scalar(
        text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": key[0].name}
    )
    if sequence is not None:
        connection.execute(
            text("SELECT setval(:s, GREATEST((SELECT last_value FROM " + sequence + "), :largest))"),
            {"s": sequence, "largest": max(row[key[0].name] for row in rows)},
        )

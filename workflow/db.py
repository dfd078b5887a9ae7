"""Engines and sessions. Nothing here holds state another worker process needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from workflow.principal import Operator, session_info

# The execution option that marks a transaction as a read: on SQLite it begins deferred, so it takes
# no lock and never waits for a writer (in WAL mode it reads the last committed snapshot).
READ_ONLY = "tunnelview_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # PostgreSQL's JIT compiles a query whose estimated cost is high (a count over many rows), which
    # takes longer than the short queries of a web request run (docs/performance.md): off.
    connect_args = {"options": "-c jit=off"} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin_immediate); pysqlite's own handling
    # starts transactions late and would let two writers read the same version.
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_session_factory(engine: Engine, *, operator: Operator | None = None) -> sessionmaker[Session]:
    """Sessions on `engine`; with an `operator` (the command line), every audit row they write names it."""
    return sessionmaker(engine, expire_on_commit=False, info=session_info(operator))


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction that rolls back unless the caller commits it."""
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def begin_reading(session: Session) -> None:
    """Begin `session`'s transaction as a read (before its first statement). A writer's transaction
    is the default, so a change can never start on a read's deferred footing by mistake."""
    session.connection(execution_options={READ_ONLY: True})


def _sqlite_begin(connection: Any) -> None:
    """Take SQLite's write lock when a writer's transaction starts, so concurrent writers queue up and
    the second one sees the first one's version (and is refused as stale) instead of failing to
    upgrade a read snapshot. A read begins deferred: it takes no lock and waits for no one."""
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

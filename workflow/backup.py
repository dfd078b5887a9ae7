"""A backup of the whole database in one portable file, and its restore into a new database
(`tunnelview backup` / `tunnelview restore`; docs/deployment.md).

The file is gzipped JSON lines: a header (the format, its version, the migration revision), then each
table's name and columns followed by its rows, parents first, each table in primary-key order, then a
footer with every table's row count, so a cut-off file is refused. It is read from one consistent
snapshot (a repeatable-read transaction on PostgreSQL, one read transaction on SQLite), so the
application can keep running while it is written. The same file restores on SQLite or PostgreSQL.

It holds the database only. The sealed register's entries stay sealed in it, and the register keys are
never in it: keep TUNNELVIEW_REGISTER_KEY (every key in it) with the backup, but never in the same place.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, func, select, text

from workflow import migrate
from workflow.db import READ_ONLY, make_engine
from workflow.errors import DomainError

FORMAT = "tunnelview-backup"
FORMAT_VERSION = 1
BATCH = 1000
SKIPPED = frozenset({"alembic_version"})  # the restore migrates the new database to the backup's revision
# Tables the migrations themselves fill (the accounts log's anchor): a new database has their rows,
# and the restore puts the backup's in their place.
SEEDED = frozenset({"account_audit_head"})


class BackupRefused(DomainError):
    """A backup that cannot be restored here, with what to do instead."""


@dataclass(frozen=True)
class BackupSummary:
    revision: tuple[str, ...]
    rows: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# ---- writing --------------------------------------------------------------------------------------


def _tables(connection: Connection) -> list[Table]:
    """The tables whose rows are the data: not the migrations' own, and not what the database derives
    from the data itself (SQLite's full-text tables, rebuilt by their triggers as rows go back)."""
    metadata = MetaData()
    metadata.reflect(connection)
    derived = _derived(connection)
    return [
        table
        for table in metadata.sorted_tables
        if table.name not in SKIPPED
        and not any(table.name == d or table.name.startswith(f"{d}_") for d in derived)
    ]


def _derived(connection: Connection) -> tuple[str, ...]:
    """SQLite's virtual tables (their shadow tables are named after them)."""
    if connection.dialect.name != "sqlite":
        return ()
    query = text("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
    return tuple(connection.scalars(query))


def _stored(table: Table) -> list[Column[Any]]:
    """The columns that hold data: a generated column (PostgreSQL's search vector) is computed again."""
    return [column for column in table.columns if column.computed is None]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _snapshot(engine: Engine) -> Connection:
    """A connection whose transaction sees one moment of the database and writes nothing."""
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return engine.connect().execution_options(**{READ_ONLY: True})


def write_backup(engine: Engine, out: IO[bytes]) -> BackupSummary:
    """Write every row of every table to `out` (a binary file), gzipped."""
    rows: dict[str, int] = {}
    with _snapshot(engine) as connection, connection.begin(), gzip.open(out, "wb") as gz:
        revision = tuple(sorted(migrate.current(connection)))
        header = {"format": FORMAT, "version": FORMAT_VERSION, "revision": list(revision)}
        gz.write(_line(header | {"written_at": datetime.now(UTC).isoformat(timespec="seconds")}))
        for table in _tables(connection):
            stored = _stored(table)
            gz.write(_line({"table": table.name, "columns": [column.name for column in stored]}))
            query = select(*stored).order_by(*(table.primary_key.columns or stored))
            count = 0
            for row in connection.execution_options(yield_per=BATCH).execute(query):
                gz.write(_line([_plain(value) for value in row]))
                count += 1
            rows[table.name] = count
        gz.write(_line({"end": rows}))
    return BackupSummary(revision, rows)


# ---- restoring ------------------------------------------------------------------------------------


def _decoder(table: Table, name: str) -> Callable[[Any], Any]:
    try:
        kind = table.columns[name].type.python_type
    except NotImplementedError:
        return lambda value: value
    parse: Callable[[Any], Any] | None = {
        datetime: datetime.fromisoformat,
        date: date.fromisoformat,
        time: time.fromisoformat,
        bytes: base64.b64decode,
        Decimal: Decimal,
    }.get(kind)
    if parse is None:
        return lambda value: value
    return lambda value: None if value is None else parse(value)


def _lines(source: IO[bytes]) -> Iterator[Any]:
    try:
        with gzip.open(source, "rb") as gz:
            for raw in gz:
                yield json.loads(raw)
    except (OSError, EOFError, json.JSONDecodeError) as error:
        raise BackupRefused(f"This is not a complete Tunnelview backup ({error}).") from None


def _header(line: Any) -> tuple[str, ...]:
    if not isinstance(line, dict) or line.get("format") != FORMAT:
        raise BackupRefused("This is not a Tunnelview backup (written by `tunnelview backup`).")
    if line.get("version") != FORMAT_VERSION:
        raise BackupRefused(
            f"This backup is in format version {line.get('version')}; this Tunnelview reads version "
            f"{FORMAT_VERSION}. Restore it with the Tunnelview that wrote it."
        )
    return tuple(line["revision"])


def _prepare(url: str, engine: Engine, revision: tuple[str, ...]) -> None:
    """The database must be new (no tables: it is migrated to the backup's revision) or empty at that
    revision; never one that holds anything."""
    with engine.connect() as connection:
        current = tuple(sorted(migrate.current(connection)))
        for table in _tables(connection):
            if table.name in SEEDED:
                continue
            count = connection.execute(select(func.count()).select_from(table)).scalar_one()
            if count:
                raise BackupRefused(
                    f"The database already holds data ({table.name} has {count} rows). Restore only "
                    "into a new, empty database (set TUNNELVIEW_DATABASE_URL to it); nothing was changed."
                )
    if not current:
        for head in revision:
            migrate.upgrade(url, head)
    elif current != revision:
        raise BackupRefused(
            f"The database is migrated to {', '.join(current)} but the backup was written at "
            f"{', '.join(revision) or 'no revision'}. Restore into a new database (it is migrated to the "
            "backup's revision first), then run `tunnelview db upgrade`."
        )


def restore_backup(url: str, source: IO[bytes]) -> BackupSummary:
    """Restore a backup into the new or empty database at `url`, in one transaction: every row, or
    nothing if anything is wrong."""
    lines = _lines(source)
    revision = _header(next(lines, None))
    engine = make_engine(url)
    try:
        _prepare(url, engine, revision)
        with engine.begin() as connection:
            rows = _insert_all(connection, lines)
            if connection.dialect.name == "postgresql":
                _move_sequences(connection)
    finally:
        engine.dispose()
    return BackupSummary(revision, rows)


def _insert_all(connection: Connection, lines: Iterator[Any]) -> dict[str, int]:
    tables = {table.name: table for table in _tables(connection)}
    rows: dict[str, int] = {}
    table: Table | None = None
    decoders: Sequence[Callable[[Any], Any]] = ()
    columns: Sequence[str] = ()
    batch: list[dict[str, Any]] = []
    for line in lines:
        if isinstance(line, list):
            if table is None:
                raise BackupRefused("This backup is damaged: a row before any table.")
            batch.append({c: decode(v) for c, decode, v in zip(columns, decoders, line, strict=True)})
            rows[table.name] += 1
            if len(batch) >= BATCH:
                connection.execute(table.insert(), batch)
                batch = []
            continue
        if table is not None and batch:
            connection.execute(table.insert(), batch)
            batch = []
        if "end" in line:
            if line["end"] != rows:
                raise BackupRefused("This backup is damaged: its row counts do not match its rows.")
            return rows
        table = tables.get(line["table"])
        if table is not None and table.name in SEEDED:
            connection.execute(table.delete())
        if table is None or set(line["columns"]) != {c.name for c in _stored(table)}:
            raise BackupRefused(
                f"The backup's table {line['table']} does not match this database's; nothing was restored."
            )
        columns = line["columns"]
        decoders = [_decoder(table, name) for name in columns]
        rows[table.name] = 0
    raise BackupRefused("This backup is incomplete (it has no end): nothing was restored.")


def _move_sequences(connection: Connection) -> None:
    """PostgreSQL hands out ids from sequences, which inserts with explicit ids do not move: set each
    to the table's largest id, so the next row gets a new one."""
    for table in _tables(connection):
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, Integer):
            continue
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE((SELECT MAX("{key[0].name}") FROM "{table.name}"), 0) + 1, false)'
            ),
            {"table": f'"{table.name}"', "column": key[0].name},
        )

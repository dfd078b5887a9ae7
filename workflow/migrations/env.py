"""Alembic environment. The URL comes from the caller's config and (for autogenerate) the metadata
through `config.attributes`; see `workflow.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from workflow.db import make_engine
from workflow.migrate import include_object
from workflow.models import Base

config = context.config
target_metadata = config.attributes.get("metadata", Base.metadata)


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            _references_hold(connection)


def _references_hold(connection: Connection) -> None:
    """Checked before the migration commits: SQLite runs migrations without foreign keys (below)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows whose references do not hold: {broken[:5]}")


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            _run_without_foreign_keys(connection)
        else:
            _run(connection)
    engine.dispose()


def _run_without_foreign_keys(connection: Connection) -> None:
    """SQLite alters a table by copying it and dropping the old one, which foreign keys refuse (the
    rows pointing at it). The pragma only changes outside a transaction, so it is set on the driver's
    connection before Alembic begins one."""
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        _run(connection)
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()

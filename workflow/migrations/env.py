"""Alembic environment. The URL and (for autogenerate) the metadata come from the caller through
`config.attributes`; see `workflow.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from workflow.db import make_engine
from workflow.models import Base

config = context.config
target_metadata = config.attributes.get("metadata", Base.metadata)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
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
    connection before Alembic begins one; afterwards every reference must still hold."""
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        _run(connection)
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left rows whose references do not hold: {broken[:5]}")
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

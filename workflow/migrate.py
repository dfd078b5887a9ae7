"""Running the Alembic migrations from code (the CLI's `db upgrade`, the tests, the demo)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, metadata: MetaData | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if metadata is not None:
        config.attributes["metadata"] = metadata
    return config


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Whether autogenerate compares this object: not what the database builds itself and the models
    name in `Base.metadata.info["engine_owned"]` (the full-text index: a table, a column, an index)."""
    from workflow.models import Base

    owned = Base.metadata.info.get("engine_owned", set())
    if type_ == "column":
        table = getattr(getattr(obj, "table", None), "name", "")
        return f"{table}.{name}" not in owned
    return name not in owned


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def heads() -> frozenset[str]:
    """The newest revision(s) of the migrations this code ships."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def current(connection: Connection) -> frozenset[str]:
    """The revision(s) the database is at (none before the first migration)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())

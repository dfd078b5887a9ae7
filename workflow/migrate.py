"""Running the Alembic migrations from code (the CLI's `db upgrade`, the tests, the demo), and reading
which revision a database is at and which this code ships (the readiness check, backups).

Alembic is imported only by the functions that migrate: its script directory, runtime and autogenerate
modules are some 10 MB that a web worker, which only compares two revisions, does not need."""

from __future__ import annotations

import ast
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, MetaData, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps


def alembic_config(url: str, metadata: MetaData | None = None) -> Config:
    from alembic.config import Config

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
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def heads() -> frozenset[str]:
    """The newest revision(s) of the migrations this code ships: those no other migration revises.
    Read from the `revision` and `down_revision` assignments of the scripts, without importing them
    (a test checks it against Alembic's own reading)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        declared = _declarations(script)
        revision, down = declared.get("revision"), declared.get("down_revision")
        if isinstance(revision, str):
            revisions.add(revision)
            revised.update([down] if isinstance(down, str) else down if isinstance(down, tuple) else ())
    return frozenset(revisions - revised)


def current(connection: Connection) -> frozenset[str]:
    """The revision(s) the database is at (none before the first migration)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


def _declarations(script: Path) -> dict[str, object]:
    """The literal module-level assignments of a migration script (`revision = "0013_..."`)."""
    found: dict[str, object] = {}
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                with contextlib.suppress(ValueError):  # not a literal: not a declaration
                    found[target.id] = ast.literal_eval(value)
    return found

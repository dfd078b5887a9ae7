"""Migrations build the schema from empty, and the models and the migrations agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from workflow import migrate
from workflow.db import make_engine
from workflow.models import Base


def test_upgrade_from_empty_to_head_and_back_down(database_url, engine):
    tables = set(inspect(engine).get_table_names())
    assert {"users", "reviews", "memberships", "audit_entries", "alembic_version"} <= tables


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": migrate.include_object}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_a_fresh_database_upgrades_and_downgrades_cleanly(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(url)
    assert "reviews" in inspect(engine).get_table_names()
    engine.dispose()


def test_the_heads_read_from_the_scripts_are_alembics():
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    heads = migrate.heads()
    assert heads == frozenset(scripts.get_heads())
    assert len(heads) == 1, "the migrations have one head"


def test_the_revision_read_from_the_database_is_alembics(engine, tmp_path):
    with engine.connect() as connection:
        assert migrate.current(connection) == frozenset(
            MigrationContext.configure(connection).get_current_heads()
        )
        assert migrate.current(connection) == migrate.heads()
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with empty.connect() as connection:
        assert migrate.current(connection) == frozenset()  # before the first migration
    empty.dispose()

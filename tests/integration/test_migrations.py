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

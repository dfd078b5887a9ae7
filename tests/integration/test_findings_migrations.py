"""The migrations and the models agree, with the findings tables included; 0003 goes down and up."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

import findings.analysis.models  # noqa: F401  (registers the findings tables on Base.metadata)
from workflow import migrate
from workflow.db import make_engine
from workflow.models import Base


def test_autogenerate_finds_no_difference_between_models_and_migrations(engine: Engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": migrate.include_object}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_the_findings_migration_goes_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        assert {"episodes", "findings", "narrative_entries"} <= set(inspect(engine).get_table_names())
        migrate.downgrade(url, "0001")
        assert "episodes" not in inspect(engine).get_table_names()
        migrate.upgrade(url)
        assert "episodes" in inspect(engine).get_table_names()
    finally:
        engine.dispose()

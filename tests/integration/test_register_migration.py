"""Migration 0004 creates exactly the tables the register and publication models describe, and can be
undone."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

import findings.publication_models
import findings.register_models
from tests.databases import backends, fresh_database
from workflow import migrate
from workflow.db import make_engine
from workflow.models import Base

TABLES = {"register_entries", "published_reports", "published_documents"}
assert findings.register_models and findings.publication_models  # their tables are in Base.metadata


def test_the_models_and_the_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.mark.parametrize("backend", backends())
def test_0004_upgrades_and_downgrades(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        migrate.upgrade(url, "0001")
        migrate.upgrade(url, "0004")
        engine = make_engine(url)
        try:
            assert set(inspect(engine).get_table_names()) >= TABLES
            migrate.downgrade(url, "0001")
            assert not TABLES & set(inspect(engine).get_table_names())
        finally:
            engine.dispose()

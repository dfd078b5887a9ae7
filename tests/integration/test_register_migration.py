"""Migration 0004 creates the register and publication tables and can be undone (that the models and
the migrations agree is checked for every model in test_migrations.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from tests.databases import backends, fresh_database
from workflow import migrate
from workflow.db import make_engine

TABLES = {"register_entries", "published_reports", "published_documents"}


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

"""Fixtures by scope: one migrated database per backend per session; every test leaves it empty."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session, sessionmaker

import findings.analysis.models
import findings.publication.models
from tests.databases import backends, fresh_database
from tests.support import Clock, FakeAnalysis, FakePublisher, People
from workflow import migrate
from workflow.db import make_engine, make_session_factory
from workflow.models import Base
from workflow.service import ReviewService
from workflow.settings import get_settings

# Every model is in Base.metadata, whatever the tests import: the migrations create these tables, and the
# models-versus-migrations check and the per-test clean-up must know them.
MODEL_MODULES = (
    findings.analysis.models,
    findings.publication.models,
    findings.publication.models,
    findings.publication.models,
)


@pytest.fixture(scope="session", params=backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory.mktemp(request.param)) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    existing = set(inspect(engine).get_table_names())
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in existing:
                connection.execute(table.delete())
        if "sqlite_sequence" in existing:
            connection.execute(text("DELETE FROM sqlite_sequence"))


@pytest.fixture
def sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    yield make_session_factory(engine)
    _empty_all_tables(engine)


@pytest.fixture
def clock() -> Clock:
    return Clock(date(2026, 11, 26))


@pytest.fixture
def analysis() -> FakeAnalysis:
    return FakeAnalysis()


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def service(
    sessions: sessionmaker[Session], analysis: FakeAnalysis, publisher: FakePublisher, clock: Clock
) -> ReviewService:
    return ReviewService(sessions, analysis=analysis, publisher=publisher, today=clock)


@pytest.fixture
def people(sessions: sessionmaker[Session]) -> People:
    return People(sessions)


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent

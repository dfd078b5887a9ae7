"""Fixtures by scope: one migrated database per backend per session (per xdist worker); every test
leaves it as migrated (empty) by restoring the snapshot taken after the migration (tests/databases.py).
The clock and the session factory are one object per session, reset for each test, so the services
and the app built on them (tests/api/conftest.py) are built once per session too."""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import findings.analysis.models
import findings.exchange.models
import findings.learning.models
import findings.publication.models
from tests.databases import Snapshot, backends, fresh_database
from tests.support import Cast, Clock, FakeAnalysis, FakePublisher, Journeys, People
from workflow import migrate
from workflow.db import make_engine, make_session_factory
from workflow.service import ReviewService
from workflow.settings import get_settings

# Every model is in Base.metadata, whatever the tests import: the migrations create these tables, and the
# models-versus-migrations check and the per-test clean-up must know them.
MODEL_MODULES = (
    findings.analysis.models,
    findings.exchange.models,
    findings.learning.models,
    findings.publication.models,
)

TODAY = date(2026, 11, 26)

# Hypothesis: `default` for a quick local run, `ci` (chosen when CI is set) derandomised so a red build
# is reproducible, `thorough` (--hypothesis-profile=thorough) ten times the examples for a longer run.
# Tests that set their own `max_examples` scale it with `examples()` (tests/support.py).
hypothesis_settings.register_profile("default", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("thorough", deadline=None, max_examples=1000)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")


# A PDF takes WeasyPrint seconds: the tests that render one say so (`@pytest.mark.pdf`), and a test
# that renders one unmarked fails, so they stay few and `-m "not pdf"` is a quick run.
_running: list[pytest.Item] = []
_unmarked_pdf: set[str] = set()


def pytest_configure(config: pytest.Config) -> None:
    import weasyprint

    write_pdf = weasyprint.HTML.write_pdf

    def write_pdf_in_a_pdf_test(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _running and _running[-1].get_closest_marker("pdf") is None:
            _unmarked_pdf.add(_running[-1].nodeid)
        return write_pdf(self, *args, **kwargs)

    weasyprint.HTML.write_pdf = write_pdf_in_a_pdf_test


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


@pytest.fixture(autouse=True)
def _pdf_only_when_marked(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if request.node.nodeid in _unmarked_pdf:
        pytest.fail("this test renders a PDF: mark it @pytest.mark.pdf", pytrace=False)


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


@pytest.fixture(scope="session")
def migrated(engine: Engine) -> Snapshot:
    """The database as the migrations leave it: what every test starts from."""
    return Snapshot.take(engine)


@pytest.fixture(scope="session")
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def sessions(
    engine: Engine, migrated: Snapshot, session_factory: sessionmaker[Session]
) -> Iterator[sessionmaker[Session]]:
    yield session_factory
    migrated.restore(engine)


@pytest.fixture(scope="session")
def session_clock() -> Clock:
    return Clock(TODAY)


@pytest.fixture
def clock(session_clock: Clock) -> Clock:
    session_clock.today = TODAY
    return session_clock


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


@pytest.fixture(scope="session")
def journey_cache(database_url: str) -> dict[Hashable, tuple[Snapshot, Cast, int]]:
    return {}


@pytest.fixture
def journeys(
    journey_cache: dict[Hashable, tuple[Snapshot, Cast, int]],
    engine: Engine,
    migrated: Snapshot,
    service: ReviewService,
    people: People,
    clock: Clock,
) -> Journeys:
    """Reviews at a stage, driven once per session and copied in (tests/support.py `Journeys`)."""
    return Journeys(journey_cache, engine, migrated, service, people, clock)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2id at its lowest cost: the tests check who gets in and who is locked out, not how long a
    guess takes (each sign-in would otherwise spend ~0.1 s of CPU on purpose)."""
    import api.passwords

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api.passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent

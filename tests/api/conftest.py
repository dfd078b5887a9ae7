"""API fixtures: the app wired to the test database (built once per session and backend), an
injectable clock for tokens, callers, and test worlds built once and copied (`worlds`)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

with warnings.catch_warnings():  # Starlette would rather the test client used httpx2; httpx is what we have
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from api.wiring import Services, build_services
from findings.publication.render import Format
from tests.api.world import World, Worlds
from tests.databases import Snapshot
from tests.support import Clock, People
from workflow.service import ReviewService
from workflow.settings import Settings

SECRET = "test-secret-key-that-is-long-enough-0123456789"


class Now:
    """`now` for the authenticator (naive UTC, like the database), movable by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


NOW = datetime(2026, 11, 26, 9, 0, 0)


@pytest.fixture(scope="session")
def session_now() -> Now:
    return Now(NOW)


@pytest.fixture
def now(session_now: Now) -> Now:
    session_now.at = NOW
    return session_now


REGISTER_KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=SECRET, register_key=REGISTER_KEY)


@pytest.fixture(scope="session")
def session_services(
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    session_clock: Clock,
    session_now: Now,
) -> Services:
    return build_services(
        settings,
        engine=engine,
        sessions=session_factory,
        today=session_clock,
        now=session_now,
        formats=(Format.HTML, Format.MARKDOWN),
    )


@pytest.fixture
def api_services(
    session_services: Services, sessions: sessionmaker[Session], clock: Clock, now: Now
) -> Services:
    """The production wiring (real analysis facts, the anonymisation check, the publisher) against the
    test database, with test clocks (reset for each test). Documents are checked as HTML and Markdown
    here (fast); the PDF is checked in the tests that are about it."""
    return session_services


@pytest.fixture(scope="session")
def session_app(session_services: Services) -> FastAPI:
    return create_app(session_services)


@pytest.fixture
def app(request: pytest.FixtureRequest, session_app: FastAPI, api_services: Services) -> FastAPI:
    """The session's app; a test marked `own_app` (it adds routes of its own) gets a new one."""
    if request.node.get_closest_marker("own_app") is not None:
        return create_app(api_services)
    return session_app


@pytest.fixture(scope="session")
def world_cache(database_url: str) -> dict[Any, tuple[Snapshot, World]]:
    return {}


@pytest.fixture
def worlds(
    world_cache: dict[Any, tuple[Snapshot, World]],
    engine: Engine,
    migrated: Snapshot,
    service: ReviewService,
    people: People,
    api_services: Services,
    clock: Clock,
    now: Now,
) -> Worlds:
    return Worlds(world_cache, engine, migrated, service, people, api_services, clock, now)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client

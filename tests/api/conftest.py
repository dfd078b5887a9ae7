"""API fixtures: the app wired to the test database, an injectable clock for tokens, and callers."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI

with warnings.catch_warnings():  # Starlette would rather the test client used httpx2; httpx is what we have
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.auth import Authenticator
from api.main import create_app
from api.wiring import Services
from findings.facts import FindingsFacts
from findings.service import FindingsService
from tests.support import Clock
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


@pytest.fixture
def now() -> Now:
    return Now(datetime(2026, 11, 26, 9, 0, 0))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=SECRET)


@pytest.fixture
def api_services(
    settings: Settings, engine: Engine, sessions: sessionmaker[Session], clock: Clock, now: Now
) -> Services:
    """The production wiring (real analysis facts) against the test database, with test clocks."""
    facts = FindingsFacts()
    reviews = ReviewService(sessions, analysis=facts, today=clock)
    findings = FindingsService(reviews, facts=facts, today=clock)
    auth = Authenticator(sessions, token_lifetime=timedelta(minutes=settings.token_lifetime_minutes), now=now)
    return Services(settings, engine, sessions, reviews, findings, auth)


@pytest.fixture
def app(api_services: Services) -> FastAPI:
    return create_app(api_services)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client

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
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from api.wiring import Services, build_services
from findings.publication.render import Format
from tests.support import Clock
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


REGISTER_KEY = Fernet.generate_key().decode()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=SECRET, register_key=REGISTER_KEY)


@pytest.fixture
def api_services(
    settings: Settings, engine: Engine, sessions: sessionmaker[Session], clock: Clock, now: Now
) -> Services:
    """The production wiring (real analysis facts, the anonymisation check, the publisher) against the
    test database, with test clocks. Documents are checked as HTML and Markdown here (fast); the PDF
    is checked in the tests that are about it."""
    return build_services(
        settings,
        engine=engine,
        sessions=sessions,
        today=clock,
        now=now,
        formats=(Format.HTML, Format.MARKDOWN),
    )


@pytest.fixture
def app(api_services: Services) -> FastAPI:
    return create_app(api_services)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client

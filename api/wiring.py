"""Builds the services from settings, in one place, for the app, the CLI and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.auth import Authenticator
from findings.facts import FindingsFacts
from findings.service import FindingsService
from workflow.db import make_engine, make_session_factory
from workflow.service import ReviewService
from workflow.settings import Settings, get_settings


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    reviews: ReviewService
    findings: FindingsService
    auth: Authenticator


def build_services(settings: Settings) -> Services:
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    facts = FindingsFacts()
    reviews = ReviewService(sessions, analysis=facts, default_regime=settings.default_regime)
    findings = FindingsService(reviews, facts=facts)
    auth = Authenticator(sessions, token_lifetime=timedelta(minutes=settings.token_lifetime_minutes))
    return Services(settings, engine, sessions, reviews, findings, auth)


@lru_cache(maxsize=1)
def get_services() -> Services:
    return build_services(get_settings())

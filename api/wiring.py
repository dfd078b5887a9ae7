"""Builds the services from settings, in one place, for the app, the CLI and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from findings.facts import FindingsFacts
from workflow.db import make_engine, make_session_factory
from workflow.ports import AnalysisFacts
from workflow.service import ReviewService
from workflow.settings import Settings, get_settings


def analysis_facts() -> AnalysisFacts:
    """The implementation of the guards' port (see `workflow.ports`)."""
    return FindingsFacts()


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    reviews: ReviewService


def build_services(settings: Settings) -> Services:
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    reviews = ReviewService(sessions, analysis=analysis_facts(), default_regime=settings.default_regime)
    return Services(settings, engine, sessions, reviews)


@lru_cache(maxsize=1)
def get_services() -> Services:
    return build_services(get_settings())

"""The national-scale generator (benchmarks/dataset.py) at a tiny scale: what it writes is what the
services write. The services read every generated review, fire on them (the guards reading the
copied facts), and every audit chain verifies before and after."""

from __future__ import annotations

from collections import Counter

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from api.wiring import build_services
from benchmarks.dataset import ENTRIES_PER_REVIEW, FINDINGS_PER_REVIEW, STAGE_SHARES, generate
from findings.analysis.models import Finding, NarrativeEntry
from findings.learning.models import SearchEntry, TrendCount
from workflow import audit
from workflow.models import Membership, Review
from workflow.settings import Settings
from workflow.states import State

REVIEWS = 36


@pytest.fixture
def generated(database_url, engine, sessions):
    settings = Settings(database_url=database_url, register_key=Fernet.generate_key().decode())
    result = generate(engine, settings, REVIEWS, log=lambda _: None)
    return result, build_services(settings, engine=engine, sessions=sessions)


def member(session, review_id: int, role: str) -> int:
    return session.scalar(
        select(Membership.user_id).where(Membership.review_id == review_id, Membership.role == role)
    )


@pytest.mark.pdf  # the templates include the demo's published review, rendered as the demo does
def test_generated_reviews_span_every_stage_and_the_services_read_and_fire_on_them(generated):
    result, services = generated
    with services.sessions() as session:
        stages = Counter(session.scalars(select(Review.state)))
        findings = session.scalar(select(func.count()).select_from(Finding))
        entries = session.scalar(select(func.count()).select_from(NarrativeEntry))
        indexed = session.scalar(
            select(func.count()).select_from(SearchEntry).where(SearchEntry.kind == "finding")
        )
        counted = session.scalar(select(func.sum(TrendCount.count)).where(TrendCount.kind == "finding"))
    assert indexed == findings  # the learning repository's index covers the copies
    assert counted == findings  # and so do the trends' counts
    assert result.reviews == sum(stages.values()) == REVIEWS
    assert set(stages) == set(STAGE_SHARES), "one template of every stage"
    assert stages[State.PUBLISHED.value] > stages[State.REFERRED.value]  # mostly finished reviews
    assert abs(findings - FINDINGS_PER_REVIEW * REVIEWS) <= 0.1 * FINDINGS_PER_REVIEW * REVIEWS
    assert abs(entries - ENTRIES_PER_REVIEW * REVIEWS) <= 0.1 * ENTRIES_PER_REVIEW * REVIEWS
    assert (result.findings, result.entries) == (findings, entries)

    # The services read every stage, and fire on generated reviews; every chain verifies.
    with services.sessions() as session:
        reviews = session.execute(select(Review.id, Review.state).order_by(Review.id)).all()
        assert all(audit.verify(session, review_id).intact for review_id, _ in reviews)
        first = {state: review_id for review_id, state in reversed(reviews)}
        cast = {
            review_id: {
                role: member(session, review_id, role) for role in ("coordinator", "chair", "lead_reviewer")
            }
            for review_id in first.values()
        }

    for state, review_id in first.items():
        coordinator = cast[review_id]["coordinator"]
        assert services.reviews.get(review_id, coordinator).review.state == state
        triggers = services.reviews.allowed_triggers(review_id, coordinator)
        assert triggers or state == State.CLOSED.value
        mine, total = services.reviews.list_for(coordinator, limit=20)
        assert review_id in {d.review.id for d in mine} and total < REVIEWS  # a team's reviews, not all
    analysed = first[State.SIGN_OFF.value]
    lead = cast[analysed]["lead_reviewer"]
    assert services.narratives.overview(review_id=analysed, actor=lead).columns
    assert services.finding.views(review_id=analysed, actor=lead).total > FINDINGS_PER_REVIEW / 2

    # The guards read the copied facts: a generated review at scoping confirms its scope and moves on.
    scoping = first[State.SCOPING.value]
    coordinator = cast[scoping]["coordinator"]
    version = services.reviews.get(scoping, coordinator).review.version
    moved = services.reviews.fire(scoping, "confirm_scope", coordinator, version)
    assert moved.state == State.CASE_GROUP.value
    gathering = first[State.DATA_GATHERING.value]
    chair = cast[gathering]["chair"]
    version = services.reviews.get(gathering, chair).review.version
    paused = services.reviews.fire(gathering, "pause", chair, version, reason="Criminal proceedings.")
    assert paused.state == State.PAUSED.value

    with services.sessions() as session:
        for review_id in (scoping, gathering):
            report = audit.verify(session, review_id)
            assert report.intact, report

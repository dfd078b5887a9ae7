"""Benchmark: firing a trigger against raw SQL, and "my reviews" of a user on 3,000 reviews. Not a test.

    .venv/bin/python -m benchmarks.lifecycle [--reviews 3000] [--runs 200] [--database-url URL]

Fire: `ReviewService.fire` pausing and resuming one review (load, version check, role, guards, state,
audit row with its hash, commit) against the raw SQL of the same change in one transaction: the UPDATE
of the review (state, version) and the INSERT of an equally chained audit row, from a connection of
the same engine. My reviews: one coordinator on `--reviews` reviews, each decided (so its clocks have
anchors) with a few rows in its log; `list_for` of the first page of 20, as the reviews page asks, with
the statements it makes, against a raw SELECT of one row.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, insert, select, update

from benchmarks.common import StatementCounter, timed
from tests.support import Journey, People
from workflow import audit, migrate
from workflow.db import make_engine, make_session_factory
from workflow.models import AuditEntry, Membership, Review
from workflow.service import ReviewService
from workflow.states import ReviewRole, State


def bench_fire(reviews: ReviewService, journey: Journey, runs: int) -> None:
    bench_fire_on(reviews, journey.review_id, journey.cast.chair, journey.version, runs)


def bench_fire_on(reviews: ReviewService, review_id: int, chair: int, version: int, runs: int) -> None:
    """Pause and resume `review_id` (not paused, at `version`) as its chair, against raw SQL."""
    state = {"version": version, "paused": False}

    def fire() -> None:
        trigger = "resume" if state["paused"] else "pause"
        params = {} if state["paused"] else {"reason": "Inquest."}
        review = reviews.fire(review_id, trigger, chair, state["version"], **params)
        state["version"], state["paused"] = review.version, not state["paused"]

    engine = reviews._sessions.kw["bind"]

    def raw() -> None:
        """The same rows by hand: the review row (state, version, the chain's anchor) and one chained
        audit row, the anchor read from the review row as `audit.append` reads it."""
        with engine.begin() as connection:
            version = state["version"]
            seq, prev = connection.execute(
                select(Review.audit_count, Review.audit_head).where(Review.id == review_id)
            ).one()
            at = datetime.now()
            fields = dict(
                review_id=review_id,
                seq=seq + 1,
                at=at,
                actor_id=chair,
                action="raw",
                from_state=None,
                to_state=None,
                reason="Inquest.",
                params={},
                prev_hash=prev,
            )
            digest = audit.entry_hash(**fields)
            connection.execute(
                update(Review)
                .where(Review.id == review_id, Review.version == version)
                .values(version=version + 1, updated_at=at, audit_count=seq + 1, audit_head=digest)
            )
            connection.execute(insert(AuditEntry).values(**fields, hash=digest))
            state["version"] = version + 1

    counter = StatementCounter(engine)
    with counter.counting():
        fire()
    statements = counter.count
    fired = timed(fire, runs=runs, warm_up=4)
    raw_sql = timed(raw, runs=runs, warm_up=4)
    print(f"{'fire (pause / resume)':36} {fired}  {statements} statements")
    print(f"{'raw UPDATE + INSERT (chained)':36} {raw_sql}")
    ratio, best = fired.median / raw_sql.median, fired.best / raw_sql.best
    print(f"{'fire / raw':36} {ratio:.1f}x (median)  {best:.1f}x (best)")


def many_reviews(sessions, coordinator: int, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` decided reviews of one coordinator, inserted in bulk (each with a chained log of three)."""
    start = date(2026, 1, 1)
    with sessions() as session:
        first = (session.scalar(select(Review.id).order_by(Review.id.desc()).limit(1)) or 0) + 1
        session.execute(
            insert(Review),
            [
                dict(
                    id=first + i,
                    regime_key="wt2023",
                    regime_version=1,
                    state=State.SCOPING.value,
                    child_pseudonym=f"Child {i}",
                    incident_outcome="serious_harm",
                    abuse_or_neglect="suspected",
                    date_of_awareness=start + timedelta(days=i % 200),
                    incident_summary="",
                    agencies_involved=["Police", "Health"],
                    route="statutory",
                    version=4,
                )
                for i in range(count)
            ],
        )
        session.execute(
            insert(Membership),
            [
                dict(review_id=first + i, user_id=coordinator, role=ReviewRole.COORDINATOR.value)
                for i in range(count)
            ],
        )
        rows, anchors = [], []
        for i in range(count):
            prev = audit.GENESIS
            for seq, action in enumerate(("log_referral", "open_screening", "decide"), start=1):
                fields = dict(
                    review_id=first + i,
                    seq=seq,
                    at=datetime(2026, 1, 1) + timedelta(days=i % 200, hours=seq),
                    actor_id=coordinator,
                    action=action,
                    from_state=None,
                    to_state=None,
                    reason=None,
                    params={},
                    prev_hash=prev,
                )
                prev = audit.entry_hash(**fields)
                rows.append(fields | {"hash": prev})
            anchors.append({"review_id": first + i, "audit_count": 3, "audit_head": prev})
        session.execute(insert(AuditEntry), rows)
        reviews = Review.__table__
        session.execute(update(reviews).where(reviews.c.id == bindparam("review_id")), anchors)
        session.commit()


def bench_my_reviews(reviews: ReviewService, coordinator: int, total: int, runs: int) -> None:
    engine = reviews._sessions.kw["bind"]
    counter = StatementCounter(engine)
    with counter.counting():
        details, count = reviews.list_for(coordinator, limit=20)
    assert count >= total and len(details) == 20
    statements = counter.count
    listed = timed(lambda: reviews.list_for(coordinator, limit=20), runs=runs)
    sessions = reviews._sessions

    def one_row() -> None:
        with sessions() as session:
            session.execute(select(Review.id, Review.state).where(Review.id == details[0].review.id)).one()

    raw = timed(one_row, runs=runs)
    print(f"{f'my reviews, page 1 of {count}':36} {listed}  {statements} statements")
    print(f"{'raw SELECT of one row':36} {raw}")
    print(f"{'my reviews / one row':36} {listed.median / raw.median:.1f}x (median)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", help="an empty database (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        reviews = ReviewService(sessions)
        journey = Journey(reviews, People(sessions), today=date.today()).to(State.SCREENING)
        bench_fire(reviews, journey, args.runs)
        many_reviews(sessions, journey.cast.coordinator, args.reviews)
        bench_my_reviews(reviews, journey.cast.coordinator, args.reviews, max(20, args.runs // 10))
        engine.dispose()


if __name__ == "__main__":
    main()

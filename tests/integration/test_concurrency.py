"""Two people firing the same trigger on the same version at once: exactly one wins."""

from __future__ import annotations

import threading

from tests.support import Journey
from workflow import audit
from workflow.errors import StaleReview
from workflow.states import State


def test_two_sessions_firing_on_the_same_version_one_wins_the_other_is_stale(service, people, sessions):
    journey = Journey(service, people).to(State.REFERRED)
    version = journey.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def fire() -> None:
        barrier.wait()
        try:
            service.fire(journey.review_id, "open_screening", journey.cast.coordinator, version)
            outcomes.append("fired")
        except StaleReview:
            outcomes.append("stale")

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["fired", "stale"]
    with sessions() as session:
        entries = audit.entries_of(session, journey.review_id)
        assert [e.action for e in entries].count("open_screening") == 1
        assert audit.verify(session, journey.review_id).intact


def test_a_change_against_an_old_version_is_refused(service, people):
    journey = Journey(service, people).to(State.SCREENING)
    old = journey.version - 1
    try:
        service.fire(journey.review_id, "pause", journey.cast.chair, old, reason="Inquest.")
    except StaleReview as stale:
        assert stale.expected == old and stale.current == old + 1
        assert "Someone else changed this review" in str(stale)
    else:  # pragma: no cover
        raise AssertionError("a stale version was accepted")


def test_a_read_goes_ahead_while_a_writer_holds_the_review(service, people):
    """Reads begin deferred (SQLite) and take no row lock (PostgreSQL): they never wait for a writer."""
    journey = Journey(service, people).to(State.SCREENING)
    locked, release = threading.Event(), threading.Event()

    def writer() -> None:
        with service.session() as session:
            service.load(session, journey.review_id, journey.cast.coordinator, for_change=True)
            locked.set()
            release.wait(timeout=60)

    holder = threading.Thread(target=writer)
    holder.start()
    assert locked.wait(timeout=30)
    seen: list[str] = []

    def reader() -> None:
        seen.append(service.get(journey.review_id, journey.cast.chair).review.state)
        seen.append(str(len(service.allowed_triggers(journey.review_id, journey.cast.chair))))

    reading = threading.Thread(target=reader)
    reading.start()
    reading.join(timeout=10)
    finished_while_locked = not reading.is_alive()
    release.set()
    holder.join(timeout=60)
    reading.join(timeout=60)
    assert finished_while_locked
    assert seen[0] == State.SCREENING


def test_a_second_writer_waits_for_the_first_and_is_refused_as_stale(service, people):
    journey = Journey(service, people).to(State.SCREENING)
    version = journey.version
    locked, release = threading.Event(), threading.Event()
    outcomes: list[str] = []

    def first() -> None:
        with service.session() as session:
            review, _ = service.load(session, journey.review_id, journey.cast.chair, for_change=True)
            locked.set()
            release.wait(timeout=60)
            audit.append(session, review, actor_id=journey.cast.chair, action="record_notification")
            session.commit()

    def second() -> None:
        try:
            service.fire(journey.review_id, "pause", journey.cast.chair, version, reason="Inquest.")
            outcomes.append("fired")
        except StaleReview:
            outcomes.append("stale")

    holder = threading.Thread(target=first)
    holder.start()
    assert locked.wait(timeout=30)
    waiting = threading.Thread(target=second)
    waiting.start()
    waiting.join(timeout=2)
    assert waiting.is_alive()  # queued behind the first writer
    release.set()
    holder.join(timeout=60)
    waiting.join(timeout=60)
    assert outcomes == ["stale"]

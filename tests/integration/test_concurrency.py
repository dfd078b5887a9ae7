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

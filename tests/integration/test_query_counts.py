"""The number of SQL statements a read or a change makes does not grow with the data: my reviews makes
the same few for 3 reviews as for 30, firing a trigger never reads the audit log (where its next
row goes is the anchor on the review's row), and the findings list read again reads only the findings'
own rows (their warnings are counted once for each version of the review)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from findings.analysis.findings import FindingService
from tests.findings_support import Analysis
from tests.support import Journey
from workflow.states import State


@contextmanager
def counted(engine) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def _reviews_of_one_coordinator(service, people, count: int, first: Journey | None = None) -> Journey:
    journey = first or Journey(service, people).to(State.SCOPING)  # decided: its clocks have anchors
    for _ in range(count - (0 if first else 1)):
        Journey(service, people, cast=journey.cast).to(State.SCOPING)
    return journey


def test_my_reviews_makes_the_same_statements_for_3_reviews_as_for_30(service, people, engine):
    journey = _reviews_of_one_coordinator(service, people, 3)
    coordinator = journey.cast.coordinator
    with counted(engine) as few:
        details, total = service.list_for(coordinator, limit=50)
    assert total == len(details) == 3
    _reviews_of_one_coordinator(service, people, 30, journey)
    with counted(engine) as many:
        details, total = service.list_for(coordinator, limit=50)
    assert total == len(details) == 33
    assert len(many) == len(few)
    assert all(d.clocks for d in details)  # the clocks are still read


def test_my_reviews_is_cut_to_a_page_in_sql(service, people):
    journey = _reviews_of_one_coordinator(service, people, 5)
    details, total = service.list_for(journey.cast.coordinator, limit=2, offset=2)
    assert total == 5 and len(details) == 2
    everything, _ = service.list_for(journey.cast.coordinator, limit=50)
    assert [d.review.id for d in details] == [d.review.id for d in everything[2:4]]


def test_my_reviews_waiting_on_me_filters_in_sql(service, people):
    from api.pages.views import WAITING_ON, needs_action

    journey = _reviews_of_one_coordinator(service, people, 3)
    Journey(service, people, cast=journey.cast).to(State.SCREENING)  # waits on the chair
    everything, _ = service.list_for(journey.cast.coordinator, limit=50)
    waiting, total = service.list_for(journey.cast.coordinator, waiting_on=WAITING_ON, limit=50)
    assert [d.review.id for d in waiting] == [d.review.id for d in everything if needs_action(d)]
    assert total == 3


def test_firing_makes_the_same_statements_however_long_the_log(service, people, engine):
    journey = Journey(service, people).to(State.SCREENING)
    chair = journey.cast.chair

    def pause() -> list[str]:
        version = journey.version
        with counted(engine) as statements:
            service.fire(journey.review_id, "pause", chair, version, reason="Inquest.")
        return statements

    short = pause()
    for _ in range(10):
        journey.fire("resume", chair)
        journey.fire("pause", chair, reason="Inquest.")
    journey.fire("resume", chair)
    long = pause()
    assert len(long) == len(short)
    # Where the next row goes is read from the anchor on the review's row, never from the log, and the
    # anchor comes back with the review's own UPDATE (RETURNING), not from a SELECT of its own.
    assert not [s for s in long if "FROM audit_entries" in s]
    assert not [s for s in long if " ".join(s.split()).startswith("SELECT reviews.audit_count")]
    assert [s for s in long if s.startswith("UPDATE reviews") and "RETURNING" in s and "audit_count" in s]
    # Nor does it touch the learning repository's index: the state and the anchor are not in an entry.
    assert not [s for s in long if "search_entries" in s]


def test_the_findings_list_read_again_reads_no_episode_entry_or_evidence(service, people, engine):
    analysis = Analysis(service, people).gathering().narratives()
    analysis.begin_analysis().episode(explained=True)
    analysis.panel_submissions().draft_findings()
    analysis.finding()
    findings, lead, review_id = FindingService(service), analysis.cast.lead, analysis.review_id
    with counted(engine) as first:
        _, listed = findings.summaries(review_id=review_id, actor=lead)
    with counted(engine) as again:
        assert findings.summaries(review_id=review_id, actor=lead)[1] == listed
    deep = ("episodes", "narrative_entries", "finding_evidence", "board_questions")
    assert [s for s in first if "episodes" in s]  # the first read counts from the whole of each finding
    assert not [s for s in again if any(table in s for table in deep)]
    assert len(again) < len(first)

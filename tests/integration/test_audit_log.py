"""The audit log is hash-chained: any edit, deletion or reordering of a row is detected."""

from __future__ import annotations

from sqlalchemy import delete, update

from tests.support import Journey
from workflow import audit
from workflow.holds import ClearPublicationHold, SetPublicationHold
from workflow.models import AuditEntry
from workflow.states import State


def _review(service, people) -> Journey:
    return Journey(service, people).to(State.SCOPING)


def test_an_untouched_log_verifies(service, people, sessions):
    journey = _review(service, people)
    with sessions() as session:
        report = audit.verify(session, journey.review_id)
    assert report.intact and str(report).startswith("intact")


def test_editing_a_row_breaks_the_chain_at_that_row(service, people, sessions):
    journey = _review(service, people)
    with sessions() as session:
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.review_id == journey.review_id, AuditEntry.seq == 3)
            .values(reason="rewritten")
        )
        session.commit()
        report = audit.verify(session, journey.review_id)
    assert not report.intact and report.broken_at == 3
    assert "do not match its hash" in str(report)


def test_deleting_a_row_breaks_the_chain(service, people, sessions):
    journey = _review(service, people)
    with sessions() as session:
        session.execute(
            delete(AuditEntry).where(AuditEntry.review_id == journey.review_id, AuditEntry.seq == 2)
        )
        session.commit()
        report = audit.verify(session, journey.review_id)
    assert not report.intact and report.broken_at == 3


def test_membership_criteria_holds_and_decisions_are_audited_not_only_states(service, people, sessions):
    journey = _review(service, people)
    holds = journey.lifecycle.holds
    holds.set(
        review_id=journey.review_id,
        actor=journey.cast.chair,
        expected_version=journey.version,
        command=SetPublicationHold(reason="Criminal proceedings."),
    )
    holds.clear(
        review_id=journey.review_id,
        actor=journey.cast.coordinator,
        expected_version=journey.version,
        command=ClearPublicationHold(reason="Trial concluded."),
    )
    with sessions() as session:
        entries = audit.entries_of(session, journey.review_id)
    actions = [e.action for e in entries]
    assert {
        "add_member",
        "record_criteria",
        "decide",
        "set_publication_hold",
        "clear_publication_hold",
    } <= set(actions)
    decide = next(e for e in entries if e.action == "decide")
    assert decide.reason == "Criteria (a) and (c) are met." and decide.params["route"] == "statutory"
    assert all(e.at is not None and e.actor_id for e in entries)

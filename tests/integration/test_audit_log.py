"""The audit log is hash-chained and anchored on the review's row: any edit, deletion (the newest rows
and every row included) or reordering of a row is detected, and said in words."""

from __future__ import annotations

from sqlalchemy import delete, update

from tests.support import Journey
from workflow import audit
from workflow.holds import ClearPublicationHold, SetPublicationHold
from workflow.models import AuditEntry, Review
from workflow.states import State


def _review(service, people) -> Journey:
    return Journey(service, people).to(State.SCOPING)


def test_an_untouched_log_verifies(service, people, sessions):
    journey = _review(service, people)
    with sessions() as session:
        report = audit.verify(session, journey.review_id)
    assert report.intact and str(report).startswith("intact")


def _entries(sessions, review_id: int) -> int:
    with sessions() as session:
        return len(audit.entries_of(session, review_id))


def _tamper(sessions, statement) -> None:
    with sessions() as session:
        session.execute(statement)
        session.commit()


def _verify(sessions, review_id: int) -> audit.ChainReport:
    with sessions() as session:
        return audit.verify(session, review_id)


def test_editing_a_row_is_detected_at_that_row(service, people, sessions):
    journey = _review(service, people)
    _tamper(
        sessions,
        update(AuditEntry)
        .where(AuditEntry.review_id == journey.review_id, AuditEntry.seq == 3)
        .values(reason="rewritten"),
    )
    report = _verify(sessions, journey.review_id)
    assert not report.intact and report.broken_at == 3
    assert report.problems == ("entry #3 was changed: its contents do not match its hash",)


def test_deleting_a_middle_row_is_detected_and_says_which(service, people, sessions):
    journey = _review(service, people)
    _tamper(
        sessions, delete(AuditEntry).where(AuditEntry.review_id == journey.review_id, AuditEntry.seq == 2)
    )
    report = _verify(sessions, journey.review_id)
    assert not report.intact and report.broken_at == 2
    assert report.problems == ("entry #2 is missing (#1 is followed by #3)",)


def test_deleting_the_newest_rows_is_detected_against_the_review_row(service, people, sessions):
    journey = _review(service, people)
    total = _entries(sessions, journey.review_id)
    _tamper(
        sessions,
        delete(AuditEntry).where(AuditEntry.review_id == journey.review_id, AuditEntry.seq > total - 2),
    )
    report = _verify(sessions, journey.review_id)
    assert not report.intact and report.broken_at == total - 1
    assert (report.entries, report.recorded) == (total - 2, total)
    assert str(report) == (
        f"not intact: 2 entries missing after #{total - 2}: the review records {total}, "
        f"{total - 2} are present"
    )


def test_deleting_every_row_is_detected(service, people, sessions):
    journey = _review(service, people)
    total = _entries(sessions, journey.review_id)
    _tamper(sessions, delete(AuditEntry).where(AuditEntry.review_id == journey.review_id))
    report = _verify(sessions, journey.review_id)
    assert not report.intact and report.entries == 0
    assert report.problems == (f"{total} entries missing: the review records {total}, none are present",)


def test_a_newest_row_rewritten_with_a_hash_that_holds_is_detected(service, people, sessions):
    """Rewriting the last row and its hash keeps the chain consistent; the review's anchor does not move."""
    journey = _review(service, people)
    with sessions() as session:
        last = audit.entries_of(session, journey.review_id)[-1]
        last.reason = "rewritten"
        last.hash = audit.entry_hash(
            review_id=last.review_id,
            seq=last.seq,
            at=last.at,
            actor_id=last.actor_id,
            action=last.action,
            from_state=last.from_state,
            to_state=last.to_state,
            reason=last.reason,
            params=last.params,
            prev_hash=last.prev_hash,
            via=last.via,
        )
        session.commit()
        seq = last.seq
    report = _verify(sessions, journey.review_id)
    assert report.problems == (f"entry #{seq} is not the one the review recorded: its hash differs",)


def test_after_rows_were_removed_the_next_row_keeps_the_gap_visible(service, people, sessions):
    """A new row follows the last one written (the anchor), never the last one left."""
    journey = _review(service, people)
    total = _entries(sessions, journey.review_id)
    _tamper(
        sessions, delete(AuditEntry).where(AuditEntry.review_id == journey.review_id, AuditEntry.seq == total)
    )
    journey.fire("pause", journey.cast.chair, reason="Inquest.")
    report = _verify(sessions, journey.review_id)
    assert report.problems == (f"entry #{total} is missing (#{total - 1} is followed by #{total + 1})",)


def test_the_anchor_moves_with_every_row_an_audited_read_included_without_raising_the_version(
    service, people, sessions
):
    journey = _review(service, people)
    version = journey.version
    with sessions() as session:
        review = session.get(Review, journey.review_id)
        audit.append(
            session, review, actor_id=journey.cast.chair, action="read_register", changes_review=False
        )
        session.commit()
    with sessions() as session:
        review = session.get(Review, journey.review_id)
        entries = audit.entries_of(session, journey.review_id)
        assert (review.audit_count, review.audit_head) == (len(entries), entries[-1].hash)
        assert review.version == version
        assert audit.verify(session, journey.review_id).intact


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

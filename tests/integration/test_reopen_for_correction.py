"""`reopen_for_correction`: from `approved` back to findings with a reason, so what the chair approved is
corrected where it stands and approved again before it is published; audited like every trigger; and
hits that run across two items (a date printed after another entry's "born") name each of them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from findings.analysis.narratives import AddEntry
from findings.publication.sources import Source, SourceKind
from tests.findings_support import Analysis, Wired, to_approved, wired_services
from tests.support import Clock, People
from workflow import audit, policy
from workflow.errors import NotPermitted, TriggerRefused
from workflow.states import ReviewRole, State


@pytest.fixture
def wired(sessions: sessionmaker[Session], clock: Clock) -> Wired:
    return wired_services(sessions, clock)


@pytest.fixture
def approved(wired: Wired, people: People) -> Analysis:
    return to_approved(Analysis(wired.reviews, people).to_sign_off())


def test_reopening_takes_an_approved_review_back_to_findings_with_its_reason_in_the_audit_log(
    wired: Wired, approved: Analysis, sessions: sessionmaker[Session]
) -> None:
    a = approved
    review = a.journey.fire("reopen_for_correction", a.cast.lead, reason="Finding 1 names the dentist.")
    assert review.state == State.FINDINGS
    with sessions() as session:
        row = audit.entries_of(session, a.review_id)[-1]
        assert audit.verify(session, a.review_id).intact
    assert (row.action, row.from_state, row.to_state, row.actor_id) == (
        "reopen_for_correction",
        "approved",
        "findings",
        a.cast.lead,
    )
    assert row.reason == "Finding 1 names the dentist."
    # The findings are the lead reviewers' again; publishing waits for the chair's approval.
    assert policy.permits({ReviewRole.LEAD_REVIEWER}, review.state, "write_finding")
    with pytest.raises(TriggerRefused, match="not possible while the review is at the stage 'Findings'"):
        a.journey.fire("publish", a.cast.chair)
    a.journey.fire("submit_for_signoff", a.cast.lead)
    a.journey.fire("approve", a.cast.chair)
    assert a.journey.fire("publish", a.cast.chair).state == State.PUBLISHED


def test_reopening_needs_a_reason_and_a_role_that_prepares_the_report(
    wired: Wired, approved: Analysis, sessions: sessionmaker[Session]
) -> None:
    a = approved
    version = a.journey.version
    with pytest.raises(TriggerRefused) as refused:
        a.journey.fire("reopen_for_correction", a.cast.coordinator, reason="  ")
    assert refused.value.reasons == ("Say what needs correcting (a reason is required).",)
    with pytest.raises(NotPermitted, match="Only the chair, lead reviewer or review coordinator may reopen"):
        a.journey.fire("reopen_for_correction", a.cast.panel["Police"], reason="A name.")
    assert a.journey.version == version
    assert wired.reviews.get(a.review_id, a.cast.coordinator).review.state == State.APPROVED


def test_a_reopened_review_is_not_complete_until_the_chair_approves_again(
    wired: Wired, approved: Analysis
) -> None:
    def completion_met() -> date | None:
        clocks = wired.reviews.get(approved.review_id, approved.cast.coordinator).clocks
        (completion,) = [c for c in clocks if c.key == "completion"]
        return completion.met_on

    assert completion_met() is not None
    approved.journey.fire("reopen_for_correction", approved.cast.chair, reason="A name.")
    assert completion_met() is None
    approved.journey.fire("submit_for_signoff", approved.cast.lead)
    approved.journey.fire("approve", approved.cast.chair)
    assert completion_met() is not None


def test_what_the_chair_approved_changes_only_after_reopening(wired: Wired, approved: Analysis) -> None:
    a = approved
    with pytest.raises(TriggerRefused, match="reopen the review for correction"):
        wired.reports.write_texts(
            review_id=a.review_id,
            actor=a.cast.coordinator,
            expected_version=a.journey.version,
            case_summary="Rewritten after the approval.",
        )
    # The board's words are written after the approval, so they go on changing.
    texts = wired.reports.write_texts(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        expected_version=a.journey.version,
        board_response="The board accepts the findings.",
        case_summary="",  # as it stands: not a change
    )
    assert texts.board_response == "The board accepts the findings."
    a.journey.fire("reopen_for_correction", a.cast.coordinator, reason="The case summary needs a word.")
    texts = wired.reports.write_texts(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        expected_version=a.journey.version,
        case_summary="Alice, aged 6, was found in a neglected state.",
    )
    assert texts.case_summary.startswith("Alice")


def test_a_date_printed_after_another_entrys_born_names_both_entries(
    wired: Wired, people: People, sessions: sessionmaker[Session]
) -> None:
    a = Analysis(wired.reviews, people).gathering()
    add = a.narrative_service.add_entry
    born = add(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        agency="Health",
        command=AddEntry(
            occurred_on=date(2024, 11, 19), what_happened="The midwife saw the mother; Alice was born"
        ),
    )
    later = add(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        agency="Health",
        command=AddEntry(occurred_on=date(2024, 11, 20), what_happened="The health visitor's first visit."),
    )
    a.narratives().begin_analysis()
    a.episode()
    a.panel_submissions().draft_findings()
    a.finding()
    a.journey.fire("submit_for_signoff", a.cast.lead)
    to_approved(a)

    (reason,) = _publish_refusal(a)
    assert "Narrative entry" in reason and "running into" in reason and "20 November" not in reason
    (hit,) = wired.reports.anonymisation(review_id=a.review_id, actor=a.cast.coordinator).hits
    assert hit.what == "an exact date of birth"
    assert [(p.kind, p.object_id, p.field, p.words, p.owner) for p in hit.places] == [
        ("narrative_entry", born.id, "what_happened", "born", "Health"),
        ("narrative_entry", later.id, "occurred_on", "20 November 2024", "Health"),
    ]
    assert hit.where == (
        f"{Source(SourceKind.NARRATIVE_ENTRY, born.id, 'what_happened').describe()} running into "
        f"{Source(SourceKind.NARRATIVE_ENTRY, later.id, 'occurred_on').describe()}"
    )
    assert all(p.correctable for p in hit.places)


def _publish_refusal(a: Analysis) -> tuple[str, ...]:
    with pytest.raises(TriggerRefused) as refused:
        a.journey.fire("publish", a.cast.chair)
    return refused.value.reasons

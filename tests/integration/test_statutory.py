"""The notification to the national panel, the rapid review and the panel's response, through the real
services and database: the clocks each meets, the guard on the partners' decision, what each refuses,
and a review begun under WT2023 version 1 keeping its rules."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support import COMPLETE_NOTIFICATION, COMPLETE_RAPID_REVIEW, WT2023_STATUTORY, Journey
from workflow import audit
from workflow.errors import InvalidInput, NotAtThisStage, NotPermitted, TriggerRefused
from workflow.models import Review
from workflow.referrals import RecordCriteria
from workflow.states import State
from workflow.statutory import (
    RecordPanelResponse,
    SendNotification,
    SendRapidReview,
    WriteNotification,
)

AWARE = date(2026, 11, 2)  # the journey's date of awareness (a Monday)
NOTIFICATION_DUE = date(2026, 11, 9)  # 5 working days
RAPID_REVIEW_DUE = date(2026, 11, 23)  # 15 working days


def _criteria(journey: Journey, answers=WT2023_STATUTORY) -> None:
    journey.fire("open_screening", journey.cast.coordinator)
    journey.lifecycle.referrals.record_criteria(
        review_id=journey.review_id,
        actor=journey.cast.coordinator,
        expected_version=journey.version,
        command=RecordCriteria(answers=answers),
    )


def _clock(journey: Journey, key: str):
    detail = journey.service.get(journey.review_id, journey.cast.coordinator)
    return next(c for c in detail.clocks if c.key == key)


def _edit(journey: Journey, method: str, command, actor: int | None = None):
    call = getattr(journey.lifecycle.statutory, method)
    return call(
        review_id=journey.review_id,
        actor=actor or journey.cast.coordinator,
        expected_version=journey.version,
        command=command,
    )


def test_sending_the_notification_meets_the_five_day_clock(journeys, sessions):
    journey = journeys.to(State.REFERRED)
    _criteria(journey)
    assert _clock(journey, "notification").due == NOTIFICATION_DUE
    assert _clock(journey, "notification").met_on is None
    record = _edit(journey, "write_notification", COMPLETE_NOTIFICATION)
    assert record.notification_missing == ()
    assert record.notified_to == ("the national panel",)
    sent = _edit(journey, "send_notification", SendNotification(on=date(2026, 11, 6)))
    assert sent.notification.sent_on == date(2026, 11, 6)
    clock = _clock(journey, "notification")
    assert clock.met_on == date(2026, 11, 6) and not clock.overdue
    with sessions() as session:
        last = audit.entries_of(session, journey.review_id)[-1]
    assert last.action == "record_notification"
    assert last.params == {
        "on": "2026-11-06",
        "incidents": ["abuse_death_or_serious_harm"],
        "notified": ["panel"],
    }


def test_the_notification_is_refused_until_it_says_what_the_panel_asks_and_then_no_longer_changes(journeys):
    journey = journeys.to(State.REFERRED)
    with pytest.raises(InvalidInput) as refused:
        _edit(journey, "send_notification", SendNotification(on=date(2026, 11, 6)))
    message = refused.value.errors["notification"]
    for missing in (
        "a notifiable incident answered yes in the criteria check",
        "the child's age band",
        "whether the child had a child protection plan",
        "the immediate actions taken",
    ):
        assert missing in message
    _criteria(journey)
    _edit(journey, "write_notification", COMPLETE_NOTIFICATION)
    _edit(journey, "send_notification", SendNotification(on=date(2026, 11, 6)))
    with pytest.raises(InvalidInput, match="no longer changes"):
        _edit(journey, "write_notification", WriteNotification(area="Southshire"))
    with pytest.raises(InvalidInput, match="already sent on 6 November 2026"):
        _edit(journey, "send_notification", SendNotification(on=date(2026, 11, 7)))


def test_sending_the_rapid_review_meets_the_fifteen_day_clock_and_the_decision_does_not(journeys):
    journey = journeys.to(State.REFERRED)
    _criteria(journey)
    _edit(journey, "write_rapid_review", COMPLETE_RAPID_REVIEW)
    assert _clock(journey, "rapid_review").due == RAPID_REVIEW_DUE
    _edit(journey, "send_rapid_review", SendRapidReview(on=date(2026, 11, 20)))
    assert _clock(journey, "rapid_review").met_on == date(2026, 11, 20)
    _edit(journey, "record_panel_response", RecordPanelResponse(response="agrees", on=date(2026, 11, 25)))
    journey.fire("decide", journey.cast.partner, route="statutory", rationale="Criteria (a) and (c) are met.")
    # Decided on the service's today (26 November), the rapid review still counts as met on the 20th.
    assert _clock(journey, "rapid_review").met_on == date(2026, 11, 20)


def test_the_partners_cannot_decide_before_the_panels_response_is_recorded(journeys):
    journey = journeys.to(State.REFERRED)
    _criteria(journey)
    decision = {"route": "statutory", "rationale": "Criteria (a) and (c) are met."}
    with pytest.raises(NotPermitted, match="Only the safeguarding partner may record the route decision"):
        journey.fire("decide", journey.cast.chair, **decision)
    _edit(journey, "write_rapid_review", COMPLETE_RAPID_REVIEW)
    _edit(journey, "send_rapid_review", SendRapidReview(on=date(2026, 11, 20)))
    with pytest.raises(TriggerRefused) as refused:
        journey.fire("decide", journey.cast.partner, **decision)
    assert refused.value.reasons == (
        "The national panel's response to the rapid review is not recorded: the safeguarding partners "
        "decide once the rapid review has been sent and the panel has responded.",
    )
    _edit(journey, "record_panel_response", RecordPanelResponse(response="agrees", on=date(2026, 11, 24)))
    assert journey.fire("decide", journey.cast.partner, **decision).state == State.SCOPING


def test_the_decisions_audit_row_names_the_partner_who_recorded_it(journeys, sessions):
    journey = journeys.to(State.SCOPING)
    with sessions() as session:
        decided = next(e for e in audit.entries_of(session, journey.review_id) if e.action == "decide")
    assert decided.actor_id == journey.cast.partner
    assert decided.params["decided_for"] == "Local authority"


def test_a_care_leavers_death_is_notified_with_no_rapid_review_and_the_partners_need_no_response(journeys):
    journey = journeys.to(State.REFERRED)
    answers = {key: "no" for key in WT2023_STATUTORY} | {"care_leaver_died": "yes"}
    _criteria(journey, answers)
    record = journey.lifecycle.statutory.record(review_id=journey.review_id, actor=journey.cast.coordinator)
    assert record.notified_to == ("the Secretary of State", "Ofsted")
    assert not record.follows.rapid_review
    with pytest.raises(InvalidInput, match="an incident that a rapid review follows"):
        _edit(journey, "write_rapid_review", COMPLETE_RAPID_REVIEW)
        _edit(journey, "send_rapid_review", SendRapidReview(on=date(2026, 11, 20)))
    closed = journey.fire("decide", journey.cast.partner, route="none", rationale="No LCSPR applies.")
    assert closed.state == State.CLOSED


def test_the_panels_response_needs_the_rapid_review_sent_and_reasons_when_it_disagrees(journeys):
    journey = journeys.to(State.REFERRED)
    _criteria(journey)
    with pytest.raises(InvalidInput, match="Send the rapid review"):
        _edit(journey, "record_panel_response", RecordPanelResponse(response="agrees", on=date(2026, 11, 24)))
    _edit(journey, "write_rapid_review", COMPLETE_RAPID_REVIEW)
    _edit(journey, "send_rapid_review", SendRapidReview(on=date(2026, 11, 20)))
    with pytest.raises(InvalidInput) as refused:
        _edit(
            journey, "record_panel_response", RecordPanelResponse(response="disagrees", on=date(2026, 11, 19))
        )
    assert refused.value.errors == {
        "on": "The response cannot come before the rapid review was sent (20 November 2026).",
        "reasons": "Give the panel's reasons for disagreeing.",
    }
    record = _edit(
        journey,
        "record_panel_response",
        RecordPanelResponse(
            response="disagrees", reasons="A local review may be more appropriate.", on=date(2026, 11, 24)
        ),
    )
    assert (record.rapid_review.panel_response, record.rapid_review.panel_response_on) == (
        "disagrees",
        date(2026, 11, 24),
    )


def test_a_review_begun_under_version_1_keeps_its_rules(journeys, sessions):
    """The chair decides with no rapid review recorded, and the decision meets the rapid review clock."""
    journey = journeys.to(State.REFERRED)
    with sessions() as session:  # as a review logged before version 2 shipped was stored
        session.get(Review, journey.review_id).regime_version = 1
        session.commit()
    v1_answers = {
        k: v
        for k, v in WT2023_STATUTORY.items()
        if k
        not in (
            "abuse_death_or_serious_harm",
            "harmed_outside_england",
            "looked_after_child_died",
            "care_leaver_died",
        )
    } | {"serious_incident": "yes"}
    _criteria(journey, v1_answers)
    with pytest.raises(NotAtThisStage, match="has no notification form or rapid review of its own"):
        _edit(journey, "write_rapid_review", COMPLETE_RAPID_REVIEW)
    decided = journey.fire("decide", journey.cast.chair, route="statutory", rationale="Criteria met.")
    assert decided.state == State.SCOPING
    with sessions() as session:
        decided_on = audit.entries_of(session, journey.review_id)[-1].at.date()
    assert _clock(journey, "rapid_review").met_on == decided_on  # the day of the decision


def test_wt2010_has_no_statutory_notices_of_its_own(journeys):
    journey = journeys.to(State.REFERRED, "wt2010")
    with pytest.raises(NotAtThisStage, match="Working Together 2010"):
        _edit(journey, "write_notification", COMPLETE_NOTIFICATION)


def test_only_the_coordinator_and_the_partners_write_and_the_chair_reads(journeys):
    journey = journeys.to(State.REFERRED)
    with pytest.raises(NotPermitted, match="Only the review coordinator or safeguarding partner may"):
        _edit(journey, "write_notification", COMPLETE_NOTIFICATION, actor=journey.cast.chair)
    _edit(journey, "write_notification", WriteNotification(area="Northshire"), actor=journey.cast.partner)
    record = journey.lifecycle.statutory.record(review_id=journey.review_id, actor=journey.cast.chair)
    assert record.notification.area == "Northshire"
    journey.add_member(journey.people.email(journey.cast.practitioner), "case_group", "Health")
    with pytest.raises(NotPermitted):
        journey.lifecycle.statutory.record(review_id=journey.review_id, actor=journey.cast.practitioner)

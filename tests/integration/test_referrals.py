"""Logging a referral through the referral service: every problem at once, the chair named on the
referral, and a warning (not a refusal) for a second referral of the same child and day."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support import Journey, Lifecycle
from workflow import audit
from workflow.errors import InvalidInput
from workflow.referrals import Incident, LogReferral


def _referral(**more: object) -> LogReferral:
    values = {
        "child_pseudonym": "Alice",
        "incident": {"outcome": "serious_harm", "date_of_awareness": date(2026, 11, 2)},
        "agencies_involved": ["Police"],
    }
    return LogReferral.model_validate(values | more)


def test_every_problem_of_a_referral_is_told_at_once(service, people):
    coordinator = people.user("coordinator")
    command = LogReferral(
        child_pseudonym="",
        incident=Incident(date_of_awareness=date(2026, 12, 1)),  # the service's today is 26 November
        chair_email="nobody@test.example.org",
    )
    with pytest.raises(InvalidInput) as refused:
        Lifecycle.of(service).referrals.log(actor=coordinator, command=command)
    assert refused.value.errors == {
        "child_pseudonym": "Give the child a pseudonym (never their real name).",
        "incident.date_of_awareness": "The date of awareness cannot be in the future.",
        "chair_email": "No active user has the email address 'nobody@test.example.org'.",
    }


def test_the_chair_named_on_the_referral_is_the_review_s_chair(service, people, sessions):
    coordinator, chair = people.user("coordinator"), people.user("chair", "Charles Chair")
    logged = Lifecycle.of(service).referrals.log(
        actor=coordinator, command=_referral(chair_email=people.email(chair))
    )
    review = logged.detail.review
    assert {(m.user_id, m.role) for m in review.memberships} == {
        (coordinator, "coordinator"),
        (chair, "chair"),
    }
    assert service.get(review.id, chair).roles == {"chair"}
    with sessions() as session:
        entries = audit.entries_of(session, review.id)
    assert [e.action for e in entries] == ["log_referral", "add_member"]
    assert entries[1].params["role"] == "chair" and entries[1].params["user_id"] == chair
    assert logged.detail.review.version == service.get(review.id, coordinator).review.version


def test_a_second_referral_of_the_same_child_and_day_is_a_warning_not_a_refusal(service, people):
    journey = Journey(service, people).referral()  # Alice, aware on 2 November 2026
    referrals = journey.lifecycle.referrals
    again = referrals.log(actor=journey.cast.coordinator, command=_referral(child_pseudonym="alice"))
    assert again.detail.review.id != journey.review_id
    assert again.warnings == (
        f"A referral for alice with the same date of awareness was already logged (review "
        f"{journey.review_id}). Check this is not the same incident logged twice.",
    )
    other_day = _referral(incident={"date_of_awareness": date(2026, 11, 3)})
    assert referrals.log(actor=journey.cast.coordinator, command=other_day).warnings == ()


def test_a_second_referral_does_not_name_a_review_its_coordinator_is_not_a_member_of(service, people):
    journey = Journey(service, people).referral()
    stranger = people.user("coordinator")
    warnings = journey.lifecycle.referrals.log(actor=stranger, command=_referral()).warnings
    assert len(warnings) == 1
    assert "a review you are not a member of" in warnings[0]
    assert str(journey.review_id) not in warnings[0]

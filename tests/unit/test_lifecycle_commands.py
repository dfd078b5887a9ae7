"""The lifecycle's commands validate a whole form at once, the date of awareness included when the
page gives them its today."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from api.pages import forms
from api.pages.common import Form
from api.pages.referral import REFERRAL_FIELDS
from workflow.membership import vacancy
from workflow.models import Membership, Review
from workflow.notices import RecordNotice
from workflow.referrals import CompleteReferral, LogReferral, SetScope

TODAY = date(2026, 11, 26)


def test_the_referral_form_reports_a_missing_agency_and_a_future_date_together():
    form = Form.of(
        {
            "child_pseudonym": "Alice",
            "incident_outcome": "died",
            "abuse_or_neglect": "known",
            "date_of_awareness-day": "1",
            "date_of_awareness-month": "12",
            "date_of_awareness-year": "2026",
        }
    )
    command = forms.command(
        form, CompleteReferral, names=REFERRAL_FIELDS, context={"today": TODAY}, agencies_involved=[]
    )
    assert command is None
    assert form.errors == {
        "date_of_awareness": "The date of awareness cannot be in the future.",
        "agencies": "Choose or name at least one agency involved with the child and family.",
    }


def test_the_referral_form_reads_the_incident_into_the_api_s_body():
    form = Form.of(
        {
            "child_pseudonym": " Alice ",
            "incident_outcome": "died",
            "abuse_or_neglect": "known",
            "date_of_awareness-day": "2",
            "date_of_awareness-month": "11",
            "date_of_awareness-year": "2026",
            "incident_summary": "Found at home.",
            "chair_email": "",
        }
    )
    command = forms.command(
        form, CompleteReferral, names=REFERRAL_FIELDS, context={"today": TODAY}, agencies_involved=["Police"]
    )
    assert command is not None and form.ok
    assert (
        command.model_dump()
        == LogReferral.model_validate(
            {
                "child_pseudonym": "Alice",
                "incident": {
                    "outcome": "died",
                    "abuse_or_neglect": "known",
                    "date_of_awareness": "2026-11-02",
                    "summary": "Found at home.",
                },
                "agencies_involved": ["Police"],
            }
        ).model_dump()
    )


def test_the_api_s_referral_may_leave_the_incident_for_later():
    assert LogReferral(child_pseudonym="Alice").incident.outcome is None


def test_a_period_that_ends_before_it_starts_is_refused_with_the_other_problems():
    with pytest.raises(ValidationError) as refused:
        SetScope.model_validate(
            {
                "research_questions": ["x" * 20_001],
                "agencies_in_scope": ["Police"],
                "period_start": "2026-02-01",
                "period_end": "2026-01-01",
            }
        )
    assert {e["loc"][0] for e in refused.value.errors()} == {"research_questions", "period_end"}


def test_a_new_review_has_no_chair_until_one_is_added():
    review = Review(
        regime_key="wt2010", regime_version=1, memberships=[Membership(user_id=1, role="coordinator")]
    )
    assert vacancy(review, "decide") == "No one is the chair of this review yet."
    review.memberships.append(Membership(user_id=2, role="chair"))
    assert vacancy(review, "decide") is None


def test_under_wt2023_no_one_decides_until_a_safeguarding_partner_is_added():
    review = Review(
        regime_key="wt2023",
        regime_version=2,
        memberships=[Membership(user_id=1, role="coordinator"), Membership(user_id=2, role="chair")],
    )
    assert vacancy(review, "decide") == "No one is the safeguarding partner of this review yet."
    review.memberships.append(Membership(user_id=3, role="safeguarding_partner", agency="Police"))
    assert vacancy(review, "decide") is None


def test_a_notice_left_blank_asks_for_what_is_missing():
    form = Form.of({"on-day": "", "on-month": "", "on-year": ""})
    asks = {"kind": "Choose which notice was sent.", "on": "Enter the date the notice was sent."}
    assert forms.command(form, RecordNotice, context={"today": TODAY}, missing=asks) is None
    assert form.errors == asks

"""WT2023 version 2: every notifiable incident, who is notified of it and whether a rapid review
follows; the "have regard" matters weighed in deciding on an LCSPR, never a route of their own; the
safeguarding partners decide. Version 1 keeps its rules for the reviews begun under it."""

from __future__ import annotations

import pytest

from workflow import regimes
from workflow.regimes.base import ClockEvent, Recipient
from workflow.states import ReviewRole, Route

V1, V2 = regimes.get("wt2023", 1), regimes.get("wt2023", 2)
NO = {q.key: "no" for q in V2.questions}
INCIDENTS = (
    "abuse_death_or_serious_harm",
    "harmed_outside_england",
    "looked_after_child_died",
    "care_leaver_died",
)
PANEL, OFSTED, SOS = Recipient.PANEL, Recipient.OFSTED, Recipient.SECRETARY_OF_STATE


@pytest.mark.parametrize(
    ("incidents", "notified", "rapid_review"),
    [
        (("abuse_death_or_serious_harm",), (PANEL,), True),
        (("harmed_outside_england",), (PANEL,), True),
        (("looked_after_child_died",), (SOS, OFSTED), False),
        (("care_leaver_died",), (SOS, OFSTED), False),
        # A looked-after child who died where abuse or neglect is suspected: both incidents.
        (("abuse_death_or_serious_harm", "looked_after_child_died"), (PANEL, SOS, OFSTED), True),
        ((), (), False),
    ],
)
def test_each_incident_says_who_is_notified_and_whether_a_rapid_review_follows(
    incidents, notified, rapid_review
):
    follows = V2.what_follows(NO | {key: "yes" for key in incidents})
    assert tuple(i.key for i in follows.incidents) == incidents
    assert follows.notified == notified
    assert follows.rapid_review is rapid_review
    assert follows.notifiable is bool(incidents)


@pytest.mark.parametrize(
    ("answers", "route", "words"),
    [
        ({"abuse_death_or_serious_harm": "yes", "improvements_needed": "yes"}, Route.STATUTORY, "(a)"),
        ({"harmed_outside_england": "yes", "multi_agency_concerns": "yes"}, Route.STATUTORY, "(c)"),
        # The "have regard" matters are weighed with the criteria, never a route to a learning review.
        (
            {"abuse_death_or_serious_harm": "yes", "recurrent_themes": "yes", "multiple_areas": "yes"},
            Route.STATUTORY,
            "Weigh also, in deciding on an LCSPR: more than one local area involved",
        ),
        (
            {"abuse_death_or_serious_harm": "yes", "single_agency_concerns": "yes"},
            Route.NONE,
            "They may make an LCSPR appropriate",
        ),
        ({"abuse_death_or_serious_harm": "yes"}, Route.NONE, "No LCSPR criterion is met."),
        (
            {"care_leaver_died": "yes", "improvements_needed": "yes"},
            Route.NONE,
            "Notify the Secretary of State and Ofsted (a care leaver up to and including the age of 24 "
            "died); no rapid review is asked for.",
        ),
        ({"looked_after_child_died": "yes"}, Route.NONE, "no LCSPR applies"),
        ({}, Route.NONE, "not a serious child safeguarding case"),
    ],
)
def test_v2_recommends_from_the_incident_and_the_criteria(answers, route, words):
    recommendation = V2.recommend(NO | answers)
    assert recommendation is not None
    assert recommendation.route == route
    assert words in " ".join(recommendation.reasons)


def test_v2_never_recommends_a_learning_review_from_the_have_regard_matters():
    for key in ("single_agency_concerns", "no_agency_involvement", "multiple_areas", "institutional_setting"):
        recommendation = V2.recommend(NO | {"abuse_death_or_serious_harm": "yes", key: "yes"})
        assert recommendation is not None and recommendation.route != Route.LEARNING
    # Version 1, as reviews begun under it keep it, still does.
    v1_no = {q.key: "no" for q in V1.questions}
    recommendation = V1.recommend(v1_no | {"serious_incident": "yes", "multiple_areas": "yes"})
    assert recommendation is not None and recommendation.route == Route.LEARNING


def test_v2_asks_about_every_incident_with_plain_words_help_and_defines_serious_harm():
    questions = {q.key: q for q in V2.questions}
    assert all(key in questions and questions[key].hint for key in INCIDENTS)
    harm = questions["abuse_death_or_serious_harm"].hint
    for words in (
        "serious and/or long-term impairment",
        "intellectual, emotional, social or behavioural development",
        "physical health",
        "potentially life-threatening injury",
    ):
        assert words in harm
    assert "5 working days" in harm


def test_v2_names_the_integrated_care_board_not_the_clinical_commissioning_group():
    words = " ".join(q.text + q.hint for q in V2.questions)
    assert "integrated care board" in words
    assert "clinical commissioning" not in words.lower()
    assert "clinical commissioning" in " ".join(q.text for q in V1.questions)  # v1 kept as it was


def test_v2_has_the_partners_decide_after_the_panel_responds_and_the_rapid_review_meets_its_clock():
    assert V2.deciders == {ReviewRole.SAFEGUARDING_PARTNER}
    assert V2.panel_response_before_decision
    rapid = next(c for c in V2.clocks if c.key == "rapid_review")
    assert (rapid.amount, rapid.met_by) == (15, ClockEvent.RAPID_REVIEW)
    # Version 1 keeps its rules: the chair decides, and the decision meets the rapid review clock.
    assert V1.deciders == {ReviewRole.CHAIR} and not V1.panel_response_before_decision
    assert next(c for c in V1.clocks if c.key == "rapid_review").met_by == ClockEvent.DECISION
    assert regimes.current("wt2023") is V2

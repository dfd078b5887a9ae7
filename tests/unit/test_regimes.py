"""Each regime's criteria rule: answers in, a recommended route with its reasons out."""

from __future__ import annotations

import pytest

from workflow import regimes
from workflow.states import Route

WT2010_NO = {
    "child_died": "no",
    "abuse_or_neglect": "not_suspected",
    "serious_harm": "no",
    "agency_concerns": "no",
    "lessons_for_agencies": "no",
}
# Version 1 of WT2023, as reviews begun under it still run (version 2: tests/unit/test_statutory_regime.py).
WT2023_V1 = regimes.get("wt2023", 1)
WT2023_NO = {key: "no" for key in (q.key for q in WT2023_V1.questions)}


@pytest.mark.parametrize(
    ("changes", "route", "words"),
    [
        ({"child_died": "yes", "abuse_or_neglect": "suspected"}, Route.STATUTORY, "must always be held"),
        ({"child_died": "yes", "abuse_or_neglect": "known"}, Route.STATUTORY, "must always be held"),
        (
            {"serious_harm": "yes", "abuse_or_neglect": "known", "agency_concerns": "yes"},
            Route.STATUTORY,
            "should be considered",
        ),
        ({"serious_harm": "yes", "abuse_or_neglect": "known"}, Route.NONE, "not met"),
        (
            {"serious_harm": "yes", "abuse_or_neglect": "known", "lessons_for_agencies": "yes"},
            Route.LEARNING,
            "management review",
        ),
        ({"child_died": "yes"}, Route.NONE, "not met"),
        ({}, Route.NONE, "not met"),
    ],
)
def test_wt2010_recommends_the_route_chapter_8_gives(changes, route, words):
    recommendation = regimes.current("wt2010").recommend(WT2010_NO | changes)
    assert recommendation is not None
    assert recommendation.route == route
    assert words in " ".join(recommendation.reasons)


@pytest.mark.parametrize(
    ("changes", "route", "words"),
    [
        (
            {"serious_incident": "yes", "multi_agency_concerns": "yes"},
            Route.STATUTORY,
            "(c) concerns about agencies working together",
        ),
        (
            {"serious_incident": "yes", "improvements_needed": "yes", "recurrent_themes": "yes"},
            Route.STATUTORY,
            "(a) improvements needed; (b) recurrent themes",
        ),
        ({"serious_incident": "yes", "national_panel_advised": "yes"}, Route.STATUTORY, "(d)"),
        (
            {"serious_incident": "yes", "single_agency_concerns": "yes"},
            Route.LEARNING,
            "concerns about a single agency",
        ),
        ({"serious_incident": "yes", "institutional_setting": "yes"}, Route.LEARNING, "institutional"),
        ({"serious_incident": "yes"}, Route.NONE, "no further review"),
        ({"multi_agency_concerns": "yes"}, Route.NONE, "not a serious child safeguarding case"),
    ],
)
def test_wt2023_v1_recommends_an_lcspr_when_a_regulation_11_criterion_is_met(changes, route, words):
    recommendation = WT2023_V1.recommend(WT2023_NO | changes)
    assert recommendation is not None
    assert recommendation.route == route
    assert words in " ".join(recommendation.reasons)


def test_no_recommendation_until_every_question_is_answered():
    regime = WT2023_V1
    partial = dict(WT2023_NO)
    del partial["institutional_setting"]
    assert regime.recommend(partial) is None
    assert [q.key for q in regime.unanswered(partial)] == ["institutional_setting"]


def test_answers_outside_the_options_are_named():
    problems = regimes.current("wt2010").invalid_answers({"child_died": "maybe", "colour": "blue"})
    assert any("'child_died' must be one of: yes, no" in p for p in problems)
    assert any("'colour' is not a criteria question" in p for p in problems)


def test_each_regime_names_its_review_types():
    assert regimes.current("wt2010").route_name(Route.STATUTORY) == "Serious case review"
    assert regimes.current("wt2010").route_name(Route.LEARNING) == "Management review"
    assert regimes.current("wt2023").route_name(Route.STATUTORY) == (
        "Local child safeguarding practice review"
    )
    assert regimes.current("wt2023").route_name(Route.LEARNING) == "Local learning review"


def test_a_review_keeps_the_regime_version_it_started_under():
    assert regimes.get("wt2023", 2) is regimes.current("wt2023")
    assert regimes.get("wt2023", 1) is not regimes.current("wt2023")
    with pytest.raises(regimes.UnknownRegime):
        regimes.get("wt2023", 99)
    with pytest.raises(regimes.UnknownRegime, match="Known regimes: wt2010, wt2023"):
        regimes.current("wt1999")

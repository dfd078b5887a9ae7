"""Working Together to Safeguard Children 2010, chapter 8: serious case reviews and management reviews."""

from __future__ import annotations

from collections.abc import Mapping

from workflow.regimes.base import (
    ClockAnchor,
    ClockEvent,
    ClockRule,
    ClockUnit,
    Question,
    Recommendation,
    Regime,
)
from workflow.states import Route

_ABUSE = (("known", "Known"), ("suspected", "Suspected"), ("not_suspected", "Not suspected"))

QUESTIONS = (
    Question("child_died", "Did the child die (suspected suicide included)?"),
    Question("abuse_or_neglect", "Is abuse or neglect known or suspected to be a factor?", _ABUSE),
    Question(
        "serious_harm",
        "Was the child seriously harmed?",
        hint="A potentially life-threatening injury; serious and permanent impairment of health or "
        "development; serious sexual abuse; a parent murdered; a violent assault.",
    ),
    Question(
        "agency_concerns",
        "Does the case give cause for concern about the way agencies worked together?",
    ),
    Question(
        "lessons_for_agencies",
        "Are there lessons about how agencies work together that a management review could bring out?",
    ),
)


def recommend(answers: Mapping[str, str]) -> Recommendation:
    abuse = answers["abuse_or_neglect"] in ("known", "suspected")
    if answers["child_died"] == "yes" and abuse:
        return Recommendation(
            Route.STATUTORY,
            (
                "The child died and abuse or neglect is known or suspected to be a factor: "
                "a serious case review must always be held (WT2010 8.9).",
            ),
        )
    if answers["serious_harm"] == "yes" and abuse and answers["agency_concerns"] == "yes":
        return Recommendation(
            Route.STATUTORY,
            (
                "The child was seriously harmed, abuse or neglect is known or suspected, and the case "
                "gives cause for concern about how agencies worked together: a serious case review "
                "should be considered (WT2010 8.10).",
            ),
        )
    if answers["lessons_for_agencies"] == "yes" or answers["agency_concerns"] == "yes":
        return Recommendation(
            Route.LEARNING,
            (
                "The criteria for a serious case review are not met, but there are lessons about how "
                "agencies work together: a management review is recommended (WT2010 8.15).",
            ),
        )
    return Recommendation(
        Route.NONE,
        (
            "The criteria for a serious case review are not met and no lessons about how agencies "
            "work together were identified.",
        ),
    )


WT2010_V1 = Regime(
    key="wt2010",
    version=1,
    title="Working Together 2010 (chapter 8)",
    route_names={
        Route.STATUTORY: "Serious case review",
        Route.LEARNING: "Management review",
        Route.NONE: "No review",
    },
    questions=QUESTIONS,
    recommend_from=recommend,
    clocks=(
        ClockRule(
            "decision",
            "Decision on a review",
            ClockAnchor.AWARENESS,
            1,
            ClockUnit.MONTHS,
            ClockEvent.DECISION,
        ),
        ClockRule(
            "completion",
            "Review completed",
            ClockAnchor.DECISION,
            6,
            ClockUnit.MONTHS,
            ClockEvent.COMPLETION,
            routes=frozenset({Route.STATUTORY}),
        ),
        ClockRule(
            "publication",
            "Earliest publication after notice to the national panel",
            ClockAnchor.REPORT_NOTICES,
            5,
            ClockUnit.WORKING_DAYS,
            ClockEvent.PUBLICATION,
            earliest=True,
        ),
    ),
    publication_notice_working_days=5,
    notes=("The published report and the board's response stay available for at least 12 months.",),
)

"""Working Together to Safeguard Children 2018/2023 and SI 2018/789: rapid reviews and LCSPRs."""

from __future__ import annotations

from collections.abc import Mapping

from workflow.regimes.base import (
    ClockAnchor,
    ClockEvent,
    ClockRule,
    ClockUnit,
    Question,
    Recipient,
    Recommendation,
    Regime,
)
from workflow.states import Route

QUESTIONS = (
    Question(
        "serious_incident",
        "Is abuse or neglect known or suspected, and has the child died or been seriously harmed?",
    ),
    Question(
        "improvements_needed",
        "(a) Does the case highlight or may it highlight improvements "
        "needed to safeguard children, including ones already identified?",
    ),
    Question(
        "recurrent_themes",
        "(b) Does it highlight or may it highlight recurrent themes in "
        "safeguarding and promoting the welfare of children?",
    ),
    Question(
        "multi_agency_concerns",
        "(c) Does it highlight or may it highlight concerns about two or "
        "more organisations or agencies working together effectively?",
    ),
    Question(
        "national_panel_advised",
        "(d) Has the national panel considered the case and said a local review may be more appropriate?",
    ),
    Question(
        "single_agency_concerns", "Have regard to: are there concerns about the actions of a single agency?"
    ),
    Question(
        "no_agency_involvement",
        "Have regard to: was there no agency involvement, and is that itself a cause for concern?",
    ),
    Question(
        "multiple_areas",
        "Have regard to: is more than one local authority, police area or "
        "clinical commissioning area involved?",
    ),
    Question(
        "institutional_setting",
        "Have regard to: did the case happen in an institutional or custodial setting?",
    ),
)

_CRITERIA = {
    "improvements_needed": "(a) improvements needed",
    "recurrent_themes": "(b) recurrent themes",
    "multi_agency_concerns": "(c) concerns about agencies working together",
    "national_panel_advised": "(d) the national panel advised a local review",
}
_REGARD = {
    "single_agency_concerns": "concerns about a single agency",
    "no_agency_involvement": "no agency involvement, itself a concern",
    "multiple_areas": "more than one local area involved",
    "institutional_setting": "an institutional or custodial setting",
}


def recommend(answers: Mapping[str, str]) -> Recommendation:
    if answers["serious_incident"] != "yes":
        return Recommendation(
            Route.NONE,
            (
                "This is not a serious child safeguarding case (abuse or neglect known or suspected "
                "and the child died or was seriously harmed), so no statutory review applies.",
            ),
        )
    met = [text for key, text in _CRITERIA.items() if answers[key] == "yes"]
    regard = [text for key, text in _REGARD.items() if answers[key] == "yes"]
    if met:
        return Recommendation(
            Route.STATUTORY,
            (
                f"The case meets the LCSPR criteria of SI 2018/789 reg 11: {'; '.join(met)}.",
                "Meeting a criterion does not force a review: record the decision and its reasons.",
            ),
        )
    if regard:
        return Recommendation(
            Route.LEARNING,
            (
                "No LCSPR criterion is met, but the partners must have regard to: "
                f"{'; '.join(regard)}. A local learning review is recommended.",
            ),
        )
    return Recommendation(
        Route.NONE,
        (
            "No LCSPR criterion is met and nothing the partners must have regard to applies: "
            "no further review.",
        ),
    )


WT2023_V1 = Regime(
    key="wt2023",
    version=1,
    title="Working Together 2018/2023",
    route_names={
        Route.STATUTORY: "Local child safeguarding practice review",
        Route.LEARNING: "Local learning review",
        Route.NONE: "No further review",
    },
    questions=QUESTIONS,
    recommend_from=recommend,
    clocks=(
        ClockRule(
            "notification",
            "Notification to the national panel",
            ClockAnchor.AWARENESS,
            5,
            ClockUnit.WORKING_DAYS,
            ClockEvent.NOTIFICATION,
        ),
        ClockRule(
            "rapid_review",
            "Rapid review",
            ClockAnchor.AWARENESS,
            15,
            ClockUnit.WORKING_DAYS,
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
            "Earliest publication after the report went to the national panel, the Secretary of State "
            "and Ofsted",
            ClockAnchor.REPORT_NOTICES,
            7,
            ClockUnit.WORKING_DAYS,
            ClockEvent.PUBLICATION,
            earliest=True,
        ),
    ),
    publication_notice_working_days=7,
    # WT2023 ch. 5 (as WT2018 ch. 4): a copy of the full report to the Panel and the Secretary of State
    # no later than seven working days before publication, and to Ofsted within the same timescale;
    # when only the improvements are published, that information goes to the same three.
    report_notice_to=(Recipient.PANEL, Recipient.SECRETARY_OF_STATE, Recipient.OFSTED),
    summary_notice=True,
    notes=(
        "Published unless inappropriate; then a summary of the improvements needed is published.",
        "The published report stays available for at least one year.",
    ),
)

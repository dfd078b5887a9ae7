"""Working Together to Safeguard Children 2018/2023 and SI 2018/789: rapid reviews and LCSPRs.

Version 1 asked only about the first notifiable incident and let the "have regard" matters lead to a
local learning review, decided by the chair; it stays as it was, so reviews begun under it keep its rules.
Version 2 asks about every notifiable incident (WT2023 chapter 5, Children Act 2004 s16C), says who is
notified of each and whether a rapid review follows, weighs the "have regard" matters in deciding on an
LCSPR, names the integrated care board, and has the safeguarding partners decide once the national
panel has responded to the rapid review.
"""

from __future__ import annotations

from collections.abc import Mapping

from workflow.regimes.base import (
    ClockAnchor,
    ClockEvent,
    ClockRule,
    ClockUnit,
    NotifiableIncident,
    Question,
    Recipient,
    Recommendation,
    Regime,
)
from workflow.states import ReviewRole, Route

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
            "Earliest publication after the report went to the national panel and the Secretary of State",
            ClockAnchor.REPORT_NOTICES,
            7,
            ClockUnit.WORKING_DAYS,
            ClockEvent.PUBLICATION,
            earliest=True,
        ),
    ),
    publication_notice_working_days=7,
    # As version 1 shipped: one notice before publication, recorded as the report sent to the national
    # panel. Version 2 asks for each recipient the guidance names; a review begun under version 1
    # keeps this rule (running reviews never change their rules).
    report_notice_to=(Recipient.PANEL,),
    summary_notice=False,
    notes=(
        "Published unless inappropriate; then a summary of the improvements needed is published.",
        "The published report stays available for at least one year.",
    ),
)


# ---- version 2 --------------------------------------------------------------------------------------

SERIOUS_HARM = (
    "Serious harm (WT2023; SI 2018/789): serious and/or long-term impairment of a child's mental "
    "health or intellectual, emotional, social or behavioural development, or of their physical "
    "health, including a potentially life-threatening injury. It need not be permanent; it may be "
    "known or only likely at the time."
)

INCIDENTS_V2 = (
    NotifiableIncident(
        "abuse_death_or_serious_harm",
        "Abuse or neglect known or suspected, and the child died or was seriously harmed in England",
        (Recipient.PANEL,),
        rapid_review=True,
        source="Children Act 2004 s16C(1)(a); WT2023 chapter 5",
    ),
    NotifiableIncident(
        "harmed_outside_england",
        "Abuse or neglect known or suspected, and a child normally resident in the area died or was "
        "seriously harmed outside England",
        (Recipient.PANEL,),
        rapid_review=True,
        source="Children Act 2004 s16C(1)(b); WT2023 chapter 5",
    ),
    NotifiableIncident(
        "looked_after_child_died",
        "A looked-after child died (whether or not abuse or neglect is known or suspected)",
        (Recipient.SECRETARY_OF_STATE, Recipient.OFSTED),
        rapid_review=False,
        source="WT2023 chapter 5; Care Planning, Placement and Case Review (England) Regulations 2010",
    ),
    NotifiableIncident(
        "care_leaver_died",
        "A care leaver up to and including the age of 24 died",
        (Recipient.SECRETARY_OF_STATE, Recipient.OFSTED),
        rapid_review=False,
        source="WT2023 chapter 5",
    ),
)

QUESTIONS_V2 = (
    Question(
        "abuse_death_or_serious_harm",
        "Is abuse or neglect known or suspected, and has the child died or been seriously harmed in England?",
        hint=f"{SERIOUS_HARM} Notify the national panel within 5 working days of becoming aware; "
        "a rapid review follows.",
    ),
    Question(
        "harmed_outside_england",
        "Is abuse or neglect known or suspected, and has a child normally resident in the area died or "
        "been seriously harmed outside England?",
        hint="Notify the national panel within 5 working days of becoming aware; a rapid review follows.",
    ),
    Question(
        "looked_after_child_died",
        "Has a looked-after child died, whatever the cause?",
        hint="Notify the Secretary of State and Ofsted within 5 working days, whether or not abuse or "
        "neglect is suspected. A rapid review follows only if abuse or neglect is known or suspected "
        "(then answer yes to the first question too).",
    ),
    Question(
        "care_leaver_died",
        "Has a care leaver aged 24 or under died?",
        hint="Notify the Secretary of State and Ofsted within 5 working days (through the national "
        "panel's notification form). No rapid review is asked for.",
    ),
    *(q for q in QUESTIONS if q.key in {"improvements_needed", "recurrent_themes", "multi_agency_concerns"}),
    QUESTIONS[4],  # (d) the national panel advised a local review
    Question(
        "single_agency_concerns",
        "To weigh in deciding on an LCSPR: are there concerns about the actions of a single agency?",
    ),
    Question(
        "no_agency_involvement",
        "To weigh in deciding on an LCSPR: was there no agency involvement, and is that itself a cause "
        "for concern?",
    ),
    Question(
        "multiple_areas",
        "To weigh in deciding on an LCSPR: is more than one local authority, police area or integrated "
        "care board (ICB) area involved?",
    ),
    Question(
        "institutional_setting",
        "To weigh in deciding on an LCSPR: did the incident happen in an institutional or custodial setting?",
    ),
)

_RAPID_REVIEW_INCIDENTS = {i.key for i in INCIDENTS_V2 if i.rapid_review}


def recommend_v2(answers: Mapping[str, str]) -> Recommendation:
    """An LCSPR is for a serious child safeguarding case (an incident a rapid review follows); the
    criteria (a) to (d) point to one, and the "have regard" matters are weighed with them."""
    regard = [text for key, text in _REGARD.items() if answers[key] == "yes"]
    weigh = (
        (f"Weigh also, in deciding on an LCSPR: {'; '.join(regard)} (WT2023 chapter 5).",) if regard else ()
    )
    if not any(answers[key] == "yes" for key in _RAPID_REVIEW_INCIDENTS):
        others = [i.label.lower() for i in INCIDENTS_V2 if answers[i.key] == "yes"]
        notified = (
            f"Notify the Secretary of State and Ofsted ({'; '.join(others)}); no rapid review is asked for.",
        )
        return Recommendation(
            Route.NONE,
            (
                *(notified if others else ()),
                "This is not a serious child safeguarding case (abuse or neglect known or suspected and "
                "the child died or was seriously harmed, or a child of the area harmed outside England), "
                "so no LCSPR applies. The partners may still hold a local learning review.",
            ),
        )
    met = [text for key, text in _CRITERIA.items() if answers[key] == "yes"]
    if met:
        return Recommendation(
            Route.STATUTORY,
            (
                f"The case meets the LCSPR criteria of SI 2018/789 reg 11: {'; '.join(met)}.",
                *weigh,
                "Meeting a criterion does not force a review: record the decision and its reasons.",
            ),
        )
    return Recommendation(
        Route.NONE,
        (
            "No LCSPR criterion is met.",
            *(
                (f"{weigh[0]} They may make an LCSPR appropriate: record the partners' reasons either way.",)
                if weigh
                else ()
            ),
        ),
    )


WT2023_V2 = Regime(
    key="wt2023",
    version=2,
    title="Working Together 2023",
    route_names=WT2023_V1.route_names,
    questions=QUESTIONS_V2,
    recommend_from=recommend_v2,
    clocks=(
        WT2023_V1.clocks[0],
        ClockRule(
            "rapid_review",
            "Rapid review sent to the national panel",
            ClockAnchor.AWARENESS,
            15,
            ClockUnit.WORKING_DAYS,
            ClockEvent.RAPID_REVIEW,
        ),
        *WT2023_V1.clocks[2:-1],
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
    publication_notice_working_days=WT2023_V1.publication_notice_working_days,
    # WT2023 ch. 5 (as WT2018 ch. 4): a copy of the full report to the Panel and the Secretary of State
    # no later than seven working days before publication, and to Ofsted within the same timescale;
    # when only the improvements are published, that information goes to the same three.
    report_notice_to=(Recipient.PANEL, Recipient.SECRETARY_OF_STATE, Recipient.OFSTED),
    summary_notice=True,
    notes=WT2023_V1.notes,
    incidents=INCIDENTS_V2,
    deciders=frozenset({ReviewRole.SAFEGUARDING_PARTNER}),
    panel_response_before_decision=True,
    weighed=tuple(_REGARD.values()),
)

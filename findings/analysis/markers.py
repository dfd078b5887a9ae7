"""Quality markers for a case review, and what a review's own data suggests against each.

The markers paraphrase the published quality markers for case reviews (SCIE's *Quality Markers for
case reviews* and the national Child Safeguarding Practice Review Panel's practice guidance): what a
good review does, not a checklist of agencies. Where the review's data says something about a marker
(two lead reviewers, the case group heard, the family involved, findings with wider evidence, the
independence declared, the notices sent, ...), the suggestion prefills the coordinator's
self-assessment with the evidence in words; the coordinator decides and comments. Pure functions from
plain facts (`MarkerFacts`), so the rules are tested without a database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Rating = Literal["met", "partly", "not_met"]
RATING_LABELS: dict[str, str] = {"met": "met", "partly": "partly met", "not_met": "not met"}
NOT_ASSESSED = "not assessed"


@dataclass(frozen=True)
class MarkerFacts:
    """What the review's data says, counted (gathered by `QualityService`)."""

    decided: bool  # a route was decided with its rationale
    research_questions: int
    lead_reviewers: int
    leads_declared: int
    agencies_in_scope: int
    accounts_given: int  # agencies in scope with a submitted narrative or a recorded exemption
    case_group: int
    conversations: int
    family_members: int
    family_invited: int
    family_heard: int  # with views recorded
    family_declined: int
    family_taking_part: int
    family_draft_shared: int  # of those taking part
    findings: int
    findings_with_wider_evidence: int
    good_practice: int
    notices_due: int
    notices_sent: int
    completion_overdue: bool | None  # None: no completion clock, or not yet known


@dataclass(frozen=True)
class Suggestion:
    rating: Rating
    evidence: str  # why, from the review's data


@dataclass(frozen=True)
class Marker:
    key: str
    title: str
    description: str  # what good looks like
    suggest: Callable[[MarkerFacts], Suggestion | None] | None = None


def _count(done: int, of: int, what: str) -> Suggestion:
    rating: Rating = "met" if of and done >= of else ("partly" if done else "not_met")
    return Suggestion(rating, f"{done} of {of} {what}.")


def _decision(f: MarkerFacts) -> Suggestion:
    if f.decided:
        return Suggestion("met", "The route was decided and its rationale recorded.")
    return Suggestion("not_met", "No decision on the route is recorded yet.")


def _questions(f: MarkerFacts) -> Suggestion:
    if f.research_questions:
        return Suggestion("met", f"{f.research_questions} research question(s) in the terms of reference.")
    return Suggestion("not_met", "The terms of reference have no research question.")


def _two_leads(f: MarkerFacts) -> Suggestion:
    rating: Rating = "met" if f.lead_reviewers >= 2 else ("partly" if f.lead_reviewers == 1 else "not_met")
    return Suggestion(rating, f"{f.lead_reviewers} lead reviewer(s) appointed; two are recommended.")


def _independence(f: MarkerFacts) -> Suggestion:
    if not f.lead_reviewers:
        return Suggestion("not_met", "No lead reviewer is appointed.")
    return _count(f.leads_declared, f.lead_reviewers, "lead reviewers declared their independence")


def _accounts(f: MarkerFacts) -> Suggestion:
    return _count(
        f.accounts_given, f.agencies_in_scope, "agencies in scope gave their account (or were exempted)"
    )


def _case_group(f: MarkerFacts) -> Suggestion:
    if f.case_group and f.conversations:
        return Suggestion(
            "met",
            f"{f.case_group} practitioner(s) in the case group; {f.conversations} conversation(s) recorded.",
        )
    if f.case_group:
        return Suggestion(
            "partly", f"{f.case_group} practitioner(s) in the case group; no conversation recorded."
        )
    return Suggestion("not_met", "The case group has no practitioner.")


def _family(f: MarkerFacts) -> Suggestion:
    if not f.family_members:
        return Suggestion("not_met", "No family member is recorded as invited to take part.")
    words = (
        f"{f.family_invited} of {f.family_members} family member(s) invited; "
        f"{f.family_heard} with their views heard; {f.family_declined} declined."
    )
    if f.family_invited and f.family_heard + f.family_declined >= f.family_invited:
        return Suggestion("met", words)
    return Suggestion("partly" if f.family_invited else "not_met", words)


def _draft_shared(f: MarkerFacts) -> Suggestion | None:
    if not f.family_taking_part:
        return None  # nothing the data can say: no one is taking part
    return _count(
        f.family_draft_shared, f.family_taking_part, "family members taking part saw the draft report"
    )


def _systems_findings(f: MarkerFacts) -> Suggestion:
    if not f.findings:
        return Suggestion("not_met", "No finding is written yet.")
    return _count(
        f.findings_with_wider_evidence,
        f.findings,
        "findings have evidence that they are not a quirk of this case",
    )


def _good_practice(f: MarkerFacts) -> Suggestion:
    if f.good_practice:
        return Suggestion(
            "met", f"{f.good_practice} good practice entr{'y' if f.good_practice == 1 else 'ies'}."
        )
    return Suggestion("not_met", "No good practice is recorded.")


def _notices(f: MarkerFacts) -> Suggestion:
    return _count(f.notices_sent, f.notices_due, "final report notices the regime asks for were sent")


def _timely(f: MarkerFacts) -> Suggestion | None:
    if f.completion_overdue is None:
        return None
    if f.completion_overdue:
        return Suggestion("not_met", "The review was not completed within the regime's timescale.")
    return Suggestion("met", "The review was completed within the regime's timescale.")


MARKERS: tuple[Marker, ...] = (
    Marker(
        "decision",
        "The decision to review is recorded with its reasons",
        "The partners' decision on the kind of review, and why, is recorded against the criteria.",
        _decision,
    ),
    Marker(
        "research_questions",
        "The review is driven by research questions",
        "Terms of reference set out what the review wants to learn, as questions, from the start.",
        _questions,
    ),
    Marker(
        "two_lead_reviewers",
        "Two lead reviewers lead the review",
        "Two lead reviewers, with the skills the methodology asks for, lead the analysis.",
        _two_leads,
    ),
    Marker(
        "independence",
        "The lead reviewers are independent of the case",
        "Each lead reviewer is independent of the agencies involved, and has declared it.",
        _independence,
    ),
    Marker(
        "agency_accounts",
        "Every agency involved gave its account",
        "Each agency in scope contributed its account of its involvement.",
        _accounts,
    ),
    Marker(
        "case_group",
        "The practitioners who worked with the family were heard",
        "The case group took part in conversations and tested whether the findings ring true.",
        _case_group,
    ),
    Marker(
        "family",
        "The family were invited to take part and their views heard",
        "The child's family were invited, their wishes respected, and their views set out in the report.",
        _family,
    ),
    Marker(
        "draft_shared",
        "The family saw the draft report before publication",
        "Family members taking part saw the draft report before it was published.",
        _draft_shared,
    ),
    Marker(
        "systems_findings",
        "Findings are about the system, with wider evidence",
        "Each finding describes a pattern that will recur unless something changes, with evidence that "
        "it is not a quirk of this case.",
        _systems_findings,
    ),
    Marker(
        "good_practice",
        "Good practice is identified",
        "What went well, and what enabled it, is analysed as carefully as what went wrong.",
        _good_practice,
    ),
    Marker(
        "timely",
        "The review was completed in time",
        "The review was completed within the regime's timescale, or the delay is explained.",
        _timely,
    ),
    Marker(
        "notices",
        "The final report went to the national bodies before publication",
        "The final report was sent to everyone the regime names, with the notice it asks for.",
        _notices,
    ),
    Marker(
        "learning_disseminated",
        "The learning is shared and its impact followed",
        "The partnership plans how the learning reaches practitioners and checks what changed.",
    ),
)
BY_KEY = {marker.key: marker for marker in MARKERS}
MarkerKey = Literal[
    "decision",
    "research_questions",
    "two_lead_reviewers",
    "independence",
    "agency_accounts",
    "case_group",
    "family",
    "draft_shared",
    "systems_findings",
    "good_practice",
    "timely",
    "notices",
    "learning_disseminated",
]


def suggestion(marker: Marker, facts: MarkerFacts) -> Suggestion | None:
    """What the review's data suggests against `marker`, or None when it cannot say."""
    return marker.suggest(facts) if marker.suggest else None

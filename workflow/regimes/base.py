"""What a regime is: criteria questions, the rule from answers to a recommended route, the names of
its review types and its statutory clocks. Regimes are plain data plus one pure function."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from workflow.states import ReviewRole, Route


class ClockUnit(StrEnum):
    WORKING_DAYS = "working_days"
    MONTHS = "months"


class ClockAnchor(StrEnum):
    """The event a clock counts from."""

    AWARENESS = "awareness"  # the referral's date of awareness
    DECISION = "decision"  # the chair's route decision (from the audit log)
    # The last of the final report notices the regime asks for, once every one was given (from the
    # audit log): the notice period before publication counts from it.
    REPORT_NOTICES = "report_notices"


class Recipient(StrEnum):
    """Who is sent the final report (or the summary of improvements) before publication."""

    PANEL = "panel"
    SECRETARY_OF_STATE = "secretary_of_state"
    OFSTED = "ofsted"

    @property
    def label(self) -> str:
        return RECIPIENT_NAMES[self]

    @property
    def notice_kind(self) -> str:
        """The `RecordNotice.kind` (and, with `record_`, the audit action) of a notice to them."""
        return f"{self.value}_notice"


RECIPIENT_NAMES = {
    Recipient.PANEL: "the national panel",
    Recipient.SECRETARY_OF_STATE: "the Secretary of State",
    Recipient.OFSTED: "Ofsted",
}


class ClockEvent(StrEnum):
    """The event that meets a clock."""

    NOTIFICATION = "notification"  # notification of the incident to the national panel
    RAPID_REVIEW = "rapid_review"  # the rapid review was sent to the national panel
    DECISION = "decision"
    COMPLETION = "completion"  # the chair approved the report
    PUBLICATION = "publication"


@dataclass(frozen=True)
class ClockRule:
    key: str
    label: str
    anchor: ClockAnchor
    amount: int
    unit: ClockUnit
    met_by: ClockEvent
    # Only reviews on these routes run this clock; None means every review.
    routes: frozenset[Route] | None = None
    # An "earliest" clock says when something may happen, not when it is due: it is never overdue.
    earliest: bool = False


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    options: tuple[tuple[str, str], ...] = (("yes", "Yes"), ("no", "No"))
    hint: str = ""


@dataclass(frozen=True)
class NotifiableIncident:
    """One kind of incident the local authority must notify, answered yes or no by a criteria
    question of the same key: who is notified and whether a rapid review follows."""

    key: str
    label: str
    notified: tuple[Recipient, ...]
    rapid_review: bool
    source: str


@dataclass(frozen=True)
class WhatFollows:
    """What the incidents answered yes require: who must be notified (within 5 working days of
    becoming aware) and whether a rapid review follows."""

    incidents: tuple[NotifiableIncident, ...]
    notified: tuple[Recipient, ...]
    rapid_review: bool

    @property
    def notifiable(self) -> bool:
        return bool(self.incidents)


@dataclass(frozen=True)
class Recommendation:
    route: Route
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Regime:
    key: str
    version: int
    title: str
    route_names: Mapping[Route, str]
    questions: tuple[Question, ...]
    recommend_from: Callable[[Mapping[str, str]], Recommendation]
    clocks: tuple[ClockRule, ...]
    # Working days' notice before publication, to each of `report_notice_to`.
    publication_notice_working_days: int
    # Who is sent the final report (or the summary of improvements instead) before publication.
    report_notice_to: tuple[Recipient, ...] = (Recipient.PANEL,)
    # Whether a summary of improvements published instead of the report (`decline_publication`) is
    # sent to the same recipients with the same notice first.
    summary_notice: bool = False
    notes: tuple[str, ...] = field(default=())
    # The notifiable incidents the criteria questions ask about (empty: the regime has none of its own).
    incidents: tuple[NotifiableIncident, ...] = ()
    # Who records the route decision (`decide`): the board's chair, or the safeguarding partners.
    deciders: frozenset[ReviewRole] = frozenset({ReviewRole.CHAIR})
    # The partners may decide only after the national panel's response to the rapid review is recorded
    # (when a rapid review follows the incident).
    panel_response_before_decision: bool = False
    # Matters the deciders weigh, named on the criteria page beside the recommendation.
    weighed: tuple[str, ...] = ()

    def what_follows(self, answers: Mapping[str, str]) -> WhatFollows:
        """The incidents answered yes, who must be notified of them and whether a rapid review follows."""
        yes = tuple(i for i in self.incidents if answers.get(i.key) == "yes")
        notified = tuple(r for r in Recipient if any(r in i.notified for i in yes))
        return WhatFollows(yes, notified, any(i.rapid_review for i in yes))

    @property
    def has_rapid_review(self) -> bool:
        return any(i.rapid_review for i in self.incidents)

    def unanswered(self, answers: Mapping[str, str]) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if answers.get(q.key) is None)

    def invalid_answers(self, answers: Mapping[str, str]) -> tuple[str, ...]:
        """Each answer that is not one of its question's options, in words."""
        problems: list[str] = []
        by_key = {q.key: q for q in self.questions}
        for key, value in answers.items():
            question = by_key.get(key)
            if question is None:
                problems.append(f"'{key}' is not a criteria question of {self.title}")
            elif value not in {code for code, _ in question.options}:
                allowed = ", ".join(code for code, _ in question.options)
                problems.append(f"'{key}' must be one of: {allowed} (got '{value}')")
        return tuple(problems)

    def recommend(self, answers: Mapping[str, str]) -> Recommendation | None:
        """The recommended route with its reasons, or None until every question is answered."""
        if self.unanswered(answers):
            return None
        return self.recommend_from(answers)

    def route_name(self, route: Route) -> str:
        return self.route_names[route]

"""The statutory notices of a serious incident under Working Together 2023 (regime `wt2023` from
version 2): the notification to the national panel (what its form asks for, and the day it was sent,
which meets the 5-working-day clock), and the rapid review (its record, the day it was sent to the
national panel, which meets the 15-working-day clock, and the panel's response, which the safeguarding
partners wait for before they decide the route: `workflow.guards`).

Commands here are the JSON bodies of `api/routes/statutory.py` and what the notification and rapid
review pages build from their forms. Who may write, send and record, and when, is `workflow.policy`'s
`write_notification`, `write_rapid_review` and `record_panel_response` rows. Each change raises the
review's version and is audited; sending writes the audit row the clocks are read from
(`record_notification`, `send_rapid_review`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from workflow import policy, regimes
from workflow.commands import MAX_ITEMS, Agency, AnyDate, ClockDate, Command, Name, Text
from workflow.edits import Edit, EditService
from workflow.errors import InvalidInput, NotAtThisStage, NotPermitted
from workflow.models import PanelNotification, RapidReview, Review, utcnow
from workflow.regimes.base import RECIPIENT_NAMES, WhatFollows
from workflow.service import ReviewDetail

AGE_BANDS = {
    "unborn": "Unborn",
    "under_1": "Under 1",
    "1_to_4": "1 to 4",
    "5_to_9": "5 to 9",
    "10_to_15": "10 to 15",
    "16_to_17": "16 to 17",
    "18_to_24": "18 to 24 (a care leaver)",
}
SEXES = {"female": "Female", "male": "Male", "not_known": "Not known"}
STATUS = {"yes": "Yes", "no": "No", "previously": "Previously", "not_known": "Not known"}
CRITERIA_MET = {"yes": "Yes", "no": "No", "not_yet_known": "Not yet known"}
NATIONAL_REVIEW = {"yes": "Yes", "no": "No"}
PANEL_RESPONSES = {
    "agrees": "The panel agrees with the partners' view",
    "disagrees": "The panel disagrees (with its reasons)",
    "national_review": "The panel will hold a national review",
}
AgeBand = Literal["unborn", "under_1", "1_to_4", "5_to_9", "10_to_15", "16_to_17", "18_to_24"]
Sex = Literal["female", "male", "not_known"]
Status = Literal["yes", "no", "previously", "not_known"]
CriteriaMet = Literal["yes", "no", "not_yet_known"]
YesNo = Literal["yes", "no"]
PanelResponse = Literal["agrees", "disagrees", "national_review"]

FUTURE = "This cannot be a future date."
NOT_THIS_REGIME = (
    "This review runs under {regime}, which has no notification form or rapid review of its own: "
    "record the notice on the review's overview."
)


def _not_after_today(value: date, info: ValidationInfo) -> date:
    """With `context={"today": ...}` (the page), a future day is refused with every other problem."""
    today = (info.context or {}).get("today")
    if isinstance(today, date) and value > today:
        raise PydanticCustomError("future", FUTURE)
    return value


SentOn = Annotated[ClockDate, AfterValidator(_not_after_today)]


class WriteNotification(Command):
    """The fields sent are changed; the others are left as they are. The child is named by the
    review's pseudonym, the incidents by the criteria check."""

    age_band: AgeBand | None = Field(default=None, description="The child's age band.")
    sex: Sex | None = None
    ethnicity: Name | None = None
    incident_date: Annotated[AnyDate, AfterValidator(_not_after_today)] | None = Field(
        default=None, description="When the incident happened (not in the future)."
    )
    area: Name | None = Field(default=None, description="The local authority area notifying.")
    known_to: list[Agency] | None = Field(
        default=None, max_length=MAX_ITEMS, description="The agencies the child and family were known to."
    )
    child_protection_plan: Status | None = Field(
        default=None, description="Whether the child was subject to a child protection plan."
    )
    looked_after: Status | None = Field(default=None, description="Whether the child was looked after.")
    other_children: Text | None = Field(default=None, description="Other children in the household.")
    circumstances: Text | None = Field(default=None, description="What is known of the circumstances.")
    immediate_actions: Text | None = Field(default=None, description="Immediate actions taken.")


class SendNotification(Command):
    on: SentOn = Field(description="The day the notification was sent (not in the future).")


class WriteRapidReview(Command):
    """The fields sent are changed; the others are left as they are."""

    facts: Text | None = Field(default=None, description="The facts of the case, as far as known.")
    immediate_action: Text | None = Field(
        default=None, description="The immediate action taken to keep the child and other children safe."
    )
    agencies_involvement: Text | None = Field(default=None, description="Each agency's involvement.")
    learning: Text | None = Field(default=None, description="The learning identified so far.")
    lcspr_criteria_met: CriteriaMet | None = Field(
        default=None,
        description="Whether the criteria for a local child safeguarding practice review are met.",
    )
    lcspr_reasons: Text | None = None
    national_review: YesNo | None = Field(
        default=None, description="Whether a national review may be appropriate."
    )
    national_review_reasons: Text | None = None


class SendRapidReview(Command):
    on: SentOn = Field(description="The day the rapid review was sent to the national panel.")


class RecordPanelResponse(Command):
    response: PanelResponse = Field(description="What the national panel said in response.")
    reasons: Text = Field(default="", description="The panel's reasons (required when it disagrees).")
    on: SentOn = Field(description="The day the panel's response was received.")


@dataclass(frozen=True)
class StatutoryRecord:
    """The notification and the rapid review as a page or a document shows them."""

    detail: ReviewDetail
    follows: WhatFollows
    notification: PanelNotification
    rapid_review: RapidReview
    notification_missing: tuple[str, ...]
    rapid_review_missing: tuple[str, ...]

    @property
    def notified_to(self) -> tuple[str, ...]:
        return tuple(RECIPIENT_NAMES[r] for r in self.follows.notified)


def notification_missing(notification: PanelNotification, follows: WhatFollows) -> tuple[str, ...]:
    """What the notification still lacks before it can be sent, in words."""
    missing = [] if follows.notifiable else ["a notifiable incident answered yes in the criteria check"]
    for present, what in (
        (notification.age_band, "the child's age band"),
        (notification.sex, "the child's sex"),
        (notification.incident_date, "the date of the incident"),
        (notification.area.strip(), "the area"),
        (notification.child_protection_plan, "whether the child had a child protection plan"),
        (notification.looked_after, "whether the child was looked after"),
        (notification.circumstances.strip(), "what is known of the circumstances"),
        (notification.immediate_actions.strip(), "the immediate actions taken"),
    ):
        if not present:
            missing.append(what)
    return tuple(missing)


def rapid_review_missing(rapid: RapidReview, follows: WhatFollows) -> tuple[str, ...]:
    """What the rapid review still lacks before it can be sent, in words."""
    missing = (
        [] if follows.rapid_review else ["an incident that a rapid review follows, in the criteria check"]
    )
    for present, what in (
        (rapid.facts.strip(), "the facts"),
        (rapid.immediate_action.strip(), "the immediate safeguarding action taken"),
        (rapid.agencies_involvement.strip(), "the agencies' involvement"),
        (rapid.learning.strip(), "the learning identified"),
        (rapid.lcspr_criteria_met, "whether the LCSPR criteria are met"),
        (rapid.national_review, "whether a national review may be appropriate"),
    ):
        if not present:
            missing.append(what)
    return tuple(missing)


def _notification_of(session: Session, review: Review) -> PanelNotification:
    found = session.get(PanelNotification, review.id)
    if found is None:
        found = PanelNotification(
            review_id=review.id,
            ethnicity="",
            area="",
            known_to=list(review.agencies_involved),
            other_children="",
            circumstances=review.incident_summary,
            immediate_actions="",
        )
    return found


def _rapid_review_of(session: Session, review: Review) -> RapidReview:
    found = session.get(RapidReview, review.id)
    if found is None:
        found = RapidReview(
            review_id=review.id,
            facts="",
            immediate_action="",
            agencies_involvement="",
            learning="",
            lcspr_reasons="",
            national_review_reasons="",
            panel_response_reasons="",
        )
    return found


NOTIFICATION_TEXTS = frozenset({"ethnicity", "area", "other_children", "circumstances", "immediate_actions"})
RAPID_REVIEW_TEXTS = frozenset(
    {
        "facts",
        "immediate_action",
        "agencies_involvement",
        "learning",
        "lcspr_reasons",
        "national_review_reasons",
    }
)


def _stored(name: str, value: Any, texts: frozenset[str]) -> Any:
    """A field as it is stored: a text sent as null is emptied, agencies each once."""
    if name == "known_to":
        return list(dict.fromkeys(value or ()))
    if name in texts and value is None:
        return ""
    return value


def _require_notices(edit: Edit, action: str) -> None:
    """Refuse a regime without the statutory notices of WT2023 version 2 (inside the edit, so the
    transaction rolls back)."""
    regime = regimes.get(edit.review.regime_key, edit.review.regime_version)
    if not regime.incidents:
        raise NotAtThisStage(action, NOT_THIS_REGIME.format(regime=regime.title))


class StatutoryService(EditService):
    """The notification and the rapid review of one review. Methods are keyword-only."""

    def record(self, *, review_id: int, actor: int) -> StatutoryRecord:
        """Both records as the actor may read them (coordinator, chair, safeguarding partner)."""
        with self._reviews.session(read_only=True) as session:
            review, roles = self._reviews.load(session, review_id, actor)
            readers = policy.READERS["statutory"]
            if not roles & readers:
                raise NotPermitted(
                    f"Only the {policy.roles_phrase(readers)} may read the notification and the rapid review."
                )
            return self._record(session, review, self._reviews.detail(session, review, roles))

    def write_notification(
        self, *, review_id: int, actor: int, expected_version: int | None, command: WriteNotification
    ) -> StatutoryRecord:
        with self.editing(review_id, actor, expected_version, "write_notification") as edit:
            _require_notices(edit, "write_notification")
            notification = _notification_of(edit.session, edit.review)
            if notification.sent_on is not None:
                raise InvalidInput(
                    {
                        "notification": f"The notification was sent on {notification.sent_on:%-d %B %Y}; "
                        "it is what the national panel has and no longer changes."
                    }
                )
            sent = command.sent()
            for name, value in sent.items():
                setattr(notification, name, _stored(name, value, NOTIFICATION_TEXTS))
            notification.updated_at = utcnow()
            edit.session.add(notification)
            edit.audit("write_notification", fields=sorted(sent))
            return self._record(edit.session, edit.review, edit.detail())

    def send_notification(
        self, *, review_id: int, actor: int, expected_version: int | None, command: SendNotification
    ) -> StatutoryRecord:
        """Record the day the notification was sent: meets the 5-working-day clock."""
        self._not_future(command.on)
        with self.editing(review_id, actor, expected_version, "write_notification") as edit:
            _require_notices(edit, "write_notification")
            notification = _notification_of(edit.session, edit.review)
            follows = self._follows(edit.review)
            missing = notification_missing(notification, follows)
            if notification.sent_on is not None:
                missing = (f"it was already sent on {notification.sent_on:%-d %B %Y}", *missing)
            if missing:
                raise InvalidInput(
                    {"notification": "The notification cannot be sent yet: " + "; ".join(missing) + "."}
                )
            notification.sent_on = command.on
            edit.session.add(notification)
            edit.audit(
                "record_notification",
                on=command.on.isoformat(),
                incidents=[i.key for i in follows.incidents],
                notified=[r.value for r in follows.notified],
            )
            return self._record(edit.session, edit.review, edit.detail())

    def write_rapid_review(
        self, *, review_id: int, actor: int, expected_version: int | None, command: WriteRapidReview
    ) -> StatutoryRecord:
        with self.editing(review_id, actor, expected_version, "write_rapid_review") as edit:
            _require_notices(edit, "write_rapid_review")
            rapid = _rapid_review_of(edit.session, edit.review)
            if rapid.sent_on is not None:
                raise InvalidInput(
                    {
                        "rapid_review": f"The rapid review was sent on {rapid.sent_on:%-d %B %Y}; "
                        "it is what the national panel has and no longer changes."
                    }
                )
            sent = command.sent()
            for name, value in sent.items():
                setattr(rapid, name, _stored(name, value, RAPID_REVIEW_TEXTS))
            rapid.updated_at = utcnow()
            edit.session.add(rapid)
            edit.audit("write_rapid_review", fields=sorted(sent))
            return self._record(edit.session, edit.review, edit.detail())

    def send_rapid_review(
        self, *, review_id: int, actor: int, expected_version: int | None, command: SendRapidReview
    ) -> StatutoryRecord:
        """Record the day the rapid review was sent to the national panel: meets the 15-working-day
        clock (the route decision does not: the partners decide after the panel responds)."""
        self._not_future(command.on)
        with self.editing(review_id, actor, expected_version, "write_rapid_review") as edit:
            _require_notices(edit, "write_rapid_review")
            rapid = _rapid_review_of(edit.session, edit.review)
            missing = rapid_review_missing(rapid, self._follows(edit.review))
            if rapid.sent_on is not None:
                missing = (f"it was already sent on {rapid.sent_on:%-d %B %Y}", *missing)
            if missing:
                raise InvalidInput(
                    {"rapid_review": "The rapid review cannot be sent yet: " + "; ".join(missing) + "."}
                )
            rapid.sent_on = command.on
            edit.session.add(rapid)
            edit.audit("send_rapid_review", on=command.on.isoformat())
            return self._record(edit.session, edit.review, edit.detail())

    def record_panel_response(
        self, *, review_id: int, actor: int, expected_version: int | None, command: RecordPanelResponse
    ) -> StatutoryRecord:
        """Record the national panel's response to the rapid review (after it was sent)."""
        self._not_future(command.on)
        with self.editing(review_id, actor, expected_version, "record_panel_response") as edit:
            _require_notices(edit, "record_panel_response")
            rapid = _rapid_review_of(edit.session, edit.review)
            errors: dict[str, str] = {}
            if rapid.sent_on is None:
                errors["response"] = (
                    "Send the rapid review to the national panel before recording its response."
                )
            elif command.on < rapid.sent_on:
                errors["on"] = (
                    f"The response cannot come before the rapid review was sent ({rapid.sent_on:%-d %B %Y})."
                )
            if command.response == "disagrees" and not command.reasons:
                errors["reasons"] = "Give the panel's reasons for disagreeing."
            if errors:
                raise InvalidInput(errors)
            rapid.panel_response = command.response
            rapid.panel_response_reasons = command.reasons
            rapid.panel_response_on = command.on
            edit.session.add(rapid)
            edit.audit(
                "record_panel_response",
                command.reasons or None,
                response=command.response,
                on=command.on.isoformat(),
            )
            return self._record(edit.session, edit.review, edit.detail())

    # ---- shared ---------------------------------------------------------------------------------

    def _not_future(self, on: date) -> None:
        if on > self._today():
            raise InvalidInput({"on": FUTURE})

    @staticmethod
    def _follows(review: Review) -> WhatFollows:
        return regimes.get(review.regime_key, review.regime_version).what_follows(review.criteria_answers)

    def _record(self, session: Session, review: Review, detail: ReviewDetail) -> StatutoryRecord:
        follows = detail.regime.what_follows(review.criteria_answers)
        notification = _notification_of(session, review)
        rapid = _rapid_review_of(session, review)
        return StatutoryRecord(
            detail=detail,
            follows=follows,
            notification=notification,
            rapid_review=rapid,
            notification_missing=notification_missing(notification, follows),
            rapid_review_missing=rapid_review_missing(rapid, follows),
        )

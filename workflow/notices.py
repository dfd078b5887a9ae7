"""Notices, each recorded with the day it was given: the `notification` of the incident to the national
panel (meets its clock), and the final report notices before publication, one per recipient the regime
names (`panel_notice`, `secretary_of_state_notice`, `ofsted_notice`): the `publish` guard (and
`decline_publication`'s, for the summary of improvements, where the regime asks) waits until each was
given at least the regime's notice period before."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from workflow.commands import ClockDate, Command
from workflow.edits import EditService
from workflow.errors import InvalidInput
from workflow.regimes.base import Recipient
from workflow.service import ReviewDetail

NoticeKind = Literal["notification", "panel_notice", "secretary_of_state_notice", "ofsted_notice"]
ACTIONS = {"notification": "record_notification"} | {
    recipient.notice_kind: f"record_{recipient.notice_kind}" for recipient in Recipient
}
# What a page asks: "Which notice was sent?"
KIND_LABELS = {
    "notification": "Notification of the incident to the national panel",
    "panel_notice": "The final report, to the national panel",
    "secretary_of_state_notice": "The final report, to the Secretary of State",
    "ofsted_notice": "The final report, to Ofsted",
}
FUTURE = "A notice cannot be recorded for a future date."


def _not_after_today(value: date, info: ValidationInfo) -> date:
    """With `context={"today": ...}` (the page), a future day is refused with every other problem."""
    today = (info.context or {}).get("today")
    if isinstance(today, date) and value > today:
        raise PydanticCustomError("future", FUTURE)
    return value


class RecordNotice(Command):
    kind: NoticeKind = Field(
        description="notification: the incident was notified to the national panel; "
        "panel_notice, secretary_of_state_notice, ofsted_notice: the final report (or the summary of "
        "improvements published instead) was sent to the national panel, the Secretary of State or "
        "Ofsted before publication (which of them the regime asks for: `report_notice_to`)."
    )
    on: Annotated[ClockDate, AfterValidator(_not_after_today)] = Field(
        description="The day the notice was given (not in the future)."
    )


class NoticeService(EditService):
    def record(
        self, *, review_id: int, actor: int, expected_version: int | None, command: RecordNotice
    ) -> ReviewDetail:
        """Record a notice that starts or meets a clock (coordinator or chair)."""
        if command.on > self._today():
            raise InvalidInput({"on": FUTURE})
        with self.editing(review_id, actor, expected_version, "record_notice") as edit:
            edit.audit(ACTIONS[command.kind], on=command.on.isoformat())
            return edit.detail()


def kinds_for(report_notice_to: tuple[Recipient, ...]) -> list[tuple[str, str]]:
    """The notices a review's regime asks for, as a page's choices (code, label)."""
    kinds = ["notification", *(recipient.notice_kind for recipient in report_notice_to)]
    return [(kind, KIND_LABELS[kind]) for kind in kinds]

"""Notices to the national panel, each recorded with the day it was given: the `notification` of the
incident (meets its clock) and the `panel_notice` of the final report before publication (starts the
notice period the `publish` guard waits for)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from workflow.commands import ClockDate, Command
from workflow.edits import EditService
from workflow.errors import InvalidInput
from workflow.service import ReviewDetail

ACTIONS = {"notification": "record_notification", "panel_notice": "record_panel_notice"}
FUTURE = "A notice cannot be recorded for a future date."


def _not_after_today(value: date, info: ValidationInfo) -> date:
    """With `context={"today": ...}` (the page), a future day is refused with every other problem."""
    today = (info.context or {}).get("today")
    if isinstance(today, date) and value > today:
        raise PydanticCustomError("future", FUTURE)
    return value


class RecordNotice(Command):
    kind: Literal["notification", "panel_notice"] = Field(
        description="notification: the incident was notified to the national panel; "
        "panel_notice: the final report was sent to the national panel before publication."
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

"""A person's own notifications: how emails reach them, and their calendar feed."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import UtcDateTime
from workflow.notifications.outbox import Delivery
from workflow.notifications.service import Preferences


class CalendarState(BaseModel):
    active: bool = Field(description="Whether a calendar feed address works now.")
    since: UtcDateTime | None = Field(default=None, description="When the current address was made.")


class NotificationsOut(BaseModel):
    delivery: Delivery = Field(
        description="immediately (one email per event), daily (one digest a day) or off.",
        examples=["daily"],
    )
    calendar: CalendarState

    @classmethod
    def of(cls, preferences: Preferences) -> NotificationsOut:
        since = preferences.calendar_since
        return cls(
            delivery=preferences.delivery, calendar=CalendarState(active=since is not None, since=since)
        )


class CalendarOut(BaseModel):
    url: str = Field(
        description="The secret address of the feed (iCalendar). Shown once: only a hash is kept. "
        "Anyone with it can read your deadlines (pseudonyms and dates only), so treat it as a password."
    )

"""The iCalendar feed (RFC 5545) of a person's statutory deadlines: one all-day event per clock of
every review they are a member of that is running and not yet met. Each event names the review by
its pseudonym and stage only. The feed is read at a secret address: only a hash of its token is
kept, so the address is shown once, when it is made."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from workflow.clocks import Clock

PRODUCT = "-//Tunnelview//Statutory deadlines//EN"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Deadline:
    review_id: int
    pseudonym: str
    stage: str
    clock: Clock


def deadlines_due(clocks: Iterable[Clock]) -> list[Clock]:
    """The clocks that are deadlines still to meet (not an "earliest" date, not met)."""
    return [clock for clock in clocks if not clock.earliest and clock.met_on is None]


def feed(deadlines: Iterable[Deadline], *, public_url: str, host: str, stamped: datetime) -> bytes:
    import icalendar  # only where a feed is read: 3 MB a worker need not carry otherwise

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Tunnelview deadlines")
    base = public_url.rstrip("/")
    for deadline in deadlines:
        clock = deadline.clock
        event = icalendar.Event()
        event.add("uid", f"review-{deadline.review_id}-{clock.key}@{host}")
        event.add("dtstamp", stamped.replace(tzinfo=UTC))
        event.add("dtstart", clock.due)
        event.add("dtend", clock.due + timedelta(days=1))
        overdue = " (overdue)" if clock.overdue else ""
        event.add("summary", f"{deadline.pseudonym}: {clock.label}{overdue}")
        event.add("description", f"The review of {deadline.pseudonym}, at the stage: {deadline.stage}.")
        event.add("url", f"{base}/reviews/{deadline.review_id}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())

"""Reminders of what is due: a statutory deadline within 5 working days, or past it (the review's
clocks, `workflow.clocks`), and whatever else a `ReminderSource` finds (the board's overdue actions,
`findings.analysis.board`). `Reminders.run` is `tunnelview remind`: safe to run as often as you like,
since each reminder's key names its deadline and due date, so it is queued once per deadline (and
again only if the deadline moves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from workflow import regimes
from workflow.clocks import Clock, working_days_between
from workflow.models import Review
from workflow.notifications import outbox
from workflow.notifications.events import Audience, Kind
from workflow.regimes.base import ClockEvent
from workflow.service import clock_anchors, clocks_of
from workflow.states import FINAL_STATES, Trigger

SOON_WORKING_DAYS = 5

# The action that meets a clock: whoever may take it is reminded (and the coordinators, who watch
# every deadline).
MET_BY: dict[ClockEvent, str] = {
    ClockEvent.NOTIFICATION: "record_notice",
    ClockEvent.RAPID_REVIEW: "write_rapid_review",
    ClockEvent.DECISION: Trigger.DECIDE.value,
    ClockEvent.COMPLETION: Trigger.APPROVE.value,
    ClockEvent.PUBLICATION: Trigger.PUBLISH.value,
}


@dataclass(frozen=True)
class Reminder:
    """One thing due in one review. `key` names it and its due date (one reminder per deadline)."""

    kind: Kind
    key: str
    review_id: int
    audience: Audience
    context: Mapping[str, Any] = field(default_factory=dict)


class ReminderSource(Protocol):
    def reminders(self, session: Session, today: date) -> Iterable[Reminder]: ...


def deadline_reminder(review_id: int, clock: Clock, needed: str, today: date) -> Reminder | None:
    """A reminder of `clock` if it is overdue or due within 5 working days (and not yet met), for
    whoever may take the `needed` action and the coordinators; None otherwise. "Earliest" clocks
    (the first day a report may be published) are never reminded."""
    if clock.earliest or clock.met_on is not None:
        return None
    if clock.overdue:
        kind = Kind.DEADLINE_OVERDUE
    elif 0 <= working_days_between(today, clock.due) <= SOON_WORKING_DAYS:
        kind = Kind.DEADLINE_SOON
    else:
        return None
    return Reminder(
        kind,
        f"{kind}:review-{review_id}:{clock.key}:{clock.due.isoformat()}",
        review_id,
        Audience(action=needed, coordinators=True),
        {"deadline": clock.label, "due": clock.due.isoformat()},
    )


class StatutoryDeadlines:
    """The clocks of every review that is not closed or withdrawn, read in batches."""

    BATCH = 500

    def reminders(self, session: Session, today: date) -> Iterator[Reminder]:
        query = select(Review).where(Review.state.not_in([s.value for s in FINAL_STATES])).order_by(Review.id)
        after = 0
        while batch := list(session.scalars(query.where(Review.id > after).limit(self.BATCH))):
            after = batch[-1].id
            anchors = clock_anchors(session, [review.id for review in batch])
            for review in batch:
                rules = {
                    rule.key: rule for rule in regimes.get(review.regime_key, review.regime_version).clocks
                }
                for clock in clocks_of(review, anchors[review.id], today):
                    needed = MET_BY[rules[clock.key].met_by]
                    reminder = deadline_reminder(review.id, clock, needed, today)
                    if reminder is not None:
                        yield reminder


class Reminders:
    """Queues every reminder its sources find, in one transaction."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        sources: Iterable[ReminderSource],
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._sessions = sessions
        self._sources = list(sources)
        self._today = today

    def run(self) -> int:
        """Queue what is due today; how many messages were queued (0 when run again the same day)."""
        today = self._today()
        queued = 0
        with self._sessions() as session:
            found = [r for source in self._sources for r in source.reminders(session, today)]
            ids = {reminder.review_id for reminder in found}
            reviews = {r.id: r for r in session.scalars(select(Review).where(Review.id.in_(ids)))}
            members = outbox.members_of(session, reviews)
            for reminder in found:
                review = reviews[reminder.review_id]
                queued += outbox.queue(
                    session,
                    kind=reminder.kind,
                    key=reminder.key,
                    users=reminder.audience.pick(
                        members[review.id],
                        actor=None,
                        regime=regimes.get(review.regime_key, review.regime_version),
                    ),
                    review_id=review.id,
                    context=outbox.review_context(review) | dict(reminder.context),
                )
            session.commit()
        return queued

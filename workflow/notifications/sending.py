"""Sending the outbox, after the commit that queued it: each message is claimed by one sender, sent,
then marked sent; a failure is retried with exponential backoff until the last attempt.

Never twice: a sender claims a message with `UPDATE outbox SET status='sending' WHERE id=:id AND
status='pending'` and sends it only if that changed one row, so of two senders (two server workers,
cron beside the built-in loop) one alone sends each message. The claim is committed before the
message goes out; a sender that dies between the two leaves its message `sending`, and it is never
picked up again (it may have gone out): `tunnelview outbox send` counts such messages as stuck.

A message is sent only to an active account that is still a member of its review; otherwise it is
`skipped`. Daily digests gather each person's `waiting` messages of one (UTC) day into one message
once that day is over; the digest is then sent like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from workflow.models import Membership, OutboxMessage, User, utcnow
from workflow.notifications.events import Kind
from workflow.notifications.letters import Letter, Letters
from workflow.notifications.outbox import Status, insert_new
from workflow.notifications.smtp import Transport, message_id

log = logging.getLogger("tunnelview.notifications")

STUCK_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Backoff:
    """Wait `first` before the second attempt, twice as long before each one after (at most
    `longest`), and give up after `attempts`."""

    first: timedelta = timedelta(minutes=1)
    attempts: int = 10
    longest: timedelta = timedelta(hours=6)

    def wait(self, attempts_made: int) -> timedelta | None:
        """How long to wait after `attempts_made` failed attempts; None: give up."""
        if attempts_made >= self.attempts:
            return None
        wait: timedelta = self.first * 2 ** max(attempts_made - 1, 0)
        return min(wait, self.longest)


@dataclass
class Report:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    digests: int = 0
    stuck: int = 0

    def __str__(self) -> str:
        words = (
            f"{self.sent} sent, {self.retrying} to retry, {self.failed} given up, {self.skipped} skipped, "
            f"{self.digests} digests made"
        )
        return words + (f", {self.stuck} stuck while sending (not resent)" if self.stuck else "")


@dataclass(frozen=True)
class Outgoing:
    to: str
    letter: Letter
    message_id: str


class OutboxSender:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        transport: Transport,
        letters: Letters,
        *,
        sender: str,
        now: Callable[[], datetime] = utcnow,
        backoff: Backoff = Backoff(),
        batch: int = 100,
    ) -> None:
        self._sessions = sessions
        self._transport = transport
        self._letters = letters
        self._sender = sender
        self._now = now
        self._backoff = backoff
        self._batch = batch

    def run(self) -> Report:
        """Gather the digests of the days that are over, then send everything due."""
        report = Report(digests=self.gather_digests())
        self.send_due(report)
        with self._sessions() as session:
            report.stuck = (
                session.scalar(
                    select(func.count()).where(
                        OutboxMessage.status == Status.SENDING,
                        OutboxMessage.claimed_at < self._now() - STUCK_AFTER,
                    )
                )
                or 0
            )
        return report

    # ---- sending -------------------------------------------------------------------------------------

    def send_due(self, report: Report | None = None) -> Report:
        """Send every pending message whose time has come, a batch at a time."""
        report = report or Report()
        tried: set[int] = set()
        while ids := [i for i in self._due() if i not in tried]:
            for message_id_ in ids:
                tried.add(message_id_)
                self._send(message_id_, report)
        return report

    def _due(self) -> list[int]:
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.status == Status.PENDING,
                        OutboxMessage.next_attempt_at.is_(None)
                        | (OutboxMessage.next_attempt_at <= self._now()),
                    )
                    .order_by(OutboxMessage.id)
                    .limit(self._batch)
                )
            )

    def _claim(self, message: int) -> bool:
        """Take `message` for this sender alone: True if this UPDATE changed its row."""
        with self._sessions() as session:
            claimed = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message, OutboxMessage.status == Status.PENDING)
                .values(status=Status.SENDING, claimed_at=self._now(), attempts=OutboxMessage.attempts + 1)
            )
            session.commit()
            return getattr(claimed, "rowcount", 0) == 1

    def _send(self, message: int, report: Report) -> None:
        if not self._claim(message):
            return  # another sender has it
        try:
            outgoing = self._compose(message)
        except Exception as error:  # a template that cannot render will not render next time either
            log.exception("Message %s cannot be written", message)
            self._finish(message, Status.FAILED, error=f"cannot be written: {error}")
            report.failed += 1
            return
        if outgoing is None:
            self._finish(message, Status.SKIPPED)
            report.skipped += 1
            return
        try:
            self._transport.send(outgoing.to, outgoing.letter, message_id=outgoing.message_id)
        except Exception as error:
            self._retry(message, error, report)
            return
        self._finish(message, Status.SENT)
        report.sent += 1

    def _finish(self, message: int, status: Status, *, error: str | None = None) -> None:
        values: dict[str, Any] = {"status": status}
        if status == Status.SENT:
            values["sent_at"] = self._now()
        if error is not None:
            values["last_error"] = error[:1000]
        with self._sessions() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message, OutboxMessage.status == Status.SENDING)
                .values(**values)
            )
            session.commit()

    def _retry(self, message: int, error: Exception, report: Report) -> None:
        with self._sessions() as session:
            attempts = session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == message)) or 0
        wait = self._backoff.wait(attempts)
        words = f"{type(error).__name__}: {error}"
        if wait is None:
            log.warning("Message %s given up after %s attempts: %s", message, attempts, words)
            self._finish(message, Status.FAILED, error=words)
            report.failed += 1
            return
        log.info("Message %s not sent (attempt %s), retrying in %s: %s", message, attempts, wait, words)
        with self._sessions() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message, OutboxMessage.status == Status.SENDING)
                .values(status=Status.PENDING, next_attempt_at=self._now() + wait, last_error=words[:1000])
            )
            session.commit()
        report.retrying += 1

    def _compose(self, message: int) -> Outgoing | None:
        """The email of `message`, or None when nobody should get it any more."""
        with self._sessions() as session:
            row = session.get_one(OutboxMessage, message)
            user = session.get(User, row.user_id)
            if user is None or not user.active:
                return None
            if row.kind == Kind.DIGEST:
                items = [
                    (item.kind, item.context)
                    for item in session.scalars(
                        select(OutboxMessage)
                        .where(OutboxMessage.digest_id == row.id)
                        .order_by(OutboxMessage.id)
                    )
                    if _still_member(session, item)
                ]
                if not items:
                    return None
                letter = self._letters.digest(date.fromisoformat(row.context["day"]), items)
            elif not _still_member(session, row):
                return None
            else:
                letter = self._letters.write(row.kind, row.context)
            return Outgoing(user.email, letter, message_id(row.key, self._sender))

    # ---- daily digests -------------------------------------------------------------------------------

    def gather_digests(self) -> int:
        """Make one digest message per person per day that is over, of that day's waiting messages."""
        today = self._now().date()
        start_of_today = datetime.combine(today, time())
        with self._sessions() as session:
            groups = session.execute(
                select(OutboxMessage.user_id, OutboxMessage.created_at).where(
                    OutboxMessage.status == Status.WAITING, OutboxMessage.created_at < start_of_today
                )
            ).all()
        days = sorted({(row.user_id, row.created_at.date()) for row in groups})
        return sum(self._gather(user_id, day) for user_id, day in days)

    def _gather(self, user_id: int, day: date) -> int:
        """One digest of `user_id`'s messages of `day`. Its key names the newest message it gathers, so
        two senders gathering the same messages make one digest between them, and a message that
        arrives late (its transaction committed after the day was gathered) gets a digest of its own."""
        start = datetime.combine(day, time())
        of_the_day = (
            OutboxMessage.user_id == user_id,
            OutboxMessage.status == Status.WAITING,
            OutboxMessage.created_at >= start,
            OutboxMessage.created_at < start + timedelta(days=1),
        )
        with self._sessions() as session:
            newest = session.scalar(select(func.max(OutboxMessage.id)).where(*of_the_day))
            if newest is None:
                return 0
            key = f"{Kind.DIGEST}:{day.isoformat()}:user-{user_id}:upto-{newest}"
            digest = {
                "key": key,
                "user_id": user_id,
                "review_id": None,
                "kind": Kind.DIGEST.value,
                "context": {"day": day.isoformat()},
                "status": Status.PENDING,
                "attempts": 0,
                "created_at": self._now(),
            }
            if not insert_new(session, [digest]):
                return 0  # another sender made it
            digest_id = session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))
            session.execute(
                update(OutboxMessage)
                .where(*of_the_day, OutboxMessage.id <= newest)
                .values(status=Status.DIGESTED, digest_id=digest_id)
            )
            session.commit()
            return 1


def _still_member(session: Session, message: OutboxMessage) -> bool:
    if message.review_id is None:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    Membership.review_id == message.review_id, Membership.user_id == message.user_id
                )
            )
        )
    )

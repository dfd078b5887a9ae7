"""What a person changes about their own notifications: how their emails reach them, and their
calendar feed (made, made anew, revoked). Anyone signed in may change their own and nobody else's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from workflow import db
from workflow.commands import Command
from workflow.errors import NotFound, NotPermitted
from workflow.models import Membership, NotificationSettings, Review, User, utcnow
from workflow.notifications import calendar
from workflow.notifications.outbox import Delivery
from workflow.service import clock_anchors, clocks_of
from workflow.states import FINAL_STATES, STATE_LABELS, State

CALENDAR_PATH = "/calendar.ics"


class SetDelivery(Command):
    delivery: Delivery = Field(
        description="immediately (one email per event), daily (one digest a day) or off."
    )


@dataclass(frozen=True)
class Preferences:
    delivery: Delivery
    calendar_since: datetime | None  # when the current feed address was made; None: no feed


class NotificationService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        public_url: str,
        today: Callable[[], date] = date.today,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._public_url = public_url.rstrip("/")
        self._today = today
        self._now = now

    def preferences(self, *, actor: int) -> Preferences:
        with self._sessions() as session:
            db.begin_reading(session)
            _active(session, actor)
            return _preferences(session.get(NotificationSettings, actor))

    def set_delivery(self, *, actor: int, command: SetDelivery) -> Preferences:
        """Immediately, daily or off, from now on (what is already queued goes as it was queued)."""
        with self._sessions() as session:
            row = _settings_of(session, actor)
            row.delivery = command.delivery.value
            row.updated_at = self._now()
            session.commit()
            return _preferences(row)

    def new_calendar(self, *, actor: int) -> str:
        """A new secret address of the actor's calendar feed; the one before stops working. Shown
        this once: only its hash is kept."""
        token = calendar.new_token()
        with self._sessions() as session:
            row = _settings_of(session, actor)
            row.calendar_token_hash = calendar.token_hash(token)
            row.calendar_created_at = row.updated_at = self._now()
            session.commit()
        return self.calendar_url(token)

    def revoke_calendar(self, *, actor: int) -> None:
        with self._sessions() as session:
            row = _settings_of(session, actor)
            row.calendar_token_hash = row.calendar_created_at = None
            row.updated_at = self._now()
            session.commit()

    def calendar_url(self, token: str) -> str:
        return f"{self._public_url}{CALENDAR_PATH}?token={token}"

    def calendar(self, token: str) -> bytes:
        """The feed whose address holds `token`; NotFound for a token revoked, replaced or never made,
        or of an account no longer active."""
        with self._sessions() as session:
            db.begin_reading(session)
            owner = session.scalar(
                select(User)
                .join(NotificationSettings, NotificationSettings.user_id == User.id)
                .where(NotificationSettings.calendar_token_hash == calendar.token_hash(token))
            )
            if owner is None or not owner.active:
                raise NotFound("There is no calendar at this address.")
            reviews = list(
                session.scalars(
                    select(Review)
                    .where(
                        Review.id.in_(select(Membership.review_id).where(Membership.user_id == owner.id)),
                        Review.state.not_in([s.value for s in FINAL_STATES]),
                    )
                    .order_by(Review.id)
                )
            )
            anchors = clock_anchors(session, [review.id for review in reviews])
            today = self._today()
            deadlines = [
                calendar.Deadline(review.id, review.child_pseudonym, STATE_LABELS[State(review.state)], clock)
                for review in reviews
                for clock in calendar.deadlines_due(clocks_of(review, anchors[review.id], today))
            ]
        host = urlsplit(self._public_url).hostname or "tunnelview"
        return calendar.feed(deadlines, public_url=self._public_url, host=host, stamped=self._now())


def _active(session: Session, actor: int) -> User:
    user = session.get(User, actor)
    if user is None or not user.active:
        raise NotPermitted("This account is not active.")
    return user


def _settings_of(session: Session, actor: int) -> NotificationSettings:
    _active(session, actor)
    row = session.get(NotificationSettings, actor, with_for_update=True)
    if row is None:
        row = NotificationSettings(user_id=actor, delivery=Delivery.IMMEDIATELY.value)
        session.add(row)
    return row


def _preferences(row: NotificationSettings | None) -> Preferences:
    if row is None:
        return Preferences(Delivery.IMMEDIATELY, None)
    return Preferences(Delivery(row.delivery), row.calendar_created_at if row.calendar_token_hash else None)

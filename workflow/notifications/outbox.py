"""Writing the outbox, always in the caller's transaction: a change that is rolled back leaves no
message behind, and one that is committed has its messages committed with it.

`record` is called by `workflow.audit.append` for every audited change (the audit row is the event),
so every service that changes a review queues its emails the same way without knowing of them.
Each message is for one person, with the delivery they chose (`immediately` -> `pending`, `daily` ->
`waiting` for the digest, `off` -> nothing). Its key is unique: queueing the same key again is a
no-op, which makes the reminders idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workflow import regimes
from workflow.models import AuditEntry, Membership, NotificationSettings, OutboxMessage, Review, User, utcnow
from workflow.notifications.events import Kind, Member, caused_by
from workflow.states import STATE_LABELS, ReviewRole, State


class Delivery(StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    OFF = "off"


class Status(StrEnum):
    PENDING = "pending"  # to be sent (when `next_attempt_at` has come, if set)
    SENDING = "sending"  # claimed by one sender
    SENT = "sent"
    FAILED = "failed"  # given up after the last attempt
    SKIPPED = "skipped"  # not sent: the person is no longer active or no longer a member
    WAITING = "waiting"  # for the daily digest
    DIGESTED = "digested"  # gathered into a digest (`digest_id`)


def review_context(review: Review, stage: str | None = None) -> dict[str, Any]:
    """What every email about a review may say of it: its pseudonym and stage, nothing else."""
    state = State(stage or review.state)
    return {"review_id": review.id, "pseudonym": review.child_pseudonym, "stage": STATE_LABELS[state]}


def members_of(session: Session, review_ids: Iterable[int]) -> dict[int, list[Member]]:
    wanted = list(dict.fromkeys(review_ids))
    found: dict[int, list[Member]] = {review_id: [] for review_id in wanted}
    if wanted:
        rows = session.execute(
            select(Membership.review_id, Membership.user_id, Membership.role, Membership.agency)
            .where(Membership.review_id.in_(wanted))
            .order_by(Membership.id)
        )
        for row in rows:
            found[row.review_id].append(Member(row.user_id, ReviewRole(row.role), row.agency))
    return found


def record(session: Session, review: Review, entry: AuditEntry) -> int:
    """Queue the emails the audited change `entry` causes; how many were queued."""
    event = caused_by(entry.action, entry.params)
    if event is None:
        return 0
    members = members_of(session, [review.id])[review.id]
    return queue(
        session,
        kind=event.kind,
        key=f"{event.kind}:audit-{entry.id}",
        users=event.audience.pick(
            members, actor=entry.actor_id, regime=regimes.get(review.regime_key, review.regime_version)
        ),
        review_id=review.id,
        context=review_context(review, entry.to_state) | dict(event.context),
    )


def deliveries(session: Session, user_ids: Iterable[int]) -> dict[int, Delivery]:
    """How each of these people takes their email; inactive accounts get none (`off`)."""
    wanted = list(dict.fromkeys(user_ids))
    found = {user_id: Delivery.OFF for user_id in wanted}
    if wanted:
        rows = session.execute(
            select(User.id, User.active, NotificationSettings.delivery)
            .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
            .where(User.id.in_(wanted))
        )
        for row in rows:
            if row.active:
                found[row.id] = Delivery(row.delivery or Delivery.IMMEDIATELY)
    return found


def queue(
    session: Session,
    *,
    kind: Kind,
    key: str,
    users: Sequence[int],
    review_id: int | None,
    context: Mapping[str, Any],
) -> int:
    """One message of `kind` to each of `users` (key `<key>:user-<id>`) by the delivery they chose,
    in `session`'s transaction; a key already queued is left alone. How many were queued."""
    if not users:
        return 0
    now = utcnow()
    rows = [
        {
            "key": f"{key}:user-{user_id}",
            "user_id": user_id,
            "review_id": review_id,
            "kind": kind.value,
            "context": dict(context),
            "status": Status.WAITING if delivery == Delivery.DAILY else Status.PENDING,
            "attempts": 0,
            "created_at": now,
        }
        for user_id, delivery in deliveries(session, users).items()
        if delivery != Delivery.OFF
    ]
    return insert_new(session, rows)


def insert_new(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose key is not taken yet (a concurrent writer's included); how many were.
    Counted from RETURNING: a driver's rowcount of a many-row INSERT is not to be relied on."""
    if not rows:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OutboxMessage).values(rows).on_conflict_do_nothing(index_elements=["key"])
    return len(session.execute(statement.returning(OutboxMessage.id)).all())

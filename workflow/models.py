"""Typed SQLAlchemy models of the lifecycle: people, reviews, memberships and the audit logs.

Models hold data; decisions (guards, clocks, criteria) are pure functions elsewhere. The `state`
column of a review is written by `workflow.service` alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The hash an audit chain's first row links to.
GENESIS = "0" * 64


def utcnow() -> datetime:
    """Naive UTC, so SQLite and PostgreSQL give back exactly what was stored (the hash chain relies on it)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, dict[str, str]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    global_role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The `sub` of the person at the single sign-on provider, remembered at their first sign-in with it.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), default=None, unique=True, index=True)


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    regime_key: Mapped[str] = mapped_column(String(20))
    regime_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(30), default="referred")
    paused_from: Mapped[str | None] = mapped_column(String(30), default=None)
    route: Mapped[str | None] = mapped_column(String(20), default=None)

    child_pseudonym: Mapped[str] = mapped_column(String(100))
    incident_outcome: Mapped[str | None] = mapped_column(String(30), default=None)
    abuse_or_neglect: Mapped[str | None] = mapped_column(String(30), default=None)
    date_of_awareness: Mapped[date | None] = mapped_column(Date, default=None)
    incident_summary: Mapped[str] = mapped_column(Text, default="")
    agencies_involved: Mapped[list[str]] = mapped_column(JSON, default=list)

    criteria_answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    decision_rationale: Mapped[str | None] = mapped_column(Text, default=None)
    departure_rationale: Mapped[str | None] = mapped_column(Text, default=None)

    research_questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    period_start: Mapped[date | None] = mapped_column(Date, default=None)
    period_end: Mapped[date | None] = mapped_column(Date, default=None)
    agencies_in_scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    panel_exemptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    publication_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    publication_hold_reason: Mapped[str | None] = mapped_column(Text, default=None)

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The anchor of the review's audit chain: how many rows it has and the newest row's hash, written
    # by `workflow.audit.append` alone, in the transaction of each row, so a row removed is detected.
    # Every UPDATE of the review returns them (`server_onupdate` with the mapper's `eager_defaults`:
    # RETURNING), so `append` reads the anchor under the row's lock without a SELECT of its own.
    audit_count: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0", server_onupdate=FetchedValue()
    )
    audit_head: Mapped[str] = mapped_column(
        String(64), default=GENESIS, server_default=GENESIS, server_onupdate=FetchedValue()
    )

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Membership.id"
    )

    __mapper_args__ = {"version_id_col": version, "eager_defaults": True}


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("review_id", "user_id", "role", name="uq_membership_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    agency: Mapped[str | None] = mapped_column(String(200), default=None)
    declared_interest: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(lazy="joined")


class AuditEntry(Base):
    """One append-only row of a review's audit log, hash-chained to the row before it."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("review_id", "seq", name="uq_audit_review_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    action: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(30), default=None)
    to_state: Mapped[str | None] = mapped_column(String(30), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    via: Mapped[str | None] = mapped_column(String(300), default=None)  # workflow.principal
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(lazy="joined")


class AccountAuditEntry(Base):
    """One append-only row of the accounts log (one chain for every account), hash-chained to the row
    before it: who changed which account, how, and through what (`via`: the command line)."""

    __tablename__ = "account_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    via: Mapped[str | None] = mapped_column(String(300), default=None)
    action: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    account: Mapped[User] = relationship(foreign_keys=[account_id], lazy="joined")


class AccountAuditHead(Base):
    """The anchor of the accounts log (one row, id 1): how many rows it has and the newest row's hash,
    written with each row, so a row removed from the end is detected."""

    __tablename__ = "account_audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    head: Mapped[str] = mapped_column(String(64), default=GENESIS)


class AuthToken(Base):
    """A bearer token of the API (`kind` "api") or a browser session (`kind` "session").

    Only a hash of the token is stored: a copy of the table lets nobody sign in. A token stops working
    when it expires, when it is revoked, or when its user is deactivated.
    """

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class LoginFailure(Base):
    """One failed sign-in, counted against an account and against a client address.

    `key` is a hash of "account:<email>" or "address:<ip>", so the table holds neither. Rows are
    only inserted (several workers can count together without locks) and pruned when too old to
    matter.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class OutboxMessage(Base):
    """One email to one person, written in the same transaction as the change that causes it and sent
    after the commit (`workflow.notifications.sending`). `key` is unique, so nothing is queued twice;
    a message is claimed (`pending` -> `sending`) by one sender alone before it goes out, so nothing is
    sent twice. A message for a daily digest waits (`waiting`) until the digest of its day gathers it
    (`digested`, `digest_id` naming the digest's own message). `context` holds only what the email may
    say: the review's pseudonym and stage, a role, a deadline's name and date."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), default=None, index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # The digest that gathered this message: an id in this table (no foreign key, so a copy of the
    # table can be put back in id order).
    digest_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class NotificationSettings(Base):
    """A person's choices about what they are sent: how emails reach them (`immediately`, in a
    `daily` digest, or `off`; no row means immediately), and the hash of the secret token of their
    calendar feed (None: no feed)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(20), default="immediately")
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    calendar_created_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PanelNotification(Base):
    """What the national panel's notification form asks about a notifiable incident (WT2023), one per
    review, and the day it was sent (`sent_on`, which meets the 5-working-day clock). Everything about
    the child is written with their pseudonym; the incidents notified are the criteria answers."""

    __tablename__ = "panel_notifications"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    age_band: Mapped[str | None] = mapped_column(String(20), default=None)
    sex: Mapped[str | None] = mapped_column(String(20), default=None)
    ethnicity: Mapped[str] = mapped_column(String(200), default="")
    incident_date: Mapped[date | None] = mapped_column(Date, default=None)
    area: Mapped[str] = mapped_column(String(200), default="")
    known_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    child_protection_plan: Mapped[str | None] = mapped_column(String(20), default=None)
    looked_after: Mapped[str | None] = mapped_column(String(20), default=None)
    other_children: Mapped[str] = mapped_column(Text, default="")
    circumstances: Mapped[str] = mapped_column(Text, default="")
    immediate_actions: Mapped[str] = mapped_column(Text, default="")
    sent_on: Mapped[date | None] = mapped_column(Date, default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RapidReview(Base):
    """The rapid review of a serious incident (WT2023), one per review: what it found, the day it was
    sent to the national panel (`sent_on`, which meets the 15-working-day clock) and the panel's
    response, which the safeguarding partners wait for before they decide."""

    __tablename__ = "rapid_reviews"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    facts: Mapped[str] = mapped_column(Text, default="")
    immediate_action: Mapped[str] = mapped_column(Text, default="")
    agencies_involvement: Mapped[str] = mapped_column(Text, default="")
    learning: Mapped[str] = mapped_column(Text, default="")
    lcspr_criteria_met: Mapped[str | None] = mapped_column(String(20), default=None)
    lcspr_reasons: Mapped[str] = mapped_column(Text, default="")
    national_review: Mapped[str | None] = mapped_column(String(20), default=None)
    national_review_reasons: Mapped[str] = mapped_column(Text, default="")
    sent_on: Mapped[date | None] = mapped_column(Date, default=None)
    panel_response: Mapped[str | None] = mapped_column(String(20), default=None)
    panel_response_reasons: Mapped[str] = mapped_column(Text, default="")
    panel_response_on: Mapped[date | None] = mapped_column(Date, default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

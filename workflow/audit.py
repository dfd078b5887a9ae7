"""The append-only, hash-chained audit log of a review."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import AuditEntry, Review, utcnow
from workflow.notifications import outbox
from workflow.principal import via_of

GENESIS = "0" * 64


def digest(body: dict[str, Any]) -> str:
    """The SHA-256 of a row's canonical JSON (sorted keys, no spaces): what a chain's hashes are of."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(
    *,
    review_id: int,
    seq: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    from_state: str | None,
    to_state: str | None,
    reason: str | None,
    params: dict[str, Any],
    prev_hash: str,
    via: str | None = None,
) -> str:
    """The hash of one row. `via` is hashed only when set, so rows written before it existed (and
    every row of a person signed in to the app) keep the hash they were written with."""
    body: dict[str, Any] = {
        "review_id": review_id,
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason,
        "params": params,
        "prev_hash": prev_hash,
    }
    if via is not None:
        body["via"] = via
    return digest(body)


def _hash_of(entry: AuditEntry) -> str:
    return entry_hash(
        review_id=entry.review_id,
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        from_state=entry.from_state,
        to_state=entry.to_state,
        reason=entry.reason,
        params=entry.params,
        prev_hash=entry.prev_hash,
        via=entry.via,
    )


def append(
    session: Session,
    review: Review,
    *,
    actor_id: int | None,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    params: dict[str, Any] | None = None,
    changes_review: bool = True,
) -> AuditEntry:
    """Append one row to `review`'s log in the caller's transaction.

    For a change, the review row is updated first (its version goes up), so that of two concurrent
    writers the second is refused by the version check before it can read a stale end of the chain.
    A read that is audited (`changes_review=False`, e.g. opening the sealed register) leaves the
    version alone, so it never makes someone else's open form stale; it locks the review's row
    instead, so two appends still cannot take the same place in the chain. The row names the
    session's operator (`workflow.principal`), if any, in `via`. The row is also the event the
    notifications are made of: the emails it causes are queued here, in the same transaction.
    """
    if changes_review:
        review.updated_at = utcnow()
        session.flush()
    else:
        session.execute(select(Review.id).where(Review.id == review.id).with_for_update())
    seq, prev_hash = head(session, review.id)
    clean_params = json.loads(json.dumps(params or {}, default=str))
    at = utcnow()
    via = via_of(session)
    entry = AuditEntry(
        review_id=review.id,
        seq=seq,
        at=at,
        actor_id=actor_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        params=clean_params,
        via=via,
        prev_hash=prev_hash,
        hash=entry_hash(
            review_id=review.id,
            seq=seq,
            at=at,
            actor_id=actor_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            params=clean_params,
            prev_hash=prev_hash,
            via=via,
        ),
    )
    session.add(entry)
    session.flush()
    outbox.record(session, review, entry)
    return entry


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    entries: int
    broken_at: int | None = None
    problem: str | None = None

    def __str__(self) -> str:
        if self.intact:
            return f"intact ({self.entries} entries)"
        return f"broken at entry {self.broken_at}: {self.problem}"


class Chained(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


E = TypeVar("E", bound=Chained)


def verify_chain(entries: Iterable[E], hash_of: Callable[[E], str]) -> ChainReport:
    """Walk a chain in order; report the first row whose link or hash does not hold."""
    prev_hash = GENESIS
    count = 0
    for expected_seq, entry in enumerate(entries, start=1):
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(False, count, entry.seq, f"expected entry {expected_seq} here")
        if entry.prev_hash != prev_hash:
            return ChainReport(False, count, entry.seq, "it does not link to the entry before it")
        if hash_of(entry) != entry.hash:
            return ChainReport(False, count, entry.seq, "its contents do not match its hash")
        prev_hash = entry.hash
    return ChainReport(True, count)


def verify_entries(entries: Iterable[AuditEntry]) -> ChainReport:
    return verify_chain(entries, _hash_of)


def head(session: Session, review_id: int) -> tuple[int, str]:
    """Where the next row of the chain goes: its `seq` and the hash it links to (the last row's)."""
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash)
        .where(AuditEntry.review_id == review_id)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    return (1, GENESIS) if last is None else (last.seq + 1, last.hash)


@dataclass(frozen=True)
class Anchor:
    """One audit row that starts or meets a clock, as the clocks need it."""

    review_id: int
    action: str
    at: datetime
    params: dict[str, Any]


def anchors_of(
    session: Session, review_ids: Iterable[int], actions: Iterable[str]
) -> dict[int, list[Anchor]]:
    """The rows of these actions in the logs of these reviews, oldest first, in one query (a review's
    clocks need only these, never its whole log)."""
    wanted = list(dict.fromkeys(review_ids))
    found: dict[int, list[Anchor]] = {review_id: [] for review_id in wanted}
    if not wanted:
        return found
    rows = session.execute(
        select(AuditEntry.review_id, AuditEntry.action, AuditEntry.at, AuditEntry.params)
        .where(AuditEntry.review_id.in_(wanted), AuditEntry.action.in_(list(actions)))
        .order_by(AuditEntry.review_id, AuditEntry.seq)
    )
    for row in rows:
        found[row.review_id].append(Anchor(row.review_id, row.action, row.at, row.params))
    return found


def entries_of(session: Session, review_id: int) -> Sequence[AuditEntry]:
    return session.scalars(
        select(AuditEntry).where(AuditEntry.review_id == review_id).order_by(AuditEntry.seq)
    ).all()


def verify(session: Session, review_id: int) -> ChainReport:
    return verify_entries(entries_of(session, review_id))

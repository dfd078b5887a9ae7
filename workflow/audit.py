"""The append-only, hash-chained audit log of a review."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from workflow.errors import StaleReview
from workflow.models import GENESIS as GENESIS  # where every chain starts (re-exported)
from workflow.models import AuditEntry, Review, utcnow
from workflow.notifications import outbox
from workflow.principal import via_of


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
    """Append one row to `review`'s log in the caller's transaction, and move the chain's anchor on
    the review's row (`audit_count`, `audit_head`) to it in the same transaction.

    For a change, the review row is updated first (its version goes up), so that of two concurrent
    writers the second is refused by the version check before it can read a stale end of the chain;
    that UPDATE returns the anchor as it stands under the row's lock, so it is not read again.
    A read that is audited (`changes_review=False`, e.g. opening the sealed register) leaves the
    version alone, so it never makes someone else's open form stale; it locks the review's row
    instead, so two appends still cannot take the same place in the chain. Where the row goes is read
    from the anchor, never from the rows: after rows were removed the next one still follows the last
    one written, so the gap stays visible. The row names the session's operator
    (`workflow.principal`), if any, in `via`. The row is also the event the notifications are made
    of: the emails it causes are queued here, in the same transaction.
    """
    if changes_review:
        review.updated_at = utcnow()
        session.flush()  # the UPDATE locks the row and returns its anchor (workflow.models.Review)
        count, prev_hash = review.audit_count, review.audit_head
    else:
        count, prev_hash = anchor(session, review.id, lock=True)
    seq = count + 1
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
    _move_anchor(session, review, count, entry)
    outbox.record(session, review, entry)
    return entry


def anchor(session: Session, review_id: int, *, lock: bool = False) -> tuple[int, str]:
    """How many rows the review's chain has and the newest one's hash, as the review's row records."""
    query = select(Review.audit_count, Review.audit_head).where(Review.id == review_id)
    row = session.execute(query.with_for_update() if lock else query).one()
    return row.audit_count, row.audit_head


def _move_anchor(session: Session, review: Review, count: int, entry: AuditEntry) -> None:
    """The anchor to `entry`, if it still stands where this append found it. A statement of its own,
    not the review's mapped row, so the version is not raised again (for an audited read, not at all)."""
    table = cast(Table, Review.__table__)
    moved = session.execute(
        update(table)
        .where(table.c.id == review.id, table.c.audit_count == count)
        .values(audit_count=entry.seq, audit_head=entry.hash)
    )
    if getattr(moved, "rowcount", 1) != 1:  # pragma: no cover - the row lock makes this impossible
        raise StaleReview(None, None)
    set_committed_value(review, "audit_count", entry.seq)
    set_committed_value(review, "audit_head", entry.hash)


@dataclass(frozen=True)
class ChainReport:
    """What a walk of a hash chain found: `entries` rows present, `recorded` the number its anchor
    records (None for a chain without one), every problem in words, and `broken_at` the first entry
    concerned."""

    intact: bool
    entries: int
    recorded: int | None = None
    problems: tuple[str, ...] = ()
    broken_at: int | None = None

    @property
    def problem(self) -> str | None:
        return self.problems[0] if self.problems else None

    def __str__(self) -> str:
        if self.intact:
            return f"intact ({_entries(self.entries)})"
        return "not intact: " + "; ".join(self.problems)


class Chained(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


E = TypeVar("E", bound=Chained)

# A log tampered with throughout would have a problem per row; the first few say enough.
MAX_PROBLEMS = 10


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def _span(first: int, last: int, verb: str = "are") -> str:
    singular = {"are": "is", "were": "was"}[verb]
    return f"entry #{first} {singular}" if first == last else f"entries #{first}-#{last} {verb}"


def verify_chain(
    entries: Iterable[E],
    hash_of: Callable[[E], str],
    anchor: tuple[int, str] | None = None,
    *,
    keeper: str = "the review",
) -> ChainReport:
    """Walk a chain in order: each row must follow the one before it (no number skipped), link to its
    hash and match its own; then the last row must be the one the anchor (count, newest hash; kept by
    `keeper`) records. Every problem is found; the first `MAX_PROBLEMS` are said in words."""
    problems: list[tuple[int, str]] = []
    last_seq, last_hash, present = 0, GENESIS, 0
    for entry in entries:
        present += 1
        if entry.seq > last_seq + 1:
            after = (
                f"#{last_seq} is followed by #{entry.seq}" if last_seq else f"the log starts at #{entry.seq}"
            )
            problems.append((last_seq + 1, f"{_span(last_seq + 1, entry.seq - 1)} missing ({after})"))
        elif entry.prev_hash != last_hash:
            before = f"entry #{last_seq} before it" if last_seq else "the start of the chain"
            problems.append((entry.seq, f"entry #{entry.seq} does not link to {before}"))
        if hash_of(entry) != entry.hash:
            problems.append(
                (entry.seq, f"entry #{entry.seq} was changed: its contents do not match its hash")
            )
        last_seq, last_hash = entry.seq, entry.hash
    recorded = None
    if anchor is not None:
        recorded, head = anchor
        problems.extend(_against_anchor(last_seq, last_hash, present, recorded, head, keeper))
    if not problems:
        return ChainReport(True, present, recorded)
    words = [problem for _, problem in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        words.append(f"and {len(problems) - MAX_PROBLEMS} more problems")
    return ChainReport(False, present, recorded, tuple(words), problems[0][0])


def _against_anchor(
    last_seq: int, last_hash: str, present: int, recorded: int, head: str, keeper: str
) -> list[tuple[int, str]]:
    """The end of the chain against what its keeper records: rows removed from the end (which the
    walk alone cannot see), rows added beside the writer, or a newest row that is not the one written."""
    records = f"{keeper} records {recorded}"
    if last_seq < recorded:
        missing = _entries(recorded - last_seq)
        if not present:
            return [(1, f"{missing} missing: {records}, none are present")]
        return [(last_seq + 1, f"{missing} missing after #{last_seq}: {records}, {present} are present")]
    if last_seq > recorded:
        return [
            (recorded + 1, f"{_span(recorded + 1, last_seq, 'were')} not written by Tunnelview: {records}")
        ]
    if last_hash != head:
        return [(recorded, f"entry #{recorded} is not the one {keeper} recorded: its hash differs")]
    return []


def verify_entries(entries: Iterable[AuditEntry], anchor: tuple[int, str] | None = None) -> ChainReport:
    return verify_chain(entries, _hash_of, anchor)


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
    """The review's chain, row by row and against the anchor on the review's row."""
    return verify_entries(entries_of(session, review_id), anchor(session, review_id))

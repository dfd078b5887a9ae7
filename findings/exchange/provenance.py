"""The provenance of an imported review: what its file said about its past elsewhere (its standing
there, its audit log, its frozen publication), written once at the import, apart from this system's
record, and its verification.

The review's own log begins with the `imported` row, which names the file's SHA-256 and the digests of
the log and the publication as they were received. That row is in the review's anchored chain, so
verifying the provenance checks it against a record that cannot be changed unnoticed: each row of the
foreign log against the exporting system's hashes (when the file carried them), the whole log against
its digest, each document against its SHA-256 and size, and the documents against the publication's
digest.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from findings.exchange.document import IMPORTED, ReviewExport
from findings.exchange.models import ImportedAuditEntry, ImportedDocument, ImportedProvenance
from workflow import audit
from workflow.models import AuditEntry, utcnow
from workflow.service import CARRIED_ACTIONS, CARRIED_CLOCK_ROWS, clock_rows_of


def record(
    session: Session,
    review_id: int,
    doc: ReviewExport,
    people: Mapping[str, int],
    *,
    actor: int,
    file_sha256: str,
) -> ImportedProvenance:
    """Keep what the file said about the review's past, in the caller's transaction."""
    r, pub = doc.review, doc.publication
    provenance = ImportedProvenance(
        review_id=review_id,
        imported_at=utcnow(),
        imported_by=actor,
        file_sha256=file_sha256,
        format_version=doc.version,
        exported_at=doc.exported_at.replace(tzinfo=None),
        source_review_id=doc.source.review_id,
        state=r.state.value,
        paused_from=r.paused_from.value if r.paused_from else None,
        route=r.route.value if r.route else None,
        decision_rationale=r.decision_rationale,
        departure_rationale=r.departure_rationale,
        history_count=len(doc.history),
        history_hashed=bool(doc.history) and all(row.hash is not None for row in doc.history),
        history_digest="",
        publication_variant=pub.variant if pub else None,
        publication_digest=pub.digest if pub else None,
        published_at=pub.published_at.replace(tzinfo=None) if pub else None,
        published_by=people[pub.published_by] if pub and pub.published_by else None,
    )
    prev_hash = audit.GENESIS
    for position, row in enumerate(doc.history, start=1):
        provenance.history.append(
            ImportedAuditEntry(
                seq=row.seq or position,
                at=row.at.replace(tzinfo=None),
                actor_id=people[row.actor] if row.actor else None,
                source_actor_id=row.actor_id,
                action=row.action,
                from_state=row.from_state,
                to_state=row.to_state,
                reason=row.reason,
                params=dict(row.params),
                via=row.via,
                prev_hash=prev_hash if row.hash else None,
                hash=row.hash,
            )
        )
        prev_hash = row.hash or prev_hash
    for d in pub.documents if pub else ():
        provenance.documents.append(
            ImportedDocument(
                kind=d.kind,
                format=d.format,
                media_type=d.media_type,
                content=base64.b64decode(d.content),
                size=d.size,
                sha256=d.sha256,
            )
        )
    provenance.history_head = doc.history[-1].hash if doc.history else None
    provenance.history_digest = history_digest(provenance.history)
    session.add(provenance)
    session.flush()
    return provenance


def imported_params(provenance: ImportedProvenance) -> dict[str, Any]:
    """What the review's own `imported` row records of the file and of what was kept from it: the
    file, the standing it gave the review there, the log and the publication as received, and one
    digest over every field kept."""
    return {
        "from_review_id": provenance.source_review_id,
        "exported_at": provenance.exported_at.isoformat(),
        "format_version": provenance.format_version,
        "sha256": provenance.file_sha256,
        "state_there": provenance.state,
        "history": {
            "entries": provenance.history_count,
            "head": provenance.history_head,
            "digest": provenance.history_digest,
        },
        "publication": {"digest": provenance.publication_digest, "documents": len(provenance.documents)}
        if provenance.publication_digest
        else None,
        "provenance_digest": _record_digest(provenance),
        CARRIED_CLOCK_ROWS: carried_clock_rows(provenance.history),
    }


def carried_clock_rows(history: Sequence[ImportedAuditEntry]) -> list[dict[str, Any]]:
    """The rows of the imported log that meet the incident's clocks (the notification, the rapid
    review; and those an `imported` row of it carried), for the review's own `imported` row."""
    return [
        {"action": a.action, "at": a.at.isoformat(), "params": a.params}
        for row in history
        for a in clock_rows_of(audit.Anchor(0, row.action, row.at, dict(row.params)), only=CARRIED_ACTIONS)
    ]


def _record_digest(p: ImportedProvenance) -> str:
    return audit.digest(
        {
            "review_id": p.review_id,
            "imported_by": p.imported_by,
            "file_sha256": p.file_sha256,
            "format_version": p.format_version,
            "exported_at": p.exported_at.isoformat(timespec="microseconds"),
            "source_review_id": p.source_review_id,
            "state": p.state,
            "paused_from": p.paused_from,
            "route": p.route,
            "decision_rationale": p.decision_rationale,
            "departure_rationale": p.departure_rationale,
            "history_count": p.history_count,
            "history_hashed": p.history_hashed,
            "history_head": p.history_head,
            "history_digest": p.history_digest,
            "publication_variant": p.publication_variant,
            "publication_digest": p.publication_digest,
            "published_at": p.published_at.isoformat(timespec="microseconds") if p.published_at else None,
            "published_by": p.published_by,
            "documents": [(d.kind, d.format, d.media_type, d.size, d.sha256) for d in p.documents],
        }
    )


def history_digest(rows: Sequence[ImportedAuditEntry]) -> str:
    """The SHA-256 of the foreign log as kept: every field of every row, in order."""
    return audit.digest(
        {
            "rows": [
                {
                    "seq": row.seq,
                    "at": row.at.isoformat(timespec="microseconds"),
                    "actor_id": row.actor_id,
                    "source_actor_id": row.source_actor_id,
                    "action": row.action,
                    "from_state": row.from_state,
                    "to_state": row.to_state,
                    "reason": row.reason,
                    "params": row.params,
                    "via": row.via,
                    "prev_hash": row.prev_hash,
                    "hash": row.hash,
                }
                for row in rows
            ]
        }
    )


def documents_digest(documents: Sequence[ImportedDocument]) -> str:
    """The publication's digest over its documents (as `findings.publication.freeze.digest_of`)."""
    lines = sorted(f"{d.kind}.{d.format} {d.sha256}" for d in documents)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# ---- reading and verifying -----------------------------------------------------------------------


def provenance_of(session: Session, review_id: int) -> ImportedProvenance | None:
    return session.scalars(
        select(ImportedProvenance)
        .where(ImportedProvenance.review_id == review_id)
        .options(selectinload(ImportedProvenance.history), selectinload(ImportedProvenance.documents))
    ).first()


@dataclass(frozen=True)
class ProvenanceReport:
    """The check of an imported review's provenance: intact, or every problem in words."""

    intact: bool
    source_review_id: int
    state_there: str
    entries: int
    recorded: int
    hashed: bool
    documents: int
    problems: tuple[str, ...] = ()

    def __str__(self) -> str:
        kept = f"review {self.source_review_id}'s log ({self.entries} entries"
        kept += ", each verified against its own hash)" if self.hashed else ", which carried no hashes)"
        if self.documents:
            kept += f" and its {self.documents} frozen documents"
        if self.intact:
            return f"provenance intact: {kept}"
        return "provenance not intact: " + "; ".join(self.problems)


@dataclass(frozen=True)
class _Link:
    """A foreign row as the chain walk sees it, and its hash as the exporting system computed it."""

    seq: int
    prev_hash: str
    hash: str
    computed: str


def _links(provenance: ImportedProvenance) -> list[_Link]:
    links = []
    for row in provenance.history:
        computed = audit.entry_hash(
            review_id=provenance.source_review_id,
            seq=row.seq,
            at=row.at,
            actor_id=row.source_actor_id,
            action=row.action,
            from_state=row.from_state,
            to_state=row.to_state,
            reason=row.reason,
            params=row.params,
            prev_hash=row.prev_hash or "",
            via=row.via,
        )
        links.append(_Link(row.seq, row.prev_hash or "", row.hash or "", computed))
    return links


def _as_recorded(expected: dict[str, Any], recorded: dict[str, Any]) -> dict[str, Any]:
    """`expected` as an import of its time recorded it: imports before the clock rows were carried
    did not record them."""
    if CARRIED_CLOCK_ROWS not in recorded:
        expected.pop(CARRIED_CLOCK_ROWS, None)
    return expected


def verify(session: Session, review_id: int) -> ProvenanceReport | None:
    """Check the provenance of an imported review; None for a review that was not imported."""
    provenance = provenance_of(session, review_id)
    if provenance is None:
        return None
    problems: list[str] = []
    first = session.scalars(
        select(AuditEntry).where(AuditEntry.review_id == review_id).order_by(AuditEntry.seq).limit(1)
    ).first()
    if first is None or first.action != IMPORTED:
        problems.append("the review's own log does not begin with its `imported` entry")
    elif first.params != _as_recorded(imported_params(provenance), first.params):
        problems.append("the provenance is not what the review's `imported` entry recorded of the file")
    rows = provenance.history
    if provenance.history_hashed:
        chain = audit.verify_chain(
            _links(provenance),
            lambda link: link.computed,
            (provenance.history_count, provenance.history_head or audit.GENESIS),
            keeper="the import",
        )
        problems.extend(f"imported log: {problem}" for problem in chain.problems)
    elif len(rows) != provenance.history_count:
        problems.append(
            f"imported log: {provenance.history_count} entries were kept, {len(rows)} are present"
        )
    if history_digest(rows) != provenance.history_digest:
        problems.append(
            "imported log: the entries are not the ones kept at the import (their digest differs)"
        )
    for d in provenance.documents:
        content = bytes(d.content)
        if hashlib.sha256(content).hexdigest() != d.sha256 or len(content) != d.size:
            problems.append(f"imported document {d.kind}.{d.format} does not match its SHA-256 or size")
    if (
        provenance.publication_digest
        and documents_digest(provenance.documents) != provenance.publication_digest
    ):
        problems.append("the imported documents do not match the publication's digest")
    return ProvenanceReport(
        intact=not problems,
        source_review_id=provenance.source_review_id,
        state_there=provenance.state,
        entries=len(rows),
        recorded=provenance.history_count,
        hashed=provenance.history_hashed,
        documents=len(provenance.documents),
        problems=tuple(problems),
    )

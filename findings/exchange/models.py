"""The tables of provenance: what an imported review's file said about its past elsewhere, kept apart
from this system's own record. Its log there (`ImportedAuditEntry`, with the exporting system's hashes
when the file carried them) is never a row of this review's audit log, and its frozen documents
(`ImportedDocument`) are never this review's publication: only the `publish` trigger publishes here.
Written once, at the import (`findings.exchange.provenance`), and never changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from workflow.models import Base, User


class ImportedProvenance(Base):
    """Where an imported review came from: the file (its SHA-256, the format, when and from which
    review it was exported), the review's standing there as the file said, and the digest of its log
    and publication as received, which the review's own `imported` audit row records as well."""

    __tablename__ = "imported_provenance"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), unique=True, index=True
    )
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    format_version: Mapped[int] = mapped_column(Integer)
    exported_at: Mapped[datetime] = mapped_column(DateTime)
    source_review_id: Mapped[int] = mapped_column(Integer)
    # the review as the file said it stood there (never this review's state)
    state: Mapped[str] = mapped_column(String(30))
    paused_from: Mapped[str | None] = mapped_column(String(30), default=None)
    route: Mapped[str | None] = mapped_column(String(20), default=None)
    decision_rationale: Mapped[str | None] = mapped_column(Text, default=None)
    departure_rationale: Mapped[str | None] = mapped_column(Text, default=None)
    history_count: Mapped[int] = mapped_column(Integer)
    history_hashed: Mapped[bool] = mapped_column(default=False)  # the file carried the exporter's hashes
    history_head: Mapped[str | None] = mapped_column(String(64), default=None)  # its newest row's hash
    history_digest: Mapped[str] = mapped_column(String(64))
    # its publication there, if the file carried one
    publication_variant: Mapped[str | None] = mapped_column(String(30), default=None)
    publication_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)

    history: Mapped[list[ImportedAuditEntry]] = relationship(
        back_populates="provenance", cascade="all, delete-orphan", order_by="ImportedAuditEntry.seq"
    )
    documents: Mapped[list[ImportedDocument]] = relationship(
        back_populates="provenance", cascade="all, delete-orphan", order_by="ImportedDocument.id"
    )


class ImportedAuditEntry(Base):
    """One row of the log the file carried, as it was there: its number, the exporting system's id of
    the actor and its hash (None in files older than the hashes), and the person here it names."""

    __tablename__ = "imported_audit_entries"
    __table_args__ = (UniqueConstraint("provenance_id", "seq", name="uq_imported_audit_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provenance_id: Mapped[int] = mapped_column(
        ForeignKey("imported_provenance.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    source_actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    action: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(30), default=None)
    to_state: Mapped[str | None] = mapped_column(String(30), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    via: Mapped[str | None] = mapped_column(String(300), default=None)
    prev_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    hash: Mapped[str | None] = mapped_column(String(64), default=None)

    provenance: Mapped[ImportedProvenance] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship(lazy="joined")


class ImportedDocument(Base):
    """One frozen document of the publication the file carried, with its bytes and SHA-256."""

    __tablename__ = "imported_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    provenance_id: Mapped[int] = mapped_column(
        ForeignKey("imported_provenance.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10))
    media_type: Mapped[str] = mapped_column(String(60))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))

    provenance: Mapped[ImportedProvenance] = relationship(back_populates="documents")


class ProvenanceIsFixed(RuntimeError):
    """Raised when code tries to change or delete provenance once it is written."""


_PROVENANCE = (ImportedProvenance, ImportedAuditEntry, ImportedDocument)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_provenance(session: Session, _context: Any, _instances: Any) -> None:
    """Provenance is written once, by the import. Changing or deleting it through the ORM is refused
    (the review's deletion still cascades in the database)."""
    for obj in session.dirty:
        if isinstance(obj, _PROVENANCE) and session.is_modified(obj):
            raise ProvenanceIsFixed("The provenance of an imported review cannot be changed.")
    for obj in session.deleted:
        if isinstance(obj, _PROVENANCE):
            raise ProvenanceIsFixed("The provenance of an imported review cannot be deleted.")

"""The tables of publication: frozen published reports (the exact bytes that were published, with their
SHA-256, never changed), the sealed identity register (real identifiers are stored only inside `sealed`,
a Fernet token, so the database alone never reveals a real name), and the words of a review that exist
only for its reports (the case summary, a methodology note, the board's overall response, the
partnership's name as the documents show it, and the practitioner briefing as the coordinator writes
it, section by section; a section not written is derived from the analysis, see
`findings.publication.briefings`)."""

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

from workflow.models import Base, utcnow


class PublishedReport(Base):
    """What a review published: the full report, or the summary of improvements when publication of
    the report was declined. One per review."""

    __tablename__ = "published_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), unique=True, index=True
    )
    variant: Mapped[str] = mapped_column(String(30))  # full | summary
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 over the documents' names and hashes
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)

    documents: Mapped[list[PublishedDocument]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="PublishedDocument.id"
    )


class PublishedDocument(Base):
    """One frozen file of a publication (e.g. the report as PDF, the practitioner briefing as HTML)."""

    __tablename__ = "published_documents"
    __table_args__ = (UniqueConstraint("report_id", "kind", "format", name="uq_published_document"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("published_reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # full | summary | practitioner
    format: Mapped[str] = mapped_column(String(10))  # html | md | pdf
    media_type: Mapped[str] = mapped_column(String(60))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))

    report: Mapped[PublishedReport] = relationship(back_populates="documents")


class FrozenPublication(RuntimeError):
    """Raised when code tries to change a publication after it was frozen."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_publications(session: Session, _context: Any, _instances: Any) -> None:
    """A publication is written once. Changing or deleting its rows through the ORM is refused (the
    review's deletion still cascades in the database)."""
    for obj in session.dirty:
        if isinstance(obj, PublishedReport | PublishedDocument) and session.is_modified(obj):
            raise FrozenPublication("A published report cannot be changed once it is published.")
    for obj in session.deleted:
        if isinstance(obj, PublishedReport | PublishedDocument):
            raise FrozenPublication("A published report cannot be deleted.")


class RegisterEntry(Base):
    """One sealed identifier of a review. `kind` is in clear (it says "a sibling", never who); the real
    value, its pseudonym, its variants and the note are sealed together."""

    __tablename__ = "register_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)


class ReportTexts(Base):
    __tablename__ = "report_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), unique=True, index=True
    )
    partnership: Mapped[str] = mapped_column(String(200), default="")
    case_summary: Mapped[str] = mapped_column(Text, default="")
    methodology_note: Mapped[str] = mapped_column(Text, default="")
    board_response: Mapped[str] = mapped_column(Text, default="")
    # section key (background, key_issues, positive_factors, lessons_learned) ->
    # {"heading": str, "intro": [str], "items": [str | {"text": str, "children": [str]}], "outro": [str]}
    briefing: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}

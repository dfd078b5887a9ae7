"""The tables of the learning repository: one row per searchable thing (`SearchEntry`: a finding, a
question for the board, a board response, an episode, a factor, a published report, a review published
elsewhere), and the catalogue of reviews published elsewhere (`ExternalReview`).

The rows of `search_entries` are written by `findings.learning.index` alone, in the transaction of
the change they follow. The full-text index over them belongs to the database engine and is built by
the migration (`0013_learning_search`): on SQLite an FTS5 table (`search_fts`, external content,
kept in step by triggers on `search_entries`), on PostgreSQL a stored generated `tsvector` column
(`search_entries.document`) with a GIN index. Neither is an ORM object, so they are named in
`ENGINE_OWNED` for the models-versus-migrations check to leave alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.models import Base, utcnow

# What the database builds itself for full-text search (tables, columns, indexes): not mapped.
ENGINE_OWNED = frozenset(
    {
        "search_fts",
        "search_fts_data",
        "search_fts_idx",
        "search_fts_content",
        "search_fts_docsize",
        "search_fts_config",
        "search_entries.document",
        "ix_search_entries_document",
        "ix_search_entries_public_document",
    }
)
Base.metadata.info.setdefault("engine_owned", set()).update(ENGINE_OWNED)

ENTRY_KINDS = ("finding", "question", "board_response", "episode", "factor", "report", "external")


class ExternalReview(Base):
    """A review published elsewhere (another partnership's, the national panel's), from a catalogue:
    what it is called, whose it is, its year and themes, what it teaches, and where to read it."""

    __tablename__ = "external_reviews"
    __table_args__ = (UniqueConstraint("link", name="uq_external_reviews_link"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    partnership: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    learning_summary: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(1000))
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)


class SearchEntry(Base):
    """One searchable thing, with what the filters look at copied from it and its review (so a search
    is one query over one table). `finding_id` names the finding a finding, question or board response
    belongs to. Either `review_id` or `external_review_id` is set. `public`: everyone signed in but an
    admin may see it (its review published its report, or it was published elsewhere), so that part
    of a search is one index of its own on PostgreSQL."""

    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "source_id", name="uq_search_entries_kind_source_id"),
        Index("ix_search_entries_year", "year"),
        Index("ix_search_entries_public_year", "public", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(Integer)
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), default=None, index=True
    )
    external_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("external_reviews.id", ondelete="CASCADE"), default=None, index=True
    )
    finding_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    title: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    finding_category: Mapped[str | None] = mapped_column(String(60), default=None, index=True)
    factor_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    regime: Mapped[str | None] = mapped_column(String(20), default=None)
    route: Mapped[str | None] = mapped_column(String(20), default=None)
    year: Mapped[int | None] = mapped_column(Integer, default=None)
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

"""The tables of the learning repository: one row per searchable thing (`SearchEntry`: a finding, a
question for the board, a board response, an episode, a factor, a published report, a review published
elsewhere), what the trends count in each review (`TrendCount`), and the catalogue of reviews
published elsewhere (`ExternalReview`).

The rows of `search_entries` and `trend_counts` are written by `findings.learning.index` alone, in
the transaction of the change they follow. The full-text index over the entries belongs to the
database engine and is built by the migration (`0013_learning_search`): on SQLite an FTS5 table
(`search_fts`, external content, kept in step by triggers on `search_entries`), on PostgreSQL a
stored generated `tsvector` column (`search_entries.document`) with a GIN index. Neither is an ORM
object, so they are named in `ENGINE_OWNED` for the models-versus-migrations check to leave alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
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


TREND_KINDS = ("review", "finding", "theme", "factor")


class _Counted:
    """What a count is of, and where: `kind`, its heading (`category`, `theme`, `factor`; "" where
    it has none), the review's year, regime and route."""

    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(60))
    theme: Mapped[str] = mapped_column(String)
    factor: Mapped[str] = mapped_column(String)
    year: Mapped[int] = mapped_column(Integer)
    regime: Mapped[str] = mapped_column(String(20))
    route: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer)


class TrendCount(_Counted, Base):
    """How many of a review's findings (or factors) the trends count under one heading
    (`findings.learning.counts`), so the trends add up small rows instead of reading every finding:

    - kind "review": 1, for a review with a finding or a factor;
    - kind "finding": its findings of `category` ("": no category yet);
    - kind "theme": its findings of `category` that carry `theme`, their own or the review's, each
      finding once under a theme;
    - kind "factor": its factors coded `factor` ("framework/level/category").

    The year, the regime and the route are the review's, and `public` says it published its report
    (everyone signed in but an admin may see it), copied like the search entries' and kept in step."""

    __tablename__ = "trend_counts"
    __table_args__ = (PrimaryKeyConstraint("review_id", "kind", "category", "theme", "factor"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class TrendTotal(_Counted, Base):
    """The counts of every review that published its report, added up by year, regime and route: what
    everyone signed in (but an admin) may count, so the trends read a few thousand rows at national
    scale, not one set per published review. A heading whose reviews all went keeps a count of 0."""

    __tablename__ = "trend_totals"
    __table_args__ = (PrimaryKeyConstraint("year", "regime", "route", "kind", "category", "theme", "factor"),)

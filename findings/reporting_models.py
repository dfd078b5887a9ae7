"""The words of a review that exist only for its reports: the short anonymised case summary, a
methodology note, the board's overall response, the partnership's name as the documents show it, and
the practitioner briefing as the coordinator writes it (section by section; a section not written is
derived from the analysis, see `findings.reporting`). One row per review, versioned like every object
a person edits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.models import Base, utcnow


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

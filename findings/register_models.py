"""The sealed identity register's table. Real identifiers are stored only inside `sealed` (a Fernet token);
the database alone never reveals a real name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.models import Base, utcnow


class RegisterEntry(Base):
    """One sealed identifier of a review. `kind` is in clear (it says "a sibling", never who); the real
    value, its pseudonym, its variants and the note are sealed together."""

    __tablename__ = "register_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

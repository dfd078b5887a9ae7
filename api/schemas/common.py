"""Field types shared by the schemas: text that can be stored anywhere, bounded dates and ids."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from workflow.commands import (
    MAX_ID,
    Agency,
    AnyDate,
    ClockDate,
    Email,
    Id,
    Key,
    Name,
    Password,
    Pseudonym,
    Reason,
    Title,
)

__all__ = [
    "MAX_ID",
    "Agency",
    "AnyDate",
    "Body",
    "ClockDate",
    "Email",
    "Id",
    "Key",
    "Name",
    "Password",
    "Pseudonym",
    "Reason",
    "Title",
    "UtcDateTime",
]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# The database keeps naive UTC; answers say so (RFC 3339 needs the offset).
UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


class Body(BaseModel):
    """Request bodies: unknown fields are refused (422), so a typo is never silently ignored."""

    model_config = ConfigDict(extra="forbid")

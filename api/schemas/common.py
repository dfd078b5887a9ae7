"""Field types shared by the schemas: text that can be stored anywhere, bounded dates and ids."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def _storable(value: str) -> str:
    """Refuse NUL and other control characters and lone surrogates: PostgreSQL cannot store some of
    them, and none belongs in a review."""
    for char in value:
        if char not in _ALLOWED_CONTROLS and unicodedata.category(char) in {"Cc", "Cs"}:
            raise ValueError("must not contain control characters")
    return value


Name = Annotated[str, StringConstraints(max_length=200), AfterValidator(_storable)]
Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(_storable)]
Pseudonym = Annotated[str, StringConstraints(max_length=100), AfterValidator(_storable)]
Agency = Annotated[str, StringConstraints(max_length=200), AfterValidator(_storable)]
Reason = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_storable)]
Key = Annotated[str, StringConstraints(max_length=100), AfterValidator(_storable)]
Title = Annotated[str, StringConstraints(max_length=300), AfterValidator(_storable)]
Password = Annotated[str, StringConstraints(max_length=1024), AfterValidator(_storable)]

# Dates a clock can count from (working days are counted one by one, so keep them near).
ClockDate = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2100, 12, 31))]
# Any other date (a period under review may reach far back).
AnyDate = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2100, 12, 31))]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# The database keeps naive UTC; answers say so (RFC 3339 needs the offset).
UtcDateTime = Annotated[datetime, AfterValidator(_utc)]

MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Body(BaseModel):
    """Request bodies: unknown fields are refused (422), so a typo is never silently ignored."""

    model_config = ConfigDict(extra="forbid")

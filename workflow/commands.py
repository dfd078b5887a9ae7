"""Typed commands: what a person asks a service to do, validated once.

A command is a Pydantic model. The same class is the JSON body of the API route and what a page builds
from its form (`api.pages.forms`), so input is validated in one place and every error comes back at
once, keyed by field. A command that changes an object lists only what was sent
(`model_fields_set`), so a field left out is left alone.

Checks that need the database (an id belongs to this review, an agency is one of the review's) stay
in the service and raise `InvalidInput` with every field's problem at once.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError

from workflow.errors import InvalidInput

_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def _storable(value: str) -> str:
    """Refuse NUL and other control characters and lone surrogates: PostgreSQL cannot store some of
    them, and none belongs in a review."""
    for char in value:
        if char not in _ALLOWED_CONTROLS and unicodedata.category(char) in {"Cc", "Cs"}:
            raise ValueError("must not contain control characters")
    return value


def _trimmed(value: str) -> str:
    return value.strip()


_TRIM = AfterValidator(_trimmed)


def required(message: str = "This cannot be empty.") -> AfterValidator:
    """Refuse text that is empty once trimmed, with `message` (in the words a page shows)."""

    def check(value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("required", message)
        return value

    return AfterValidator(check)


# Text is trimmed; a password and an email address are taken as typed.
Name = Annotated[str, StringConstraints(max_length=200), AfterValidator(_storable), _TRIM]
Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(_storable)]
Pseudonym = Annotated[str, StringConstraints(max_length=100), AfterValidator(_storable), _TRIM]
Agency = Annotated[str, StringConstraints(max_length=200), AfterValidator(_storable), _TRIM]
Reason = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_storable), _TRIM]
Key = Annotated[str, StringConstraints(max_length=100), AfterValidator(_storable), _TRIM]
Title = Annotated[str, StringConstraints(max_length=300), AfterValidator(_storable), _TRIM]
Password = Annotated[str, StringConstraints(max_length=1024), AfterValidator(_storable)]
# Free text of a review; `Annotated[Text, required("Say what ...")]` for one that must be given.
Text = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_storable), _TRIM]

# Dates a clock can count from (working days are counted one by one, so keep them near).
ClockDate = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2100, 12, 31))]
# Any other date (a period under review may reach far back).
AnyDate = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2100, 12, 31))]

MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_ITEMS = 50
MAX_LINKS = 500


class Command(BaseModel):
    """Unknown fields are refused, so a typo is never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def sent(self) -> dict[str, Any]:
        """The fields the caller sent, by name (for a change that leaves the others alone)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


def field_errors(error: ValidationError) -> dict[str, str]:
    """A validation error as one message per field (the first part of its location)."""
    errors: dict[str, str] = {}
    for item in error.errors():
        location = item.get("loc", ())
        field = str(location[0]) if location else "form"
        message = str(item.get("msg", "Invalid value."))  # never item["input"]: it may be a password
        errors[field] = f"{errors[field]} {message}" if field in errors else message
    return errors


def invalid_input(error: ValidationError) -> InvalidInput:
    return InvalidInput(field_errors(error))

"""The RFC 9457 problem details every error answer carries (see `api.errors`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:tunnelview:problem:trigger-refused",
                    "title": "Refused",
                    "status": 409,
                    "detail": "'convene' was refused: Police has no panel member and no recorded reason "
                    "why not.",
                    "reasons": ["Police has no panel member and no recorded reason why not."],
                },
                {
                    "type": "urn:tunnelview:problem:invalid-input",
                    "title": "Invalid input",
                    "status": 422,
                    "detail": "Some fields need correcting.",
                    "errors": {"incident.outcome": "Say what happened to the child."},
                },
            ]
        }
    )

    type: str = Field(
        description="A stable URI naming the kind of problem, e.g. urn:tunnelview:problem:stale"
    )
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong this time, in words a person understands.")
    reasons: list[str] | None = Field(
        default=None, description="For a refused trigger (409): every unmet condition."
    )
    errors: dict[str, str] | None = Field(
        default=None, description="For invalid input (422): each field and what to fix."
    )

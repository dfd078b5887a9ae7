"""Sign-in and the caller."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workflow.states import ReviewRole


class TokenOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "tv_3q2-7vXc0d9kL1mN4pR8sT6uW2yZ5aB",
                    "token_type": "bearer",
                    "expires_in": 28800,
                }
            ]
        }
    )

    access_token: str = Field(description="Send it as 'Authorization: Bearer <access_token>'.")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class MembershipOut(BaseModel):
    review_id: int
    role: ReviewRole
    agency: str | None


class MeOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "email": "cara.coordinator@partnership.example.org",
                    "name": "Cara Coordinator",
                    "global_role": "coordinator",
                    "memberships": [{"review_id": 1, "role": "coordinator", "agency": None}],
                }
            ]
        }
    )

    id: int
    email: str
    name: str
    global_role: str
    memberships: list[MembershipOut]

"""Sign-in and the caller."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from workflow.states import ReviewRole


class TokenOut(BaseModel):
    access_token: str = Field(description="Send it as 'Authorization: Bearer <access_token>'.")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class MembershipOut(BaseModel):
    review_id: int
    role: ReviewRole
    agency: str | None


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    global_role: str
    memberships: list[MembershipOut]

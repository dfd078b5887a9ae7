"""User accounts (admin only)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from api.schemas.common import Body, Email, Name, Password, UtcDateTime
from workflow.models import User
from workflow.people import GLOBAL_ROLES

GlobalRole = Literal[GLOBAL_ROLES]  # type: ignore[valid-type]


class UserIn(Body):
    email: Email
    name: Name
    role: GlobalRole
    password: Password


class UserPatch(Body):
    active: bool | None = None
    role: GlobalRole | None = None
    name: Name | None = None


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    global_role: GlobalRole
    active: bool
    created_at: UtcDateTime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            global_role=user.global_role,
            active=user.active,
            created_at=user.created_at,
        )


class UserList(BaseModel):
    items: list[UserOut]
    total: int

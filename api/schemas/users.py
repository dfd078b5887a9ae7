"""User accounts (admin only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from api.schemas.common import Body, Email, Name, Password, UtcDateTime
from api.schemas.reviews import ChainOut
from workflow.audit import ChainReport
from workflow.models import AccountAuditEntry, User
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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "email": "cara.coordinator@partnership.example.org",
                    "name": "Cara Coordinator",
                    "global_role": "coordinator",
                    "active": True,
                    "created_at": "2026-11-02T09:15:00Z",
                }
            ]
        }
    )

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


class PasswordReset(Body):
    password: Password


class AccountAuditEntryOut(BaseModel):
    seq: int
    at: UtcDateTime
    actor_id: int | None
    actor_name: str | None
    via: str | None  # the command line (its OS user and account) or single sign-on (its provider)
    action: str
    account_id: int
    account_email: str
    params: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, entry: AccountAuditEntry) -> AccountAuditEntryOut:
        return cls(
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_name=entry.actor.name if entry.actor else None,
            via=entry.via,
            action=entry.action,
            account_id=entry.account_id,
            account_email=entry.account.email,
            params=dict(entry.params),
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )


class AccountAuditList(BaseModel):
    items: list[AccountAuditEntryOut]
    total: int
    chain: ChainOut

    @classmethod
    def of(cls, entries: Sequence[AccountAuditEntry], total: int, report: ChainReport) -> AccountAuditList:
        return cls(
            items=[AccountAuditEntryOut.of(e) for e in entries], total=total, chain=ChainOut.of(report)
        )

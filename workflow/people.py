"""User accounts: reading them, and the rows the accounts service (`workflow.accounts`) writes.
Code that changes an account goes through `AccountService`, which audits the change; `create_user`
here only inserts the row (test worlds use it directly). Passwords arrive already hashed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput, NotFound
from workflow.models import Membership, User

GLOBAL_ROLES = ("admin", "coordinator", "chair", "member")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check(email: str | None, name: str | None, role: str | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if email is not None and not _EMAIL.match(normalise_email(email)):
        errors["email"] = "Enter an email address like name@example.org."
    if name is not None and not name.strip():
        errors["name"] = "Enter the person's name."
    if role is not None and role not in GLOBAL_ROLES:
        errors["role"] = "Role must be one of: " + ", ".join(GLOBAL_ROLES) + "."
    return errors


def create_user(session: Session, *, email: str, name: str, role: str, password_hash: str | None) -> User:
    errors = check(email, name, role)
    if not errors and find_by_email(session, email) is not None:
        errors["email"] = f"A user with the email address '{normalise_email(email)}' already exists."
    if errors:
        raise InvalidInput(errors)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        global_role=role,
        active=True,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    return user


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} was not found.")
    return user


def list_users(session: Session, *, limit: int = 50, offset: int = 0) -> tuple[Sequence[User], int]:
    total = session.scalar(select(func.count()).select_from(User)) or 0
    users = session.scalars(select(User).order_by(User.id).limit(limit).offset(offset)).all()
    return users, total


def memberships_of(session: Session, user_id: int) -> Sequence[Membership]:
    """The user's review memberships, oldest review first."""
    return session.scalars(
        select(Membership).where(Membership.user_id == user_id).order_by(Membership.review_id, Membership.id)
    ).all()

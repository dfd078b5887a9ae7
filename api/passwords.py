"""Password hashing with Argon2id. Passwords are never logged or echoed."""

from __future__ import annotations

import contextlib
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MINIMUM_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check, so a missing account is not told apart by timing.
        _burn(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _burn(password: str) -> None:
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash(), password)


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("tunnelview-timing-equaliser")


def password_problem(password: str) -> str | None:
    if len(password) < MINIMUM_LENGTH:
        return f"The password must be at least {MINIMUM_LENGTH} characters long."
    return None


class Argon2Passwords:
    """`workflow.accounts.PasswordHasher`: this module's policy and Argon2id hashing."""

    def problem(self, password: str) -> str | None:
        return password_problem(password)

    def hash(self, password: str) -> str:
        return hash_password(password)

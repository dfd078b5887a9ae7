"""Who is calling: sign-in, API tokens, browser sessions and CSRF tokens.

- Passwords are checked with Argon2id (`api.passwords`), outside any database transaction.
- A token (API bearer token or browser session) is 32 random bytes; only its SHA-256 is stored, with
  an expiry and a revocation time. Every request looks it up together with its user, so revoking a
  token or deactivating a user takes effect on the next request, in every worker.
- Failed sign-ins are rows in `login_failures`, keyed by a hash of the account's email and by a hash
  of the client's address: every worker counts the same failures. 5 failures of an account (20 from
  an address) within 15 minutes lock it for 15 minutes from the last of them (`LoginPolicy`). A wrong
  email and a wrong password get the same answer (and spend the same time), so accounts cannot be
  discovered.
- Browser sessions (the pages) use the same tokens with `kind="session"` in an `HttpOnly`,
  `SameSite=Lax` cookie (`Secure` over HTTPS); their CSRF token is an HMAC of the session under the
  secret key, so it needs no storage and dies with the session. The JSON API accepts bearer tokens
  only, never the cookie, so it needs no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import Response

from api.passwords import verify_password
from workflow import people
from workflow.models import AuthToken, LoginFailure, User, utcnow

TokenKind = Literal["api", "session"]

TOKEN_PREFIX = "tv_"  # makes a leaked token easy to recognise (and to scan for)
SESSION_COOKIE = "tunnelview_session"
CSRF_FIELD = "csrf_token"  # form field of every page form
CSRF_HEADER = "X-CSRF-Token"  # or this header, for scripts of the pages
EXPIRED_TOKENS_KEPT = timedelta(days=30)  # then they are deleted (when the next token is issued)


class LoginRefused(Exception):
    """The email address or password is not right (the same answer for both)."""


class PasswordSignInOff(Exception):
    """This deployment signs people in through single sign-on only (`TUNNELVIEW_PASSWORD_SIGN_IN=0`)."""


class LoginLocked(Exception):
    """Too many failed sign-ins for this account or from this address."""

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after_seconds = max(1, int(retry_after.total_seconds() + 0.999))
        super().__init__(f"Too many failed sign-ins; try again in {self.retry_after_seconds} seconds.")


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures within `window` lock an account, or an address, for `lockout`. An address
    may be a whole office behind one NAT, so it is allowed more; a success never clears an
    address's failures (an attacker with one account could otherwise reset them)."""

    max_failures: int = 5
    max_address_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)

    @property
    def remembered(self) -> timedelta:
        """Failures older than this can no longer lock anything (and are pruned)."""
        return self.window + self.lockout


@dataclass(frozen=True)
class Caller:
    """The authenticated user of a request."""

    id: int
    email: str
    name: str
    global_role: str


@dataclass(frozen=True)
class IssuedToken:
    token: str
    kind: TokenKind
    expires_at: datetime
    expires_in: int  # seconds


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _failure_key(scope: str, value: str) -> str:
    return hashlib.sha256(f"{scope}:{value}".encode("utf-8", "surrogatepass")).hexdigest()


class Authenticator:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        token_lifetime: timedelta,
        now: Callable[[], datetime] = utcnow,
        policy: LoginPolicy | None = None,
        passwords: bool = True,
    ) -> None:
        self._sessions = sessions
        self.passwords = passwords  # whether a password signs anyone in
        self._lifetime = token_lifetime
        self._now = now
        self.policy = policy or LoginPolicy()

    # ---- signing in ------------------------------------------------------------------------------

    def login(self, email: str, password: str, *, address: str, kind: TokenKind = "api") -> IssuedToken:
        """A new token for the account, or LoginRefused / LoginLocked (or PasswordSignInOff)."""
        if not self.passwords:
            raise PasswordSignInOff("Signing in with a password is turned off here: use single sign-on.")
        email = people.normalise_email(email)
        account_key = _failure_key("account", email)
        address_key = _failure_key("address", address)
        limits = ((account_key, self.policy.max_failures), (address_key, self.policy.max_address_failures))
        with self._sessions() as session:
            now = self._now()
            locks = [until for key, limit in limits if (until := self._locked_until(session, key, limit))]
            if locks and max(locks) > now:
                raise LoginLocked(max(locks) - now)
            user = people.find_by_email(session, email)
            user_id, password_hash, active = (
                (user.id, user.password_hash, user.active) if user else (None, None, False)
            )
        # The slow hash runs outside any transaction (on SQLite a transaction holds the write lock).
        if verify_password(password_hash, password) and active and user_id is not None:
            with self._sessions() as session:
                session.execute(delete(LoginFailure).where(LoginFailure.key == account_key))
                issued = self._issue(session, user_id, kind)
                session.commit()
                return issued
        with self._sessions() as session:
            now = self._now()
            session.add_all(LoginFailure(key=key, at=now) for key in (account_key, address_key))
            session.execute(delete(LoginFailure).where(LoginFailure.at < now - self.policy.remembered))
            session.commit()
        raise LoginRefused("The email address or password is not right.")

    def _locked_until(self, session: Session, key: str, limit: int) -> datetime | None:
        """The end of the lockout of `key`: `lockout` after the last of `limit` failures that fell
        within `window` of each other."""
        recent = session.scalars(
            select(LoginFailure.at)
            .where(LoginFailure.key == key)
            .order_by(LoginFailure.at.desc())
            .limit(limit)
        ).all()
        if len(recent) < limit or recent[0] - recent[-1] > self.policy.window:
            return None
        return recent[0] + self.policy.lockout

    # ---- tokens ----------------------------------------------------------------------------------

    def issue(self, user_id: int, kind: TokenKind = "api") -> IssuedToken:
        """A token for `user_id` without a password (the CLI, the tests)."""
        with self._sessions() as session:
            issued = self._issue(session, user_id, kind)
            session.commit()
            return issued

    def _issue(self, session: Session, user_id: int, kind: TokenKind) -> IssuedToken:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self._now()
        expires_at = now + self._lifetime
        session.execute(delete(AuthToken).where(AuthToken.expires_at < now - EXPIRED_TOKENS_KEPT))
        session.add(
            AuthToken(
                user_id=user_id,
                kind=kind,
                token_hash=token_hash(token),
                created_at=now,
                expires_at=expires_at,
            )
        )
        return IssuedToken(token, kind, expires_at, int(self._lifetime.total_seconds()))

    def authenticate(self, token: str, kind: TokenKind = "api") -> Caller | None:
        """The token's user, if the token is known, of this kind, not expired, not revoked, and its
        user is active; otherwise None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        with self._sessions() as session:
            user = session.scalar(
                select(User)
                .join(AuthToken, AuthToken.user_id == User.id)
                .where(
                    AuthToken.token_hash == token_hash(token),
                    AuthToken.kind == kind,
                    AuthToken.revoked_at.is_(None),
                    AuthToken.expires_at > self._now(),
                    User.active.is_(True),
                )
            )
            if user is None:
                return None
            return Caller(user.id, user.email, user.name, user.global_role)

    def revoke(self, token: str) -> None:
        with self._sessions() as session:
            session.execute(
                update(AuthToken)
                .where(AuthToken.token_hash == token_hash(token), AuthToken.revoked_at.is_(None))
                .values(revoked_at=self._now())
            )
            session.commit()

    def revoke_all(self, session: Session, user_id: int) -> None:
        """Revoke every token and session of a user, in the caller's transaction."""
        session.execute(
            update(AuthToken)
            .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
            .values(revoked_at=self._now())
        )


# ---- browser sessions and CSRF (used by the pages) -------------------------------------------------


def set_session_cookie(response: Response, issued: IssuedToken, *, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=issued.expires_in,
        path="/",
        httponly=True,
        secure=secure,
        samesite="lax",
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=secure, samesite="lax")


def csrf_token(secret_key: str, session_token: str) -> str:
    """The CSRF token of a browser session: put it in every form (field `csrf_token`)."""
    message = b"csrf:" + token_hash(session_token).encode("ascii")
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def csrf_valid(secret_key: str, session_token: str, submitted: str | None) -> bool:
    if not submitted:
        return False
    return hmac.compare_digest(
        csrf_token(secret_key, session_token).encode("ascii"),
        submitted.encode("utf-8", "surrogatepass"),
    )

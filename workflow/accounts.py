"""The one way to change a user account: create it, change its global role or name, deactivate or
reactivate it, reset its password, and sign someone on through single sign-on. Every change appends
a row to the accounts log, in the same transaction: a hash chain of its own (`account_audit`), like a
review's log.

The rule that an admin cannot demote or deactivate themselves lives here and nowhere else.
Passwords are checked and hashed by an injected `PasswordHasher` (the API's Argon2id): the service
never stores, logs or audits a password, and the domain does not depend on a hashing library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from workflow import people
from workflow.audit import GENESIS, ChainReport, digest, verify_chain
from workflow.errors import InvalidInput, NotPermitted
from workflow.models import AccountAuditEntry, AccountAuditHead, AuthToken, User, utcnow
from workflow.principal import via_of
from workflow.sign_on import DEFAULT_ROLE, Identity, SignOnRefused, SignOnRules, role_from_claims

ANCHOR_ID = 1  # the one row of `account_audit_head`
SELF_DEMOTION = "Ask another admin to do this: you cannot demote or deactivate yourself."


class PasswordHasher(Protocol):
    def problem(self, password: str) -> str | None:
        """What is wrong with a new password, in words, or None."""
        ...

    def hash(self, password: str) -> str: ...


class AccountAction(StrEnum):
    CREATED = "account_created"
    ROLE_CHANGED = "role_changed"
    RENAMED = "renamed"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    PASSWORD_RESET = "password_reset"
    SIGN_ON_LINKED = "sign_on_linked"
    SIGNED_ON = "signed_on"


ACTION_LABELS = {
    AccountAction.CREATED: "Account created",
    AccountAction.ROLE_CHANGED: "Role changed",
    AccountAction.RENAMED: "Name changed",
    AccountAction.DEACTIVATED: "Deactivated (signed out everywhere)",
    AccountAction.REACTIVATED: "Reactivated",
    AccountAction.PASSWORD_RESET: "Password reset (signed out everywhere)",
    AccountAction.SIGN_ON_LINKED: "Linked to single sign-on",
    AccountAction.SIGNED_ON: "Signed in with single sign-on",
}


def entry_hash(entry: AccountAuditEntry) -> str:
    return digest(
        {
            "seq": entry.seq,
            "at": entry.at.isoformat(timespec="microseconds"),
            "actor_id": entry.actor_id,
            "via": entry.via,
            "action": entry.action,
            "account_id": entry.account_id,
            "params": entry.params,
            "prev_hash": entry.prev_hash,
        }
    )


def self_change_refused(
    actor: int | None, account: User, *, role: str | None, active: bool | None
) -> str | None:
    """Which field an admin may not change on their own account, if any."""
    if actor != account.id:
        return None
    if active is False:
        return "active"
    if role is not None and role != "admin":
        return "role"
    return None


class AccountService:
    """`actor` is the admin making the change, or None for the system (the demo loader, or the
    command line, whose operator the session names in every row's `via`)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        passwords: PasswordHasher,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._passwords = passwords
        self._now = now

    @contextmanager
    def _change(self, actor: int | None) -> Iterator[Session]:
        with self._sessions() as session:
            if actor is not None:
                user = session.get(User, actor)
                if user is None or not user.active or user.global_role != "admin":
                    raise NotPermitted("Only an admin may change user accounts.")
            yield session

    def create(self, actor: int | None, *, email: str, name: str, role: str, password: str) -> User:
        """A new active account. Every problem with the input is reported at once, by field."""
        errors = people.check(email, name, role)
        problem = self._passwords.problem(password)
        if problem:
            errors["password"] = problem
        if errors:
            raise InvalidInput(errors)
        with self._change(actor) as session:
            try:
                user = people.create_user(
                    session, email=email, name=name, role=role, password_hash=self._passwords.hash(password)
                )
            except IntegrityError:  # the same email created at the same moment
                raise InvalidInput({"email": "A user with this email address already exists."}) from None
            params = {"email": user.email, "name": user.name, "role": user.global_role}
            self._append(session, actor, AccountAction.CREATED, user, params)
            session.commit()
            return user

    def update(
        self,
        actor: int | None,
        account_id: int,
        *,
        role: str | None = None,
        name: str | None = None,
        active: bool | None = None,
    ) -> User:
        """Change any of the role, the name and whether the account is active, in one transaction and
        one audit row per change; a value that is already so changes nothing. Deactivating revokes
        every token and session of the account."""
        errors = people.check(None, name, role)
        if errors:
            raise InvalidInput(errors)
        with self._change(actor) as session:
            user = people.get_user(session, account_id)
            refused = self_change_refused(actor, user, role=role, active=active)
            if refused:
                raise InvalidInput({refused: SELF_DEMOTION})
            if role is not None and role != user.global_role:
                params = {"from": user.global_role, "to": role}
                user.global_role = role
                self._append(session, actor, AccountAction.ROLE_CHANGED, user, params)
            if name is not None and name.strip() != user.name:
                params = {"from": user.name, "to": name.strip()}
                user.name = name.strip()
                self._append(session, actor, AccountAction.RENAMED, user, params)
            if active is not None and active != user.active:
                user.active = active
                if active:
                    self._append(session, actor, AccountAction.REACTIVATED, user, {})
                else:
                    revoked = self._revoke_all(session, user.id)
                    self._append(session, actor, AccountAction.DEACTIVATED, user, {"revoked": revoked})
            session.commit()
            return user

    def change_role(self, actor: int | None, account_id: int, role: str) -> User:
        return self.update(actor, account_id, role=role)

    def deactivate(self, actor: int | None, account_id: int) -> User:
        return self.update(actor, account_id, active=False)

    def reactivate(self, actor: int | None, account_id: int) -> User:
        return self.update(actor, account_id, active=True)

    def reset_password(self, actor: int | None, account_id: int, *, password: str) -> User:
        """A new password; every token and session of the account stops working."""
        problem = self._passwords.problem(password)
        if problem:
            raise InvalidInput({"password": problem})
        with self._change(actor) as session:
            user = people.get_user(session, account_id)
            user.password_hash = self._passwords.hash(password)
            revoked = self._revoke_all(session, user.id)
            self._append(session, actor, AccountAction.PASSWORD_RESET, user, {"revoked": revoked})
            session.commit()
            return user

    def sign_on(self, identity: Identity, rules: SignOnRules) -> User:
        """The account of someone the provider has signed in: the one that remembers their subject;
        else the one with their email (when the provider verified it, or `rules.trust_email`), which
        from now on remembers the subject; else, when `rules.create_accounts`, a new one. With a role
        map, the account's global role follows the claims. Every change and the sign-in itself are
        rows of the accounts log, by no admin, via single sign-on. SignOnRefused says why not."""
        for attempt in range(2):
            try:
                return self._sign_on(identity, rules)
            except IntegrityError:  # the same person's first sign-in twice at once: the second links
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _sign_on(self, identity: Identity, rules: SignOnRules) -> User:
        role = role_from_claims(identity.claim_values, rules.role_map)
        with self._sessions() as session:
            user = session.scalar(select(User).where(User.oidc_subject == identity.subject))
            if user is None:
                user = self._link_or_create(session, identity, rules, role)
            if not user.active:
                raise SignOnRefused(
                    f"Your Tunnelview account ({user.email}) is deactivated. Ask your partnership's admin "
                    "if you need it again."
                )
            if role is not None and role != user.global_role:
                params = {"from": user.global_role, "to": role, "from_claims": True}
                user.global_role = role
                self._append(session, None, AccountAction.ROLE_CHANGED, user, params, via=rules.via)
            self._append(session, None, AccountAction.SIGNED_ON, user, {}, via=rules.via)
            session.commit()
            return user

    def _link_or_create(
        self, session: Session, identity: Identity, rules: SignOnRules, role: str | None
    ) -> User:
        email = identity.email if identity.email and (identity.email_verified or rules.trust_email) else None
        user = people.find_by_email(session, email) if email else None
        if user is not None:
            if user.oidc_subject is not None:
                raise SignOnRefused(
                    f"The Tunnelview account for {user.email} is linked to another {rules.provider} "
                    "identity. Ask your partnership's admin to check which one is yours."
                )
            user.oidc_subject = identity.subject
            params = {"subject": identity.subject, "email": user.email}
            self._append(session, None, AccountAction.SIGN_ON_LINKED, user, params, via=rules.via)
            return user
        if email is None:
            said = f" ({identity.email}, not verified)" if identity.email else ""
            raise SignOnRefused(
                f"{rules.provider} did not give a verified email address{said}, so no Tunnelview account "
                "can be matched to you. Ask your partnership's admin."
            )
        if not rules.create_accounts:
            raise SignOnRefused(
                f"There is no Tunnelview account for {email}. Ask your partnership's admin to create one."
            )
        name = (identity.name or "").strip() or email
        if people.check(email, name, None):
            raise SignOnRefused(f"{rules.provider} gave an email address Tunnelview cannot use: {email}.")
        user = people.create_user(
            session, email=email, name=name, role=role or DEFAULT_ROLE, password_hash=None
        )
        user.oidc_subject = identity.subject
        params = {"email": user.email, "name": user.name, "role": user.global_role}
        params["subject"] = identity.subject
        self._append(session, None, AccountAction.CREATED, user, params, via=rules.via)
        return user

    # ---- the accounts log ----------------------------------------------------------------------

    def log(self, *, limit: int = 50, offset: int = 0) -> tuple[Sequence[AccountAuditEntry], int]:
        """The accounts log, newest first, and how many rows it has."""
        with self._sessions() as session:
            total = session.scalar(select(func.count()).select_from(AccountAuditEntry)) or 0
            rows = session.scalars(
                select(AccountAuditEntry).order_by(AccountAuditEntry.seq.desc()).limit(limit).offset(offset)
            ).all()
            return rows, total

    def verify(self) -> ChainReport:
        with self._sessions() as session:
            return verify(session)

    def _append(
        self,
        session: Session,
        actor: int | None,
        action: AccountAction,
        account: User,
        params: dict[str, Any],
        *,
        via: str | None = None,
    ) -> AccountAuditEntry:
        session.flush()  # the account has its id
        anchor = _anchor(session)
        entry = AccountAuditEntry(
            seq=anchor.count + 1,
            at=self._now(),
            actor_id=actor,
            via=via or via_of(session),
            action=action.value,
            account_id=account.id,
            params=params,
            prev_hash=anchor.head,
        )
        entry.hash = entry_hash(entry)
        session.add(entry)
        anchor.count, anchor.head = entry.seq, entry.hash
        session.flush()
        return entry

    def _revoke_all(self, session: Session, user_id: int) -> int:
        result = session.execute(
            update(AuthToken)
            .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
            .values(revoked_at=self._now())
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _anchor(session: Session) -> AccountAuditHead:
    """The accounts log's anchor, locked: one chain for all accounts, so its writers queue for it
    (SQLite's BEGIN IMMEDIATE does the same). The next row follows the anchor, never the rows, so
    rows removed from the end leave a gap that stays visible."""
    head = session.get(AccountAuditHead, ANCHOR_ID, with_for_update=True)
    if head is None:  # the migration writes it; without it the log starts again, and verify says so
        head = AccountAuditHead(id=ANCHOR_ID, count=0, head=GENESIS)
        session.add(head)
    return head


def entries(session: Session) -> Sequence[AccountAuditEntry]:
    return session.scalars(select(AccountAuditEntry).order_by(AccountAuditEntry.seq)).all()


def verify(session: Session) -> ChainReport:
    """Check the accounts log's hash chain, row by row and against its anchor: intact, or every
    problem in words (a missing anchor is one: it is what would hide rows removed from the end)."""
    head = session.get(AccountAuditHead, ANCHOR_ID)
    report = verify_chain(
        entries(session),
        entry_hash,
        (head.count, head.head) if head is not None else None,
        keeper="the accounts log's anchor",
    )
    if head is not None:
        return report
    missing = "the accounts log's anchor (its count and newest hash) is missing"
    return replace(report, intact=False, problems=(missing, *report.problems), broken_at=report.broken_at)

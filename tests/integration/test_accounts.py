"""The accounts service: every change to an account is audited in a hash chain of its own, the rule
that an admin cannot demote or deactivate themselves, and the operator of a command-line change."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from workflow import accounts
from workflow.accounts import SELF_DEMOTION, AccountService
from workflow.db import make_session_factory
from workflow.errors import InvalidInput, NotPermitted
from workflow.models import AccountAuditEntry, AccountAuditHead, AuthToken, User, utcnow
from workflow.principal import Operator


class PlainPasswords:
    """A stand-in for Argon2id (slow by design): the service only needs `problem` and `hash`."""

    def problem(self, password: str) -> str | None:
        return None if len(password) >= 10 else "The password must be at least 10 characters long."

    def hash(self, password: str) -> str:
        return "hashed:" + password[::-1]


@pytest.fixture
def service(sessions) -> AccountService:
    return AccountService(sessions, passwords=PlainPasswords())


@pytest.fixture
def admin(service) -> int:
    return service.create(None, email="ada@example.org", name="Ada Admin", role="admin", password="p" * 12).id


def test_every_change_to_an_account_is_a_row_of_the_accounts_log_and_the_chain_verifies(service, admin):
    cara = service.create(admin, email="Cara@Example.org", name="Cara", role="member", password="c" * 12)
    service.change_role(admin, cara.id, "coordinator")
    service.update(admin, cara.id, name="Cara Coordinator")
    service.deactivate(admin, cara.id)
    service.reactivate(admin, cara.id)
    service.reset_password(admin, cara.id, password="n" * 12)

    rows, total = service.log()
    assert total == 7
    assert [(r.action, r.account_id, r.actor_id) for r in reversed(rows)] == [
        ("account_created", admin, None),
        ("account_created", cara.id, admin),
        ("role_changed", cara.id, admin),
        ("renamed", cara.id, admin),
        ("deactivated", cara.id, admin),
        ("reactivated", cara.id, admin),
        ("password_reset", cara.id, admin),
    ]
    assert rows[-2].params == {"email": "cara@example.org", "name": "Cara", "role": "member"}
    assert rows[4].params == {"from": "member", "to": "coordinator"}
    assert all("n" * 12 not in str(r.params) and "hashed" not in str(r.params) for r in rows)
    assert str(service.verify()) == "intact (7 entries)"


def test_a_changed_row_of_the_accounts_log_breaks_the_chain(service, admin, sessions):
    cara = service.create(admin, email="cara@example.org", name="Cara", role="member", password="c" * 12)
    service.change_role(admin, cara.id, "chair")
    with sessions() as session:
        session.execute(
            update(AccountAuditEntry)
            .where(AccountAuditEntry.seq == 3)
            .values(params={"from": "x", "to": "chair"})
        )
        session.commit()
    report = service.verify()
    assert not report.intact
    assert (
        report.broken_at == 3 and report.problem == "entry #3 was changed: its contents do not match its hash"
    )


def test_a_deleted_row_of_the_accounts_log_breaks_the_chain(service, admin, sessions):
    cara = service.create(admin, email="cara@example.org", name="Cara", role="member", password="c" * 12)
    service.change_role(admin, cara.id, "chair")
    with sessions() as session:
        session.delete(session.get(AccountAuditEntry, service.log()[0][1].id))
        session.commit()
    assert str(service.verify()) == "not intact: entry #2 is missing (#1 is followed by #3)"


def test_rows_removed_from_the_end_of_the_accounts_log_are_detected(service, admin, sessions):
    cara = service.create(admin, email="cara@example.org", name="Cara", role="member", password="c" * 12)
    service.change_role(admin, cara.id, "chair")
    total = service.log()[1]
    with sessions() as session:
        session.execute(delete(AccountAuditEntry).where(AccountAuditEntry.seq == total))
        session.commit()
    assert str(service.verify()) == (
        f"not intact: 1 entry missing after #{total - 1}: the accounts log's anchor records {total}, "
        f"{total - 1} are present"
    )
    with sessions() as session:
        session.execute(delete(AccountAuditEntry))
        session.commit()
    assert str(service.verify()) == (
        f"not intact: {total} entries missing: the accounts log's anchor records {total}, none are present"
    )


def test_a_missing_anchor_of_the_accounts_log_is_reported(service, admin, sessions):
    service.create(admin, email="cara@example.org", name="Cara", role="member", password="c" * 12)
    with sessions() as session:
        session.execute(delete(AccountAuditHead))
        session.commit()
    report = service.verify()
    assert not report.intact
    assert report.problem == "the accounts log's anchor (its count and newest hash) is missing"


@pytest.mark.parametrize(("change", "field"), [({"active": False}, "active"), ({"role": "member"}, "role")])
def test_an_admin_cannot_demote_or_deactivate_themselves_and_nothing_is_logged(service, admin, change, field):
    with pytest.raises(InvalidInput) as refused:
        service.update(admin, admin, **change)
    assert refused.value.errors == {field: SELF_DEMOTION}
    assert service.log()[1] == 1


def test_another_admin_may_demote_an_admin(service, admin):
    other = service.create(admin, email="bo@example.org", name="Bo", role="admin", password="b" * 12)
    assert service.change_role(other.id, admin, "member").global_role == "member"


def test_only_an_active_admin_changes_accounts(service, admin):
    cara = service.create(admin, email="cara@example.org", name="Cara", role="chair", password="c" * 12)
    with pytest.raises(NotPermitted):
        service.change_role(cara.id, admin, "member")


def test_every_problem_with_a_new_account_is_reported_at_once(service):
    with pytest.raises(InvalidInput) as refused:
        service.create(None, email="nope", name=" ", role="overlord", password="short")
    assert set(refused.value.errors) == {"email", "name", "role", "password"}
    assert service.log()[1] == 0


def test_deactivating_and_resetting_a_password_revoke_every_token(service, admin, sessions):
    cara = service.create(admin, email="cara@example.org", name="Cara", role="member", password="c" * 12)

    def issue() -> None:
        with sessions() as session:
            session.add(AuthToken(user_id=cara.id, kind="api", token_hash=str(utcnow()), expires_at=utcnow()))
            session.commit()

    def live() -> int:
        with sessions() as session:
            return session.query(AuthToken).filter(AuthToken.revoked_at.is_(None)).count()

    issue()
    service.deactivate(admin, cara.id)
    assert live() == 0
    service.reactivate(admin, cara.id)
    issue()
    service.reset_password(admin, cara.id, password="n" * 12)
    assert live() == 0
    with sessions() as session:
        assert session.get(User, cara.id).password_hash == "hashed:" + ("n" * 12)[::-1]
    assert service.log()[0][0].params == {"revoked": 1}


def test_a_change_through_the_command_line_names_its_operator_in_the_row(engine, sessions):
    operator = Operator("command line", "root", "ada@example.org")
    cli = AccountService(make_session_factory(engine, operator=operator), passwords=PlainPasswords())
    cli.create(None, email="cara@example.org", name="Cara", role="member", password="c" * 12)
    rows, _ = cli.log()
    assert rows[0].via == "command line, OS user root, acting for ada@example.org"
    assert cli.verify().intact
    with sessions() as session:
        session.execute(update(AccountAuditEntry).values(via=None))
        session.commit()
    with sessions() as session:
        assert not accounts.verify(session).intact

"""The `tunnelview` command line, end to end in a temporary directory, as a person would run it: in
process (tests/support.py `run_cli`), and as a real process where that is the point."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete

from tests.support import AGENCIES, Lifecycle, run_cli
from workflow import accounts, audit, people
from workflow.models import AuditEntry
from workflow.principal import os_user
from workflow.referrals import ChangeReferral, Incident, LogReferral

CLI = [sys.executable, "-m", "api.cli"]
PASSWORD = "correct horse battery"


def run_process(args: list[str], cwd: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNNELVIEW_")}
    return subprocess.run([*CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def run(args: list[str], cwd: Path, url: str | None = None, stdin: str | None = None):
    return run_cli(args, cwd, {"TUNNELVIEW_DATABASE_URL": url} if url else {}, stdin)


def test_db_upgrade_uses_an_sqlite_file_in_the_working_directory_by_default(tmp_path):
    result = run_process(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tunnelview.db").exists()
    assert run_process(["users", "list"], tmp_path).stdout.strip().endswith("0 user(s).")


def test_a_command_on_an_unmigrated_database_says_what_to_do(tmp_path):
    result = run(["users", "list"], tmp_path)
    assert result.returncode == 1
    assert "Did you run 'tunnelview db upgrade'?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def cli(database_url, sessions, tmp_path):
    """The CLI against the migrated test database (which `sessions` empties after the test)."""
    return lambda args, stdin=None: run(args, tmp_path, database_url, stdin)


def _create_user(cli, email: str, role: str, password: str = PASSWORD):
    name = email.split("@")[0].title()
    args = ["users", "create", "--email", email, "--name", name, "--role", role, "--password-stdin"]
    return cli(args, stdin=password + "\n")


def test_users_are_created_with_a_password_that_is_never_echoed(cli):
    created = _create_user(cli, "coord@example.org", "coordinator")
    assert created.returncode == 0, created.stderr
    listed = cli(["users", "list"])
    assert "coord@example.org" in listed.stdout and "coordinator" in listed.stdout
    assert PASSWORD not in created.stdout + created.stderr + listed.stdout + listed.stderr


@pytest.mark.parametrize(
    ("email", "role", "password", "message"),
    [
        ("short@example.org", "member", "tiny", "at least 10 characters"),
        ("not-an-email", "member", PASSWORD, "Enter an email address"),
        ("role@example.org", "overlord", PASSWORD, "Role must be one of: admin, coordinator, chair, member"),
    ],
)
def test_bad_user_input_is_one_clear_line_and_nothing_is_saved(cli, email, role, password, message):
    result = _create_user(cli, email, role, password)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert cli(["users", "list"]).stdout.strip().endswith("0 user(s).")


def test_mismatched_password_confirmation_at_the_prompt_is_refused(cli):
    args = ["users", "create", "--email", "a@example.org", "--name", "A", "--role", "member"]
    result = cli(args, stdin=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}x\n")
    assert result.returncode != 0
    assert PASSWORD not in result.stdout + result.stderr
    assert cli(["users", "list"]).stdout.strip().endswith("0 user(s).")


def test_a_review_is_shown_fired_and_verified_through_the_cli(cli, service, sessions):
    _create_user(cli, "coord@example.org", "coordinator")
    with sessions() as session:
        coordinator = people.find_by_email(session, "coord@example.org").id
    referrals = Lifecycle.of(service).referrals
    referral = LogReferral(
        child_pseudonym="Alice",
        incident=Incident(outcome="died", abuse_or_neglect="known"),
        agencies_involved=list(AGENCIES),
    )
    review = referrals.log(actor=coordinator, command=referral).detail.review
    as_coordinator = ["--as", "coord@example.org"]

    shown = cli(["reviews", "show", str(review.id), *as_coordinator])
    assert shown.returncode == 0 and "stage:   referred" in shown.stdout
    assert "cannot: withdraw" in shown.stdout and "Only the chair may do this." in shown.stdout

    refused = cli(["reviews", "fire", str(review.id), "open_screening", *as_coordinator])
    assert refused.returncode == 1
    assert "Refused" in refused.stderr and "The referral has no date of awareness." in refused.stderr
    assert "Traceback" not in refused.stderr

    unknown = cli(["reviews", "fire", str(review.id), "opne_screening", *as_coordinator])
    assert unknown.returncode == 1 and "Unknown trigger 'opne_screening'" in unknown.stderr

    stranger = cli(["reviews", "show", str(review.id), "--as", "nobody@example.org"])
    assert stranger.returncode == 1 and "No user has the email address" in stranger.stderr
    assert service.get(review.id, coordinator).review.state == "referred"

    version = service.get(review.id, coordinator).review.version
    referrals.change(
        review_id=review.id,
        actor=coordinator,
        expected_version=version,
        command=ChangeReferral(date_of_awareness=date(2026, 11, 20)),
    )
    fired = cli(["reviews", "fire", str(review.id), "open_screening", *as_coordinator])
    assert fired.returncode == 0 and "now at 'screening'" in fired.stdout

    listed = cli(["reviews", "list", *as_coordinator])
    assert "screening" in listed.stdout and "1 review(s)." in listed.stdout
    verified = cli(["audit", "verify", str(review.id)])
    assert verified.returncode == 0 and verified.stdout.startswith("intact (3 entries)")
    with sessions() as session:
        assert [(e.action, e.via) for e in audit.entries_of(session, review.id)] == [
            ("log_referral", None),
            ("update_referral", None),
            ("open_screening", f"command line, OS user {os_user()}, acting for coord@example.org"),
        ]
        session.execute(delete(AuditEntry).where(AuditEntry.review_id == review.id, AuditEntry.seq == 3))
        session.commit()
    truncated = cli(["audit", "verify", str(review.id)])
    assert truncated.returncode == 1
    assert truncated.stderr.strip() == (
        "not intact: 1 entry missing after #2: the review records 3, 2 are present"
    )


def test_accounts_created_at_the_command_line_are_in_the_accounts_log_with_the_os_user(cli, sessions):
    assert _create_user(cli, "admin@example.org", "admin").returncode == 0
    reset = cli(
        ["users", "reset-password", "--email", "admin@example.org", "--password-stdin"], "a new password\n"
    )
    assert reset.returncode == 0, reset.stderr
    with sessions() as session:
        rows = accounts.entries(session)
        assert [(r.action, r.actor_id, r.via) for r in rows] == [
            ("account_created", None, f"command line, OS user {os_user()}"),
            ("password_reset", None, f"command line, OS user {os_user()}"),
        ]
    verified = cli(["audit", "verify-accounts"])
    assert verified.returncode == 0 and verified.stdout.startswith("intact (2 entries)")


def test_the_workflow_diagram_is_generated_from_the_transition_table(tmp_path):
    result = run(["workflow", "diagram"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("stateDiagram-v2")
    assert "sign_off --> findings: return_for_revision" in result.stdout
    assert "approved --> published: publish" in result.stdout

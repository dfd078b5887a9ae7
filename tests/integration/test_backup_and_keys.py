"""Backup and restore (`tunnelview backup` / `restore`) and the register's key rotation
(`tunnelview register rotate-key`), on the demo's reviews: a restored database holds every row of the
original, every audit chain verifies, every register entry opens; after a rotation every entry opens
with the new key alone."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import Engine, select

from api.wiring import Services
from findings.publication.models import RegisterEntry
from findings.publication.register import RegisterService
from tests.databases import Snapshot, fresh_database
from tests.integration import test_demo
from tests.support import run_cli
from workflow import audit
from workflow.db import make_engine
from workflow.models import Membership, Review

SECRET = "demo-test-secret-key-0123456789abcdef"
REGISTER_KEY = test_demo.REGISTER_KEY
demo, loaded_demos = test_demo.demo, test_demo.loaded_demos  # the demo, loaded once per session


def env(url: str, register_key: str = REGISTER_KEY) -> dict[str, str]:
    return {
        "TUNNELVIEW_DATABASE_URL": url,
        "TUNNELVIEW_SECRET_KEY": SECRET,
        "TUNNELVIEW_REGISTER_KEY": register_key,
    }


def rows_by_table(engine: Engine) -> dict[str, tuple[object, ...]]:
    return {table.name: rows for table, rows in Snapshot.take(engine).rows}


def register_values(services: Services, cipher: MultiFernet) -> dict[int, list[str]]:
    """Every review's register as its chair opens it."""
    register = RegisterService(services.reviews, cipher=cipher)
    with services.sessions() as session:
        chairs = session.execute(
            select(Membership.review_id, Membership.user_id).where(Membership.role == "chair")
        )
        pairs = list(chairs)
    return {
        review_id: [entry.value for entry in register.read(review_id=review_id, actor=chair).entries]
        for review_id, chair in pairs
    }


def test_a_restored_backup_holds_every_row_and_every_review_is_intact(
    demo: Services,
    database_url: str,
    engine: Engine,
    tmp_path: Path,
) -> None:
    backup = tmp_path / "tunnelview.backup.gz"
    written = run_cli(["backup", str(backup)], tmp_path, env(database_url))
    assert written.returncode == 0, written.stderr
    assert "The sealed register is in it, sealed; its keys are not" in written.stdout
    assert REGISTER_KEY.encode() not in gzip.decompress(backup.read_bytes())  # never the key
    assert backup.stat().st_mode & 0o077 == 0  # for its owner's eyes only

    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    (tmp_path / "restored").mkdir()
    with fresh_database(backend, tmp_path / "restored") as target:
        restored = run_cli(["restore", str(backup)], tmp_path, env(target))
        assert restored.returncode == 0, restored.stderr
        assert "Audit logs: all 4 reviews' chains intact; the accounts log intact." in restored.stdout
        assert "Register: all 19 entries open with the configured keys." in restored.stdout

        copy = make_engine(target)
        try:
            assert rows_by_table(copy) == rows_by_table(engine)  # every row of every table, as it was
            # The copy takes new rows with new ids (PostgreSQL's sequences were moved past the copied ids).
            created = run_cli(
                [
                    "users",
                    "create",
                    "--email",
                    "new@example.org",
                    "--name",
                    "N",
                    "--role",
                    "member",
                    "--password-stdin",
                ],
                tmp_path,
                env(target),
                stdin="a long enough password\n",
            )
            assert created.returncode == 0, created.stderr
            assert run_cli(["audit", "verify-all"], tmp_path, env(target)).returncode == 0
        finally:
            copy.dispose()


def test_a_restore_refuses_a_database_that_holds_data_and_a_cut_off_backup(
    demo: Services,
    database_url: str,
    engine: Engine,
    tmp_path: Path,
) -> None:
    backup = tmp_path / "backup.gz"
    assert run_cli(["backup", str(backup)], tmp_path, env(database_url)).returncode == 0
    before = rows_by_table(engine)
    refused = run_cli(["restore", str(backup)], tmp_path, env(database_url))
    assert refused.returncode == 1
    assert "The database already holds data" in refused.stderr and "nothing was changed" in refused.stderr
    assert rows_by_table(engine) == before

    again = run_cli(["backup", str(backup)], tmp_path, env(database_url))
    assert again.returncode == 1 and "already exists" in again.stderr  # a backup never overwrites another
    unreachable = run_cli(["backup", str(tmp_path / "b2.gz")], tmp_path, env(f"sqlite:///{tmp_path}/no/db"))
    assert unreachable.returncode == 1 and "The database cannot be used" in unreachable.stderr
    assert not (tmp_path / "b2.gz").exists()  # no half-written backup left behind

    cut = tmp_path / "cut.gz"
    whole = gzip.decompress(backup.read_bytes())
    cut.write_bytes(gzip.compress(whole[: len(whole) // 2].rsplit(b"\n", 1)[0] + b"\n"))
    with fresh_database("sqlite", tmp_path) as target:
        refused = run_cli(["restore", str(cut)], tmp_path, env(target))
        assert refused.returncode == 1
        assert "incomplete" in refused.stderr and "nothing was restored" in refused.stderr
        copy = make_engine(target)
        with copy.connect() as connection:
            assert not connection.scalars(select(Review.id)).all()
        copy.dispose()


def test_rotating_the_register_key_keeps_every_entry_readable_with_the_new_key_alone(
    demo: Services,
    database_url: str,
    tmp_path: Path,
) -> None:
    old = REGISTER_KEY
    before = register_values(demo, MultiFernet([Fernet(old)]))
    assert sum(map(len, before.values())) == 19

    new = run_cli(["register", "new-key"], tmp_path, env(database_url)).stdout.strip()
    Fernet(new)  # a usable key
    rotated = run_cli(["register", "rotate-key"], tmp_path, env(database_url, f"{new},{old}"))
    assert rotated.returncode == 0, rotated.stderr
    assert "Re-sealed 19 register entries with the first key" in rotated.stdout
    assert "remove the older keys" in rotated.stdout

    assert register_values(demo, MultiFernet([Fernet(new)])) == before
    checked = run_cli(["register", "check"], tmp_path, env(database_url, new))
    assert checked.returncode == 0 and "all 19 entries open" in checked.stdout
    stale = run_cli(["register", "check"], tmp_path, env(database_url, old))
    assert stale.returncode == 1 and "19 of 19 register entries open with no configured key" in stale.stderr
    with demo.sessions() as session:
        assert all(audit.verify(session, r).intact for r in session.scalars(select(Review.id)))
        assert session.scalar(select(RegisterEntry.id).limit(1)) is not None


@pytest.mark.parametrize("keys", ["", "not-a-key"])
def test_rotation_without_a_usable_key_says_what_to_set(
    demo: Services, database_url: str, tmp_path: Path, keys: str
) -> None:
    refused = run_cli(["register", "rotate-key"], tmp_path, env(database_url, keys))
    assert refused.returncode == 1
    assert "TUNNELVIEW_REGISTER_KEY" in refused.stderr

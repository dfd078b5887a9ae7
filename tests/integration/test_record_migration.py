"""The record-integrity migration anchors the chains that exist (a review's count and newest hash on
its row, the accounts log's in its own row), so a database upgraded in place verifies at once and
rows removed afterwards are detected; and it can be undone."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, insert, inspect, text

from tests.databases import backends, fresh_database
from workflow import accounts, audit, migrate
from workflow.db import make_engine, make_session_factory
from workflow.models import GENESIS, AccountAuditEntry

BEFORE = "0007_indexes"


def _chain(review_id: int, actor: int, length: int) -> list[dict[str, Any]]:
    rows, prev = [], GENESIS
    for seq in range(1, length + 1):
        fields: dict[str, Any] = dict(
            review_id=review_id,
            seq=seq,
            at=datetime(2026, 1, 1) + timedelta(hours=seq),
            actor_id=actor,
            action="log_referral" if seq == 1 else "add_member",
            from_state=None,
            to_state="referred" if seq == 1 else None,
            reason=None,
            params={"n": seq},
            prev_hash=prev,
        )
        prev = audit.entry_hash(**fields)
        rows.append(fields | {"hash": prev})
    return rows


def _account_row(seq: int, actor: int, prev: str) -> dict[str, Any]:
    row: dict[str, Any] = dict(
        seq=seq,
        at=datetime(2026, 1, 1, seq),
        actor_id=None,
        via=None,
        action="account_created",
        account_id=actor,
        params={},
        prev_hash=prev,
    )
    return row | {"hash": accounts.entry_hash(AccountAuditEntry(**row))}


def _fill_before(engine: Engine) -> tuple[int, int]:
    """Two reviews as they stood before the migration: one with a chain of 5, one with no rows."""
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as connection:
        user = connection.execute(
            insert(tables.tables["users"]).values(
                email="cara@example.org",
                name="Cara",
                global_role="coordinator",
                active=True,
                created_at=datetime(2026, 1, 1),
            )
        ).inserted_primary_key[0]
        ids = []
        for name in ("Alice", "Bobby"):
            ids.append(
                connection.execute(
                    insert(tables.tables["reviews"]).values(
                        version=1,
                        regime_key="wt2023",
                        regime_version=1,
                        state="referred",
                        child_pseudonym=name,
                        incident_summary="",
                        agencies_involved=[],
                        criteria_answers={},
                        research_questions=[],
                        agencies_in_scope=[],
                        panel_exemptions={},
                        publication_hold=False,
                        created_at=datetime(2026, 1, 1),
                        updated_at=datetime(2026, 1, 1),
                    )
                ).inserted_primary_key[0]
            )
        connection.execute(insert(tables.tables["audit_entries"]), _chain(ids[0], user, 5))
        first = _account_row(1, user, GENESIS)
        connection.execute(
            insert(tables.tables["account_audit"]), [first, _account_row(2, user, first["hash"])]
        )
    return ids[0], ids[1]


@pytest.mark.parametrize("backend", backends())
def test_the_migration_anchors_the_chains_as_they_stand(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        migrate.upgrade(url, BEFORE)
        engine = make_engine(url)
        try:
            chained, empty = _fill_before(engine)
            migrate.upgrade(url)
            sessions = make_session_factory(engine)
            with sessions() as session:
                assert audit.anchor(session, chained) == (5, audit.entries_of(session, chained)[-1].hash)
                assert audit.anchor(session, empty) == (0, GENESIS)
                assert str(audit.verify(session, chained)) == "intact (5 entries)"
                assert str(audit.verify(session, empty)) == "intact (0 entries)"
                assert str(accounts.verify(session)) == "intact (2 entries)"
                session.execute(text("DELETE FROM audit_entries WHERE seq = 5"))
                session.execute(text("DELETE FROM account_audit WHERE seq = 2"))
                assert audit.verify(session, chained).problem == (
                    "1 entry missing after #4: the review records 5, 4 are present"
                )
                assert not accounts.verify(session).intact
                session.rollback()
            migrate.downgrade(url, BEFORE)
            schema = inspect(engine)
            assert not {"audit_count", "audit_head"} & {c["name"] for c in schema.get_columns("reviews")}
            assert "account_audit_head" not in schema.get_table_names()
        finally:
            engine.dispose()

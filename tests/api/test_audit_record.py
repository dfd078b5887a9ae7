"""The audit log's check over HTTP and on its page: entries removed from the end (which no walk of the
chain alone can see) are reported against the anchor on the review, in words; an imported review shows
its provenance, apart from its own log, and whether it holds."""

from __future__ import annotations

from sqlalchemy import delete, update

from findings.exchange import provenance
from findings.exchange.models import ImportedAuditEntry
from tests.api.test_pages import sign_in
from workflow.models import AuditEntry
from workflow.states import State


def test_entries_removed_from_the_end_are_reported_by_the_api_and_the_page(
    client, api_services, worlds, sessions
):
    world = worlds.at(State.SCOPING)
    url = f"/api/v1/reviews/{world.review_id}/audit/verify"
    before = client.get(url, headers=world.headers("chair")).json()
    total = before["entries"]
    assert before["intact"] and before["recorded"] == total
    with sessions() as session:
        session.execute(
            delete(AuditEntry).where(AuditEntry.review_id == world.review_id, AuditEntry.seq > total - 2)
        )
        session.commit()

    after = client.get(url, headers=world.headers("chair")).json()
    missing = f"2 entries missing after #{total - 2}: the review records {total}, {total - 2} are present"
    assert after == {
        "intact": False,
        "entries": total - 2,
        "recorded": total,
        "broken_at": total - 1,
        "problem": missing,
        "problems": [missing],
        "provenance": None,
    }
    sign_in(client, api_services, world, "chair")
    page = client.get(f"/reviews/{world.review_id}/audit")
    assert page.status_code == 200
    assert "The chain does not verify" in page.text
    assert f"2 entries missing after #{total - 2}: the review records {total}" in page.text


def test_an_imported_review_shows_its_provenance_and_its_check_on_the_audit_page(
    client, api_services, worlds, sessions
):
    """The import's file said `published`; the review is at `referred` here, its log there kept
    apart, and a changed row of that log is reported on the page."""
    world = worlds.at(State.SCOPING)
    coordinator = world.headers("coordinator")
    exported = client.get(f"/api/v1/reviews/{world.review_id}/export", headers=coordinator)
    document = exported.json()
    document["review"]["state"] = "published"  # a claim the import never takes
    imported = client.post("/api/v1/reviews/import", headers=coordinator, json=document).json()
    assert imported["state"] == "referred"

    sign_in(client, api_services, world, "coordinator")
    page = client.get(f"/reviews/{imported['id']}/audit")
    assert page.status_code == 200
    assert "Imported: its history elsewhere" in page.text
    assert "The file had it at the stage 'Published'" in page.text
    assert "The provenance verifies:" in page.text

    with sessions() as session:
        kept = provenance.provenance_of(session, imported["id"])
        session.execute(
            update(ImportedAuditEntry)
            .where(ImportedAuditEntry.provenance_id == kept.id, ImportedAuditEntry.seq == 1)
            .values(reason="rewritten")
        )
        session.commit()
    page = client.get(f"/reviews/{imported['id']}/audit")
    assert "The provenance does not verify" in page.text
    assert "Imported log: entry #1 was changed: its contents do not match its hash." in page.text
    checked = client.get(f"/api/v1/reviews/{imported['id']}/audit/verify", headers=coordinator).json()
    assert checked["intact"] and not checked["provenance"]["intact"]

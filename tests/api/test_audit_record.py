"""The audit log's check over HTTP and on its page: entries removed from the end (which no walk of the
chain alone can see) are reported against the anchor on the review, in words."""

from __future__ import annotations

from sqlalchemy import delete

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
    }
    sign_in(client, api_services, world, "chair")
    page = client.get(f"/reviews/{world.review_id}/audit")
    assert page.status_code == 200
    assert "The chain does not verify" in page.text
    assert f"2 entries missing after #{total - 2}: the review records {total}" in page.text

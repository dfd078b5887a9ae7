"""The notification and the rapid review over HTTP: a safeguarding partner fills them in and sends
them, the documents say what the national panel asks, a stale change is refused, bad input is a 422
that names each field."""

from __future__ import annotations

import pytest

from findings.publication.docx import docx_text
from tests.api.world import World
from workflow.states import State

NOTIFICATION = {
    "age_band": "1_to_4",
    "sex": "female",
    "ethnicity": "White British",
    "incident_date": "2026-10-30",
    "area": "Northshire",
    "known_to": ["Police", "Health", "Police"],
    "child_protection_plan": "previously",
    "looked_after": "no",
    "other_children": "Tom, aged 5.",
    "circumstances": "Alice was found alone at home, underweight and unwell.",
    "immediate_actions": "Alice and Tom are staying with their grandmother.",
}


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.REFERRED)


def _as(world: World, caller: str, etag: str | None = None) -> dict[str, str]:
    return world.headers(caller) | ({"If-Match": etag} if etag else {})


def _criteria(client, world: World) -> str:
    from tests.support import WT2023_STATUTORY

    url = f"/api/v1/reviews/{world.review_id}"
    answered = client.put(
        f"{url}/criteria",
        json={"answers": WT2023_STATUTORY},
        headers=_as(world, "coordinator", f'"{world.version}"'),
    )
    assert answered.status_code == 200, answered.text
    return answered.headers["ETag"]


def test_a_partner_fills_in_the_notification_sends_it_and_downloads_it(client, world):
    url = f"/api/v1/reviews/{world.review_id}/notification"
    etag = _criteria(client, world)
    before = client.get(url, headers=_as(world, "partner"))
    assert before.status_code == 200 and before.headers["ETag"] == etag
    assert before.json()["follows"] == {
        "incidents": [
            "Abuse or neglect known or suspected, and the child died or was seriously harmed in England"
        ],
        "notified": ["the national panel"],
        "rapid_review": True,
    }
    assert "the child's age band" in before.json()["missing"]
    written = client.patch(url, json=NOTIFICATION, headers=_as(world, "partner", etag))
    assert written.status_code == 200, written.text
    body = written.json()
    assert body["known_to"] == ["Police", "Health"] and body["missing"] == [] and body["sent_on"] is None
    stale = client.post(f"{url}/sent", json={"on": "2026-11-06"}, headers=_as(world, "partner", etag))
    assert stale.status_code == 412
    sent = client.post(
        f"{url}/sent", json={"on": "2026-11-06"}, headers=_as(world, "partner", written.headers["ETag"])
    )
    assert sent.status_code == 200 and sent.json()["sent_on"] == "2026-11-06"
    review = client.get(f"/api/v1/reviews/{world.review_id}", headers=_as(world, "coordinator")).json()
    clock = next(c for c in review["clocks"] if c["key"] == "notification")
    assert clock["met_on"] == "2026-11-06" and clock["overdue"] is False

    document = client.get(
        f"/api/v1/reviews/{world.review_id}/notification/document", headers=_as(world, "chair")
    )
    assert document.status_code == 200 and document.headers["content-type"] == "text/html; charset=utf-8"
    text = document.text
    for words in (
        "Notification of a serious incident in respect of Alice",
        "The national panel",
        "1 to 4",
        "Female",
        "White British",
        "30 October 2026",
        "Northshire",
        "Police, Health",
        "Previously",
        "Tom, aged 5.",
        "Alice was found alone at home, underweight and unwell.",
        "Alice and Tom are staying with their grandmother.",
        "6 November 2026",
        "9 November 2026",  # due: 5 working days after 2 November
    ):
        assert words in text, words
    assert "Still to record" not in text


def test_bad_input_names_each_field_and_a_future_day_is_refused(client, world):
    url = f"/api/v1/reviews/{world.review_id}/notification"
    etag = f'"{world.version}"'
    refused = client.patch(
        url,
        json={"age_band": "teenager", "sex": "x", "incident_date": "2099-01-01"},
        headers=_as(world, "coordinator", etag),
    )
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) >= {"age_band", "sex"}
    future = client.post(f"{url}/sent", json={"on": "2099-01-01"}, headers=_as(world, "coordinator", etag))
    assert future.status_code == 422 and "future" in future.text
    incomplete = client.post(
        f"{url}/sent", json={"on": "2026-11-06"}, headers=_as(world, "coordinator", etag)
    )
    assert incomplete.status_code == 422
    assert (
        "a notifiable incident answered yes in the criteria check"
        in incomplete.json()["errors"]["notification"]
    )


def test_the_rapid_review_is_sent_answered_and_its_report_says_so(client, world):
    base = f"/api/v1/reviews/{world.review_id}"
    etag = _criteria(client, world)
    rapid = {
        "facts": "Alice, aged two, was found alone at home.",
        "immediate_action": "Alice and Tom are with their grandmother.",
        "agencies_involvement": "Health visiting saw Alice twice; police attended once.",
        "learning": "How a child who is not brought to appointments is noticed.",
        "lcspr_criteria_met": "yes",
        "lcspr_reasons": "Criteria (a) and (c).",
        "national_review": "no",
        "national_review_reasons": "The learning is local.",
    }
    etag = client.patch(f"{base}/rapid-review", json=rapid, headers=_as(world, "partner", etag)).headers[
        "ETag"
    ]
    early = client.put(
        f"{base}/rapid-review/panel-response",
        json={"response": "agrees", "on": "2026-11-24"},
        headers=_as(world, "partner", etag),
    )
    assert early.status_code == 422 and "Send the rapid review" in early.json()["errors"]["response"]
    sent = client.post(
        f"{base}/rapid-review/sent", json={"on": "2026-11-20"}, headers=_as(world, "partner", etag)
    )
    assert sent.status_code == 200 and sent.json()["sent_on"] == "2026-11-20"
    answered = client.put(
        f"{base}/rapid-review/panel-response",
        json={
            "response": "disagrees",
            "reasons": "A local learning review may be enough.",
            "on": "2026-11-24",
        },
        headers=_as(world, "partner", sent.headers["ETag"]),
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["panel_response"] == {
        "response": "disagrees",
        "reasons": "A local learning review may be enough.",
        "on": "2026-11-24",
    }
    report = client.get(f"{base}/rapid-review/document?format=html", headers=_as(world, "coordinator")).text
    for words in (
        "Rapid review in respect of Alice",
        "Alice, aged two, was found alone at home.",
        "Alice and Tom are with their grandmother.",
        "Health visiting saw Alice twice; police attended once.",
        "How a child who is not brought to appointments is noticed.",
        "Yes. Criteria (a) and (c).",
        "No. The learning is local.",
        "20 November 2026",
        "23 November 2026",  # due: 15 working days after 2 November
        "The panel disagrees (with its reasons)",
        "A local learning review may be enough.",
    ):
        assert words in report, words


@pytest.mark.pdf
def test_the_documents_are_pdfs_too(client, world):
    base = f"/api/v1/reviews/{world.review_id}"
    for document in ("notification", "rapid-review"):
        pdf = client.get(f"{base}/{document}/document?format=pdf", headers=_as(world, "coordinator"))
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")


def test_the_documents_are_word_documents_for_final_editing(client, world):
    base = f"/api/v1/reviews/{world.review_id}"
    etag = _criteria(client, world)
    client.patch(f"{base}/notification", json=NOTIFICATION, headers=_as(world, "coordinator", etag))
    for document, words in (
        (
            "notification",
            ("Notification of a serious incident in respect of Alice", "Northshire", "Tom, aged 5."),
        ),
        (
            "rapid-review",
            ("Rapid review in respect of Alice", "Still to record before it is sent", "The facts"),
        ),
    ):
        word = client.get(f"{base}/{document}/document?format=docx", headers=_as(world, "chair"))
        assert word.status_code == 200
        assert word.headers["content-type"] == (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        assert word.headers["content-disposition"].endswith(f'{document}.docx"')
        text = docx_text(word.content)
        for expected in words:
            assert expected in text, (document, expected)


def test_the_case_group_and_outsiders_cannot_read_them(client, world):
    url = f"/api/v1/reviews/{world.review_id}/rapid-review"
    assert client.get(url, headers=_as(world, "case_group")).status_code == 403
    assert client.get(url, headers=_as(world, "other_review")).status_code == 404
    assert client.get(url, headers=_as(world, "admin")).status_code == 404

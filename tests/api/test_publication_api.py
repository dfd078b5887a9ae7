"""Reports, the anonymisation check, the sealed register, publication, export and import through the
HTTP API, against the production wiring (real analysis facts, check and publisher)."""

from __future__ import annotations

import json

import pytest

from api.wiring import Services
from findings.publication.docx import docx_text
from findings.publication.render import MEDIA_TYPES, Format
from tests.findings_support import Analysis, to_approved
from tests.support import People
from workflow.models import Review


@pytest.fixture
def signed_off(api_services: Services, people: People) -> Analysis:
    return Analysis(api_services.reviews, people).to_sign_off()


@pytest.fixture
def approved(signed_off: Analysis) -> Analysis:
    return to_approved(signed_off)


def _auth(services: Services, user_id: int, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.auth.issue(user_id).token}", **headers}


def _etag(client, services: Services, review_id: int, user_id: int) -> str:
    return client.get(f"/api/v1/reviews/{review_id}", headers=_auth(services, user_id)).headers["ETag"]


def test_the_register_blocks_publish_until_the_leak_is_corrected_then_the_frozen_documents_are_public(
    client, api_services: Services, signed_off: Analysis, people: People
) -> None:
    a, s = signed_off, api_services
    coordinator, chair = _auth(s, a.cast.coordinator), _auth(s, a.cast.chair)
    lead = _auth(s, a.cast.lead)
    base = f"/api/v1/reviews/{a.review_id}"

    # A case summary written with a real name; the chair approves; the coordinator then seals the name.
    written = client.put(
        f"{base}/report-texts",
        headers=coordinator | {"If-Match": _etag(client, s, a.review_id, a.cast.coordinator)},
        json={"case_summary": "Jane Smith, aged 6, was found in a neglected state."},
    )
    assert written.status_code == 200, written.text
    to_approved(a)
    answer = client.post(
        f"{base}/register",
        headers=coordinator | {"If-Match": _etag(client, s, a.review_id, a.cast.coordinator)},
        json={"kind": "child", "value": "Jane Smith", "pseudonym": "Alice"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["ETag"] == f'"{answer.json()["version"]}"'

    refused = client.post(
        f"{base}/triggers/publish", headers=chair | {"If-Match": _etag(client, s, a.review_id, a.cast.chair)}
    )
    assert refused.status_code == 409
    reasons = refused.json()["reasons"]
    assert all("Jane" not in r and "Smith" not in r for r in reasons)
    assert any("The child's name" in r and "field 'case summary'" in r for r in reasons)

    check = client.get(f"{base}/anonymisation", headers=chair).json()
    assert check["ran"] and not check["passed"]
    hit = next(h for h in check["hits"] if h["field"] == "case_summary")
    assert {h["field"] for h in check["hits"]} == {"case_summary"}  # full report and briefing background
    assert (hit["kind"], hit["object_id"], hit["matched"], hit["correctable"]) == (
        "review",
        a.review_id,
        "Jane Smith",
        True,
    )
    assert hit["places"] == [
        {
            "kind": "review",
            "object_id": a.review_id,
            "field": "case_summary",
            "where": f"Review (id {a.review_id}), field 'case summary'",
            "words": "Jane Smith",
            "owner": None,
            "correctable": True,
        }
    ]
    correction = {
        "kind": hit["kind"],
        "object_id": hit["object_id"],
        "field": hit["field"],
        "value": "Alice, aged 6, was found in a neglected state.",
    }
    # What the chair approved is not changed behind the approval: the review is reopened first.
    after_approval = client.post(
        f"{base}/anonymisation/corrections",
        headers=chair | {"If-Match": _etag(client, s, a.review_id, a.cast.chair)},
        json=correction,
    )
    assert after_approval.status_code == 409
    assert "reopen the review for correction" in after_approval.json()["detail"]
    reopened = client.post(
        f"{base}/triggers/reopen_for_correction",
        headers=coordinator | {"If-Match": _etag(client, s, a.review_id, a.cast.coordinator)},
        json={"reason": "The case summary names the child."},
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["state"] == "findings"
    corrected = client.post(
        f"{base}/anonymisation/corrections",
        headers=chair | {"If-Match": reopened.headers["ETag"]},
        json=correction,
    )
    assert corrected.status_code == 200, corrected.text
    assert client.get(f"{base}/anonymisation", headers=chair).json()["passed"]
    for trigger, caller in (("submit_for_signoff", lead), ("approve", chair)):
        fired = client.post(
            f"{base}/triggers/{trigger}",
            headers=caller | {"If-Match": _etag(client, s, a.review_id, a.cast.chair)},
        )
        assert fired.status_code == 200, fired.text

    published = client.post(f"{base}/triggers/publish", headers=chair | {"If-Match": fired.headers["ETag"]})
    assert published.status_code == 200, published.text and published.json()["state"] == "published"

    # Anyone signed in (here: someone with no part in the review) reads the published documents.
    stranger = _auth(s, people.user("member", "Sam Stranger"))
    listing = client.get("/api/v1/published", headers=stranger).json()
    (item,) = listing["items"]
    assert item["review_id"] == a.review_id and item["variant"] == "full"
    hrefs = {(d["kind"], d["format"]): d["href"] for d in item["documents"]}
    briefing = client.get(hrefs[("practitioner", "md")], headers=stranger)
    assert briefing.status_code == 200 and briefing.headers["content-type"].startswith("text/markdown")
    assert briefing.content.startswith(b"# Practitioner briefing: Alice")
    assert "attachment" in briefing.headers["content-disposition"]
    # Word is made from the frozen HTML: the words that were published, for anyone who may read them.
    frozen_html = client.get(hrefs[("full", "html")], headers=stranger).text
    word = client.get(hrefs[("full", "html")].replace("format=html", "format=docx"), headers=stranger)
    assert word.status_code == 200 and word.headers["content-type"] == MEDIA_TYPES[Format.DOCX]
    assert "The multi-agency narrative" in frozen_html
    assert "The multi-agency narrative" in docx_text(word.content)
    member_copy = client.get(f"{base}/reports/practitioner?format=md", headers=coordinator)
    assert member_copy.content == briefing.content  # members get the frozen document too
    board = client.get(f"/api/v1/published/board-briefing?reviews={a.review_id}&format=md", headers=stranger)
    assert board.status_code == 200 and b"Learning from case reviews" in board.content
    assert client.get("/api/v1/published/board-briefing?reviews=999", headers=stranger).status_code == 404
    assert client.get("/api/v1/published/board-briefing?reviews=x", headers=stranger).status_code == 422
    assert client.get(f"/api/v1/published/{a.review_id}/summary", headers=stranger).status_code == 404


@pytest.mark.pdf
def test_a_draft_report_for_members_in_every_format(
    client, api_services: Services, approved: Analysis
) -> None:
    a, s = approved, api_services
    headers = _auth(s, a.cast.panel["Police"])
    base = f"/api/v1/reviews/{a.review_id}/reports"
    case_group = _auth(s, a.cast.practitioner)  # the narratives are not theirs to read
    assert client.get(f"{base}/full", headers=case_group).status_code == 403
    assert client.get(f"{base}/practitioner?format=md", headers=case_group).status_code == 200
    html = client.get(f"{base}/full", headers=headers)
    assert html.status_code == 200 and html.headers["content-type"] == "text/html; charset=utf-8"
    assert b"The multi-agency narrative" in html.content
    md = client.get(f"{base}/full?format=md", headers=headers)
    assert md.content.startswith(b"# Local child safeguarding practice review: Alice")
    pdf = client.get(f"{base}/practitioner?format=pdf", headers=headers)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(f"{base}/board", headers=headers).status_code == 422
    word = client.get(f"{base}/full?format=docx", headers=headers)
    assert word.status_code == 200 and word.headers["content-type"] == MEDIA_TYPES[Format.DOCX]
    assert 'filename="review-report-' in word.headers["content-disposition"]
    assert "The multi-agency narrative" in docx_text(word.content)
    assert client.get(f"{base}/full?format=odt", headers=headers).status_code == 422


def test_report_texts_fill_the_practitioner_briefing(
    client, api_services: Services, signed_off: Analysis
) -> None:
    a, s = signed_off, api_services
    headers = _auth(s, a.cast.coordinator)
    base = f"/api/v1/reviews/{a.review_id}"
    written = client.put(
        f"{base}/report-texts",
        headers=headers | {"If-Match": _etag(client, s, a.review_id, a.cast.coordinator)},
        json={
            "case_summary": "Alice, aged 6, was found in a neglected state.",
            "briefing": {
                "lessons_learned": {
                    "intro": ["There is a need for:"],
                    "items": ["Timely help", {"text": "Shared records", "children": ["CAF"]}],
                }
            },
        },
    )
    assert written.status_code == 200, written.text
    assert written.headers["ETag"] == f'"{written.json()["version"]}"'
    md = client.get(f"{base}/reports/practitioner?format=md", headers=headers).text
    assert "## Background\n\nAlice, aged 6, was found in a neglected state." in md
    assert "## Lessons Learned\n\nThere is a need for:\n\n- Timely help\n- Shared records\n  - CAF" in md
    assert (
        "## Key Issues\n\n- Appointment systems treat missed appointments" in md
    )  # derived from the finding
    stale = client.put(
        f"{base}/report-texts", headers=headers | {"If-Match": '"1"'}, json={"case_summary": "x"}
    )
    assert stale.status_code == 412
    bad = client.put(
        f"{base}/report-texts",
        headers=headers | {"If-Match": written.headers["ETag"]},
        json={"briefing": {"conclusions": {"items": ["x"]}}},
    )
    assert bad.status_code == 422


def test_the_register_over_http(client, api_services: Services, approved: Analysis) -> None:
    a, s = approved, api_services
    chair = _auth(s, a.cast.chair)
    base = f"/api/v1/reviews/{a.review_id}/register"
    added = client.post(
        base,
        headers=chair | {"If-Match": _etag(client, s, a.review_id, a.cast.chair)},
        json={
            "kind": "parent_carer",
            "value": "Mary Smith",
            "pseudonym": "her mother",
            "variants": ["Mrs Smith"],
        },
    )
    entry_id = added.json()["entry_id"]
    register = client.get(base, headers=chair).json()
    assert [(e["id"], e["value"], e["variants"]) for e in register["items"]] == [
        (entry_id, "Mary Smith", ["Mrs Smith"])
    ]
    changed = client.patch(
        f"{base}/{entry_id}",
        headers=chair | {"If-Match": added.headers["ETag"]},
        json={"pseudonym": "the mother"},
    )
    assert changed.status_code == 200
    removed = client.request(
        "DELETE",
        f"{base}/{entry_id}",
        headers=chair | {"If-Match": changed.headers["ETag"]},
        json={"reason": "Entered twice."},
    )
    assert removed.status_code == 200 and client.get(base, headers=chair).json()["total"] == 0
    lead = _auth(s, a.cast.lead)
    assert client.get(base, headers=lead).status_code == 403


def test_export_and_import_over_http(client, api_services: Services, approved: Analysis, sessions) -> None:
    a, s = approved, api_services
    coordinator = _auth(s, a.cast.coordinator)
    exported = client.get(f"/api/v1/reviews/{a.review_id}/export", headers=coordinator)
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/json"
    document = exported.json()
    assert document["format"] == "tunnelview.review"

    imported = client.post("/api/v1/reviews/import", headers=coordinator, content=exported.content)
    assert imported.status_code == 201, imported.text
    assert imported.headers["Location"] == f"/api/v1/reviews/{imported.json()['id']}"
    assert imported.json()["state"] == "referred"  # never the file's state ("approved")
    verified = client.get(f"/api/v1/reviews/{imported.json()['id']}/audit/verify", headers=coordinator).json()
    assert verified["intact"] and verified["entries"] == 1
    assert verified["provenance"]["intact"] and verified["provenance"]["state_there"] == "approved"
    assert verified["provenance"]["source_review_id"] == a.review_id

    with sessions() as session:
        before = session.query(Review).count()
    broken = json.loads(exported.content)
    broken["findings"][0]["episodes"] = ["episode-42"]
    refused = client.post("/api/v1/reviews/import", headers=coordinator, json=broken)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "findings.0.episodes.0": "'episode-42' is not a episode of this export."
    }
    garbage = client.post("/api/v1/reviews/import", headers=coordinator, content=b"\xff\xfe not json")
    assert garbage.status_code == 422 and "file" in garbage.json()["errors"]
    with sessions() as session:
        assert session.query(Review).count() == before


def test_an_import_nested_deeper_than_any_export_is_refused_with_a_problem_not_a_crash(
    client, api_services: Services, people: People, sessions
) -> None:
    coordinator = _auth(api_services, people.user("coordinator", "Cara Coordinator"))
    nested = '{"format": "tunnelview.review", "version": 1, "review": ' + "[" * 1000 + "]" * 1000 + "}"
    refused = client.post("/api/v1/reviews/import", headers=coordinator, content=nested.encode())
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == {
        "file": "The file nests arrays and objects more than 64 deep; no export does."
    }
    with sessions() as session:
        assert session.query(Review).count() == 0

"""The final report notices (wt2023: the national panel, the Secretary of State and Ofsted) through
the API and the overview page: each recorded with its day, listed on the review, and `publish` refused
in words that name the notice missing or too recent."""

from __future__ import annotations

import pytest

from tests.api.test_pages import sign_in
from tests.api.world import World
from workflow.states import State


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.APPROVED)  # the journey sent the report to all three on 2 November


def _etag(client, world: World) -> str:
    return client.get(f"/api/v1/reviews/{world.review_id}", headers=world.headers("chair")).headers["ETag"]


def _record(client, world: World, kind: str, on: str, caller: str = "chair"):
    return client.post(
        f"/api/v1/reviews/{world.review_id}/notices",
        json={"kind": kind, "on": on},
        headers=world.headers(caller) | {"If-Match": _etag(client, world)},
    )


def _publish_reasons(client, world: World) -> list[str]:
    triggers = client.get(f"/api/v1/reviews/{world.review_id}/triggers", headers=world.headers("chair"))
    return next(o for o in triggers.json()["items"] if o["trigger"] == "publish")["reasons"]


def test_the_review_lists_each_notice_the_regime_asks_for_with_its_day(client, world):
    review = client.get(f"/api/v1/reviews/{world.review_id}", headers=world.headers("chair")).json()
    assert review["report_notices"] == [
        {"recipient": recipient, "label": label, "sent_on": "2026-11-02", "publishable_from": "2026-11-11"}
        for recipient, label in (
            ("panel", "the national panel"),
            ("secretary_of_state", "the Secretary of State"),
            ("ofsted", "Ofsted"),
        )
    ]
    assert not [r for r in _publish_reasons(client, world) if "notice" in r or "has not been sent" in r]


def test_a_recent_notice_to_ofsted_holds_publication_back_and_says_until_when(client, world):
    answer = _record(client, world, "ofsted_notice", "2026-11-24")
    assert answer.status_code == 200, answer.text
    ofsted = answer.json()["report_notices"][2]
    assert ofsted == {
        "recipient": "ofsted",
        "label": "Ofsted",
        "sent_on": "2026-11-24",
        "publishable_from": "2026-12-03",
    }
    assert (
        "The notice to Ofsted was given on 24 November 2026, less than 7 working days ago: "
        "publication is possible from Thursday 3 December 2026."
    ) in _publish_reasons(client, world)
    refused = client.post(
        f"/api/v1/reviews/{world.review_id}/triggers/publish",
        headers=world.headers("chair") | {"If-Match": _etag(client, world)},
    )
    assert refused.status_code == 409
    assert any("The notice to Ofsted was given on 24 November 2026" in r for r in refused.json()["reasons"])


def test_a_notice_is_recorded_only_by_the_coordinator_or_the_chair_and_hidden_from_outsiders(client, world):
    assert (
        _record(client, world, "secretary_of_state_notice", "2026-11-20", "panel_member").status_code == 403
    )
    assert (
        _record(client, world, "secretary_of_state_notice", "2026-11-20", "other_review").status_code == 404
    )
    assert _record(client, world, "secretary_of_state_notice", "2026-11-20", "admin").status_code == 404


def test_an_unknown_recipient_is_refused_with_the_kinds_there_are(client, world):
    answer = _record(client, world, "home_office_notice", "2026-11-20")
    assert answer.status_code == 422
    assert "ofsted_notice" in answer.text


def test_the_overview_lists_the_notices_and_offers_each_recipient(client, api_services, world):
    csrf = sign_in(client, api_services, world, "coordinator")
    version = client.get(f"/api/v1/reviews/{world.review_id}", headers=world.headers("chair")).json()[
        "version"
    ]
    posted = client.post(
        f"/reviews/{world.review_id}/notices",
        data={
            "csrf_token": csrf,
            "version": str(version),
            "kind": "secretary_of_state_notice",
            "on-day": "25",
            "on-month": "11",
            "on-year": "2026",
        },
    )
    assert posted.status_code in (200, 303), posted.text
    page = client.get(f"/reviews/{world.review_id}").text
    assert "Final report to the Secretary of State" in page
    assert "Sent 25 November 2026; publication possible from Friday 4 December 2026" in page
    assert "Final report to Ofsted" in page
    for kind in ("panel_notice", "secretary_of_state_notice", "ofsted_notice"):
        assert f'value="{kind}"' in page

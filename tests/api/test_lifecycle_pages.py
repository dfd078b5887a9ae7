"""The referral, overview, scope and members pages and the referral route: every error of a form at
once, the chair asked for on the referral, a second referral of the same child and day warned
about, and controls that are labelled (no id used twice)."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import unquote

import pytest

from api.pages.common import FLASH_COOKIE
from tests.api.test_pages import sign_in
from tests.api.world import World
from workflow.states import State

REFERRAL = {
    "child_pseudonym": "Carl",
    "incident": {"outcome": "died", "abuse_or_neglect": "known", "date_of_awareness": "2026-11-20"},
    "agencies_involved": ["Police"],
}


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.SCOPING)


def _log(client, world: World, body: dict) -> dict:
    response = client.post("/api/v1/reviews", json=body, headers=world.headers("coordinator"))
    assert response.status_code == 201, response.text
    return response.json()


def test_a_second_referral_of_the_same_child_and_day_is_answered_with_a_warning(client, world):
    first = _log(client, world, REFERRAL)
    assert first["warnings"] == []
    second = _log(client, world, REFERRAL)
    assert second["warnings"] == [
        f"A referral for Carl with the same date of awareness was already logged (review {first['id']}). "
        "Check this is not the same incident logged twice."
    ]
    again = client.get(f"/api/v1/reviews/{second['id']}", headers=world.headers("coordinator")).json()
    assert again["warnings"] == []  # said once, when it was logged


def test_the_chair_named_on_the_referral_sees_the_new_review(client, world):
    created = _log(client, world, REFERRAL | {"chair_email": world.emails["chair"]})
    mine = client.get(f"/api/v1/reviews/{created['id']}", headers=world.headers("chair"))
    assert mine.status_code == 200 and mine.json()["your_roles"] == ["chair"]
    assert created["version"] == mine.json()["version"]


def test_the_referral_page_shows_every_problem_at_once(client, api_services, world):
    csrf = sign_in(client, api_services, world, "coordinator")
    response = client.post(
        "/reviews/new",
        data={
            "csrf_token": csrf,
            "child_pseudonym": "Carl",
            "incident_outcome": "died",
            "abuse_or_neglect": "known",
            "date_of_awareness-day": "1",
            "date_of_awareness-month": "1",
            "date_of_awareness-year": "2027",  # the app's today is 26 November 2026
            "regime": "wt2023",
            "chair_email": "",
        },
    )
    assert response.status_code == 422
    assert "The date of awareness cannot be in the future." in response.text
    assert "Choose or name at least one agency involved with the child and family." in response.text
    assert 'value="Carl"' in response.text  # what was typed is kept


def test_the_referral_page_asks_who_chairs_the_review_and_adds_them(client, api_services, world):
    csrf = sign_in(client, api_services, world, "coordinator")
    form = client.get("/reviews/new").text
    assert "Who chairs this review?" in form and world.emails["chair"] in form
    logged = client.post(
        "/reviews/new",
        data={
            "csrf_token": csrf,
            "child_pseudonym": "Carl",
            "incident_outcome": "died",
            "abuse_or_neglect": "known",
            "date_of_awareness-day": "20",
            "date_of_awareness-month": "11",
            "date_of_awareness-year": "2026",
            "agencies": ["Police"],
            "regime": "wt2023",
            "chair_email": world.emails["chair"],
        },
        follow_redirects=False,
    )
    assert logged.status_code == 303
    review_id = int(logged.headers["location"].rsplit("/", 1)[1])
    members = api_services.reviews.get(review_id, world.users["chair"]).review.memberships
    assert {m.role for m in members} == {"coordinator", "chair"}


def test_a_second_referral_on_the_page_is_logged_with_the_warning(client, api_services, world):
    first = _log(client, world, REFERRAL)
    csrf = sign_in(client, api_services, world, "coordinator")
    logged = client.post(
        "/reviews/new",
        data={
            "csrf_token": csrf,
            "child_pseudonym": "Carl",
            "incident_outcome": "died",
            "abuse_or_neglect": "known",
            "date_of_awareness-day": "20",
            "date_of_awareness-month": "11",
            "date_of_awareness-year": "2026",
            "agencies": ["Police"],
            "regime": "wt2023",
        },
        follow_redirects=False,
    )
    assert logged.status_code == 303
    flash = unquote(logged.cookies[FLASH_COOKIE])
    assert flash.startswith("Referral logged: review ")
    assert f"already logged (review {first['id']})" in flash


def test_the_overview_says_no_one_is_the_chair_yet_and_where_to_add_them(client, api_services, world):
    created = _log(client, world, REFERRAL)
    client.post(
        f"/api/v1/reviews/{created['id']}/triggers/open_screening",
        headers=world.headers("coordinator") | {"If-Match": f'"{created["version"]}"'},
    )
    sign_in(client, api_services, world, "coordinator")
    overview = client.get(f"/reviews/{created['id']}").text
    assert "No one is the chair of this review yet: add them on the members page." in overview
    assert "Only the chair may do this." not in overview
    staffed = client.get(f"/reviews/{world.review_id}").text  # this review has a chair
    assert "No one is the chair" not in staffed


@pytest.mark.parametrize("page", ["scope", "members", "criteria", ""])
def test_no_id_is_used_twice_on_a_lifecycle_page(client, api_services, world, page):
    sign_in(client, api_services, world, "coordinator")
    html = client.get(f"/reviews/{world.review_id}/{page}".rstrip("/")).text
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []


def test_a_form_the_role_may_not_use_says_why(client, api_services, world):
    sign_in(client, api_services, world, "panel_member")
    assert (
        "Only the review coordinator may set the scope."
        in client.get(f"/reviews/{world.review_id}/scope").text
    )
    members = client.get(f"/reviews/{world.review_id}/members").text
    assert "Only the review coordinator may change the membership." in members
    overview = client.get(f"/reviews/{world.review_id}").text
    assert "Only the chair or review coordinator may set or clear a publication hold." in overview

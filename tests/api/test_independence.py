"""The lead reviewers' independence: each lead reviewer declares their own (and changes it against
its version), every member sees the declarations on the overview and in the API, and the full report
prints them by number, never by name."""

from __future__ import annotations

import pytest

from tests.api.test_pages import sign_in
from tests.api.world import World
from workflow.states import State

STATEMENT = "I have not worked for or with any of the agencies involved in the last five years."


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.ANALYSIS)


def _url(world: World, rest: str = "") -> str:
    return f"/api/v1/reviews/{world.review_id}/independence{rest}"


def _declare(client, world: World, body: dict | None = None, etag: str | None = None, caller: str = "lead"):
    headers = world.headers(caller) | ({"If-Match": etag} if etag else {})
    body = body or {"statement": STATEMENT, "declared_on": "2026-11-20"}
    return client.put(_url(world, "/mine"), json=body, headers=headers)


def test_a_lead_reviewer_declares_and_changes_their_own_declaration(client, world):
    made = _declare(client, world)
    assert made.status_code == 201, made.text
    assert made.json() | {"id": 0} == {
        "id": 0,
        "statement": STATEMENT,
        "declared_on": "2026-11-20",
        "version": 1,
    }
    assert _declare(client, world).status_code == 428  # it exists now: name its version
    changed = _declare(
        client, world, {"statement": "Independent.", "declared_on": "2026-11-25"}, made.headers["ETag"]
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert _declare(client, world, etag=made.headers["ETag"]).status_code == 412  # stale
    leads = client.get(_url(world), headers=world.headers("case_group")).json()["items"]
    assert [lead["declaration"]["statement"] for lead in leads] == ["Independent."]


def test_a_lead_reviewer_who_has_not_declared_is_listed_without_a_declaration(client, world):
    leads = client.get(_url(world), headers=world.headers("panel_member")).json()["items"]
    assert [lead["declaration"] for lead in leads] == [None]


def test_only_a_lead_reviewer_declares_and_bad_input_says_what_to_fix(client, world):
    assert _declare(client, world, caller="coordinator").status_code == 403
    assert _declare(client, world, caller="other_review").status_code == 404
    assert client.get(_url(world), headers=world.headers("admin")).status_code == 404
    refused = _declare(client, world, {"statement": " ", "declared_on": "2026-12-24"})
    assert refused.status_code == 422
    assert refused.json()["errors"]["statement"] == "Say how you are independent of the agencies involved."
    future = _declare(client, world, {"statement": STATEMENT, "declared_on": "2026-12-24"})
    assert future.json()["errors"] == {"declared_on": "The day of the declaration cannot be in the future."}


def test_the_report_prints_the_declaration_by_number_never_by_name(client, world):
    _declare(client, world)
    report = client.get(
        f"/api/v1/reviews/{world.review_id}/reports/full?format=md", headers=world.headers("coordinator")
    ).text
    assert "### The lead reviewers' independence" in report
    assert f"**Lead reviewer 1, 20 November 2026:** {STATEMENT}" in report
    leads = client.get(_url(world), headers=world.headers("lead")).json()["items"]
    for lead in leads:
        assert lead["name"] not in report


def test_the_overview_shows_the_declarations_and_the_lead_reviewer_declares_there(
    client, api_services, world
):
    csrf = sign_in(client, api_services, world, "lead")
    overview = f"/reviews/{world.review_id}"
    before = client.get(overview).text
    assert "Declare your independence" in before and "Has not declared their independence yet" in before
    refused = client.post(f"{overview}/independence", data={"csrf_token": csrf, "statement": STATEMENT})
    assert refused.status_code == 422
    assert "Enter the day of the declaration." in refused.text and STATEMENT in refused.text
    assert "<title>Error: Overview" in refused.text and "<title>Overview" in before
    done = client.post(
        f"{overview}/independence",
        data={
            "csrf_token": csrf,
            "statement": STATEMENT,
            "declared_on-day": "20",
            "declared_on-month": "11",
            "declared_on-year": "2026",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    page = client.get(overview).text
    assert f"Declared on 20 November 2026: {STATEMENT}" in page
    assert "Change your declaration" in page
    sign_in(client, api_services, world, "panel_member")
    seen = client.get(overview).text
    assert f"Declared on 20 November 2026: {STATEMENT}" in seen and "Declare your independence" not in seen

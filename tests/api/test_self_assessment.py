"""The quality self-assessment through the API, its page and the full report: every marker with what
the review's data suggests, the coordinator's assessment of each (versioned), and the appendix of
the report; the review team reads it, the case group and outsiders do not."""

from __future__ import annotations

import pytest

from tests.api.test_pages import sign_in
from tests.api.world import World
from workflow.states import State


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.ANALYSIS)


def _url(world: World, rest: str = "") -> str:
    return f"/api/v1/reviews/{world.review_id}/quality{rest}"


def _markers(client, world: World, caller: str = "coordinator") -> dict[str, dict]:
    answer = client.get(_url(world), headers=world.headers(caller))
    assert answer.status_code == 200, answer.text
    return {item["key"]: item for item in answer.json()["items"]}


def test_the_markers_are_prefilled_from_the_reviews_data(client, world):
    markers = _markers(client, world)
    assert markers["two_lead_reviewers"]["suggested"] == {
        "rating": "partly",
        "rating_label": "partly met",
        "evidence": "1 lead reviewer(s) appointed; two are recommended.",
    }
    assert markers["family"]["suggested"]["rating"] == "not_met"
    assert (
        markers["independence"]["suggested"]["evidence"]
        == "0 of 1 lead reviewers declared their independence."
    )
    assert markers["learning_disseminated"]["suggested"] is None
    assert all(m["assessment"] is None for m in markers.values())
    client.post(
        f"/api/v1/reviews/{world.review_id}/family",
        json={
            "pseudonym": "Alice's mother",
            "relationship": "mother",
            "invited_on": "2026-11-02",
            "views": "No one asked.",
        },
        headers=world.headers("lead"),
    )
    client.put(
        f"/api/v1/reviews/{world.review_id}/independence/mine",
        json={"statement": "Independent.", "declared_on": "2026-11-02"},
        headers=world.headers("lead"),
    )
    again = _markers(client, world)
    assert again["family"]["suggested"]["rating"] == "met"
    assert again["independence"]["suggested"]["rating"] == "met"


def test_the_coordinator_assesses_a_marker_and_changes_it_against_its_version(client, world):
    first = client.put(
        _url(world, "/family"),
        json={"rating": "partly", "comment": "The father was not reached."},
        headers=world.headers("coordinator"),
    )
    assert first.status_code == 201, first.text
    assert first.json() == {
        "rating": "partly",
        "rating_label": "partly met",
        "comment": "The father was not reached.",
        "version": 1,
    }
    assert (
        client.put(
            _url(world, "/family"), json={"rating": "met"}, headers=world.headers("coordinator")
        ).status_code
        == 428
    )
    changed = client.put(
        _url(world, "/family"),
        json={"rating": "met"},
        headers=world.headers("coordinator") | {"If-Match": first.headers["ETag"]},
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = client.put(
        _url(world, "/family"),
        json={"rating": "not_met"},
        headers=world.headers("coordinator") | {"If-Match": first.headers["ETag"]},
    )
    assert stale.status_code == 412
    answer = client.get(_url(world), headers=world.headers("lead")).json()
    assert answer["assessed"] == 1 and answer["total"] == len(answer["items"])


def test_bad_input_and_unknown_markers_are_refused_and_the_case_group_cannot_read(client, world):
    bad = client.put(
        _url(world, "/family"), json={"rating": "excellent"}, headers=world.headers("coordinator")
    )
    assert bad.status_code == 422 and "rating" in bad.json()["errors"]
    assert (
        client.put(
            _url(world, "/unknown"), json={"rating": "met"}, headers=world.headers("coordinator")
        ).status_code
        == 422
    )
    assert client.get(_url(world), headers=world.headers("case_group")).status_code == 403
    assert client.get(_url(world), headers=world.headers("other_review")).status_code == 404
    assert client.get(_url(world), headers=world.headers("admin")).status_code == 404


def test_the_full_report_has_the_assessment_in_an_appendix(client, world):
    report_url = f"/api/v1/reviews/{world.review_id}/reports/full?format=md"
    before = client.get(report_url, headers=world.headers("coordinator")).text
    assert "The quality self-assessment was not recorded." in before
    client.put(
        _url(world, "/family"),
        json={"rating": "partly", "comment": "The father was not reached."},
        headers=world.headers("coordinator"),
    )
    report = client.get(report_url, headers=world.headers("coordinator")).text
    appendix = report.split("## Appendix: quality self-assessment", 1)[1].split(
        "## Appendix: each agency", 1
    )[0]
    assert (
        "| The family were invited to take part and their views heard | partly met "
        "| The father was not reached. |" in appendix
    )
    assert "| Two lead reviewers lead the review | not assessed |  |" in appendix


def test_the_page_starts_from_the_data_and_saves_an_assessment(client, api_services, world):
    csrf = sign_in(client, api_services, world, "coordinator")
    page_url = f"/reviews/{world.review_id}/quality"
    page = client.get(page_url).text
    assert "0 of 13 markers assessed." in page
    assert "Partly met. 1 lead reviewer(s) appointed; two are recommended." in page
    assert 'name="two_lead_reviewers-rating" type="radio" value="partly" checked' in page
    refused = client.post(
        f"{page_url}/good_practice", data={"csrf_token": csrf, "good_practice-comment": "Kept."}
    )
    assert refused.status_code == 422
    assert "Choose met, partly met or not met." in refused.text and "Kept." in refused.text
    saved = client.post(
        f"{page_url}/good_practice",
        data={
            "csrf_token": csrf,
            "good_practice-rating": "not_met",
            "good_practice-comment": "None found yet.",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    after = client.get(page_url).text
    assert "1 of 13 markers assessed." in after and "Not met. None found yet." in after
    sign_in(client, api_services, world, "lead")
    assert "Save the assessment" not in client.get(page_url).text  # only the coordinator assesses

"""A panel member's analysis is private to its author and the lead reviewers until it is submitted,
through the API, for every other kind of member: the coordinator, the chair, another panel member
and the case group see neither it nor a trace of its content; non-members see no review at all.
Once submitted the review team reads it; the case group never does."""

from __future__ import annotations

import pytest

from tests.api.world import World
from workflow.states import State

APPRAISAL = "Police held the April incident log; no one asked for it."


@pytest.fixture
def world(worlds, api_services) -> World:
    world = worlds.at(State.ANALYSIS)
    health = world.journey.cast.panel["Health"]
    world.users["other_panel_member"] = health
    world.tokens["other_panel_member"] = api_services.auth.issue(health).token
    return world


def url(world: World) -> str:
    return f"/api/v1/reviews/{world.review_id}/panel-submissions"


def draft(client, world: World) -> dict:
    response = client.put(
        f"{url(world)}/mine",
        json={
            "appraisal": APPRAISAL,
            "proposed_factors": [
                {
                    "level": "local_strategic",
                    "category": "partnership_arrangements",
                    "description": "No shared flag.",
                }
            ],
        },
        headers=world.headers("panel_member"),
    )
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"{url(world)}/{response.json()['id']}"
    return response.json() | {"etag": response.headers["ETag"]}


OTHER_MEMBERS = ("coordinator", "chair", "other_panel_member", "case_group")


def test_a_draft_is_seen_by_its_author_and_the_lead_reviewers_only(client, world):
    submission = draft(client, world)
    one = f"{url(world)}/{submission['id']}"

    for caller in ("panel_member", "lead"):
        listed = client.get(url(world), headers=world.headers(caller)).json()
        assert [s["id"] for s in listed["items"]] == [submission["id"]], caller
        got = client.get(one, headers=world.headers(caller))
        assert got.status_code == 200, caller
        assert got.json()["appraisal"] == APPRAISAL

    never_was = client.get(f"{url(world)}/999999", headers=world.headers("coordinator")).json()["detail"]
    for caller in OTHER_MEMBERS:
        listed = client.get(url(world), headers=world.headers(caller))
        assert listed.status_code == 200, caller
        assert listed.json() == {"items": [], "total": 0}, caller
        hidden = client.get(one, headers=world.headers(caller))
        assert hidden.status_code == 404, caller
        # Indistinguishable from an analysis that does not exist.
        assert hidden.json()["detail"] == never_was.replace("999999", str(submission["id"])), caller
        # No trace of its content anywhere the member can read.
        for path in ("", "/audit?limit=100", "/factors", "/warnings"):
            text = client.get(f"/api/v1/reviews/{world.review_id}{path}", headers=world.headers(caller)).text
            assert APPRAISAL not in text and "No shared flag" not in text, (caller, path)

    for caller in ("admin", "other_review"):
        assert client.get(one, headers=world.headers(caller)).status_code == 404
        assert client.get(url(world), headers=world.headers(caller)).status_code == 404
    assert client.get(one).status_code == 401


def test_others_cannot_change_or_submit_a_draft_they_cannot_see(client, world):
    """Every change to a panel analysis acts on the caller's own ("mine"): nothing addresses another's."""
    submission = draft(client, world)
    for caller in OTHER_MEMBERS:
        headers = {**world.headers(caller), "If-Match": submission["etag"]}
        submitted = client.post(f"{url(world)}/mine/submission", headers=headers)
        # Not a panel member: 403. Another panel member: they have no draft of their own.
        assert submitted.status_code == (404 if caller == "other_panel_member" else 403), caller
        assert APPRAISAL not in submitted.text
    # Adopting a proposed factor of a draft is refused, and says nothing of its content.
    adopt = client.post(
        f"/api/v1/reviews/{world.review_id}/factors/adoptions",
        json={"submission_id": submission["id"], "index": 0},
        headers=world.headers("lead"),
    )
    assert adopt.status_code == 422
    assert "No shared flag" not in adopt.text


def test_once_submitted_the_review_team_reads_it_and_the_case_group_still_does_not(client, world):
    submission = draft(client, world)
    submitted = client.post(
        f"{url(world)}/mine/submission",
        headers={**world.headers("panel_member"), "If-Match": submission["etag"]},
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    one = f"{url(world)}/{submission['id']}"
    for caller in ("coordinator", "chair", "other_panel_member", "lead", "panel_member"):
        assert client.get(one, headers=world.headers(caller)).json()["appraisal"] == APPRAISAL, caller
        assert client.get(url(world), headers=world.headers(caller)).json()["total"] == 1, caller
    assert client.get(one, headers=world.headers("case_group")).status_code == 404
    assert client.get(url(world), headers=world.headers("case_group")).json()["total"] == 0
    # A submitted analysis no longer changes.
    again = client.put(
        f"{url(world)}/mine",
        json={"appraisal": "Changed."},
        headers={**world.headers("panel_member"), "If-Match": submitted.headers["ETag"]},
    )
    assert again.status_code == 409


def test_a_waived_analysis_is_visible_to_the_team_with_its_reason(client, world):
    member_id = world.member_id("panel_member")
    waived = client.post(
        f"{url(world)}/waivers",
        json={"membership_id": member_id, "reason": "On leave for the whole analysis."},
        headers=world.headers("coordinator"),
    )
    assert waived.status_code == 200, waived.text
    assert waived.json()["status"] == "waived"
    for caller in ("chair", "other_panel_member", "lead"):
        items = client.get(url(world), headers=world.headers(caller)).json()["items"]
        assert [s["waiver_reason"] for s in items] == ["On leave for the whole analysis."], caller
    assert client.get(url(world), headers=world.headers("case_group")).json()["total"] == 0


def test_saving_again_needs_the_drafts_etag(client, world):
    submission = draft(client, world)
    mine = f"{url(world)}/mine"
    missing = client.put(mine, json={"appraisal": "Again."}, headers=world.headers("panel_member"))
    assert missing.status_code == 428
    stale = client.put(
        mine, json={"appraisal": "Again."}, headers={**world.headers("panel_member"), "If-Match": '"999"'}
    )
    assert stale.status_code == 412
    saved = client.put(
        mine,
        json={"appraisal": "Again."},
        headers={**world.headers("panel_member"), "If-Match": submission["etag"]},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["appraisal"] == "Again."
    assert saved.json()["proposed_factors"][0]["description"] == "No shared flag."  # not sent: unchanged
    assert saved.headers["ETag"] != submission["etag"]

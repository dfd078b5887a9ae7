"""How the analysis routes answer: per-object ETags and If-Match (428, 412), stage refusals (409),
invalid input naming the fields as the request does (422), warnings on each object's answer, the
acknowledgement of a warning, lists and the frameworks and themes vocabularies."""

from __future__ import annotations

from datetime import date

import pytest

from findings.analysis.board import AddAction
from tests.api.world import World
from workflow.states import State


def base(world: World) -> str:
    return f"/api/v1/reviews/{world.review_id}"


def as_(world: World, caller: str, etag: str | None = None) -> dict[str, str]:
    return world.headers(caller) | ({"If-Match": etag} if etag else {})


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.ANALYSIS)


def add_episode(client, world: World, **fields) -> tuple[dict, str]:
    body = {"title": "Dental appointments missed", "valence": "problematic"} | fields
    response = client.post(f"{base(world)}/episodes", json=body, headers=as_(world, "lead"))
    assert response.status_code == 201, response.text
    return response.json(), response.headers["ETag"]


def test_an_object_change_needs_its_own_etag(client, world):
    episode, etag = add_episode(client, world)
    url = f"{base(world)}/episodes/{episode['id']}"
    assert etag == f'"{episode["version"]}"'

    missing = client.patch(url, json={"valence": "mixed"}, headers=as_(world, "lead"))
    assert missing.status_code == 428
    assert missing.json()["type"] == "urn:tunnelview:problem:if-match-required"
    for stale in ('"999"', "*", 'W/"1"'):
        refused = client.patch(url, json={"valence": "mixed"}, headers=as_(world, "lead", stale))
        assert refused.status_code == 412, stale
        assert refused.json()["type"] == "urn:tunnelview:problem:stale"
    changed = client.patch(url, json={"valence": "mixed"}, headers=as_(world, "lead", etag))
    assert changed.status_code == 200, changed.text
    assert changed.json()["valence"] == "mixed"
    assert changed.headers["ETag"] != etag
    # The old ETag is stale now: a second writer with it is refused, and nothing changes.
    second = client.patch(url, json={"valence": "good"}, headers=as_(world, "lead", etag))
    assert second.status_code == 412
    assert "Reload it" in second.json()["detail"]
    assert second.json()["title"] == "The episode has changed"
    assert client.get(url, headers=as_(world, "chair")).json()["valence"] == "mixed"
    # Deleting needs it too.
    assert client.delete(url, headers=as_(world, "lead")).status_code == 428
    assert client.delete(url, headers=as_(world, "lead", changed.headers["ETag"])).status_code == 204
    assert client.get(url, headers=as_(world, "lead")).status_code == 404


def test_a_change_the_stage_does_not_allow_is_409_with_the_reason(client, world):
    response = client.post(
        f"{base(world)}/actions", json={"title": "Neglect toolkit"}, headers=as_(world, "coordinator")
    )
    assert response.status_code == 409
    assert response.json()["type"] == "urn:tunnelview:problem:trigger-refused"
    assert response.json()["reasons"] == [
        "You cannot record the board's actions while the review is at the stage 'Analysis' "
        "(possible at: Approved, Published)."
    ]


def test_invalid_input_names_the_fields_as_the_request_does(client, world):
    invalid = client.post(
        f"{base(world)}/episodes",
        json={"title": "x", "valence": "awful", "period_start": "2026-05-01"},
        headers=as_(world, "lead"),
    )
    assert invalid.status_code == 422
    assert set(invalid.json()["errors"]) == {"valence"}
    backwards = client.post(
        f"{base(world)}/episodes",
        json={"title": "x", "valence": "good", "period_start": "2026-05-01", "period_end": "2026-04-01"},
        headers=as_(world, "lead"),
    )
    assert backwards.json()["errors"] == {"period_end": "The period must end on or after the day it starts."}
    not_here = client.post(
        f"{base(world)}/episodes",
        json={"title": "x", "valence": "good", "entry_ids": [999]},
        headers=as_(world, "lead"),
    )
    assert not_here.json()["errors"] == {"entry_ids": "Not part of this review: 999."}
    unknown = client.post(
        f"{base(world)}/episodes",
        json={"title": "x", "valence": "good", "colour": "red"},
        headers=as_(world, "lead"),
    )
    assert set(unknown.json()["errors"]) == {"colour"}
    null = client.patch(
        f"{base(world)}/episodes/{add_episode(client, world)[0]['id']}",
        json={"title": None},
        headers=as_(world, "lead", '"1"'),
    )
    assert null.status_code == 422
    assert set(null.json()["errors"]) == {"title"}
    factor = client.post(
        f"{base(world)}/factors",
        json={"level": "frontline", "category": "nonsense", "description": "x"},
        headers=as_(world, "lead"),
    )
    assert set(factor.json()["errors"]) == {"category"}
    proposal = client.put(
        f"{base(world)}/panel-submissions/mine",
        json={"proposed_factors": [{"level": "nowhere", "category": "x", "description": "y"}]},
        headers=as_(world, "panel_member"),
    )
    assert proposal.status_code == 422
    assert set(proposal.json()["errors"]) == {"proposed_factors.0.level"}
    entry = client.post(
        f"{base(world)}/narratives/Police/entries",
        json={"occurred_on": "2026-03-04", "what_happened": "x", "aware": {"Health": "2026-03-01"}},
        headers=as_(world, "panel_member"),
    )
    assert entry.json()["errors"] == {"aware": "Health cannot have known of it before it happened."}


def test_warnings_stand_beside_each_object_and_on_the_review(client, world):
    episode, _ = add_episode(client, world, explanation="The health visitor failed to refer.")
    personal = {
        "level": "frontline",
        "category": "personal",
        "description": "New in post.",
        "episode_ids": [episode["id"]],
    }
    assert client.post(f"{base(world)}/factors", json=personal, headers=as_(world, "lead")).status_code == 201
    episode = client.get(f"{base(world)}/episodes/{episode['id']}", headers=as_(world, "case_group")).json()
    codes = sorted(w["code"] for w in episode["warnings"])
    assert codes == ["blame_language", "individual_only"]
    blame = next(w for w in episode["warnings"] if w["code"] == "blame_language")
    assert blame["matched"] == ["failed to"]
    assert blame["field"] == "explanation"
    assert blame["severity"] == "advisory"
    assert blame["suggestion"]
    listed = client.get(f"{base(world)}/episodes", headers=as_(world, "case_group")).json()
    assert listed["items"][0]["warnings"] == episode["warnings"]
    review = client.get(f"{base(world)}/warnings", headers=as_(world, "case_group")).json()
    assert review["total"] == 2
    assert review["blocking"] == 1
    only = client.get(f"{base(world)}/warnings?kind=factor", headers=as_(world, "case_group")).json()
    assert only == {"items": [], "total": 0, "blocking": 0}

    # A lead reviewer acknowledges the advisory one with a reason; the rule of a guard cannot be.
    ack = f"{base(world)}/warnings/{blame['fingerprint']}/acknowledgement"
    assert client.post(ack, json={"reason": ""}, headers=as_(world, "lead")).status_code == 422
    done = client.post(
        ack, json={"reason": "The words are the health visitor's own."}, headers=as_(world, "lead")
    )
    assert done.status_code == 200, done.text
    assert done.json()["acknowledgement"] == "The words are the health visitor's own."
    again = client.post(ack, json={"reason": "Twice."}, headers=as_(world, "lead"))
    assert again.status_code == 422
    rule = next(w for w in episode["warnings"] if w["code"] == "individual_only")
    assert rule["acknowledgeable"] is False
    refused = client.post(
        f"{base(world)}/warnings/{rule['fingerprint']}/acknowledgement",
        json={"reason": "x"},
        headers=as_(world, "lead"),
    )
    assert refused.status_code == 422
    gone = client.post(
        f"{base(world)}/warnings/{'0' * 64}/acknowledgement", json={"reason": "x"}, headers=as_(world, "lead")
    )
    assert gone.status_code == 404
    log = client.get(f"{base(world)}/audit?limit=100", headers=as_(world, "chair")).json()["items"]
    entry = next(e for e in log if e["action"] == "acknowledge_warning")
    assert entry["reason"] == "The words are the health visitor's own."


def test_findings_move_and_their_questions_renumber(client, world):
    ids = []
    for title in ("First", "Second", "Third"):
        created = client.post(f"{base(world)}/findings", json={"title": title}, headers=as_(world, "lead"))
        assert created.status_code == 201, created.text
        ids.append((created.json()["id"], created.headers["ETag"]))
    moved = client.post(
        f"{base(world)}/findings/{ids[2][0]}/move",
        json={"to_number": 1},
        headers=as_(world, "lead", ids[2][1]),
    )
    assert moved.status_code == 200, moved.text
    assert [(f["title"], f["number"]) for f in moved.json()["items"]] == [
        ("Third", 1),
        ("First", 2),
        ("Second", 3),
    ]
    url = f"{base(world)}/findings/{ids[0][0]}"
    etag = client.get(url, headers=as_(world, "lead")).headers["ETag"]
    for text in ("How will the board know?", "What would make it easier?"):
        answer = client.post(f"{url}/questions", json={"text": text}, headers=as_(world, "chair", etag))
        assert answer.status_code == 200, answer.text
        etag = answer.headers["ETag"]
    first = answer.json()["questions"][0]["id"]
    removed = client.delete(f"{url}/questions/{first}", headers=as_(world, "lead", etag))
    assert [(q["number"], q["text"]) for q in removed.json()["questions"]] == [
        (1, "What would make it easier?")
    ]
    comment = client.post(f"{url}/comments", json={"text": "Rings true."}, headers=as_(world, "case_group"))
    assert comment.status_code == 201
    assert comment.json()["author_id"] == world.users["case_group"]
    assert client.get(url, headers=as_(world, "lead")).json()["comments"][0]["text"] == "Rings true."


def test_the_vocabularies(client, world):
    frameworks = client.get("/api/v1/factor-frameworks", headers=as_(world, "case_group")).json()
    assert [f["key"] for f in frameworks["items"]] == ["learning_together", "london_protocol", "seips"]
    assert frameworks["items"][0]["default"] is True
    individual = [
        (f["key"], c["key"])
        for f in frameworks["items"]
        for level in f["levels"]
        for c in level["categories"]
        if c["individual_level"]
    ]
    assert individual == [
        ("learning_together", "personal"),
        ("london_protocol", "individual"),
        ("seips", "persons"),
    ]

    added = client.post("/api/v1/themes", json={"label": "Private fostering"}, headers=as_(world, "chair"))
    assert added.status_code == 201, added.text
    assert added.json() == {"key": "private_fostering", "label": "Private fostering", "built_in": False}
    assert (
        client.post(
            "/api/v1/themes", json={"label": "Private fostering"}, headers=as_(world, "chair")
        ).status_code
        == 422
    )
    themes = {
        t["key"]: t for t in client.get("/api/v1/themes", headers=as_(world, "case_group")).json()["items"]
    }
    assert themes["neglect"]["built_in"] is True
    assert "private_fostering" in themes
    tagged = client.put(
        f"{base(world)}/themes",
        json={"themes": ["private_fostering", "neglect"]},
        headers=as_(world, "coordinator"),
    )
    assert tagged.json() == {"themes": ["private_fostering", "neglect"]}
    assert client.get(f"{base(world)}/themes", headers=as_(world, "case_group")).json() == {
        "themes": ["neglect", "private_fostering"]
    }
    unknown = client.put(f"{base(world)}/themes", json={"themes": ["astrology"]}, headers=as_(world, "lead"))
    assert unknown.status_code == 422
    assert set(unknown.json()["errors"]) == {"themes"}


def test_actions_across_reviews_show_what_is_overdue(client, worlds, api_services, clock):
    world = worlds.at(State.APPROVED)
    board = api_services.board
    coordinator = world.users["coordinator"]
    late = board.add_action(
        review_id=world.review_id,
        actor=coordinator,
        command=AddAction(title="Audit dental flags", owner_agency="Health", due_on=date(2026, 10, 1)),
    ).action
    board.add_action(
        review_id=world.review_id,
        actor=coordinator,
        command=AddAction(title="Neglect toolkit", owner_agency="Health", due_on=date(2027, 3, 1)),
    )
    all_ = client.get("/api/v1/actions", headers=as_(world, "case_group")).json()
    assert [(a["title"], a["overdue"]) for a in all_["items"]] == [
        ("Audit dental flags", True),
        ("Neglect toolkit", False),
    ]
    overdue = client.get("/api/v1/actions?overdue=true", headers=as_(world, "chair")).json()
    assert [a["id"] for a in overdue["items"]] == [late.id]
    assert client.get("/api/v1/actions", headers=as_(world, "other_review")).json()["total"] == 0
    done = client.patch(
        f"{base(world)}/actions/{late.id}",
        json={"status": "done"},
        headers=as_(world, "chair", f'"{late.version}"'),
    )
    assert done.status_code == 200, done.text
    assert done.json()["overdue"] is False
    assert client.get("/api/v1/actions?overdue=true", headers=as_(world, "chair")).json()["total"] == 0

"""The family's involvement through the API and its pages: family members by pseudonym and
relationship, their invitation, contacts, wishes and views, the draft shared before publication;
the review team reads it, the case group and outsiders do not."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.api.test_pages import sign_in
from tests.api.world import World
from workflow.states import State

MOTHER = {"pseudonym": "Alice's mother", "relationship": "mother", "invited_on": "2026-11-02"}


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.ANALYSIS)


def _url(world: World, rest: str = "") -> str:
    return f"/api/v1/reviews/{world.review_id}/family{rest}"


def _add(client, world: World, body: dict | None = None, caller: str = "lead"):
    return client.post(_url(world), json=body or MOTHER, headers=world.headers(caller))


def test_a_family_member_is_recorded_with_contacts_views_and_the_draft_shared(client, world):
    added = _add(client, world)
    assert added.status_code == 201, added.text
    member = added.json()
    assert added.headers["Location"] == _url(world, f"/{member['id']}")
    assert member | {"id": 0} == {
        "id": 0,
        "pseudonym": "Alice's mother",
        "relationship": "mother",
        "invited_on": "2026-11-02",
        "wishes": "not_yet_known",
        "wishes_label": "not yet known",
        "views": "",
        "draft_shared_on": None,
        "contacts": [],
        "version": 1,
    }
    one = _url(world, f"/{member['id']}")
    for day, means in (("2026-11-12", "telephone"), ("2026-11-05", "meeting")):
        contact = client.post(
            f"{one}/contacts",
            json={"on": day, "means": means, "note": "With an interpreter."},
            headers=world.headers("lead"),
        )
        assert contact.status_code == 201, contact.text
    assert [(c["on"], c["means"]) for c in contact.json()["contacts"]] == [
        ("2026-11-05", "meeting"),
        ("2026-11-12", "telephone"),
    ]
    changed = client.patch(
        one,
        json={"wishes": "taking_part", "views": "She felt no one asked how the move had gone for Alice."},
        headers=world.headers("coordinator") | {"If-Match": added.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["wishes_label"] == "wishes to take part"
    shared = client.post(
        f"{one}/draft-shared",
        json={"on": "2026-11-25"},
        headers=world.headers("lead") | {"If-Match": changed.headers["ETag"]},
    )
    assert shared.status_code == 200, shared.text
    assert shared.json()["draft_shared_on"] == "2026-11-25"
    listed = client.get(_url(world), headers=world.headers("panel_member")).json()
    assert listed["total"] == 1 and listed["items"][0]["views"].startswith("She felt no one asked")


def test_a_change_against_an_old_version_is_refused(client, world):
    added = _add(client, world)
    one = _url(world, f"/{added.json()['id']}")
    first = client.patch(
        one, json={"wishes": "declined"}, headers=world.headers("lead") | {"If-Match": added.headers["ETag"]}
    )
    assert first.status_code == 200
    stale = client.patch(
        one,
        json={"wishes": "taking_part"},
        headers=world.headers("lead") | {"If-Match": added.headers["ETag"]},
    )
    assert stale.status_code == 412


def test_bad_input_is_refused_with_every_field_to_fix(client, world):
    answer = _add(client, world, {"pseudonym": " ", "relationship": "", "wishes": "maybe"})
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors["pseudonym"] == "Give the family member's pseudonym (never their real name)."
    assert errors["relationship"].startswith("Say how they are related to the child")
    assert "wishes" in errors
    future = _add(client, world, MOTHER | {"invited_on": "2026-12-25"})
    assert future.status_code == 422 and future.json()["errors"] == {
        "invited_on": "The day cannot be in the future."
    }


def test_the_case_group_may_not_read_it_and_outsiders_do_not_find_it(client, world):
    one = _url(world, f"/{_add(client, world).json()['id']}")
    assert client.get(one, headers=world.headers("case_group")).status_code == 403
    assert client.get(one, headers=world.headers("other_review")).status_code == 404
    assert client.get(one, headers=world.headers("admin")).status_code == 404
    assert client.get(_url(world), headers=world.headers("admin")).status_code == 404


def test_a_family_member_of_another_review_is_not_found(client, world, worlds):
    one = _url(world, f"/{_add(client, world).json()['id']}")
    assert (
        client.get(
            one.replace(f"/reviews/{world.review_id}/", f"/reviews/{world.other_review_id}/"),
            headers=world.headers("other_review"),
        ).status_code
        == 404
    )


def test_the_family_pages_record_a_member_a_contact_and_keep_what_was_typed(client, api_services, world):
    csrf = sign_in(client, api_services, world, "lead")
    base = f"/reviews/{world.review_id}/family"
    refused = client.post(
        base, data={"csrf_token": csrf, "pseudonym": "", "relationship": "aunt", "wishes": "declined"}
    )
    assert refused.status_code == 422
    assert "Give the family member" in refused.text and 'value="aunt"' in refused.text
    added = client.post(
        base,
        data={
            "csrf_token": csrf,
            "pseudonym": "Alice's aunt",
            "relationship": "aunt",
            "wishes": "declined",
            "invited_on-day": "3",
            "invited_on-month": "11",
            "invited_on-year": "2026",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    member_url = added.headers["location"]
    contact = client.post(
        f"{member_url}/contacts",
        data={
            "csrf_token": csrf,
            "contacted_on-day": "4",
            "contacted_on-month": "11",
            "contacted_on-year": "2026",
            "means": "letter",
            "note": "",
        },
        follow_redirects=False,
    )
    assert contact.status_code == 303, contact.text
    page = client.get(member_url).text
    assert "Alice&#39;s aunt" in page and "Invited on Tuesday 3 November 2026" in page
    assert "Wednesday 4 November 2026: a letter" in page
    assert "Does not wish to take part" in page
    no_day = client.post(f"{member_url}/draft-shared", data={"csrf_token": csrf, "version": "1"})
    assert no_day.status_code == 422 and "Enter the day the draft was shared." in no_day.text
    listing = client.get(base).text
    assert "Alice&#39;s aunt" in listing and "The family&#39;s involvement" in listing


def test_the_family_page_is_not_in_the_case_groups_menu_and_refused_to_them(client, api_services, world):
    sign_in(client, api_services, world, "case_group")
    assert client.get(f"/reviews/{world.review_id}/family").status_code == 403
    assert "/family" not in client.get(f"/reviews/{world.review_id}").text


def test_no_id_is_used_twice_on_the_family_the_member_or_the_quality_page(client, api_services, world):
    member = _add(client, world).json()
    sign_in(client, api_services, world, "coordinator")
    base = f"/reviews/{world.review_id}"
    for path in (f"{base}/family", f"{base}/family/{member['id']}", f"{base}/quality", base):
        ids = Counter(re.findall(r'\sid="([^"]+)"', client.get(path).text))
        assert [i for i, n in ids.items() if n > 1] == [], path

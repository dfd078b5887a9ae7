"""`POST /api/v1/lens`: the systems lens for any text over HTTP. The wording warnings for anyone signed
in; on a review, a person named too (its members, and its sealed register except for the case group);
need-to-know (404 for a review you are not a member of); every problem of a bad body at once."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, MultiFernet

from findings.publication.register import AddRegisterEntry, RegisterService
from tests.api.conftest import REGISTER_KEY
from tests.api.world import World
from workflow.states import State

URL = "/api/v1/lens"


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.ANALYSIS)


def _sealed(world: World) -> None:
    RegisterService(world.service, cipher=MultiFernet([Fernet(REGISTER_KEY)])).add(
        review_id=world.review_id,
        actor=world.users["coordinator"],
        expected_version=world.version,
        command=AddRegisterEntry(kind="practitioner", value="Rupert Greenwood", pseudonym="the dentist"),
    )


def test_any_text_is_checked_for_anyone_signed_in(client, world):
    answer = client.post(
        URL,
        json={"kind": "question", "text": "Will the board remind staff to check the common database?"},
        headers=world.headers("other_review"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["kind"] == "question" and body["review_id"] is None and not body["names_checked"]
    [warning] = body["warnings"]
    assert warning["code"] == "training_reminder" and warning["severity"] == "advisory"
    assert warning["matched"] == ["remind staff"]
    assert warning["in_words"].startswith("The question for the board, text: asks for a reminder")
    assert warning["suggestion"]


def test_reported_speech_and_descriptions_come_back_without_warnings(client, world):
    for text in ("Staff felt they should have more time for supervision.", "The obvious strain on the team."):
        answer = client.post(URL, json={"kind": "statement", "text": text}, headers=world.headers("chair"))
        assert answer.status_code == 200 and answer.json()["warnings"] == [], text


def test_on_a_review_a_person_named_is_looked_for_in_its_members_and_register(client, world):
    _sealed(world)
    body = {"kind": "narrative", "text": "Lena Lead met Rupert Greenwood.", "review_id": world.review_id}
    answer = client.post(URL, json=body, headers=world.headers("panel_member"))
    assert answer.status_code == 200, answer.text
    [named] = answer.json()["warnings"]
    assert named["code"] == "person_named" and named["severity"] == "blocking"
    assert named["matched"] == ["Lena Lead", "Rupert Greenwood"]
    assert answer.json()["names_checked"] and answer.json()["register_problem"] is None
    # the case group is checked against the members only
    [named] = client.post(URL, json=body, headers=world.headers("case_group")).json()["warnings"]
    assert named["matched"] == ["Lena Lead"]


@pytest.mark.parametrize("caller", ["other_review", "admin"])
def test_a_review_you_are_not_a_member_of_is_not_found(client, world, caller):
    body = {"kind": "statement", "text": "Lena Lead did not know.", "review_id": world.review_id}
    answer = client.post(URL, json=body, headers=world.headers(caller))
    assert answer.status_code == 404
    assert "Lena" not in answer.text


def test_a_bad_body_is_refused_with_every_problem_at_once(client, world):
    answer = client.post(
        URL,
        json={"kind": "finding", "text": "  ", "review_id": 0, "extra": 1},
        headers=world.headers("chair"),
    )
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert {"kind", "text", "review_id", "extra"} <= set(errors)
    assert "Give the text to check." in errors["text"]
    assert client.post(URL, json={"kind": "statement", "text": "x"}).status_code == 401


def test_the_route_is_documented(client):
    schema = client.get("/openapi.json").json()
    operation = schema["paths"][URL]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CheckText")
    assert {"200", "401", "404", "422"} <= set(operation["responses"])
    assert "statement" in str(schema["components"]["schemas"]["CheckText"])
    assert "in_words" in schema["components"]["schemas"]["LensWarningOut"]["properties"]

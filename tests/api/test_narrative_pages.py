"""The narrative and conversation pages through the ASGI app: an entry is added, then changed in the
same form; a form with several problems names all of them; a CSV file's header and rows are refused
together on the page; a conversation is recorded from the page's form."""

from __future__ import annotations

from datetime import date

import pytest

from findings.analysis.narratives import AddEntry
from tests.api.test_pages import sign_in
from tests.api.world import World
from workflow.states import State


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.DATA_GATHERING)


def _page(world: World) -> str:
    return f"/reviews/{world.review_id}/narratives/Police"


def _day(name: str, on: date | None) -> dict[str, str]:
    if on is None:
        return {f"{name}-day": "", f"{name}-month": "", f"{name}-year": ""}
    return {f"{name}-day": str(on.day), f"{name}-month": str(on.month), f"{name}-year": str(on.year)}


def test_an_entry_is_added_then_changed_in_the_entry_form(client, api_services, world):
    csrf = sign_in(client, api_services, world, "panel_member")
    added = client.post(
        f"{_page(world)}/entries",
        data={
            "csrf_token": csrf,
            **_day("occurred_on", date(2026, 3, 4)),
            "occurred_at": "22:10",
            "what_happened": "Police attended a domestic incident.",
            "aware": ["Health"],
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    [entry] = api_services.narratives.get(
        review_id=world.review_id, actor=world.users["panel_member"], agency="Police"
    ).entries

    form = client.get(f"{_page(world)}?edit={entry.id}")
    assert form.status_code == 200
    assert f'action="{_page(world)}/entries/{entry.id}"' in form.text
    assert "Police attended a domestic incident." in form.text and 'value="22:10"' in form.text
    assert "Save the entry" in form.text

    saved = client.post(
        f"{_page(world)}/entries/{entry.id}",
        data={
            "csrf_token": csrf,
            "version": str(entry.version),
            **_day("occurred_on", date(2026, 3, 5)),
            "occurred_at": "",
            "what_happened": "Police attended a domestic incident; Alice was present.",
            "source_record": "Incident 2026/118",
            "aware": ["Health"],
            "significant": "yes",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    changed = api_services.narratives.get_entry(
        review_id=world.review_id, actor=world.users["panel_member"], entry_id=entry.id
    )
    assert (changed.occurred_on, changed.occurred_at, changed.significant) == (date(2026, 3, 5), None, True)
    assert changed.what_happened == "Police attended a domestic incident; Alice was present."
    assert changed.aware == {"Health": "2026-03-05"}  # Health knew at the time, of the day as changed

    stale = client.post(
        f"{_page(world)}/entries/{entry.id}",
        data={"csrf_token": csrf, "version": str(entry.version), "what_happened": "Mine.", "aware": []},
    )
    assert stale.status_code == 412
    assert "Someone else changed this review" in stale.text and "Mine." in stale.text
    assert f'name="version" value="{changed.version}"' in stale.text


def test_an_entry_form_with_several_problems_names_every_one(client, api_services, world):
    csrf = sign_in(client, api_services, world, "panel_member")
    response = client.post(
        f"{_page(world)}/entries",
        data={"csrf_token": csrf, **_day("occurred_on", None), "occurred_at": "25:00", "what_happened": " "},
    )
    assert response.status_code == 422
    for message in (
        "Enter the date it happened.",
        "Enter the time as HH:MM (24-hour), for example 09:30, or leave it empty.",
        "Say what happened, in the agency&#39;s words.",
    ):
        assert message in response.text, message


def test_a_submitted_narrative_offers_no_entry_form(client, api_services, world):
    narratives, police = api_services.narratives, world.users["panel_member"]
    entry = narratives.add_entry(
        review_id=world.review_id,
        actor=police,
        agency="Police",
        command=AddEntry(occurred_on=date(2026, 3, 4), what_happened="Call to the address."),
    )
    narrative = narratives.get(review_id=world.review_id, actor=police, agency="Police")
    narratives.submit(
        review_id=world.review_id, actor=police, agency="Police", expected_version=narrative.version
    )
    sign_in(client, api_services, world, "panel_member")
    page = client.get(f"{_page(world)}?edit={entry.id}")
    assert page.status_code == 200
    assert "Save the entry" not in page.text and "Add the entry" not in page.text


def test_a_csv_upload_lists_the_header_and_every_bad_row_together(client, api_services, world):
    csrf = sign_in(client, api_services, world, "panel_member")
    rows = "".join(f"2026-02-30,Visit {i},no,red\n" for i in range(60))
    response = client.post(
        f"{_page(world)}/upload",
        data={"csrf_token": csrf},
        files={
            "csv_file": ("police.csv", f"date,what_happened,significant,colour\n{rows}".encode(), "text/csv")
        },
    )
    assert response.status_code == 422
    problems = response.text[response.text.index('id="problems"') :]
    assert "colour" in problems and "Unknown column" in problems  # the header's problem
    assert "2026-02-30" in problems  # and the rows', in the same answer
    assert problems.count('<tr class="govuk-table__row">') == 1 + 50  # the head row and 50 problems
    assert "11 further problems not listed" in response.text
    assert "61 problem(s) to fix" in response.text


def test_a_conversation_is_recorded_from_the_page(client, api_services, world):
    csrf = sign_in(client, api_services, world, "lead")
    base = f"/reviews/{world.review_id}/conversations"
    missing = client.post(base, data={"csrf_token": csrf, "practitioner_id": "", "overview": "Two visits."})
    assert missing.status_code == 422
    assert "Choose from the list." in missing.text and "Two visits." in missing.text
    recorded = client.post(
        base,
        data={
            "csrf_token": csrf,
            "practitioner_id": str(world.users["case_group"]),
            "overview": "Two visits.",
        },
        follow_redirects=False,
    )
    assert recorded.status_code == 303, recorded.text
    [conversation] = api_services.conversations.list(
        review_id=world.review_id, actor=world.users["lead"]
    ).items
    assert recorded.headers["location"] == f"{base}/{conversation.id}"
    assert conversation.overview == "Two visits."

"""The notification and rapid review pages without a browser: a partner fills them in, every problem
is shown at once with what was typed kept, sending meets the clock, the panel's response is recorded,
and a review under a regime without them says so."""

from __future__ import annotations

import pytest

from findings.publication.docx import docx_text
from tests.api.test_pages import sign_in
from tests.api.world import World
from tests.support import WT2023_STATUTORY
from workflow.referrals import RecordCriteria
from workflow.states import State


@pytest.fixture
def world(worlds) -> World:
    def answered(world: World) -> None:
        world.journey.lifecycle.referrals.record_criteria(
            review_id=world.review_id,
            actor=world.users["coordinator"],
            expected_version=world.version,
            command=RecordCriteria(answers=WT2023_STATUTORY),
        )

    return worlds.at(State.REFERRED, answered)


def _date(name: str, day: int, month: int, year: int) -> dict[str, str]:
    return {f"{name}-day": str(day), f"{name}-month": str(month), f"{name}-year": str(year)}


def test_the_notification_page_shows_every_problem_at_once_and_keeps_what_was_typed(
    client, api_services, world
):
    csrf = sign_in(client, api_services, world, "partner")
    page = client.get(f"/reviews/{world.review_id}/notification")
    assert page.status_code == 200
    assert "Notification to the national panel" in page.text
    assert "the national panel" in page.text and "the child&#39;s age band" in page.text
    refused = client.post(
        f"/reviews/{world.review_id}/notification",
        data={
            "csrf_token": csrf,
            "version": str(world.version),
            "area": "Northshire",
            "age_band": "teenager",
            **_date("incident_date", 31, 2, 2026),
        },
    )
    assert refused.status_code == 422
    assert 'href="#age_band"' in refused.text and "Enter a real date" in refused.text
    assert 'value="Northshire"' in refused.text  # what was typed is kept
    saved = client.post(
        f"/reviews/{world.review_id}/notification",
        data={
            "csrf_token": csrf,
            "version": str(world.version),
            "age_band": "1_to_4",
            "sex": "female",
            "ethnicity": "White British",
            "area": "Northshire",
            "known_to": ["Police", "Health"],
            "child_protection_plan": "no",
            "looked_after": "no",
            "circumstances": "Alice was found alone at home.",
            "immediate_actions": "Alice is with her grandmother.",
            **_date("incident_date", 30, 10, 2026),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    sent = client.post(
        f"/reviews/{world.review_id}/notification/sent",
        data={"csrf_token": csrf, "version": str(world.version), **_date("on", 6, 11, 2026)},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    after = client.get(f"/reviews/{world.review_id}/notification")
    assert "Sent on 6 Nov 2026" in after.text or "Sent on 6 November 2026" in after.text
    assert 'action="/reviews/' not in after.text.split("Sent on", 1)[1].split("</main>", 1)[0]


def test_the_rapid_review_page_sends_it_and_records_the_panels_response(client, api_services, world):
    csrf = sign_in(client, api_services, world, "coordinator")
    url = f"/reviews/{world.review_id}/rapid-review"
    too_soon = client.post(
        f"{url}/sent", data={"csrf_token": csrf, "version": str(world.version), **_date("on", 20, 11, 2026)}
    )
    assert too_soon.status_code == 422 and "the facts" in too_soon.text
    saved = client.post(
        url,
        data={
            "csrf_token": csrf,
            "version": str(world.version),
            "facts": "Alice was found alone at home.",
            "immediate_action": "Alice is with her grandmother.",
            "agencies_involvement": "Health visiting and police.",
            "learning": "Noticing a child who is not brought.",
            "lcspr_criteria_met": "yes",
            "national_review": "no",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    client.post(
        f"{url}/sent",
        data={"csrf_token": csrf, "version": str(world.version), **_date("on", 20, 11, 2026)},
        follow_redirects=False,
    )
    no_reasons = client.post(
        f"{url}/panel-response",
        data={
            "csrf_token": csrf,
            "version": str(world.version),
            "response": "disagrees",
            **_date("on", 24, 11, 2026),
        },
    )
    assert (
        no_reasons.status_code == 422 and "Give the panel&#39;s reasons for disagreeing." in no_reasons.text
    )
    answered = client.post(
        f"{url}/panel-response",
        data={
            "csrf_token": csrf,
            "version": str(world.version),
            "response": "agrees",
            **_date("on", 24, 11, 2026),
        },
        follow_redirects=False,
    )
    assert answered.status_code == 303
    page = client.get(url)
    assert "The panel agrees with the partners&#39; view" in page.text
    html = client.get(f"/reviews/{world.review_id}/statutory/rapid-review?format=html")
    assert html.status_code == 200 and "Rapid review in respect of Alice" in html.text
    word = client.get(f"/reviews/{world.review_id}/statutory/rapid-review?format=docx")
    assert word.status_code == 200 and "The panel agrees with the partners" in docx_text(word.content)
    assert 'statutory/rapid-review?format=docx" download>Word' in page.text


def test_under_wt2010_the_pages_say_there_is_no_such_form(client, api_services, journeys):
    journey = journeys.to(State.REFERRED, "wt2010")
    token = api_services.auth.issue(journey.cast.coordinator, kind="session").token
    from api.auth import SESSION_COOKIE

    client.cookies.set(SESSION_COOKIE, token)
    page = client.get(f"/reviews/{journey.review_id}/notification")
    assert page.status_code == 200
    assert "Working Together 2010 (chapter 8), which has no notification form of its own" in page.text
    assert "<form" not in page.text.split("<h1", 1)[1]


def test_the_criteria_page_asks_each_incident_defines_serious_harm_and_says_what_follows(
    client, api_services, world
):
    sign_in(client, api_services, world, "coordinator")
    page = client.get(f"/reviews/{world.review_id}/criteria").text
    for words in (
        "Has a looked-after child died, whatever the cause?",
        "Has a care leaver aged 24 or under died?",
        "normally resident in the area died or been seriously harmed outside England",
        "serious and/or long-term impairment",
        "integrated care board (ICB)",
        "the safeguarding partners decide it, once the national panel has responded to the rapid review",
        "Notify the national panel within 5 working days of becoming aware.",
        "A rapid review follows",
    ):
        assert words in page.replace("&#39;", "'"), words
    assert "clinical commissioning" not in page


def test_the_partners_decide_with_the_panels_response_in_front_of_them(client, api_services, worlds):
    world = worlds.at(State.SCREENING)  # the rapid review was sent and the panel agreed
    sign_in(client, api_services, world, "partner")
    page = client.get(f"/reviews/{world.review_id}/triggers/decide")
    assert page.status_code == 200
    text = page.text.replace("&#39;", "'")
    assert "The national panel's response to the rapid review" in text
    assert "The panel agrees with the partners' view" in text

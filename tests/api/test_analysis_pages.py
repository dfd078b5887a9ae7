"""The episodes, factors and panel pages build the same commands as the API: every problem of a form
at once with what was typed kept; a factor can be changed and, after a confirmation, deleted."""

from __future__ import annotations

import pytest

from api.auth import SESSION_COOKIE, csrf_token
from findings.analysis.episodes import AddEpisode
from findings.analysis.factors import AddFactor
from tests.api.conftest import SECRET
from tests.api.world import World
from workflow.states import State


@pytest.fixture
def world(worlds, api_services) -> World:
    world = worlds.at(State.ANALYSIS)
    episode = api_services.episodes.add(
        review_id=world.review_id,
        actor=world.users["lead"],
        command=AddEpisode(title="Dental appointments missed", valence="problematic"),
    )
    factor = api_services.factors.add(
        review_id=world.review_id,
        actor=world.users["lead"],
        command=AddFactor(
            level="frontline",
            category="conditions_of_work",
            description="No route to share repeated non-attendance.",
            episode_ids=[episode.id],
        ),
    )
    world.ids.update(episode_id=episode.id, factor_id=factor.id, factor_version=factor.version)
    return world


def sign_in(client, api_services, world: World, kind: str) -> str:
    token = api_services.auth.issue(world.users[kind], kind="session").token
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token(SECRET, token)


def _actions(api_services, world: World) -> list[str]:
    log = api_services.reviews.audit_log(world.review_id, world.users["coordinator"])
    return [entry.action for entry in log]


def test_a_new_episode_form_says_every_problem_at_once_and_keeps_what_was_typed(client, api_services, world):
    csrf = sign_in(client, api_services, world, "lead")
    response = client.post(
        f"/reviews/{world.review_id}/episodes/new",
        data={
            "csrf_token": csrf,
            "title": " ",
            "what_happened": "Three appointments were not attended.",
            "period_start-day": "31",
            "period_start-month": "2",
            "period_start-year": "2025",
        },
    )
    assert response.status_code == 422
    assert "Give the episode a short title." in response.text
    assert "Say whether it was good, problematic or mixed practice." in response.text
    assert "Enter a real date, for example 27 3 2026." in response.text
    assert "Three appointments were not attended." in response.text
    assert len(api_services.episodes.list(review_id=world.review_id, actor=world.users["lead"]).items) == 1


def test_an_episode_is_saved_from_its_page_with_every_field(client, api_services, world):
    csrf = sign_in(client, api_services, world, "lead")
    episode_id = world.ids["episode_id"]
    before = api_services.episodes.get(
        review_id=world.review_id, actor=world.users["lead"], episode_id=episode_id
    )
    saved = client.post(
        f"/reviews/{world.review_id}/episodes/{episode_id}",
        data={
            "csrf_token": csrf,
            "version": str(before.version),
            "title": "Dental appointments not attended",
            "valence": "mixed",
            "appraisal": "Expected practice links dental decay with neglect.",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    after = api_services.episodes.get(
        review_id=world.review_id, actor=world.users["lead"], episode_id=episode_id
    )
    assert (after.title, after.valence, after.appraisal) == (
        "Dental appointments not attended",
        "mixed",
        "Expected practice links dental decay with neglect.",
    )


def test_the_factors_page_offers_change_and_delete_to_the_lead_reviewer_only(client, api_services, world):
    url = f"/reviews/{world.review_id}/factors"
    factor_id = world.ids["factor_id"]
    sign_in(client, api_services, world, "lead")
    page = client.get(url).text
    assert f'href="{url}/{factor_id}#factor-form">Change' in page
    assert f'href="{url}/{factor_id}/delete">Delete' in page
    sign_in(client, api_services, world, "chair")
    page = client.get(url).text
    assert f"{url}/{factor_id}/delete" not in page and "No route to share repeated non-attendance." in page


def test_a_factor_is_changed_from_its_form(client, api_services, world):
    csrf = sign_in(client, api_services, world, "lead")
    factor_id = world.ids["factor_id"]
    form = client.get(f"/reviews/{world.review_id}/factors/{factor_id}").text
    assert "No route to share repeated non-attendance." in form
    assert 'value="frontline/conditions_of_work" selected' in form
    saved = client.post(
        f"/reviews/{world.review_id}/factors/{factor_id}",
        data={
            "csrf_token": csrf,
            "version": str(world.ids["factor_version"]),
            "framework": "learning_together",
            "code": "frontline/organisational_culture",
            "description": "Dental practices have no route to share non-attendance.",
            "episode_ids": [str(world.ids["episode_id"])],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    factor = api_services.factors.get(
        review_id=world.review_id, actor=world.users["lead"], factor_id=factor_id
    )
    assert (factor.category, factor.description, factor.episode_ids) == (
        "organisational_culture",
        "Dental practices have no route to share non-attendance.",
        [world.ids["episode_id"]],
    )


def test_a_factor_form_without_a_description_or_code_says_both(client, api_services, world):
    csrf = sign_in(client, api_services, world, "lead")
    response = client.post(
        f"/reviews/{world.review_id}/factors",
        data={"csrf_token": csrf, "framework": "learning_together", "code": "", "description": ""},
    )
    assert response.status_code == 422
    assert "Choose the level and category of the factor." in response.text
    assert "Describe the factor: what condition made the practice more or less likely?" in response.text


def test_a_factor_is_deleted_only_after_the_confirmation(client, api_services, world):
    csrf = sign_in(client, api_services, world, "lead")
    factor_id = world.ids["factor_id"]
    url = f"/reviews/{world.review_id}/factors/{factor_id}/delete"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert (
        "Delete this factor?" in confirm.text and "No route to share repeated non-attendance." in confirm.text
    )
    assert f'name="version" value="{world.ids["factor_version"]}"' in confirm.text
    assert "delete_factor" not in _actions(api_services, world)

    stale = client.post(url, data={"csrf_token": csrf, "version": str(world.ids["factor_version"] + 1)})
    assert stale.status_code == 412 and "Delete this factor?" in stale.text
    assert f'name="version" value="{world.ids["factor_version"]}"' in stale.text

    deleted = client.post(
        url, data={"csrf_token": csrf, "version": str(world.ids["factor_version"])}, follow_redirects=False
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == f"/reviews/{world.review_id}/factors"
    assert api_services.factors.list(review_id=world.review_id, actor=world.users["lead"]).items == []
    assert _actions(api_services, world).count("delete_factor") == 1


def test_a_chair_cannot_delete_a_factor(client, api_services, world):
    csrf = sign_in(client, api_services, world, "chair")
    url = f"/reviews/{world.review_id}/factors/{world.ids['factor_id']}/delete"
    refused = client.post(url, data={"csrf_token": csrf, "version": str(world.ids["factor_version"])})
    assert refused.status_code == 403
    assert len(api_services.factors.list(review_id=world.review_id, actor=world.users["lead"]).items) == 1


def test_waiving_without_a_member_or_a_reason_says_both(client, api_services, world):
    csrf = sign_in(client, api_services, world, "coordinator")
    response = client.post(
        f"/reviews/{world.review_id}/panel/waive",
        data={"csrf_token": csrf, "membership_id": "", "reason": ""},
    )
    assert response.status_code == 422
    assert "Choose the panel member." in response.text
    assert "Give the reason for waiving their analysis." in response.text


def test_a_panel_member_saves_a_draft_from_the_page(client, api_services, world):
    csrf = sign_in(client, api_services, world, "panel_member")
    saved = client.post(
        f"/reviews/{world.review_id}/panel",
        data={
            "csrf_token": csrf,
            "appraisal": "Hard to see from one agency.",
            f"note_{world.ids['episode_id']}": "The call was logged, not linked.",
            "action": "save",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    mine = api_services.panel.mine(review_id=world.review_id, actor=world.users["panel_member"])
    assert mine is not None and mine.status == "draft"
    assert (mine.appraisal, mine.episode_notes) == (
        "Hard to see from one agency.",
        {str(world.ids["episode_id"]): "The call was logged, not linked."},
    )

"""The web pages through the ASGI app, without a browser: every page route needs a session, every form
needs its CSRF token, need-to-know holds on every page of a review, POSTs redirect, a stale form comes
back filled in, and the templates are strict."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.routing import iter_route_contexts

from api.auth import SESSION_COOKIE, csrf_token
from api.pages.common import PageRoute
from api.pages.templating import days_left, environment
from tests.api.conftest import SECRET
from tests.api.world import PASSWORD, World
from workflow.clocks import Clock
from workflow.regimes.base import ClockUnit
from workflow.states import State

PUBLIC_PAGES = {"/", "/sign-in", "/sign-in/sso", "/sign-in/sso/callback", "/workflow"}


def page_routes(app) -> list[tuple[str, str]]:
    out = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, PageRoute):
            out += [(method, context.path) for method in sorted(context.methods) if method != "HEAD"]
    return out


def fill(path: str, world: World) -> str:
    """A page path with real ids: this review, and ids that exist in it where they can."""
    return (
        path.replace("{review_id}", str(world.review_id))
        .replace("{agency}", "Police")
        .replace("{trigger}", "pause")
        .replace("{kind}", "full")
        .replace("{fmt}", "html")
        .replace("{membership_id}", str(world.member_id("panel_member")))
        .replace("{user_id}", str(world.users["spare"]))
        .replace("{", "")
        .replace("}", "")
        .replace("conversation_id", "1")
        .replace("episode_id", "1")
        .replace("factor_id", "1")
        .replace("finding_id", "1")
        .replace("action_id", "1")
        .replace("entry_id", "1")
        .replace("evidence_id", "1")
        .replace("question_id", "1")
    )


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.SCOPING)


def sign_in(client, api_services, world: World, kind: str) -> str:
    """Give the client a session of `kind`'s account; the session's CSRF token."""
    token = api_services.auth.issue(world.users[kind], kind="session").token
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token(SECRET, token)


def test_every_page_of_the_app_is_a_page_route(app):
    routes = page_routes(app)
    assert ("GET", "/reviews/{review_id}") in routes and ("POST", "/sign-in") in routes
    assert len(routes) > 50


def test_every_page_but_sign_in_and_the_diagram_needs_a_session(app, client, world):
    for method, path in page_routes(app):
        if method != "GET" or path in PUBLIC_PAGES:
            continue
        response = client.get(fill(path, world), follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/sign-in?next=%2F"), path


def test_every_form_is_refused_without_its_csrf_token(app, client, api_services, world):
    sign_in(client, api_services, world, "coordinator")
    version = world.version
    for method, path in page_routes(app):
        if method != "POST" or path == "/sign-in":
            continue
        response = client.post(fill(path, world), data={"version": str(version), "reason": "x"})
        assert response.status_code == 403, path
        assert "This form has expired" in response.text, path
        wrong = client.post(fill(path, world), data={"csrf_token": "0" * 64, "version": str(version)})
        assert wrong.status_code == 403, path
    assert world.version == version  # nothing changed


def test_the_sign_in_form_needs_its_csrf_token_too(client, world):
    response = client.post("/sign-in", data={"email": world.emails["coordinator"], "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


def test_every_page_of_a_review_is_not_found_for_a_non_member(app, client, api_services, world):
    sign_in(client, api_services, world, "other_review")
    for method, path in page_routes(app):
        if method != "GET" or "{review_id}" not in path:
            continue
        response = client.get(fill(path, world))
        assert response.status_code == 404, path
        assert "Page not found" in response.text, path
    sign_in(client, api_services, world, "admin")
    assert client.get(f"/reviews/{world.review_id}").status_code == 404  # admins are no exception


def test_signing_in_and_out(client, world):
    page = client.get("/sign-in?next=/reviews/1/scope")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    wrong = client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "email": world.emails["coordinator"],
            "password": "not it",
            "next": "/reviews",
        },
    )
    assert wrong.status_code == 401
    assert "The email address or password is not right" in wrong.text
    assert 'value="not it"' not in wrong.text  # a password is never sent back
    right = client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "email": world.emails["coordinator"],
            "password": PASSWORD,
            "next": "https://elsewhere.example/",
        },
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/reviews"  # never off-site
    assert "httponly" in right.headers["set-cookie"].lower()
    session = right.cookies[SESSION_COOKIE]
    assert client.get("/reviews").status_code == 200
    out = client.post("/sign-out", data={"csrf_token": csrf_token(SECRET, session)}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set(SESSION_COOKIE, session)  # the old cookie no longer works
    assert client.get("/reviews", follow_redirects=False).status_code == 303


def test_a_locked_account_is_told_so(client, world):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    for _ in range(5):
        client.post(
            "/sign-in", data={"csrf_token": token, "email": world.emails["chair"], "password": "nope"}
        )
    locked = client.post(
        "/sign-in", data={"csrf_token": token, "email": world.emails["chair"], "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert "Your account is locked" in locked.text and "15 minutes" in locked.text


def test_a_change_redirects_and_a_stale_form_comes_back_filled_in(client, api_services, world):
    csrf = sign_in(client, api_services, world, "coordinator")
    version = world.version
    form = {
        "csrf_token": csrf,
        "version": str(version),
        "research_questions": "Why?",
        "agencies": ["Police", "Health"],
    }
    saved = client.post(f"/reviews/{world.review_id}/scope", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/reviews/{world.review_id}/scope"
    stale = client.post(
        f"/reviews/{world.review_id}/scope",
        data={**form, "research_questions": "What helped, what hindered?"},
    )
    assert stale.status_code == 412
    assert "Someone else changed this review" in stale.text
    assert "What helped, what hindered?" in stale.text  # nothing typed is lost
    assert f'name="version" value="{world.version}"' in stale.text  # saving again is a deliberate choice


def test_a_refused_action_says_why_and_keeps_the_input(client, api_services, world):
    csrf = sign_in(client, api_services, world, "coordinator")
    response = client.post(
        f"/reviews/{world.review_id}/triggers/pause",
        data={"csrf_token": csrf, "version": str(world.version), "reason": ""},
    )
    assert response.status_code == 409
    assert "Record why the review is paused." in response.text
    chair = sign_in(client, api_services, world, "chair")
    refused = client.post(
        f"/reviews/{world.review_id}/triggers/confirm_scope",
        data={"csrf_token": chair, "version": str(world.version)},
    )
    assert refused.status_code == 403
    assert "Only the review coordinator may confirm the scope." in refused.text


def test_a_role_that_may_not_see_a_part_is_told(client, api_services, world):
    sign_in(client, api_services, world, "case_group")
    response = client.get(f"/reviews/{world.review_id}/narratives")
    assert response.status_code == 403
    assert "You cannot do this" in response.text
    overview = client.get(f"/reviews/{world.review_id}")
    assert "Agency narratives" not in overview.text


def test_pages_carry_the_security_headers_and_no_inline_script(client, api_services, world):
    sign_in(client, api_services, world, "coordinator")
    response = client.get(f"/reviews/{world.review_id}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text) is None
    assert "style=" not in response.text
    assert "govuk-crest" not in response.text and "GOV.UK" not in response.text


def test_every_page_template_compiles():
    env = environment()
    names = [n for n in env.list_templates() if n.startswith("pages/") or n == "layout.html"]
    assert len(names) > 20
    for name in names:
        env.get_template(name)


def test_templates_are_strict_outside_the_govuk_macros():
    env = environment()
    with pytest.raises(Exception, match="is undefined"):
        env.from_string("{{ missing }}").render()
    with pytest.raises(Exception, match="is undefined"):
        env.from_string("{% if missing %}x{% endif %}").render()
    macro = '{% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}'
    assert "Save" in env.from_string(macro + '{{ govukButton({"text": "Save"}) }}').render()


@pytest.mark.parametrize(
    ("days", "earliest", "met", "words"),
    [
        (9, False, None, "9 working days left"),
        (1, False, None, "1 working day left"),
        (0, False, None, "due today"),
        (-2, False, None, "overdue by 2 working days"),
        (3, True, None, "3 working days to wait"),
        (-1, True, None, "possible now"),
        (4, False, date(2027, 1, 18), "met on Monday 18 January 2027"),
    ],
)
def test_clocks_in_words(days, earliest, met, words):
    clock = Clock(
        "rapid_review",
        "Rapid review",
        date(2027, 1, 18),
        ClockUnit.WORKING_DAYS,
        met,
        days,
        days < 0 and not earliest and met is None,
        earliest,
    )
    assert days_left(clock) == words


def test_an_admin_changes_a_role_and_deactivates_an_account(client, api_services, world):
    csrf = sign_in(client, api_services, world, "admin")
    spare = world.users["spare"]
    changed = client.post(f"/users/{spare}", data={"csrf_token": csrf, "action": "role", "role": "chair"})
    assert changed.status_code == 200 and "role is changed" in changed.text
    spare_session = api_services.auth.issue(spare, kind="session").token
    gone = client.post(f"/users/{spare}", data={"csrf_token": csrf, "action": "deactivate"})
    assert "deactivated and signed out everywhere" in gone.text
    assert api_services.auth.authenticate(spare_session, kind="session") is None
    myself = client.post(f"/users/{world.users['admin']}", data={"csrf_token": csrf, "action": "deactivate"})
    assert "you cannot demote or deactivate yourself" in myself.text
    assert api_services.auth.authenticate(client.cookies[SESSION_COOKIE], kind="session") is not None
    short = client.post(
        "/users",
        data={
            "csrf_token": csrf,
            "name": "N",
            "email": "n@test.example.org",
            "role": "member",
            "password": "short",
        },
    )
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert 'value="short"' not in short.text


@pytest.mark.parametrize(
    "stage",
    [State.SCREENING, State.SCOPING, State.DATA_GATHERING, State.FINDINGS, State.SIGN_OFF, State.APPROVED],
)
def test_every_page_of_a_review_renders_for_every_member(app, client, api_services, worlds, stage):
    """No page of a review fails for any role at any stage: a form the role or the stage does not
    allow is left out, or the page says why not."""
    world = worlds.at(stage)
    kinds = ["coordinator", "chair", "panel_member", "case_group"]
    kinds += ["lead"] if stage != State.SCREENING else []  # lead reviewers are appointed at scoping
    for kind in kinds:
        sign_in(client, api_services, world, kind)
        for method, path in page_routes(app):
            if method != "GET" or "{review_id}" not in path:
                continue
            if path.count("{") > 1 and "{trigger}" not in path and "{agency}" not in path:
                continue  # an object of the analysis: none exists in this world
            response = client.get(fill(path, world))
            assert response.status_code in (200, 403, 409), (kind, path, response.status_code)


def test_published_reviews_page_lists_what_was_published_and_says_so_when_empty(client, api_services, world):
    sign_in(client, api_services, world, "panel_member")
    page = client.get("/published")
    assert page.status_code == 200
    assert "No review has been published yet." in page.text
    assert client.get(f"/published/{world.review_id}/full/html").status_code == 404

"""How the API answers: problem details for every error, ETags and preconditions, lists, security
headers and the request log."""

from __future__ import annotations

import json
import logging

import pytest

from api.errors import DOMAIN_PROBLEMS
from tests.api.world import World
from tests.support import Lifecycle
from workflow.errors import InvalidInput, NotFound, NotPermitted, StaleReview, TriggerRefused
from workflow.referrals import LogReferral
from workflow.states import State

PROBLEM = "application/problem+json"


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.SCREENING)


def review_url(world: World) -> str:
    return f"/api/v1/reviews/{world.review_id}"


def as_(world: World, caller: str, **headers: str) -> dict[str, str]:
    return {**world.headers(caller), **headers}


def assert_problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"urn:tunnelview:problem:{kind}"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def test_each_domain_error_has_one_status():
    assert {cls: status for cls, (status, _, _) in DOMAIN_PROBLEMS.items()} == {
        NotFound: 404,
        NotPermitted: 403,
        StaleReview: 412,
        TriggerRefused: 409,
        InvalidInput: 422,
    }


def test_no_token_is_401_with_a_bearer_challenge(client, world):
    response = client.get(review_url(world))
    assert_problem(response, 401, "not-authenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_review_that_does_not_exist_and_one_you_are_not_in_look_the_same(client, world):
    missing = client.get("/api/v1/reviews/999999", headers=as_(world, "coordinator"))
    not_member = client.get(review_url(world), headers=as_(world, "other_review"))
    admin = client.get(review_url(world), headers=as_(world, "admin"))
    for response in (missing, not_member, admin):
        assert_problem(response, 404, "not-found")
    assert not_member.json()["detail"] == admin.json()["detail"]
    assert not_member.json()["detail"] == missing.json()["detail"].replace("999999", str(world.review_id))


def test_a_member_without_the_role_is_403(client, world):
    response = client.put(
        f"{review_url(world)}/criteria",
        json={"answers": {"serious_incident": "yes"}},
        headers=as_(world, "panel_member", **{"If-Match": f'"{world.version}"'}),
    )
    assert "coordinator" in assert_problem(response, 403, "not-permitted")["detail"]


def test_a_refused_trigger_is_409_with_every_reason(client, world):
    response = client.post(
        f"{review_url(world)}/triggers/decide",
        json={"route": "learning"},
        headers=as_(world, "partner", **{"If-Match": f'"{world.version}"'}),
    )
    body = assert_problem(response, 409, "trigger-refused")
    assert body["reasons"] == [
        "Record the rationale for the decision.",
        "The decision departs from the recommended route (Local child safeguarding practice review): "
        "record why.",
    ]


def test_a_change_without_if_match_is_428_and_with_a_stale_one_412(client, world):
    url = f"{review_url(world)}/triggers/pause"
    assert_problem(client.post(url, json={"reason": "Inquest."}), 401, "not-authenticated")  # 401 first
    missing = client.post(url, json={"reason": "Inquest."}, headers=as_(world, "coordinator"))
    assert_problem(missing, 428, "if-match-required")
    stale = client.post(
        url,
        json={"reason": "Inquest."},
        headers=as_(world, "coordinator", **{"If-Match": f'"{world.version - 1}"'}),
    )
    assert_problem(stale, 412, "stale")
    for nonsense in ("*", "3", 'W/"3"', "abc"):
        response = client.post(
            url, json={"reason": "Inquest."}, headers=as_(world, "coordinator", **{"If-Match": nonsense})
        )
        assert_problem(response, 412, "stale")
    assert client.get(review_url(world), headers=as_(world, "coordinator")).json()["state"] == "screening"


def test_a_change_answers_with_the_review_and_its_new_etag(client, world):
    before = client.get(review_url(world), headers=as_(world, "coordinator"))
    assert before.headers["ETag"] == f'"{before.json()["version"]}"'
    after = client.post(
        f"{review_url(world)}/triggers/pause",
        json={"reason": "Inquest."},
        headers=as_(world, "coordinator", **{"If-Match": before.headers["ETag"]}),
    )
    assert after.status_code == 200
    assert after.json()["state"] == "paused"
    assert after.json()["paused_from"] == "screening"
    assert after.headers["ETag"] == f'"{before.json()["version"] + 1}"'


def test_invalid_bodies_are_422_naming_each_field_without_echoing_them(client, world):
    response = client.post(
        "/api/v1/reviews",
        json={
            "child_pseudonym": "x" * 101,
            "incident": {"outcome": "exploded", "date_of_awareness": "1066-10-14"},
            "agencies_involved": "Police",
            "surprise": "secret-value",
        },
        headers=as_(world, "coordinator"),
    )
    body = assert_problem(response, 422, "invalid-input")
    assert set(body["errors"]) == {
        "child_pseudonym",
        "incident.outcome",
        "incident.date_of_awareness",
        "agencies_involved",
        "surprise",
    }
    assert "secret-value" not in response.text
    assert "exploded" not in response.text


def test_the_service_s_own_validation_is_422_too(client, world):
    response = client.post(
        "/api/v1/reviews",
        json={"child_pseudonym": "   ", "incident": {"date_of_awareness": "2030-01-01"}},
        headers=as_(world, "coordinator"),
    )
    body = assert_problem(response, 422, "invalid-input")
    assert set(body["errors"]) == {"child_pseudonym", "incident.date_of_awareness"}


@pytest.mark.parametrize(
    "text", ["nul\x00byte", "bell\x07", "lone \ud800 surrogate"], ids=["nul", "control", "surrogate"]
)
def test_text_that_cannot_be_stored_is_422_not_500(client, world, text):
    response = client.post(
        "/api/v1/reviews",
        content=json.dumps({"child_pseudonym": text}).encode(),
        headers=as_(world, "coordinator", **{"Content-Type": "application/json"}),
    )
    assert_problem(response, 422, "invalid-input")


def test_unreadable_bodies_and_out_of_range_ids_are_422(client, world):
    unreadable = client.post(
        "/api/v1/reviews",
        content=b"\xff\xfe",
        headers=as_(world, "coordinator", **{"Content-Type": "application/json"}),
    )
    assert_problem(unreadable, 422, "invalid-input")
    huge = client.get(f"/api/v1/reviews/{2**70}", headers=as_(world, "coordinator"))
    assert "review_id" in assert_problem(huge, 422, "invalid-input")["errors"]


def test_unknown_routes_and_methods_are_problems_too(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404, "not-found")
    assert_problem(client.put("/api/v1/me"), 405, "method-not-allowed")


def test_lists_are_items_and_total_with_limit_and_offset(client, world, service):
    for n in range(3):
        Lifecycle.of(service).referrals.log(
            actor=world.users["coordinator"], command=LogReferral(child_pseudonym=f"Child {n}")
        )
    page = client.get("/api/v1/reviews?limit=2&offset=1", headers=as_(world, "coordinator"))
    assert page.status_code == 200
    assert page.json()["total"] == 4
    assert len(page.json()["items"]) == 2
    assert client.get("/api/v1/reviews?limit=0", headers=as_(world, "coordinator")).status_code == 422
    assert client.get("/api/v1/reviews?limit=101", headers=as_(world, "coordinator")).status_code == 422
    admin = client.get("/api/v1/reviews", headers=as_(world, "admin")).json()
    assert admin == {"items": [], "total": 0}  # admins see no review they are not a member of


def test_every_answer_carries_the_security_headers(client, world):
    for response in (
        client.get(review_url(world), headers=as_(world, "coordinator")),
        client.get(review_url(world)),
        client.get("/healthz"),
        client.get("/nothing-here"),
    ):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_hsts_is_sent_over_https(app):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://tunnelview.example.org") as https:
        response = https.get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.own_app
def test_an_unexpected_error_is_a_500_problem_with_the_headers_and_no_details(app, client, caplog):
    @app.get("/_test/boom", response_model=dict)
    def boom() -> dict:
        raise RuntimeError("secret internals")

    with caplog.at_level(logging.INFO):
        response = client.get("/_test/boom")
    assert_problem(response, 500, "internal-error")
    assert "secret internals" not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    access = [r.request for r in caplog.records if r.name == "tunnelview.access"]
    assert access[-1]["status"] == 500
    assert any(r.name == "tunnelview.errors" for r in caplog.records)


def test_the_docs_page_runs_no_inline_script_and_loads_nothing_from_another_origin(client):
    from api.middleware import STRICT_CSP

    page = client.get("/docs")
    assert page.status_code == 200
    assert "<script>" not in page.text and "https://" not in page.text
    assert page.headers["Content-Security-Policy"] == STRICT_CSP
    for asset in (
        "/static/docs.js",
        "/static/swagger-ui/swagger-ui-bundle.js",
        "/static/swagger-ui/swagger-ui.css",
    ):
        assert client.get(asset).status_code == 200, asset


def test_the_request_log_has_no_names_text_or_tokens(client, world, caplog):
    secret_text = "The child's grandmother, Mrs Realname, said"
    with caplog.at_level(logging.INFO, logger="tunnelview.access"):
        client.post(
            f"{review_url(world)}/triggers/pause?note=Realname",
            json={"reason": secret_text},
            headers=as_(world, "coordinator", **{"If-Match": f'"{world.version}"'}),
        )
        client.post(
            "/api/v1/auth/token", data={"username": world.emails["chair"], "password": "wrong password"}
        )
    records = [r.request for r in caplog.records if r.name == "tunnelview.access"]
    assert [(r["method"], r["path"], r["status"]) for r in records] == [
        ("POST", f"{review_url(world)}/triggers/pause", 200),
        ("POST", "/api/v1/auth/token", 401),
    ]
    assert records[0]["user_id"] == world.users["coordinator"]
    assert records[1]["user_id"] is None
    assert set(records[0]) == {"method", "path", "status", "duration_ms", "user_id"}
    logged = caplog.text
    for secret in (
        "Realname",
        "grandmother",
        world.tokens["coordinator"],
        world.emails["chair"],
        "wrong password",
    ):
        assert secret not in logged

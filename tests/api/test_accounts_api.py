"""User accounts through the API and the pages: one accounts service behind both, the same refusal of
self-demotion, a password reset, and the accounts log."""

from __future__ import annotations

import html

import pytest

from api.auth import SESSION_COOKIE, csrf_token
from tests.api.conftest import SECRET
from workflow.accounts import SELF_DEMOTION

PASSWORD = "correct horse battery"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(people, api_services) -> tuple[int, dict[str, str]]:
    admin_id = people.user("admin", "Ada Admin")
    return admin_id, bearer(api_services.auth.issue(admin_id).token)


def test_an_admin_is_refused_demoting_themselves_with_the_same_message_by_the_api_and_the_page(
    client, api_services, admin
):
    admin_id, headers = admin
    by_api = client.patch(f"/api/v1/users/{admin_id}", json={"role": "member"}, headers=headers)
    assert by_api.status_code == 422 and by_api.json()["errors"] == {"role": SELF_DEMOTION}

    session = api_services.auth.issue(admin_id, kind="session").token
    client.cookies.set(SESSION_COOKIE, session)
    form = {"csrf_token": csrf_token(SECRET, session), "action": "role", "role": "member"}
    by_page = client.post(f"/users/{admin_id}", data=form)
    assert by_page.status_code == 200
    assert "Nothing changed. " + SELF_DEMOTION in html.unescape(by_page.text)
    listed = client.get("/api/v1/users", headers=headers).json()["items"]
    assert [u["global_role"] for u in listed] == ["admin"]
    assert client.get("/api/v1/account-audit", headers=headers).json()["total"] == 0


def test_created_changed_and_reset_accounts_are_in_the_accounts_log_which_verifies(client, admin):
    admin_id, headers = admin
    created = client.post(
        "/api/v1/users",
        json={"email": "cara@example.org", "name": "Cara", "role": "member", "password": PASSWORD},
        headers=headers,
    )
    assert created.status_code == 201
    cara = created.json()["id"]
    assert client.patch(f"/api/v1/users/{cara}", json={"role": "chair"}, headers=headers).status_code == 200
    token = client.post(
        "/api/v1/auth/token",
        data={"username": "cara@example.org", "password": PASSWORD, "grant_type": "password"},
    ).json()["access_token"]
    reset = client.put(f"/api/v1/users/{cara}/password", json={"password": "a new password"}, headers=headers)
    assert reset.status_code == 204
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401  # signed out everywhere

    log = client.get("/api/v1/account-audit", headers=headers).json()
    assert log["chain"]["intact"] is True and log["total"] == 3
    assert [(e["action"], e["account_email"], e["actor_id"], e["via"]) for e in log["items"]] == [
        ("password_reset", "cara@example.org", admin_id, None),
        ("role_changed", "cara@example.org", admin_id, None),
        ("account_created", "cara@example.org", admin_id, None),
    ]


def test_a_short_new_password_is_refused_and_changes_nothing(client, admin):
    admin_id, headers = admin
    refused = client.put(f"/api/v1/users/{admin_id}/password", json={"password": "short"}, headers=headers)
    assert refused.status_code == 422 and "password" in refused.json()["errors"]
    assert client.get("/api/v1/account-audit", headers=headers).json()["total"] == 0


def test_only_admins_see_the_accounts_log(client, people, api_services):
    member = bearer(api_services.auth.issue(people.user("coordinator", "Cara Coordinator")).token)
    assert client.get("/api/v1/account-audit", headers=member).status_code == 403

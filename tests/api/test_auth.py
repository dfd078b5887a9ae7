"""Signing in, token expiry and revocation, sign-in limits, deactivation, sessions and CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import Depends, FastAPI, Response
from sqlalchemy import func, select

from api.auth import (
    SESSION_COOKIE,
    Authenticator,
    LoginLocked,
    LoginPolicy,
    LoginRefused,
    csrf_token,
    csrf_valid,
    set_session_cookie,
    token_hash,
)
from api.deps import SessionUser, require_csrf
from tests.api.conftest import SECRET
from tests.api.world import PASSWORD, password_hash
from workflow.models import AuthToken, LoginFailure, User

TOKEN = "/api/v1/auth/token"


@pytest.fixture
def account(people):
    user_id = people.user("coordinator", "Cara Coordinator", password_hash=password_hash())
    return user_id, people.email(user_id)


def sign_in(client, email, password=PASSWORD):
    return client.post(TOKEN, data={"username": email, "password": password, "grant_type": "password"})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_signing_in_gives_a_bearer_token_that_identifies_the_caller(client, account):
    user_id, email = account
    response = sign_in(client, email.upper())  # emails are not case-sensitive
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 8 * 60 * 60
    me = client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == user_id


def test_tokens_are_stored_only_as_hashes(client, account, sessions):
    token = sign_in(client, account[1]).json()["access_token"]
    with sessions() as session:
        stored = session.scalars(select(AuthToken.token_hash)).all()
    assert stored == [token_hash(token)]
    assert token not in stored


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client, account):
    wrong_password = sign_in(client, account[1], "not the password")
    unknown_email = sign_in(client, "nobody@test.example.org")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.headers["content-type"] == "application/problem+json"
    assert "not the password" not in wrong_password.text


def test_five_failures_lock_the_account_for_fifteen_minutes(client, account, now, api_services):
    email = account[1]
    policy = api_services.auth.policy
    assert (policy.max_failures, policy.max_address_failures) == (5, 20)
    assert policy.window == policy.lockout == timedelta(minutes=15)
    for _ in range(5):
        assert sign_in(client, email, "wrong password").status_code == 401
        now.advance(minutes=1)
    locked = sign_in(client, email)  # even the right password
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    now.advance(minutes=13)  # 14 minutes after the fifth failure
    assert sign_in(client, email).status_code == 429
    now.advance(minutes=1, seconds=1)
    assert sign_in(client, email).status_code == 200


def test_an_unknown_email_is_locked_the_same_way(client, now):
    for _ in range(5):
        assert sign_in(client, "nobody@test.example.org", "guess").status_code == 401
    assert sign_in(client, "nobody@test.example.org", "guess").status_code == 429


def test_failures_spread_wider_than_the_window_do_not_lock(client, account, now):
    for _ in range(6):
        assert sign_in(client, account[1], "wrong password").status_code == 401
        now.advance(minutes=4)
    assert sign_in(client, account[1]).status_code == 200


def test_a_successful_sign_in_clears_the_account_failures(client, account, now):
    for _ in range(4):
        sign_in(client, account[1], "wrong password")
    assert sign_in(client, account[1]).status_code == 200
    for _ in range(4):
        assert sign_in(client, account[1], "wrong password").status_code == 401
    assert sign_in(client, account[1]).status_code == 200


def test_failures_from_one_address_lock_that_address_for_every_account(sessions, now, account):
    auth = Authenticator(
        sessions,
        token_lifetime=timedelta(hours=8),
        now=now,
        policy=LoginPolicy(max_address_failures=3),  # 20 by default; 3 keeps the test quick
    )
    for n in range(3):
        with pytest.raises(LoginRefused):
            auth.login(f"guess{n}@test.example.org", "guess", address="203.0.113.7")
    with pytest.raises(LoginLocked):
        auth.login(account[1], PASSWORD, address="203.0.113.7")
    assert auth.login(account[1], PASSWORD, address="198.51.100.1").token


def test_the_limits_are_kept_in_the_database_so_every_worker_sees_them(api_services, sessions, account):
    """A second authenticator (another worker process) sees the failures of the first."""
    other_worker = Authenticator(sessions, token_lifetime=timedelta(hours=8), now=api_services.auth._now)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            api_services.auth.login(account[1], "wrong", address="192.0.2.1")
    with pytest.raises(LoginLocked):
        other_worker.login(account[1], PASSWORD, address="192.0.2.99")


def test_old_failures_are_pruned(api_services, sessions, now):
    for _ in range(3):
        with pytest.raises(LoginRefused):
            api_services.auth.login("a@test.example.org", "x", address="192.0.2.1")
    now.advance(hours=1)
    with pytest.raises(LoginRefused):
        api_services.auth.login("b@test.example.org", "x", address="192.0.2.2")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 2  # account + address


def test_a_token_expires_after_its_lifetime(client, account, now):
    token = sign_in(client, account[1]).json()["access_token"]
    now.advance(hours=7, minutes=59)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    now.advance(minutes=1)
    expired = client.get("/api/v1/me", headers=bearer(token))
    assert expired.status_code == 401
    assert expired.headers["WWW-Authenticate"] == "Bearer"


def test_tokens_long_expired_are_deleted(api_services, account, sessions, now):
    api_services.auth.issue(account[0])
    now.advance(days=31)
    api_services.auth.issue(account[0])
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuthToken)) == 1


def test_signing_out_revokes_the_token_at_once(client, account):
    token = sign_in(client, account[1]).json()["access_token"]
    other = sign_in(client, account[1]).json()["access_token"]
    assert client.delete(TOKEN, headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200


def test_a_deactivated_users_token_stops_working_at_once(client, account, people, api_services):
    token = sign_in(client, account[1]).json()["access_token"]
    admin = api_services.auth.issue(people.user("admin", "Ada Admin")).token
    assert client.get("/api/v1/reviews", headers=bearer(token)).status_code == 200
    deactivated = client.patch(f"/api/v1/users/{account[0]}", json={"active": False}, headers=bearer(admin))
    assert deactivated.status_code == 200
    assert deactivated.json()["active"] is False
    assert client.get("/api/v1/reviews", headers=bearer(token)).status_code == 401
    assert sign_in(client, account[1]).status_code == 401
    # Reactivating does not bring the old token back: deactivation revoked it.
    client.patch(f"/api/v1/users/{account[0]}", json={"active": True}, headers=bearer(admin))
    assert client.get("/api/v1/reviews", headers=bearer(token)).status_code == 401
    assert sign_in(client, account[1]).status_code == 200


def test_a_deactivated_user_is_refused_even_before_the_tokens_are_revoked(account, api_services, sessions):
    token = api_services.auth.issue(account[0]).token
    with sessions() as session:
        session.get(User, account[0]).active = False
        session.commit()
    assert api_services.auth.authenticate(token) is None


def test_nonsense_tokens_are_refused(client):
    for header in ("Bearer ", "Bearer nonsense", "Bearer tv_" + "x" * 200, "Basic dXNlcjpwYXNz", "tv_abc"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_an_admin_cannot_deactivate_or_demote_themselves(client, people, api_services):
    admin_id = people.user("admin", "Ada Admin")
    admin = bearer(api_services.auth.issue(admin_id).token)
    for change in ({"active": False}, {"role": "member"}):
        response = client.patch(f"/api/v1/users/{admin_id}", json=change, headers=admin)
        assert response.status_code == 422
        assert set(response.json()["errors"]) <= {"active", "role"}


# ---- browser sessions (for the pages) -------------------------------------------------------------


def test_session_tokens_are_not_api_tokens_and_the_reverse(api_services, account):
    auth = api_services.auth
    session = auth.login(account[1], PASSWORD, address="192.0.2.1", kind="session")
    api = auth.issue(account[0])
    assert auth.authenticate(session.token, kind="session") is not None
    assert auth.authenticate(session.token, kind="api") is None
    assert auth.authenticate(api.token, kind="session") is None


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(api_services, account):
    issued = api_services.auth.issue(account[0], kind="session")
    for secure in (True, False):
        response = Response()
        set_session_cookie(response, issued, secure=secure)
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}={issued.token};")
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert ("Secure" in cookie) is secure


def test_csrf_tokens_belong_to_one_session():
    token = csrf_token(SECRET, "tv_session-a")
    assert csrf_valid(SECRET, "tv_session-a", token)
    assert not csrf_valid(SECRET, "tv_session-b", token)
    assert not csrf_valid("another-secret-key-of-enough-length-000000", "tv_session-a", token)
    assert not csrf_valid(SECRET, "tv_session-a", None)
    assert not csrf_valid(SECRET, "tv_session-a", "")


@pytest.mark.own_app
def test_page_dependencies_read_the_cookie_and_check_csrf_on_forms(
    app: FastAPI, client, api_services, account
):
    """The pages (next issue) use SessionUser and require_csrf; a throwaway page proves them."""

    @app.post("/_test/form", dependencies=[Depends(require_csrf)], response_model=dict)
    def form(user: SessionUser) -> dict:
        return {"user": user.id if user else None}

    issued = api_services.auth.issue(account[0], kind="session")
    client.cookies.set(SESSION_COOKIE, issued.token)
    good = csrf_token(SECRET, issued.token)
    assert client.post("/_test/form", data={"csrf_token": good}).json() == {"user": account[0]}
    assert client.post("/_test/form", headers={"X-CSRF-Token": good}).json() == {"user": account[0]}
    refused = client.post("/_test/form", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert client.post("/_test/form").status_code == 403
    client.cookies.clear()
    assert client.post("/_test/form", data={"csrf_token": good}).status_code == 403

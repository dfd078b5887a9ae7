"""Single sign-on with OpenID Connect, against a provider run in the test (tests/oidc_provider.py) over
real HTTP: the code flow with PKCE, the ID token's checks, how accounts are matched, created and given
roles from the claims, the accounts log, and turning password sign-in off."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

from api.auth import SESSION_COOKIE
from api.main import create_app
from api.sign_on import SIGN_ON_COOKIE
from api.wiring import Services, build_services
from tests.api.world import PASSWORD, password_hash
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, serving
from workflow import accounts
from workflow import people as people_module
from workflow.models import AccountAuditEntry, User
from workflow.settings import Settings, UnsafeSettings

PROVIDER = "Test ID"
ROLE_MAP = "Tunnelview.Admin=admin,Tunnelview.Coordinator=coordinator,Tunnelview.Chair=chair"
CARA = "cara@partnership.example.org"


@pytest.fixture(scope="session")
def provider_server() -> Iterator[Provider]:
    with serving(Provider()) as provider:
        yield provider


@pytest.fixture
def provider(provider_server: Provider) -> Provider:
    provider_server.reset()
    provider_server.person = {
        "sub": "entra-object-id-cara",
        "email": CARA,
        "email_verified": True,
        "name": "Cara Coordinator",
        "roles": ["Tunnelview.Coordinator", "Some.Other.App.Role"],
    }
    return provider_server


@pytest.fixture(scope="session")
def sign_on_apps() -> dict[tuple[str, tuple[tuple[str, Any], ...]], FastAPI]:
    return {}


@pytest.fixture
def sign_on_client(
    settings: Settings,
    session_services: Services,
    sessions: Any,
    clock: Any,
    now: Any,
    provider: Provider,
    sign_on_apps: dict[tuple[str, tuple[tuple[str, Any], ...]], FastAPI],
) -> Iterator[Callable[..., TestClient]]:
    """A new client (its own cookies) of an app with single sign-on set up against the test provider,
    with any settings changed by keyword. The apps are built once per session, database and settings
    (each database its own: an app built on SQLite must not answer the PostgreSQL run)."""
    clients: list[TestClient] = []

    def make(**changes: Any) -> TestClient:
        key = (settings.database_url, tuple(sorted(changes.items())))
        if key not in sign_on_apps:
            values: dict[str, Any] = {
                "public_url": "http://testserver",
                "oidc_issuer": provider.issuer,
                "oidc_client_id": CLIENT_ID,
                "oidc_client_secret": SecretStr(CLIENT_SECRET),
                "oidc_provider_name": PROVIDER,
                "oidc_role_map": ROLE_MAP,
                **changes,
            }
            services = build_services(
                settings.model_copy(update=values),
                engine=session_services.engine,
                sessions=session_services.sessions,
                today=clock,
                now=now,
            )
            sign_on_apps[key] = create_app(services)
        client = TestClient(sign_on_apps[key], raise_server_exceptions=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def through_the_provider(
    client: TestClient, next: str = "/reviews", **callback_changes: str
) -> httpx.Response:
    """Press "Sign in with ...", let the provider answer, and bring its answer back (changed by keyword)."""
    start = client.get("/sign-in/sso", params={"next": next}, follow_redirects=False)
    assert start.status_code == 303, start.text
    answered = httpx.get(start.headers["location"], follow_redirects=False)
    assert answered.status_code == 302, answered.text
    callback = httpx.URL(answered.headers["location"])
    assert callback.path == "/sign-in/sso/callback"
    params = dict(callback.params) | callback_changes
    return client.get(callback.path, params=params, follow_redirects=False)


def account(sessions: Any, email: str) -> User | None:
    with sessions() as session:
        return session.scalar(select(User).where(User.email == email))


def log_rows(sessions: Any) -> list[AccountAuditEntry]:
    with sessions() as session:
        return list(accounts.entries(session))


def refusal(response: httpx.Response) -> str:
    """The message of the sign-in page's 'You are not signed in' box."""
    assert "You are not signed in" in response.text
    start = response.text.index('id="sign-on-message">') + len('id="sign-on-message">')
    return response.text[start : response.text.index("</p>", start)].replace("&#39;", "'")


@pytest.fixture
def cara(sessions: Any) -> int:
    """An existing account for the provider's person, made by an admin before single sign-on."""
    with sessions() as session:
        user = people_module.create_user(
            session, email=CARA, name="Cara", role="member", password_hash=password_hash()
        )
        session.commit()
        return user.id


# ---- signing in ---------------------------------------------------------------------------------------


def test_signing_in_with_the_provider_opens_a_session_with_the_role_the_claims_map_to(
    sign_on_client, provider, cara, sessions
):
    client = sign_on_client()
    answer = through_the_provider(client, next="/users")

    assert answer.status_code == 303 and answer.headers["location"] == "/users"
    assert client.cookies.get(SESSION_COOKIE) and SIGN_ON_COOKIE not in client.cookies  # used once
    me = client.get("/reviews")
    assert me.status_code == 200 and "Cara" in me.text
    user = account(sessions, CARA)
    assert user is not None and user.id == cara
    assert user.global_role == "coordinator" and user.oidc_subject == "entra-object-id-cara"
    # The flow the provider saw: code with PKCE S256, a nonce, the verifier and the registered callback.
    (asked,) = provider.authorize_requests
    assert asked["code_challenge_method"] == "S256" and asked["nonce"] and asked["state"]
    assert asked["redirect_uri"] == "http://testserver/sign-in/sso/callback"
    assert asked["scope"] == "openid email profile"
    (exchanged,) = provider.token_requests
    assert len(exchanged["code_verifier"]) >= 43 and "client_secret" not in exchanged


def test_the_accounts_log_records_the_link_the_role_from_the_claims_and_every_sign_in(
    sign_on_client, provider, cara, sessions
):
    client = sign_on_client()
    assert through_the_provider(client).status_code == 303
    provider.person["roles"] = ["Tunnelview.Chair"]
    assert through_the_provider(sign_on_client()).status_code == 303

    rows = [r for r in log_rows(sessions) if r.account_id == cara]
    assert [(r.action, r.params) for r in rows] == [
        ("sign_on_linked", {"subject": "entra-object-id-cara", "email": CARA}),
        ("role_changed", {"from": "member", "to": "coordinator", "from_claims": True}),
        ("signed_on", {}),
        ("role_changed", {"from": "coordinator", "to": "chair", "from_claims": True}),
        ("signed_on", {}),
    ]
    assert {(r.actor_id, r.via) for r in rows} == {(None, f"single sign-on ({PROVIDER})")}
    with sessions() as session:
        assert accounts.verify(session).intact
    assert accounts.ACTION_LABELS[accounts.AccountAction.SIGNED_ON] == "Signed in with single sign-on"


def test_the_subject_finds_the_account_after_its_email_changed_at_the_provider(
    sign_on_client, provider, cara, sessions
):
    assert through_the_provider(sign_on_client()).status_code == 303
    provider.person["email"] = "cara.coordinator@partnership.example.org"
    assert through_the_provider(sign_on_client()).status_code == 303
    assert account(sessions, CARA).oidc_subject == "entra-object-id-cara"


def test_without_a_role_map_the_roles_stay_as_the_admin_set_them(sign_on_client, provider, cara, sessions):
    assert through_the_provider(sign_on_client(oidc_role_map="")).status_code == 303
    assert account(sessions, CARA).global_role == "member"


def test_a_role_claim_with_no_mapped_value_makes_a_member(sign_on_client, provider, sessions):
    with sessions() as session:
        people_module.create_user(session, email=CARA, name="Cara", role="admin", password_hash=None)
        session.commit()
    provider.person["roles"] = ["Some.Other.App.Role"]
    assert through_the_provider(sign_on_client()).status_code == 303
    assert account(sessions, CARA).global_role == "member"


def test_groups_in_a_nested_claim_map_to_roles(sign_on_client, provider, cara, sessions):
    provider.person["realm_access"] = {"roles": ["panel-chairs"]}
    client = sign_on_client(oidc_roles_claim="realm_access.roles", oidc_role_map="panel-chairs=chair")
    assert through_the_provider(client).status_code == 303
    assert account(sessions, CARA).global_role == "chair"


# ---- the ID token and the answer are checked ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("mischief", "said"),
    [
        ("other-key", "its ID token is not signed by Test ID's keys"),
        ("other-audience", "its ID token was issued for another application"),
        ("expired", "its ID token has expired"),
        ("other-nonce", "its ID token does not belong to this sign-in"),
        ("no-id-token", "Test ID sent no ID token"),
    ],
)
def test_an_id_token_that_does_not_hold_is_refused_with_the_reason(
    sign_on_client, provider, cara, sessions, mischief, said
):
    provider.mischief = mischief
    client = sign_on_client()
    answer = through_the_provider(client)

    assert answer.status_code in (401, 502)
    assert said in refusal(answer)
    assert SESSION_COOKIE not in client.cookies
    assert account(sessions, CARA).oidc_subject is None and account(sessions, CARA).global_role == "member"
    assert log_rows(sessions) == []


def test_keys_the_provider_rotates_to_are_fetched_when_a_token_names_one(sign_on_client, provider, cara):
    assert through_the_provider(sign_on_client()).status_code == 303  # the first key set is kept
    provider.rotate()
    assert through_the_provider(sign_on_client()).status_code == 303


def test_an_answer_with_another_state_is_refused(sign_on_client, provider, cara, sessions):
    client = sign_on_client()
    answer = through_the_provider(client, state="a-state-an-attacker-made")
    assert answer.status_code == 400
    assert "does not belong to the sign-in started in this browser" in refusal(answer)
    assert SESSION_COOKIE not in client.cookies and provider.token_requests == []


def test_an_answer_brought_to_another_browser_is_refused(sign_on_client, provider, cara):
    victim, attacker = sign_on_client(), sign_on_client()
    start = attacker.get("/sign-in/sso", follow_redirects=False)
    callback = httpx.get(start.headers["location"], follow_redirects=False).headers["location"]
    answer = victim.get(
        callback, follow_redirects=False
    )  # login CSRF: the attacker's code, the victim's browser
    assert answer.status_code == 400
    assert "was not started in this browser" in refusal(answer)
    assert SESSION_COOKIE not in victim.cookies and provider.token_requests == []


def test_an_answer_is_used_once(sign_on_client, provider, cara):
    client = sign_on_client()
    start = client.get("/sign-in/sso", follow_redirects=False)
    callback = httpx.get(start.headers["location"], follow_redirects=False).headers["location"]
    assert client.get(callback, follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.set(SIGN_ON_COOKIE, start.cookies[SIGN_ON_COOKIE], path="/sign-in/sso")
    replayed = client.get(callback, follow_redirects=False)  # the same cookie and code again
    assert replayed.status_code == 401
    assert "refused to complete the sign-in (invalid_grant)" in refusal(replayed)


def test_the_providers_refusal_is_shown(sign_on_client, provider):
    client = sign_on_client()
    client.get("/sign-in/sso", follow_redirects=False)
    answer = client.get(
        "/sign-in/sso/callback",
        params={"error": "access_denied", "error_description": "The user cancelled the sign-in."},
    )
    assert answer.status_code == 401
    assert refusal(answer) == "Test ID did not sign you in: The user cancelled the sign-in."


def test_a_provider_that_cannot_be_reached_is_said_so(sign_on_client):
    client = sign_on_client(oidc_issuer="http://127.0.0.1:9")
    answer = client.get("/sign-in/sso")
    assert answer.status_code == 502
    assert "Test ID cannot be reached just now" in refusal(answer)


def test_a_provider_whose_discovery_names_another_issuer_is_refused(sign_on_client, provider):
    client = sign_on_client(oidc_issuer=provider.issuer + "/")
    answer = client.get("/sign-in/sso")
    assert answer.status_code == 502
    assert "not set up correctly (its issuer is" in refusal(answer)


# ---- which account ---------------------------------------------------------------------------------------


def test_someone_without_an_account_is_refused_by_default(sign_on_client, provider, sessions):
    answer = through_the_provider(sign_on_client())
    assert answer.status_code == 403
    assert refusal(answer) == (
        f"There is no Tunnelview account for {CARA}. Ask your partnership's admin to create one."
    )
    assert account(sessions, CARA) is None and log_rows(sessions) == []


def test_someone_without_an_account_gets_one_when_the_setting_says_so(sign_on_client, provider, sessions):
    provider.person["roles"] = ["Tunnelview.Chair"]
    client = sign_on_client(oidc_create_accounts=True)
    assert through_the_provider(client).status_code == 303

    user = account(sessions, CARA)
    assert user is not None and user.name == "Cara Coordinator" and user.global_role == "chair"
    assert user.password_hash is None and user.oidc_subject == "entra-object-id-cara"
    assert [(r.action, r.params) for r in log_rows(sessions)] == [
        (
            "account_created",
            {"email": CARA, "name": "Cara Coordinator", "role": "chair", "subject": "entra-object-id-cara"},
        ),
        ("signed_on", {}),
    ]


def test_an_email_the_provider_did_not_verify_matches_no_account_unless_trusted(
    sign_on_client, provider, cara, sessions
):
    del provider.person["email_verified"]  # as Entra ID sends it
    answer = through_the_provider(sign_on_client())
    assert answer.status_code == 403
    assert f"Test ID did not give a verified email address ({CARA}, not verified)" in refusal(answer)
    assert account(sessions, CARA).oidc_subject is None

    assert through_the_provider(sign_on_client(oidc_trust_email=True)).status_code == 303
    assert account(sessions, CARA).oidc_subject == "entra-object-id-cara"


def test_an_account_linked_to_another_identity_is_not_taken_over(sign_on_client, provider, cara, sessions):
    assert through_the_provider(sign_on_client()).status_code == 303
    provider.person["sub"] = "someone-else-with-the-same-email"
    answer = through_the_provider(sign_on_client())
    assert answer.status_code == 403
    assert "is linked to another Test ID identity" in refusal(answer)
    assert account(sessions, CARA).oidc_subject == "entra-object-id-cara"


def test_a_deactivated_account_is_refused(sign_on_client, provider, cara, api_services, sessions):
    admin = api_services.accounts.create(
        None, email="ada@x.example.org", name="Ada", role="admin", password="a" * 12
    )
    api_services.accounts.deactivate(admin.id, cara)
    answer = through_the_provider(sign_on_client())
    assert answer.status_code == 403
    assert "is deactivated" in refusal(answer)


# ---- the sign-in page and password sign-in -----------------------------------------------------------------


def test_the_sign_in_page_offers_the_provider_and_the_password_form(sign_on_client):
    page = sign_on_client().get("/sign-in?next=/reviews/3")
    assert "Sign in with Test ID" in page.text
    assert 'href="/sign-in/sso?next=%2Freviews%2F3"' in page.text
    assert 'name="password"' in page.text


def test_with_password_sign_in_off_the_form_is_gone_and_its_post_refused(sign_on_client, cara):
    client = sign_on_client(password_sign_in=False)
    page = client.get("/sign-in")
    assert "Sign in with Test ID" in page.text
    assert 'name="password"' not in page.text and 'action="/sign-in"' not in page.text

    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0] if "csrf_token" in page.text else ""
    posted = client.post("/sign-in", data={"email": CARA, "password": PASSWORD, "csrf_token": csrf})
    assert posted.status_code == 403
    assert refusal(posted) == "Signing in with a password is turned off here. Use the button below."
    assert SESSION_COOKIE not in client.cookies

    token = client.post("/api/v1/auth/token", data={"username": CARA, "password": PASSWORD})
    assert token.status_code == 403
    assert token.json()["type"].endswith("password-sign-in-off")


# ---- settings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"oidc_issuer": "http://login.example.org/tenant"}, "must be an https:// URL"),
        ({"oidc_client_id": ""}, "TUNNELVIEW_OIDC_CLIENT_ID must be set"),
        ({"oidc_scopes": "email profile"}, "must include openid"),
        (
            {"oidc_role_map": "Tunnelview.Admin=admin,Tunnelview.Boss=boss,nonsense"},
            "not 'Tunnelview.Boss=boss', 'nonsense'",
        ),
        ({"oidc_issuer": "", "password_sign_in": False}, "nobody could sign in"),
    ],
)
def test_the_server_refuses_to_start_with_single_sign_on_half_set_up(changes, said):
    complete = {"oidc_issuer": "https://login.example.org/tenant/v2.0", "oidc_client_id": "client"}
    settings = Settings(dev_mode=True, **(complete | changes))
    with pytest.raises(UnsafeSettings, match=re.escape(said)):
        settings.check_safe_to_serve()

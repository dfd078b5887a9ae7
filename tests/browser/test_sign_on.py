"""Single sign-on in the browser: "Sign in with Test ID" on the sign-in page, the provider's own page
(another site: `localhost`, while Tunnelview is on 127.0.0.1), and back to Tunnelview signed in,
with the role the provider's claims map to. The Tunnelview pages pass axe."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr

from api.main import create_app
from api.wiring import Services, build_services
from tests.browser.conftest import Accessibility, Person, new_context
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, serving
from workflow import people
from workflow.models import User

pytestmark = pytest.mark.browser

EMAIL = "sam.single@browser.example.org"


@pytest.fixture
def provider() -> Iterator[Provider]:
    with serving(Provider(), host="localhost") as provider:
        provider.interactive = True
        provider.person = {
            "sub": "test-id-sam",
            "email": EMAIL,
            "email_verified": True,
            "name": "Sam Single",
            "roles": ["Tunnelview.Chair"],
        }
        yield provider


@pytest.fixture
def sign_on_url(browser_services: Services, provider: Provider) -> Iterator[str]:
    """Tunnelview with single sign-on against the provider, on the browser tests' database."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = browser_services.settings.model_copy(
        update={
            "public_url": url,
            "oidc_issuer": provider.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "oidc_provider_name": "Test ID",
            "oidc_role_map": "Tunnelview.Chair=chair",
        }
    )
    services = build_services(settings, engine=browser_services.engine, sessions=browser_services.sessions)
    server = uvicorn.Server(uvicorn.Config(create_app(services), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield url
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_signing_in_with_the_provider_goes_there_and_back_to_my_reviews(
    browser: Any,
    sign_on_url: str,
    provider: Provider,
    browser_services: Services,
    accessibility: Accessibility,
) -> None:
    with browser_services.sessions() as session:
        people.create_user(session, email=EMAIL, name="Sam", role="member", password_hash=None)
        session.commit()
    context = new_context(browser)
    sam = Person("sam", context, sign_on_url, EMAIL, accessibility)
    try:
        sam.open("/reviews")  # not signed in: the sign-in page, to come back here
        assert sam.heading() == "Sign in to Tunnelview"
        sam.shot("sign-in-with-single-sign-on")

        sam.page.get_by_role("button", name="Sign in with Test ID").click()
        sam.page.wait_for_url(f"{provider.issuer}/authorize*")
        assert "Signed in at the provider as Sam Single" in sam.page.locator("main").inner_text()
        sam.page.get_by_role("button", name="Continue").click()

        sam.page.wait_for_url(f"{sign_on_url}/reviews")
        sam.checked()
        assert "Sam" in sam.page.locator("header").inner_text() or "Sam" in sam.text
        assert sam.console_errors == []
    finally:
        context.close()
    with browser_services.sessions() as session:
        user = people.find_by_email(session, EMAIL)
        assert isinstance(user, User) and user.global_role == "chair" and user.oidc_subject == "test-id-sam"
    assert accessibility.problems == []

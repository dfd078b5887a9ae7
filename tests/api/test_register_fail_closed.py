"""Fail closed: a sealed register that cannot be read (here, an entry sealed with a key this deployment
does not have) refuses approve and publish with the reason, which the overview and the publication
page show, instead of letting the "person named" warning and the anonymisation check pass without it."""

from __future__ import annotations

import html

import pytest
from cryptography.fernet import Fernet

from api.auth import SESSION_COOKIE
from api.wiring import Services, build_services
from findings.publication.register import AddRegisterEntry
from tests.findings_support import Analysis, to_approved
from tests.support import People
from workflow.settings import Settings

UNREADABLE = "The sealed identity register cannot be read, so no check can see the real names it holds"
LOST_KEY = "cannot be opened with any configured key"


def _seal_with_a_key_we_do_not_have(services: Services, a: Analysis) -> None:
    elsewhere = Settings(database_url="sqlite://", register_key=Fernet.generate_key().decode())
    other = build_services(elsewhere, engine=services.engine, sessions=services.sessions)
    other.register.add(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        expected_version=a.journey.version,
        command=AddRegisterEntry(kind="child", value="Jane Smith", pseudonym="Alice"),
    )


def _auth(services: Services, user_id: int) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.auth.issue(user_id).token}"}


def _fire(client, services: Services, a: Analysis, trigger: str):
    headers = _auth(services, a.cast.chair)
    etag = client.get(f"/api/v1/reviews/{a.review_id}", headers=headers).headers["ETag"]
    return client.post(
        f"/api/v1/reviews/{a.review_id}/triggers/{trigger}", headers=headers | {"If-Match": etag}
    )


def _page(client, services: Services, user_id: int, path: str) -> str:
    client.cookies.set(SESSION_COOKIE, services.auth.issue(user_id, kind="session").token)
    page = client.get(path)
    assert page.status_code == 200
    return html.unescape(page.text)


@pytest.fixture
def at_sign_off(api_services: Services, people: People) -> Analysis:
    return Analysis(api_services.reviews, people).to_sign_off()


def test_an_unreadable_register_refuses_approve_with_the_reason_and_the_overview_shows_it(
    client, api_services: Services, at_sign_off: Analysis
) -> None:
    a = at_sign_off
    _seal_with_a_key_we_do_not_have(api_services, a)
    refused = _fire(client, api_services, a, "approve")
    assert refused.status_code == 409
    reason = next(r for r in refused.json()["reasons"] if r.startswith(UNREADABLE))
    assert LOST_KEY in reason
    overview = _page(client, api_services, a.cast.chair, f"/reviews/{a.review_id}")
    assert reason in overview
    assert api_services.reviews.get(a.review_id, a.cast.chair).review.state == "sign_off"


def test_an_unreadable_register_refuses_publish_and_the_publication_page_says_why(
    client, api_services: Services, at_sign_off: Analysis
) -> None:
    a = to_approved(at_sign_off)
    _seal_with_a_key_we_do_not_have(api_services, a)
    refused = _fire(client, api_services, a, "publish")
    assert refused.status_code == 409
    assert any(r.startswith(UNREADABLE) and LOST_KEY in r for r in refused.json()["reasons"])
    publication = _page(client, api_services, a.cast.coordinator, f"/reviews/{a.review_id}/publication")
    assert (
        UNREADABLE in publication and "cannot be submitted for sign-off, approved or published" in publication
    )
    assert api_services.reviews.get(a.review_id, a.cast.chair).review.state == "approved"


def test_a_readable_register_lets_approve_through(
    client, api_services: Services, at_sign_off: Analysis
) -> None:
    answer = _fire(client, api_services, at_sign_off, "approve")
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "approved"

"""The learning repository through the ASGI app, on the portfolio of tests/trends_support.py: the page
and the JSON route need a session or a token, and show only what the reader may see (a non-member
never a draft, an admin nothing unless a member); the words found are marked, what people typed is
escaped, the filters and pages keep their address, and bad filters are a 422 that says what to fix."""

from __future__ import annotations

import pytest

from api.auth import SESSION_COOKIE
from api.wiring import Services
from findings.analysis.findings import AddFinding, FindingService
from tests.trends_support import Portfolio, portfolio_fixture  # noqa: F401 (a fixture)

# What only the members of Daisy (a draft) and Oscar (approved, not published) may see.
DRAFTS = ("Daisy", "Oscar", "Dental appointments missed", "dentist", "Domestic abuse", "notifications")
SEARCHES = (
    "",
    "?q=dentist",
    "?q=domestic+abuse",
    "?q=notifications",
    "?q=appointments",
    "?theme=domestic_abuse",
)


def _sign_in(client, services: Services, user_id: int) -> None:
    client.cookies.set(SESSION_COOKIE, services.auth.issue(user_id, kind="session").token)


def _bearer(services: Services, user_id: int) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.auth.issue(user_id).token}"}


def test_the_page_needs_a_session_and_the_route_a_token(client, portfolio: Portfolio):
    answer = client.get("/repository?q=neglect", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")
    assert client.get("/api/v1/repository?q=neglect").status_code == 401


def test_a_reader_in_no_review_never_sees_a_draft(client, api_services, portfolio: Portfolio):
    _sign_in(client, api_services, portfolio.reader)
    headers = _bearer(api_services, portfolio.reader)
    for search in SEARCHES:
        page = client.get(f"/repository{search}")
        assert page.status_code == 200, search
        main = page.text.split('id="main-content"', 1)[1]
        results = main.split("</form>", 1)[1]
        assert [words for words in DRAFTS if words in results] == [], search
        answer = client.get(f"/api/v1/repository{search}", headers=headers)
        assert answer.status_code == 200
        assert {hit["review_id"] for hit in answer.json()["items"]} <= {portfolio.poppy.review_id}, search
    assert "Review of Poppy" in client.get("/repository?q=appointments").text


def test_an_admin_finds_nothing_unless_a_member(client, api_services, portfolio: Portfolio):
    _sign_in(client, api_services, portfolio.admin)
    page = client.get("/repository?q=neglect")
    assert page.status_code == 200 and "0 results" in page.text
    answer = client.get("/api/v1/repository", headers=_bearer(api_services, portfolio.admin))
    assert answer.json() == {"items": [], "total": 0}


def test_a_member_finds_their_draft_with_the_words_marked(client, api_services, portfolio: Portfolio):
    _sign_in(client, api_services, portfolio.daisy.cast.lead)
    page = client.get("/repository?q=dentist")
    assert page.status_code == 200
    assert '<mark class="tv-mark">dentist</mark>' in page.text
    finding = portfolio.daisy.finding_ids[0]
    assert f'href="/reviews/{portfolio.daisy.review_id}/findings/{finding}"' in page.text
    answer = client.get(
        "/api/v1/repository?q=dentist", headers=_bearer(api_services, portfolio.daisy.cast.lead)
    )
    (hit,) = answer.json()["items"]
    assert hit["kind"] == "finding" and hit["member"] is True and hit["finding_id"] == finding
    assert {"text": "dentist", "match": True} in hit["snippet"]
    assert hit["rank"] > 0


def test_what_people_typed_is_shown_as_text_never_as_html(client, api_services, portfolio: Portfolio):
    daisy = portfolio.daisy
    FindingService(api_services.reviews).add(
        review_id=daisy.review_id,
        actor=daisy.cast.lead,
        command=AddFinding(
            title="<script>alert(1)</script> escalation", statement="<b>escalation</b> stalls"
        ),
    )
    _sign_in(client, api_services, daisy.cast.lead)
    page = client.get('/repository?q=escalation+-"<img+src=x>"')
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text and "<b>escalation" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img src=x>" not in page.text


def test_filters_and_pages_keep_their_address(client, api_services, portfolio: Portfolio):
    _sign_in(client, api_services, portfolio.poppy.cast.lead)
    headers = _bearer(api_services, portfolio.poppy.cast.lead)
    every = client.get("/api/v1/repository?limit=100", headers=headers).json()
    assert every["total"] > 3
    second = client.get("/api/v1/repository?limit=2&offset=2", headers=headers).json()
    assert [h["entry_id"] for h in second["items"]] == [h["entry_id"] for h in every["items"][2:4]]
    tools = client.get("/api/v1/repository?category=tools&kind=finding", headers=headers).json()
    assert [h["finding_category"] for h in tools["items"]] == ["tools"]
    page = client.get("/repository?theme=neglect&page=1")
    assert page.status_code == 200 and 'value="neglect" selected' in page.text


@pytest.mark.parametrize(
    ("query", "field"),
    [("year=1200", "year"), ("category=bananas", "category"), ("kind=memo", "kind"), ("route=fast", "route")],
)
def test_a_filter_that_cannot_be_read_is_a_422_saying_what_to_fix(
    client, api_services, portfolio: Portfolio, query: str, field: str
):
    answer = client.get(f"/api/v1/repository?{query}", headers=_bearer(api_services, portfolio.reader))
    assert answer.status_code == 422
    _sign_in(client, api_services, portfolio.reader)
    page = client.get(f"/repository?{query}")
    assert page.status_code == 422 and "There is a problem" in page.text

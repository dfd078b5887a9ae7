"""The learning repository through the ASGI app, on the portfolio of tests/trends_support.py: the page
and the JSON route need a session or a token, and show only what the reader may see (a non-member
never a draft, an admin nothing unless a member); the words found are marked, what people typed is
escaped, the filters and pages keep their address, and bad filters are a 422 that says what to fix."""

from __future__ import annotations

import pytest

from api.auth import SESSION_COOKIE, csrf_token
from api.wiring import Services
from findings.analysis.findings import AddFinding, FindingService
from tests.api.conftest import SECRET
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


def _sign_in(client, services: Services, user_id: int) -> str:
    """Signs in; the session's CSRF token."""
    token = services.auth.issue(user_id, kind="session").token
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token(SECRET, token)


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


# ---- reviews published elsewhere -----------------------------------------------------------------

CATALOGUE = (
    "title,partnership,year,themes,learning_summary,link\n"
    '"Child Q",Eastshire,2022,"Neglect; was_not_brought",'
    '"Dental non-attendance was not linked to neglect.",https://example.org/child-q\n'
)
BAD = "title,partnership,year,themes,learning_summary,link\n,Eastshire,22,Bananas,x,https://example.org/a\n"


def _upload(client, csrf: str, content: str):
    return client.post(
        "/repository/external/upload",
        data={"csrf_token": csrf},
        files={"csv_file": ("catalogue.csv", content.encode(), "text/csv")},
        follow_redirects=False,
    )


def test_a_coordinator_imports_a_catalogue_on_the_page_and_it_is_searchable(client, api_services, portfolio):
    coordinator = portfolio.poppy.cast.coordinator
    csrf = _sign_in(client, api_services, coordinator)
    page = client.get("/repository/external")
    assert page.status_code == 200 and 'action="/repository/external/upload"' in page.text
    refused = _upload(client, csrf, BAD)
    assert refused.status_code == 422
    for problem in (
        "Line 2, title: This cannot be empty.",
        "Line 2, year:",
        "Line 2, themes: Unknown theme(s): Bananas",
    ):
        assert problem in refused.text
    assert "Nothing was saved" in refused.text and "0 reviews" in refused.text
    done = _upload(client, csrf, CATALOGUE)
    assert done.status_code == 303 and done.headers["location"] == "/repository/external"
    listed = client.get("/repository/external").text
    assert "1 new review(s) published elsewhere imported, 0 updated." in listed
    assert 'href="https://example.org/child-q"' in listed and "Neglect; Was not brought" in listed
    _sign_in(client, api_services, portfolio.reader)
    found = client.get("/repository?q=dental&kind=external").text
    assert "Eastshire · 2022" in found and 'href="https://example.org/child-q"' in found
    assert "Take out" not in client.get("/repository/external").text  # a reader does not keep it


def test_only_coordinators_and_chairs_change_the_catalogue(client, api_services, portfolio):
    csrf = _sign_in(client, api_services, portfolio.reader)
    assert _upload(client, csrf, CATALOGUE).status_code == 403
    headers = _bearer(api_services, portfolio.reader)
    files = {"file": ("catalogue.csv", CATALOGUE.encode(), "text/csv")}
    assert client.post("/api/v1/external-reviews/import", files=files, headers=headers).status_code == 403
    chair = _bearer(api_services, portfolio.poppy.cast.chair)
    imported = client.post("/api/v1/external-reviews/import", files=files, headers=chair)
    assert imported.status_code == 200 and imported.json() == {"added": 1, "updated": 0}
    (review,) = client.get("/api/v1/external-reviews", headers=headers).json()["items"]
    assert review["themes"] == ["neglect", "was_not_brought"]
    assert (
        client.get("/api/v1/external-reviews", headers=_bearer(api_services, portfolio.admin)).json()["total"]
        == 0
    )
    csrf = _sign_in(client, api_services, portfolio.poppy.cast.coordinator)
    removed = client.post(
        f"/repository/external/{review['id']}/remove", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert client.get(f"/api/v1/external-reviews/{review['id']}", headers=headers).status_code == 404


def test_the_api_says_every_problem_of_a_catalogue_by_line_and_column(client, api_services, portfolio):
    headers = _bearer(api_services, portfolio.poppy.cast.coordinator)
    files = {"file": ("catalogue.csv", BAD.encode(), "text/csv")}
    refused = client.post("/api/v1/external-reviews/import", files=files, headers=headers)
    assert refused.status_code == 422
    assert {"line 2, title", "line 2, year", "line 2, themes"} <= set(refused.json()["errors"])
    pdf = {"file": ("catalogue.pdf", b"%PDF", "application/pdf")}
    assert (
        "file" in client.post("/api/v1/external-reviews/import", files=pdf, headers=headers).json()["errors"]
    )


# ---- "not a quirk" beside the finding editor -----------------------------------------------------


def _finding_page(portfolio) -> str:
    return f"/reviews/{portfolio.daisy.review_id}/findings/{portfolio.daisy.finding_ids[0]}"


def _version(api_services, portfolio) -> int:
    daisy = portfolio.daisy
    return api_services.finding.get(
        review_id=daisy.review_id, actor=daisy.cast.lead, finding_id=daisy.finding_ids[0]
    ).version


def test_the_editor_offers_other_reviews_and_one_button_adds_one_as_evidence(client, api_services, portfolio):
    csrf = _sign_in(client, api_services, portfolio.daisy.cast.lead)
    page = client.get(_finding_page(portfolio))
    assert page.status_code == 200
    section = page.text.split('id="suggestions"', 1)[1].split("</section>", 1)[0]
    assert "Finding 1: Children not brought to appointments" in section
    assert "Review of Poppy, 2024 (published)" in section and "The same category (Tools)" in section
    entry_id = section.split('name="entry_id" value="', 1)[1].split('"', 1)[0]
    added = client.post(
        f"{_finding_page(portfolio)}/evidence/suggested",
        data={"csrf_token": csrf, "version": str(_version(api_services, portfolio)), "entry_id": entry_id},
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"].endswith("#evidence")
    after = client.get(_finding_page(portfolio)).text
    assert (
        "<strong>Other reviews</strong>: Appointment systems record a child who was not brought as the family"
        in after
    )
    assert "(Review of Poppy (2024), Finding 1: Children not brought to appointments)" in after
    assert "Added as evidence." in after.split('id="suggestions"', 1)[1]


def test_a_stale_or_unreadable_suggestion_form_says_what_to_do(client, api_services, portfolio):
    csrf = _sign_in(client, api_services, portfolio.daisy.cast.lead)
    page = client.get(_finding_page(portfolio)).text
    entry_id = page.split('name="entry_id" value="', 1)[1].split('"', 1)[0]
    stale = client.post(
        f"{_finding_page(portfolio)}/evidence/suggested",
        data={"csrf_token": csrf, "version": "999", "entry_id": entry_id},
    )
    assert stale.status_code == 412
    junk = client.post(
        f"{_finding_page(portfolio)}/evidence/suggested",
        data={"csrf_token": csrf, "version": str(_version(api_services, portfolio)), "entry_id": "x"},
    )
    assert junk.status_code == 422 and "Choose a suggestion to add." in junk.text
    hidden = client.post(
        f"{_finding_page(portfolio)}/evidence/suggested",
        data={"csrf_token": csrf, "version": str(_version(api_services, portfolio)), "entry_id": "999999"},
    )
    assert hidden.status_code == 404


def test_a_reader_who_may_not_write_sees_the_suggestions_without_a_button(client, api_services, portfolio):
    csrf = _sign_in(client, api_services, portfolio.daisy.cast.practitioner)
    page = client.get(_finding_page(portfolio))
    assert page.status_code == 200
    section = page.text.split('id="suggestions"', 1)[1].split("</section>", 1)[0]
    assert "Children not brought to appointments" in section and "Add as evidence" not in section
    entry_id = next(
        hit["entry_id"]
        for hit in client.get(
            f"/api/v1/reviews/{portfolio.daisy.review_id}/findings/{portfolio.daisy.finding_ids[0]}/suggestions",
            headers=_bearer(api_services, portfolio.daisy.cast.practitioner),
        ).json()["items"]
    )
    refused = client.post(
        f"{_finding_page(portfolio)}/evidence/suggested",
        data={
            "csrf_token": csrf,
            "version": str(_version(api_services, portfolio)),
            "entry_id": str(entry_id),
        },
    )
    assert refused.status_code == 403


def test_the_api_offers_suggestions_and_adds_one_with_its_etag(client, api_services, portfolio):
    daisy = portfolio.daisy
    base = f"/api/v1/reviews/{daisy.review_id}/findings/{daisy.finding_ids[0]}"
    headers = _bearer(api_services, daisy.cast.lead)
    offered = client.get(f"{base}/suggestions", headers=headers).json()["items"]
    first = offered[0]
    assert first["reasons"][0] == "The same category (Tools)" and first["added"] is False
    current = client.get(base, headers=headers)
    added = client.post(
        f"{base}/evidence/suggested",
        json={"entry_id": first["entry_id"]},
        headers=headers | {"If-Match": current.headers["etag"]},
    )
    assert added.status_code == 200, added.text
    assert [(e["kind"], e["reference"]) for e in added.json()["evidence"]] == [
        ("other_reviews", first["reference"])
    ]
    assert client.get(f"{base}/suggestions", headers=headers).json()["items"][0]["added"] is True

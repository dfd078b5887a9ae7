"""The partners' yearly report through the ASGI app, on the portfolio of tests/trends_support.py (every
review of it started, was decided and, but Daisy, approved on 26 November 2026; Poppy was published):
what it counts for each reader, the period's form and its errors, the documents, and who may make it."""

from __future__ import annotations

import pytest

from api.auth import SESSION_COOKIE
from api.wiring import Services
from findings.publication.docx import docx_text
from findings.publication.render import MEDIA_TYPES, Format
from tests.trends_support import Portfolio, portfolio_fixture  # noqa: F401 (a fixture)

YEAR = {"start": "2026-04-01", "end": "2027-03-31"}
YEAR_FORM = (
    "start-day=1&start-month=4&start-year=2026&end-day=31&end-month=3&end-year=2027"  # the page's date inputs
)


def _auth(services: Services, user_id: int) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.auth.issue(user_id).token}"}


def _sign_in(client, services: Services, user_id: int) -> None:
    client.cookies.set(SESSION_COOKIE, services.auth.issue(user_id, kind="session").token)


def test_the_report_counts_what_the_reviews_its_author_may_see_did_in_the_period(
    client, api_services: Services, portfolio: Portfolio
) -> None:
    p = portfolio
    answer = client.get(
        "/api/v1/yearly-report", params=YEAR, headers=_auth(api_services, p.oscar.cast.coordinator)
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["start"], report["end"]) == ("2026-04-01", "2027-03-31")
    # Oscar's coordinator sees Oscar (a member) and Poppy (published), never Daisy (a draft of others)
    assert report["reviews_seen"] == 2
    names = {r["child_pseudonym"]: r for r in report["reviews"]}
    assert set(names) == {"Poppy", "Oscar"}
    assert (report["started"], report["decided"], report["completed"], report["published"]) == (2, 2, 2, 1)
    assert names["Poppy"]["published_as"] == "report" and names["Oscar"]["published_on"] is None
    assert names["Poppy"]["decision"] == "a statutory review" and names["Oscar"]["stage"] == "approved"
    assert report["themes"] == {"Neglect": 2, "Domestic abuse": 1, "Was not brought (missed appointments)": 1}
    actions = {a["child_pseudonym"]: a for a in report["actions"]}
    assert actions["Poppy"]["by_status"] == {
        "planned": 1,
        "in progress": 1,
        "done": 0,
        "done and verified": 0,
    }
    assert (actions["Poppy"]["overdue"], actions["Oscar"]["overdue"]) == (1, 1)
    assert actions["Oscar"]["by_status"]["planned"] == 2

    daisy = client.get(
        "/api/v1/yearly-report", params=YEAR, headers=_auth(api_services, p.daisy.cast.coordinator)
    )
    counted = daisy.json()
    assert {r["child_pseudonym"] for r in counted["reviews"]} == {"Poppy", "Daisy"}
    assert (counted["started"], counted["decided"], counted["completed"], counted["published"]) == (
        2,
        2,
        1,
        1,
    )
    assert "Domestic abuse" not in counted["themes"]  # Oscar's finding stays with Oscar's members


def test_a_period_with_nothing_in_it_says_so_and_the_default_is_the_last_financial_year(
    client, api_services: Services, portfolio: Portfolio
) -> None:
    headers = _auth(api_services, portfolio.oscar.cast.coordinator)
    report = client.get("/api/v1/yearly-report", headers=headers).json()
    assert (report["start"], report["end"]) == ("2025-04-01", "2026-03-31")  # today is 26 November 2026
    assert report["reviews"] == [] and report["themes"] == {} and report["actions"] == []
    _sign_in(client, api_services, portfolio.oscar.cast.coordinator)
    page = client.get("/yearly-report").text
    assert (
        'name="start-day" type="text" value="1"' in page
        and 'name="end-year" type="text" value="2026"' in page
    )
    assert "No review you may see was started, decided, completed or published in this period." in page


def test_only_coordinators_and_chairs_make_it(client, api_services: Services, portfolio: Portfolio) -> None:
    for who in (portfolio.reader, portfolio.admin, portfolio.poppy.cast.lead):
        assert client.get("/api/v1/yearly-report", headers=_auth(api_services, who)).status_code == 403
    assert client.get("/api/v1/yearly-report").status_code == 401
    _sign_in(client, api_services, portfolio.reader)
    assert client.get("/yearly-report").status_code == 403
    assert 'href="/yearly-report"' not in client.get("/trends").text
    _sign_in(client, api_services, portfolio.poppy.cast.chair)
    assert 'href="/yearly-report"' in client.get("/trends").text


def test_a_period_out_of_order_is_refused_with_what_to_fix(
    client, api_services: Services, portfolio: Portfolio
) -> None:
    headers = _auth(api_services, portfolio.oscar.cast.coordinator)
    backwards = client.get(
        "/api/v1/yearly-report", params={"start": "2026-04-01", "end": "2026-01-01"}, headers=headers
    )
    assert backwards.status_code == 422
    assert "The last day must be the same as the first day or after it." in backwards.text
    too_long = client.get(
        "/api/v1/yearly-report", params={"start": "2020-04-01", "end": "2026-03-31"}, headers=headers
    )
    assert too_long.status_code == 422 and "at most two years" in too_long.text
    ancient = client.get("/api/v1/yearly-report", params={"start": "0001-01-01"}, headers=headers)
    assert ancient.status_code == 422 and "start" in ancient.text
    _sign_in(client, api_services, portfolio.oscar.cast.coordinator)
    page = client.get(
        "/yearly-report?start-day=31&start-month=2&start-year=2026&end-day=1&end-month=3&end-year=2026"
    )
    assert page.status_code == 422
    assert "There is a problem" in page.text and 'value="31"' in page.text  # what was typed is kept


def test_the_page_shows_the_year_and_downloads_it_as_word_and_html(
    client, api_services: Services, portfolio: Portfolio
) -> None:
    _sign_in(client, api_services, portfolio.oscar.cast.coordinator)
    page = client.get(f"/yearly-report?{YEAR_FORM}")
    assert page.status_code == 200
    text = page.text
    assert "1 April 2026 to Wednesday 31 March 2027." in text
    assert 'data-part="published"' in text and "Review of Poppy" in text and "Review of Daisy" not in text
    assert "2 actions past the due date and not done" in text
    word = client.get(f"/yearly-report/document?{YEAR_FORM}&format=docx")
    assert word.status_code == 200 and word.headers["content-type"] == MEDIA_TYPES[Format.DOCX]
    assert word.headers["content-disposition"].endswith('yearly-report-2026-04-01-to-2027-03-31.docx"')
    words = docx_text(word.content)
    for expected in ("The year in numbers", "Review of Poppy", "Neglect", "Progress of the actions"):
        assert expected in words
    assert "Daisy" not in words
    html = client.get(f"/yearly-report/document?{YEAR_FORM}&format=html")
    assert (
        html.status_code == 200
        and "<h1>Case reviews: the safeguarding partners' yearly report</h1>" in html.text
    )


@pytest.mark.pdf
def test_the_report_as_pdf(client, api_services: Services, portfolio: Portfolio) -> None:
    headers = _auth(api_services, portfolio.oscar.cast.chair)
    pdf = client.get("/api/v1/yearly-report/document", params=YEAR | {"format": "pdf"}, headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

"""The pages across reviews through the ASGI app, on the portfolio of tests/trends_support.py: every
route needs a session and shows only what the reader may see (a non-member never a draft, an admin
nothing), the trends' charts have a title and a description and match the tables beside them, every
table and the actions download as CSV (formulae neutralised), the actions' filters and overdue, the
briefing page and its document, and the JSON list of actions with its filters."""

from __future__ import annotations

import csv
import io
import re

import pytest

from api.auth import SESSION_COOKIE
from api.wiring import Services
from findings.learning.excerpts import Element, find, parse
from findings.publication.docx import docx_text
from tests.trends_support import (
    AT_TITLE,
    CHANGED_AFTER,
    FORMULA_TITLE,
    PUBLISHED_RESPONSE,
    Portfolio,
    portfolio_fixture,  # noqa: F401 (a fixture)
)

ROUTES = (
    "/trends",
    "/trends/categories.csv",
    "/trends/themes.csv",
    "/trends/categories-themes.csv",
    "/trends/factors.csv",
    "/actions",
    "/actions.csv",
    "/briefings/selection",
    "/briefings/selection/document?format=html",
)
# What only the members of Daisy (a draft) and Oscar (approved, not published) may see.
DRAFTS = (
    "Daisy",
    "Oscar",
    "Dental appointments missed",
    "When a child is not brought to the dentist",
    "Domestic abuse",
    "Police notify schools",
    "notifications reach schools",
    "2025",
    "2026,",
)


def _sign_in(client, services: Services, user_id: int) -> None:
    client.cookies.set(SESSION_COOKIE, services.auth.issue(user_id, kind="session").token)


def _elements(node: Element | str, tag: str) -> list[Element]:
    if isinstance(node, str):
        return []
    found = [node] if node.tag == tag else []
    for child in node.children:
        found += _elements(child, tag)
    return found


def _text(node: Element | str) -> str:
    if isinstance(node, str):
        return node
    return "".join(_text(c) for c in node.children)


def _by_id(root: Element, element_id: str) -> Element:
    found = find(root, element_id)
    assert found is not None, element_id
    return found


def _csv(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("path", ROUTES)
def test_every_page_across_reviews_needs_a_session(client, portfolio: Portfolio, path: str):
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")


def test_a_reader_in_no_review_never_sees_a_draft_on_any_page(client, api_services, portfolio: Portfolio):
    _sign_in(client, api_services, portfolio.reader)
    for path in ROUTES[:7]:
        answer = client.get(path)
        assert answer.status_code == 200, path
        body = answer.content.decode("utf-8-sig")
        assert [words for words in DRAFTS if words in body] == [], path
    trends = client.get("/trends").text
    assert "2 findings in 1 review" in trends and "Neglect" in trends
    actions = client.get("/actions").text
    assert "2 actions" in actions and "Review of Poppy" in actions
    assert (
        'href="/published">Review of Poppy' in actions
    )  # not a member: the published reviews, not its pages
    for path in ROUTES[7:]:
        assert client.get(path).status_code == 403  # only coordinators and chairs build briefings


def test_an_admin_sees_nothing_across_reviews_unless_a_member(client, api_services, portfolio: Portfolio):
    _sign_in(client, api_services, portfolio.admin)
    assert "There are no findings to count" in client.get("/trends").text
    assert "0 findings in 0 reviews" in client.get("/trends").text
    assert "0 actions" in client.get("/actions").text
    assert _csv(client.get("/actions.csv"))[1:] == []
    assert _csv(client.get("/trends/themes.csv")) == [["Theme", "Total"], ["Total", "0"]]


def test_a_briefing_prints_a_review_its_reader_is_not_on_only_as_frozen(
    client, api_services, portfolio: Portfolio
):
    _sign_in(client, api_services, portfolio.daisy.cast.coordinator)
    page = client.get("/briefings/selection?theme=was_not_brought")
    assert page.status_code == 200
    root = parse(page.text)
    rows = {
        r.attrs["data-review"]: " ".join(_text(r).split())
        for r in _elements(root, "tr")
        if "data-review" in r.attrs
    }
    assert set(rows) == {str(portfolio.daisy.review_id), str(portfolio.poppy.review_id)}
    assert "Draft as it stands today (findings)" in rows[str(portfolio.daisy.review_id)]
    assert "As published on" in rows[str(portfolio.poppy.review_id)]
    link = next(a.attrs["href"] for a in _elements(root, "a") if "(HTML)" in _text(a))
    assert "theme=was_not_brought" in link and "format=html" in link
    document = client.get(link.replace("&amp;", "&"))
    assert document.status_code == 200 and document.headers["content-disposition"].startswith("attachment;")
    assert PUBLISHED_RESPONSE in document.text and CHANGED_AFTER not in document.text
    assert "Oscar" not in document.text
    word_link = next(a.attrs["href"] for a in _elements(root, "a") if "(Word" in _text(a))
    word = client.get(word_link.replace("&amp;", "&"))
    assert word.status_code == 200 and word.headers["content-disposition"].endswith('selection.docx"')
    assert PUBLISHED_RESPONSE in docx_text(word.content) and "Oscar" not in docx_text(word.content)
    assert (
        "No review you may see matches this selection"
        in client.get("/briefings/selection?theme=thresholds").text
    )


def test_the_chart_has_a_title_and_a_description_and_matches_its_table(
    client, api_services, portfolio: Portfolio
):
    _sign_in(client, api_services, portfolio.daisy.cast.coordinator)
    page = client.get("/trends")
    assert page.status_code == 200
    root = parse(page.text)
    svg = next(s for s in _elements(root, "svg") if s.attrs.get("data-chart") == "chart-categories")
    assert svg.attrs["role"] == "img"
    assert svg.attrs["aria-labelledby"] == "chart-categories-title chart-categories-desc"
    assert _text(_by_id(root, "chart-categories-title")) == "Findings by category and year"
    description = _text(_by_id(root, "chart-categories-desc"))
    assert "Tools: 2 (2024: 1, 2025: 1)" in description and "Longer-term work: 1 (2024: 1)" in description
    table = _by_id(root, "table-categories")
    shown = {
        _text(row.children[1]).strip(): [_text(td).strip() for td in _elements(row, "td")]
        for row in _elements(table, "tr")
        if "data-row" in row.attrs
    }
    counted = api_services.trends.trends(actor=portfolio.daisy.cast.coordinator).categories
    assert shown == {
        **{r.label: [*map(str, r.counts), str(r.total)] for r in counted.rows},
        "Total": [*map(str, counted.column_totals), str(counted.total)],
    }
    assert shown["Tools"] == ["1", "1", "2"]
    # one bar segment per year with a finding, each named in words; patterns as well as colours
    segments = [_text(t) for t in _elements(svg, "title")]
    assert "Tools, 2024: 1 finding" in segments and "Tools, 2025: 1 finding" in segments
    patterns = _elements(svg, "pattern")
    assert len(patterns) == 2 and len({len(p.children) for p in patterns}) == 2  # solid, and striped
    assert "Domestic abuse" not in page.text


def test_each_trend_table_downloads_as_csv_with_the_filters_kept(client, api_services, portfolio: Portfolio):
    _sign_in(client, api_services, portfolio.daisy.cast.coordinator)
    page = client.get("/trends?year_from=2025")
    assert "1 finding in 1 review match the filters" in page.text
    links = re.findall(r'href="(/trends/[a-z-]+\.csv[^"]*)"', page.text)
    assert sorted(links) == sorted(
        f"/trends/{key}.csv?year_from=2025"
        for key in ("categories", "themes", "categories-themes", "factors")
    )
    assert _csv(client.get("/trends/categories.csv?year_from=2025"))[0] == ["Category", "2025", "Total"]
    assert ["Was not brought (missed appointments)", "2025", "1"] in [
        r[1:] for r in _csv(client.get("/trends/categories-themes.csv?year_from=2025"))
    ]
    refused = client.get("/trends?year_from=2026&year_to=2024")
    assert refused.status_code == 422 and "There is a problem" in refused.text


def test_the_actions_page_filters_and_marks_what_is_overdue(client, api_services, portfolio: Portfolio):
    _sign_in(client, api_services, portfolio.oscar.cast.coordinator)

    def rows(query: str = "") -> list[tuple[str, bool]]:
        answer = client.get(f"/actions{query}")
        assert answer.status_code == 200, answer.text
        return [
            (r.attrs["data-action"], r.attrs.get("data-overdue") == "yes")
            for r in _elements(parse(answer.text), "tr")
            if "data-action" in r.attrs
        ]

    poppy, oscar = portfolio.poppy.action_ids, portfolio.oscar.action_ids
    assert rows() == [
        (str(poppy[0]), True),
        (str(oscar[0]), True),
        (str(oscar[1]), False),
        (str(poppy[1]), False),
    ]
    assert rows("?overdue=yes") == [(str(poppy[0]), True), (str(oscar[0]), True)]
    assert rows("?agency=Police") == [(str(oscar[0]), True)]
    assert rows(f"?review_id={portfolio.oscar.review_id}&status=planned") == [
        (str(oscar[0]), True),
        (str(oscar[1]), False),
    ]
    assert rows("?due_from-day=1&due_from-month=1&due_from-year=2027") == [
        (str(oscar[1]), False),
        (str(poppy[1]), False),
    ]
    page = client.get("/actions?overdue=yes").text
    assert (
        "Overdue" in page and f'href="/reviews/{portfolio.oscar.review_id}/board#action-{oscar[0]}"' in page
    )
    refused = client.get("/actions?due_to-day=31&due_to-month=2&due_to-year=2027")
    assert refused.status_code == 422 and "Enter a real date" in refused.text


def test_the_actions_download_neutralises_formulae(client, api_services, portfolio: Portfolio):
    _sign_in(client, api_services, portfolio.oscar.cast.coordinator)
    rows = _csv(client.get("/actions.csv"))
    assert rows[0][:3] == ["Review", "Review id", "Action"]
    titles = [r[2] for r in rows[1:]]
    assert "'" + FORMULA_TITLE in titles and "'" + AT_TITLE in titles
    assert [r[2] for r in _csv(client.get("/actions.csv?agency=Police"))[1:]] == [
        "Police notify schools before the school day"
    ]


def test_the_top_navigation_links_trends_actions_and_for_coordinators_the_briefing(
    client, api_services, portfolio: Portfolio
):
    _sign_in(client, api_services, portfolio.reader)
    nav = client.get("/reviews").text
    assert 'href="/trends"' in nav and 'href="/actions"' in nav and 'href="/briefings/selection"' not in nav
    _sign_in(client, api_services, portfolio.daisy.cast.chair)
    assert 'href="/briefings/selection"' in client.get("/reviews").text


def test_the_api_lists_actions_across_reviews_with_the_same_filters(
    client, api_services, portfolio: Portfolio
):
    headers = {"Authorization": f"Bearer {api_services.auth.issue(portfolio.oscar.cast.coordinator).token}"}
    every = client.get("/api/v1/actions", headers=headers).json()
    assert every["total"] == 4
    overdue = client.get("/api/v1/actions?overdue=true&agency=police", headers=headers).json()
    assert [a["title"] for a in overdue["items"]] == ["Police notify schools before the school day"]
    assert (
        client.get("/api/v1/actions?status=planned&due_from=2027-01-01", headers=headers).json()["total"] == 2
    )
    refused = client.get("/api/v1/actions?due_from=2027-01-01&due_to=2026-01-01", headers=headers)
    assert refused.status_code == 422 and "due_to" in refused.json()["errors"]
    reader = {"Authorization": f"Bearer {api_services.auth.issue(portfolio.reader).token}"}
    assert {a["review_id"] for a in client.get("/api/v1/actions", headers=reader).json()["items"]} == {
        portfolio.poppy.review_id
    }

"""Trends, actions across reviews and the briefing from a selection in Chromium, on the portfolio of
tests/trends_support.py loaded into the browser tests' database: the charts are drawn with their
tables beside them, the filters work with and without JavaScript, the CSV downloads, and axe finds
nothing serious or critical at 1280 and at 375 px."""

from __future__ import annotations

from typing import Any

import axe_playwright_python.sync_playwright as axe_api
import pytest

from api.auth import SESSION_COOKIE
from api.pages.templating import plural
from api.wiring import Services
from findings.learning.selection import Selection
from findings.learning.visibility import ReviewFilters
from tests.browser.conftest import SERIOUS, Accessibility, Person, new_context
from tests.support import FakeAnalysis, FakePublisher, People
from tests.trends_support import FORMULA_TITLE, build_portfolio
from workflow.service import ReviewService

pytestmark = [pytest.mark.browser]


def _person(
    browser: Any, base_url: str, services: Services, user_id: int, a11y: Accessibility | None, **options: Any
) -> Person:
    context = new_context(browser, **options)
    token = services.auth.issue(user_id, kind="session").token
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base_url}])
    return Person("signed-in", context, base_url, "", a11y)


def _serious(page: Any) -> list[str]:
    results = axe_api.Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n.get('target') for n in v.get('nodes', [])][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def _at_both_widths(person: Person) -> list[str]:
    problems = _serious(person.page)
    person.page.set_viewport_size({"width": 375, "height": 812})
    problems += _serious(person.page)
    person.page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def test_trends_actions_and_the_briefing_read_well_and_pass_axe(
    browser: Any, base_url: str, browser_services: Services, accessibility: Accessibility
):
    service = ReviewService(browser_services.sessions, analysis=FakeAnalysis(), publisher=FakePublisher())
    portfolio = build_portfolio(service, People(browser_services.sessions))
    coordinator = _person(
        browser, base_url, browser_services, portfolio.oscar.cast.coordinator, accessibility
    )
    plain = _person(
        browser, base_url, browser_services, portfolio.oscar.cast.coordinator, None, java_script_enabled=False
    )
    try:
        coordinator.open("/reviews").click("Trends")
        assert coordinator.heading() == "Trends across reviews"
        chart = coordinator.page.locator("svg[data-chart=chart-categories]")
        assert chart.get_attribute("role") == "img"
        assert chart.locator("title").first.text_content() == "Findings by category and year"
        assert chart.bounding_box()["width"] > 300  # drawn, and wide enough to read
        # The browser tests share one database, so what other tests published counts too: the pages
        # are held to what the services count for the same reader and filters.
        me = portfolio.oscar.cast.coordinator
        counted = browser_services.trends.trends(actor=me)
        tools = next(r for r in counted.categories.rows if r.key == "tools")
        table = coordinator.page.locator("#table-categories")
        assert table.locator("tr[data-row=tools] td").all_inner_texts()[:1] == [str(tools.counts[0])]
        assert _at_both_widths(coordinator) == []
        coordinator.shot("trends", at="#categories")

        coordinator.page.get_by_label("From year").select_option("2026")  # applies as it changes
        coordinator.page.wait_for_url("**/trends?*year_from=2026*")
        this_year = browser_services.trends.trends(actor=me, filters=ReviewFilters(year_from=2026))
        assert this_year.findings >= 1 and this_year.findings < counted.findings
        assert (
            f"{plural(this_year.findings, 'finding')} in {plural(this_year.reviews, 'review')}"
            " match the filters" in coordinator.text
        )
        with coordinator.page.expect_download() as download:
            coordinator.page.locator("#themes").get_by_role("link", name="Download this table (CSV)").click()
        assert download.value.suggested_filename == "trends-themes.csv"

        coordinator.open("/actions")
        actions = browser_services.actions.lines(actor=me).total
        assert actions >= 4 and coordinator.page.locator("tr[data-action]").count() == min(actions, 50)
        coordinator.tick("Only the overdue ones").click("Apply filters")
        assert (
            coordinator.page.locator("tr[data-overdue=yes]").count()
            == coordinator.page.locator("tr[data-action]").count()
        )
        assert _at_both_widths(coordinator) == []
        coordinator.shot("actions")
        with coordinator.page.expect_download() as download:
            coordinator.page.get_by_role("link", name="Download these as CSV").click()
        exported = download.value.path().read_text(encoding="utf-8-sig")
        assert "'" + FORMULA_TITLE.replace('"', '""') in exported or "'=HYPERLINK" in exported

        coordinator.open("/briefings/selection")
        coordinator.page.get_by_label("Theme").select_option(label="Domestic abuse")
        coordinator.click("Show the reviews")
        themed = browser_services.selections.reviews(actor=me, selection=Selection(theme="domestic_abuse"))
        assert themed and f"{plural(len(themed), 'review')} in this selection" in coordinator.text
        assert _at_both_widths(coordinator) == []

        # without JavaScript: the same charts and tables, and the filters apply with their button
        plain.open("/trends")
        assert plain.page.locator("svg[data-chart=chart-themes]").count() == 1
        plain.page.get_by_label("Route").select_option(
            label="Learning review (management or local learning review)"
        )
        plain.click("Apply filters")
        assert "route=learning" in plain.page.url
    finally:
        errors = coordinator.console_errors + plain.console_errors
        coordinator.context.close()
        plain.context.close()
    assert errors == []
    assert accessibility.problems == [], "\n".join(accessibility.problems)

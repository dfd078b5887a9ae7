"""The learning repository in Chromium, on the portfolio of tests/trends_support.py loaded into the
browser tests' database: Daisy's lead reviewer searches the repository, opens their own finding from
the results, is offered Poppy's published finding beside the editor, and adds it as evidence with one
button, with JavaScript and without; the words found are marked; axe finds nothing serious or
critical at 1280 and at 375 px."""

from __future__ import annotations

from typing import Any

import pytest

from api.auth import SESSION_COOKIE
from api.wiring import Services
from findings.learning.catalogue import CatalogueService
from tests.browser.conftest import Accessibility, Person, new_context
from tests.browser.test_trends_and_actions import _at_both_widths
from tests.support import FakeAnalysis, FakePublisher, People
from tests.trends_support import build_portfolio
from workflow.service import ReviewService

pytestmark = [pytest.mark.browser]

CHILD_Q = "Child Q: a dentist's letters"
CATALOGUE = (
    "title,partnership,year,themes,learning_summary,link\n"
    f'"{CHILD_Q}",Eastshire,2022,Dental neglect,"Letters about missed dental appointments reached no one who '
    'could act.",https://example.org/reviews/child-q\n'
)


def _person(
    browser: Any, base_url: str, services: Services, user_id: int, a11y: Accessibility | None, **options: Any
) -> Person:
    context = new_context(browser, **options)
    token = services.auth.issue(user_id, kind="session").token
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base_url}])
    return Person("signed-in", context, base_url, "", a11y)


def test_search_then_a_suggestion_then_evidence_added(
    browser: Any, base_url: str, browser_services: Services, accessibility: Accessibility
):
    service = ReviewService(browser_services.sessions, analysis=FakeAnalysis(), publisher=FakePublisher())
    portfolio = build_portfolio(service, People(browser_services.sessions))
    CatalogueService(service).import_csv(actor=portfolio.poppy.cast.coordinator, data=CATALOGUE.encode())
    daisy = portfolio.daisy
    lead = _person(browser, base_url, browser_services, daisy.cast.lead, accessibility)
    plain = _person(browser, base_url, browser_services, daisy.cast.lead, None, java_script_enabled=False)
    finding_path = f"/reviews/{daisy.review_id}/findings/{daisy.finding_ids[0]}"
    try:
        lead.open("/reviews").click("Repository")
        assert lead.heading() == "Learning repository"
        lead.fill("Search for", "dentist").click("Search")
        assert "q=dentist" in lead.page.url
        result = lead.page.locator(f"li.tv-result:has(a[href='{finding_path}'])")
        assert result.locator("mark").all_inner_texts() == ["dentist"]
        assert _at_both_widths(lead) == []
        lead.shot("repository", at="#result-count")

        result.get_by_role("link").click()
        lead.checked()
        assert lead.heading().startswith("Finding 1")
        suggestions = lead.page.locator("#suggestions li.tv-suggestion")
        poppy = suggestions.filter(has_text="Review of Poppy, 2024 (published)").filter(
            has_text="Children not brought to appointments"
        )
        assert poppy.count() >= 1
        assert "The same category (Tools)" in poppy.first.inner_text()
        assert _at_both_widths(lead) == []
        lead.shot("not-a-quirk", at="#suggestions")
        poppy.first.get_by_role("button", name="Add as evidence").click()
        lead.checked()
        evidence = lead.page.locator("#evidence + ul")
        assert "Other reviews" in evidence.inner_text()
        assert (
            "Review of Poppy (2024), Finding 1: Children not brought to appointments" in evidence.inner_text()
        )
        assert "Added as evidence." in lead.page.locator("#suggestions").inner_text()

        # without JavaScript: a plain form, the same result
        plain.open(f"/repository?q={'appointments'}&category=tools")
        assert plain.page.locator("li.tv-result mark").count() >= 1
        plain.open(finding_path)
        others = plain.page.locator("#suggestions li.tv-suggestion").filter(
            has=plain.page.get_by_role("button")
        )
        if others.count():
            others.first.get_by_role("button", name="Add as evidence").click()
            plain.checked()
            assert plain.page.locator("#evidence + ul li").count() == 2
    finally:
        errors = lead.console_errors + plain.console_errors
        lead.context.close()
        plain.context.close()
    assert errors == []
    assert accessibility.problems == [], "\n".join(accessibility.problems)

"""The chair's sign-off page in Chromium: the chair reaches it from the overview, sees every warning with
how it stands and who acknowledged it and why, the anonymisation check with its hit, the clocks and the
findings with their questions, and approves with the acknowledged warning named; a lead reviewer sees
the same page without the decision. axe on the page, at full width and at 375 px."""

from __future__ import annotations

from typing import Any

import axe_playwright_python.sync_playwright as axe_api
import pytest

from api.auth import SESSION_COOKIE
from api.wiring import Services
from tests.api.test_sign_off_pages import ACK_REASON, REMINDER, to_findings
from tests.browser.conftest import SERIOUS, Accessibility, Person, new_context
from tests.support import People

pytestmark = [pytest.mark.browser, pytest.mark.pdf]  # the check renders the review's PDF too


def _person(browser: Any, base_url: str, services: Services, user_id: int, a11y: Accessibility) -> Person:
    """A person signed in with a session of their own (the sign-in page is the journey's to test)."""
    context = new_context(browser)
    token = services.auth.issue(user_id, kind="session").token
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base_url}])
    return Person("signed-in", context, base_url, "", a11y)


def _serious(page: Any) -> list[str]:
    results = axe_api.Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def test_the_chair_approves_from_the_sign_off_page_with_the_warnings_in_view(
    browser: Any, base_url: str, browser_services: Services, accessibility: Accessibility
):
    signed = to_findings(browser_services, People(browser_services.sessions))
    cast = signed.analysis.cast
    signed.analysis.journey.fire("submit_for_signoff", cast.lead)
    chair = _person(browser, base_url, browser_services, cast.chair, accessibility)
    lead = _person(browser, base_url, browser_services, cast.lead, accessibility)
    try:
        chair.open(signed.url).click("Approve the report")  # the overview's button leads here
        assert chair.heading() == "Chair's sign-off"
        warnings = chair.page.locator("table.tv-signoff-warnings")
        acknowledged = warnings.locator("tr[data-state=acknowledged]")
        assert acknowledged.count() == 1
        row = acknowledged.inner_text()
        assert "Advisory" in row and "Lena Lead" in row and ACK_REASON in row and "failed to" in row
        assert "Not acknowledged" in warnings.locator("tr[data-state=open]").inner_text()
        hits = chair.page.locator("table#signoff-hits")
        assert "a school's name" in hits.inner_text()
        href = hits.get_by_role("link").first.get_attribute("href") or ""
        assert href.startswith(f"{signed.url}/findings/{signed.finding_id}#")  # the record, at the field
        assert chair.page.locator("#clocks ~ ul.tv-clocks li").count() >= 1
        assert REMINDER in chair.page.locator("#findings ~ article").first.inner_text()
        decision = chair.page.locator("form[action$='/sign-off/approve']").inner_text()
        assert "By approving you accept 1 acknowledged warning" in decision and ACK_REASON in decision
        chair.shot("chair-sign-off")
        assert _serious(chair.page) == []
        chair.page.set_viewport_size({"width": 375, "height": 812})
        assert _serious(chair.page) == []
        chair.page.set_viewport_size({"width": 1280, "height": 900})

        lead.open(f"{signed.url}/sign-off")
        assert lead.page.get_by_role("button", name="Approve the report").count() == 0
        assert "The report is with the chair for sign-off" in lead.text

        chair.click("Approve the report")
        assert "Done: the report is approved" in chair.text
        approval = chair.page.locator("#approval ~ ul.tv-accepted").inner_text()
        assert ACK_REASON in approval and "Lena Lead" in approval
        chair.open(f"{signed.url}/audit")
        assert (
            "Accepted 1 acknowledged warning"
            in chair.page.locator("table.tv-audit tbody tr").first.inner_text()
        )
    finally:
        errors = chair.console_errors + lead.console_errors
        chair.context.close()
        lead.context.close()
    assert errors == []
    assert accessibility.problems == [], "\n".join(accessibility.problems)

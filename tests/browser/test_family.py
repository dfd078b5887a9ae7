"""The coordinator records the family's involvement on its pages (a family member, a contact, their
views) and then the quality self-assessment starts from it; every page passes axe, and an outsider
is not told the review exists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from api.wiring import Services
from tests.browser.conftest import Accessibility, Person
from tests.browser.test_register import review_at_findings

pytestmark = pytest.mark.browser


def test_the_family_pages_and_the_quality_self_assessment_in_a_browser(
    cast: dict[str, Person],
    emails: dict[str, str],
    browser_services: Services,
    accessibility: Accessibility,
):
    review_id, _ = review_at_findings(browser_services, emails)
    base = f"/reviews/{review_id}"
    coordinator = cast["coordinator"]
    coordinator.sign_in().open(base).click("The family's involvement")
    assert coordinator.heading() == "The family's involvement"
    assert "No family member is recorded yet." in coordinator.text

    coordinator.click("Record the family member")  # nothing filled in: every problem at once
    problems = coordinator.page.locator(".govuk-error-summary").inner_text()
    assert "Give the family member's pseudonym" in problems and "Say how they are related" in problems

    coordinator.fill("Pseudonym", "Alice's mother").fill("Relationship to the child", "mother")
    coordinator.date("invited_on", date.today() - timedelta(days=10)).tick("wishes to take part")
    coordinator.click("Record the family member")
    assert coordinator.heading() == "Alice's mother"

    coordinator.date("contacted_on", date.today() - timedelta(days=3)).select("How", "Meeting")
    coordinator.fill("Note for the review team (optional)", "At the family centre.")
    coordinator.click("Record the contact")
    assert "a meeting. At the family centre." in coordinator.page.locator("#contacts ~ ul").inner_text()

    coordinator.fill("Their views, as heard", "She said no one asked how the move had gone for Alice.")
    coordinator.click("Save")
    assert "Saved." in coordinator.page.locator("body").inner_text()

    coordinator.open(f"{base}/family")
    assert "Alice's mother" in coordinator.page.locator("table").inner_text()

    coordinator.open(f"{base}/quality")
    family = coordinator.page.locator("#marker-family")
    assert (
        "Met. 1 of 1 family member(s) invited; 1 with their views heard; 0 declined." in family.inner_text()
    )
    assert family.get_by_label("met", exact=True).is_checked()  # the assessment starts from the data
    family.get_by_label("Comment (optional)").fill("The mother met the lead reviewers.")
    family.get_by_role("button", name="Save the assessment").click()
    coordinator.checked()
    assert (
        "Assessed: Met. The mother met the lead reviewers."
        in coordinator.page.locator("#marker-family").inner_text()
    )

    outsider = cast["outsider"].sign_in().open(f"{base}/family")
    assert outsider.heading() == "Page not found"  # need-to-know: not told the review exists
    assert accessibility.problems == [], "\n".join(accessibility.problems)

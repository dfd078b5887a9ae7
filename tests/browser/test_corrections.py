"""Corrections after approval in the browser: the coordinator runs the check on an approved review, sees
each hit with the record it stands in (a date of birth printed as a narrative entry's date names that
entry), reopens the review for correction, corrects both hits where they stand, sees the check pass;
the chair approves again and publishes from the publication page."""

from __future__ import annotations

from typing import Any

import pytest

from api.passwords import hash_password
from api.wiring import Services
from tests.browser.conftest import Accessibility, Person, new_context
from tests.findings_support import LEFT_NAME, leaky_approved
from tests.support import People
from workflow import people as people_module
from workflow.states import State

pytestmark = pytest.mark.browser
PASSWORD = "another horse battery"


def _person(browser: Any, base_url: str, services: Services, user_id: int, a11y: Accessibility) -> Person:
    with services.sessions() as session:
        user = people_module.get_user(session, user_id)
        user.password_hash = hash_password(PASSWORD)
        email = user.email
        session.commit()
    return Person(str(user_id), new_context(browser), base_url, email, a11y).sign_in(PASSWORD)


@pytest.mark.pdf  # the check renders the PDF, as in production
def test_a_leak_found_after_approval_is_corrected_where_it_stands_and_approved_again(
    browser: Any, base_url: str, browser_services: Services, accessibility: Accessibility
) -> None:
    services = browser_services
    leaky = leaky_approved(services.reviews, services.register, People(services.sessions))
    a = leaky.analysis
    url = f"/reviews/{a.review_id}/publication"
    coordinator = _person(browser, base_url, services, a.cast.coordinator, accessibility)

    coordinator.open(url).click("Run the anonymisation check")
    rows = coordinator.page.locator("tr.tv-hit")
    assert rows.count() == 2
    assert "The narrative entry's date (20 November 2024)." in coordinator.text
    assert "rendered report" not in coordinator.text
    assert coordinator.text.count("reopen the review for correction to change it") == 2
    coordinator.shot("publication-hits-approved", at="#check")

    coordinator.click("Reopen for correction")
    assert coordinator.heading() == "Reopen for correction"
    coordinator.fill("What needs correcting?", "A practitioner's name and a birth date are printed.")
    coordinator.page.get_by_role("button", name="Reopen for correction").click()
    coordinator.checked()
    assert "The review is now at the stage 'Findings'" in coordinator.text

    coordinator.open(url).click("Run the anonymisation check")
    coordinator.shot("publication-hits-reopened", at="#check")
    name_row = coordinator.page.locator("tr.tv-hit", has_text="practitioner")
    name_row.get_by_role("link", name="Correct it").click()
    coordinator.checked()
    assert LEFT_NAME in coordinator.page.locator("#value").input_value()
    coordinator.shot("correction-page")
    coordinator.fill(
        "The words as they should be published", "Three appointments with the dentist were missed."
    )
    coordinator.click("Save and run the check again")
    assert coordinator.page.locator("tr.tv-hit").count() == 1

    coordinator.page.locator("tr.tv-hit").get_by_role("link", name="Correct it").click()
    coordinator.checked()
    coordinator.page.locator("#value-day").fill("1")
    coordinator.page.locator("#value-month").fill("12")
    coordinator.page.locator("#value-year").fill("2024")
    coordinator.click("Save and run the check again")
    assert "Passed" in coordinator.text and coordinator.page.locator("tr.tv-hit").count() == 0

    a.journey.fire("submit_for_signoff", a.cast.lead)
    chair = _person(browser, base_url, services, a.cast.chair, accessibility)
    chair.open(f"/reviews/{a.review_id}/sign-off").click("Approve the report")
    assert "Done: the report is approved" in chair.text
    chair.open(url).click("Run the anonymisation check")
    assert "Possible now" in chair.text
    chair.shot("publication-ready", at="#check")
    chair.click("Publish the report")
    chair.page.get_by_role("button", name="Publish the report").click()
    chair.checked()
    assert services.reviews.get(a.review_id, a.cast.chair).review.state == State.PUBLISHED

    mine = [p for p in accessibility.problems if "/publication" in p or "/triggers/reopen" in p]
    assert mine == []
    for person in (coordinator, chair):
        assert person.console_errors == []
        person.context.close()

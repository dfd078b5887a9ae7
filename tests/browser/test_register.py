"""The coordinator fills in the sealed identity register on its page, and the finding that names the
person just sealed shows the "names a person" warning at once. Every page passes axe."""

from __future__ import annotations

import pytest

from api.wiring import Services
from findings.analysis.findings import ChangeFinding
from tests.browser.conftest import Accessibility, Person
from tests.findings_support import Analysis
from tests.support import AGENCIES, Cast, Journey, People
from workflow import people as accounts

pytestmark = pytest.mark.browser

DENTIST = "Rupert Greenwood"


def _account(services: Services, email: str) -> int:
    with services.sessions() as session:
        user = accounts.find_by_email(session, email)
        assert user is not None
        return user.id


def review_at_findings(services: Services, emails: dict[str, str]) -> tuple[int, int]:
    """A review at `findings`, set up through the services, run by the browser cast's coordinator and
    chair, with one finding whose text names the dentist (no member of the review): (review, finding)."""
    people = People(services.sessions)
    cast = Cast(
        coordinator=_account(services, emails["coordinator"]),
        chair=_account(services, emails["chair"]),
        lead=people.user("member", "Rhea Reviewer"),
        panel={agency: people.user("member", f"Register panel {agency}") for agency in AGENCIES},
        practitioner=people.user("member", "Pip Practitioner"),
        outsider=people.user("member", "Otto Outsider"),
        admin=people.user("admin", "Adam Admin"),
    )
    analysis = Analysis(services.reviews, people)
    analysis.journey, analysis.cast = Journey(services.reviews, people, cast), cast
    analysis.gathering().narratives().begin_analysis()
    analysis.episode()
    analysis.panel_submissions().draft_findings()
    finding_id = analysis.finding()
    finding = services.finding.get(review_id=analysis.review_id, actor=cast.lead, finding_id=finding_id)
    services.finding.update(
        review_id=analysis.review_id,
        actor=cast.lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=ChangeFinding(how_it_showed=f"Three appointments with {DENTIST} were missed."),
    )
    return analysis.review_id, finding_id


def test_an_identifier_added_on_the_register_page_is_looked_for_at_once(
    cast: dict[str, Person],
    emails: dict[str, str],
    browser_services: Services,
    accessibility: Accessibility,
):
    review_id, finding_id = review_at_findings(browser_services, emails)
    base = f"/reviews/{review_id}"
    coordinator = cast["coordinator"]
    coordinator.sign_in().open(f"{base}/findings/{finding_id}")
    assert "names a person" not in coordinator.text

    coordinator.open(base).click("Sealed identity register")
    assert coordinator.heading() == "Sealed identity register"
    assert "No identifier is in the register yet." in coordinator.text
    coordinator.click("Add to the register")  # nothing filled in: every problem at once
    problems = coordinator.page.locator(".govuk-error-summary").inner_text()
    for problem in ("Choose what kind of identifier", "Give the real identifier", "Give the pseudonym"):
        assert problem in problems
    coordinator.shot("register-errors")

    coordinator.tick("A practitioner").fill("Real identifier", DENTIST)
    coordinator.fill("Replacement words", "the dentist")
    coordinator.fill("Other spellings to look for (optional)", "Rupe Greenwood")
    coordinator.click("Add to the register")
    assert "Identifier added to the register." in coordinator.text
    row = coordinator.page.locator("#register tbody tr").first.inner_text()
    assert DENTIST in row and "the dentist" in row and "Rupe Greenwood" in row
    coordinator.shot("register")

    coordinator.click("Change entry 1")
    assert coordinator.page.get_by_label("Replacement words").input_value() == "the dentist"
    coordinator.click("Cancel")

    coordinator.open(f"{base}/findings/{finding_id}")
    warnings = coordinator.page.locator("#saved-warnings").inner_text()
    assert f"names a person ('{DENTIST}')" in warnings
    coordinator.shot("register-person-named", at="#saved-warnings")

    outsider = cast["outsider"].sign_in().open(f"{base}/register")
    assert outsider.heading() == "Page not found"  # need-to-know: not told the review exists
    assert accessibility.problems == [], "\n".join(accessibility.problems)

"""Two browsers edit the same review: the second is told someone else changed it, and keeps what it
typed. Also: the pages without JavaScript, and the message for a locked account."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from api.passwords import hash_password
from api.wiring import Services
from tests.browser.conftest import PASSWORD, Accessibility, Person, new_context
from tests.support import COMPLETE_RAPID_REVIEW
from workflow import people
from workflow.membership import AddMember
from workflow.referrals import Incident, LogReferral, RecordCriteria
from workflow.states import ReviewRole
from workflow.statutory import RecordPanelResponse, SendRapidReview

pytestmark = pytest.mark.browser

ANSWERS = {
    "abuse_death_or_serious_harm": "yes",
    "harmed_outside_england": "no",
    "looked_after_child_died": "no",
    "care_leaver_died": "no",
    "improvements_needed": "yes",
    "recurrent_themes": "no",
    "multi_agency_concerns": "yes",
    "national_panel_advised": "no",
    "single_agency_concerns": "no",
    "no_agency_involvement": "no",
    "multiple_areas": "no",
    "institutional_setting": "no",
}


def _user_id(services: Services, email: str) -> int:
    with services.sessions() as session:
        user = people.find_by_email(session, email)
        assert user is not None
        return user.id


def review_at_scoping(
    services: Services, emails: dict[str, str], pseudonym: str, *, decide: bool = True
) -> int:
    """A review at the scoping stage (or, without `decide`, at the criteria check with nothing
    answered), set up through the services: the journey test does all this through the pages."""
    reviews = services.reviews
    coordinator = _user_id(services, emails["coordinator"])
    referral = LogReferral(
        child_pseudonym=pseudonym,
        incident=Incident(
            outcome="died", abuse_or_neglect="known", date_of_awareness=date.today() - timedelta(days=1)
        ),
        agencies_involved=["Police", "Health", "Education"],
        chair_email=emails["chair"],
    )
    review = services.referrals.log(actor=coordinator, command=referral).detail.review

    def version() -> int:
        return reviews.get(review.id, coordinator).review.version

    reviews.fire(review.id, "open_screening", coordinator, version())
    if not decide:
        return review.id
    services.referrals.record_criteria(
        review_id=review.id,
        actor=coordinator,
        expected_version=version(),
        command=RecordCriteria(answers=ANSWERS),
    )
    # The rapid review goes to the national panel and it responds; a safeguarding partner decides.
    statutory, today, rid = services.statutory, date.today(), review.id
    statutory.write_rapid_review(
        review_id=rid, actor=coordinator, expected_version=version(), command=COMPLETE_RAPID_REVIEW
    )
    statutory.send_rapid_review(
        review_id=rid, actor=coordinator, expected_version=version(), command=SendRapidReview(on=today)
    )
    response = RecordPanelResponse(response="agrees", on=today)
    statutory.record_panel_response(
        review_id=rid, actor=coordinator, expected_version=version(), command=response
    )
    partner = AddMember(email=emails["partner"], role=ReviewRole.SAFEGUARDING_PARTNER, agency="Police")
    services.membership.add(review_id=rid, actor=coordinator, expected_version=version(), command=partner)
    decider = _user_id(services, emails["partner"])
    reviews.fire(rid, "decide", decider, version(), route="statutory", rationale="Criteria met.")
    return review.id


def test_the_second_of_two_browsers_is_told_and_keeps_its_input(
    browser: Any,
    base_url: str,
    emails: dict[str, str],
    browser_services: Services,
    accessibility: Accessibility,
):
    review_id = review_at_scoping(browser_services, emails, "Benjamin")
    first, second = (
        Person("coordinator", new_context(browser), base_url, emails["coordinator"], accessibility)
        for _ in range(2)
    )
    try:
        for person in (first, second):
            person.sign_in().open(f"/reviews/{review_id}/scope")
        first.fill("Research questions", "How did agencies respond to Benjamin's injuries?")
        first.tick("Police").tick("Health").click("Save the scope")
        assert "Scope saved" in first.text

        typed = "What helped or hindered information sharing between school and health?"
        second.fill("Research questions", typed)
        second.tick("Education").tick("Health").click("Save the scope")
        banner = second.page.locator(".tv-stale")
        assert "Someone else changed this review" in banner.inner_text()
        assert second.page.get_by_label("Research questions").input_value() == typed  # nothing typed is lost
        assert second.page.get_by_label("Education").is_checked()
        second.checked().shot("stale-form")

        # Having seen the banner, the second person saves their version deliberately.
        second.click("Save the scope")
        assert "Scope saved" in second.text
        questions = browser_services.reviews.get(review_id, _user_id(browser_services, emails["coordinator"]))
        assert questions.review.research_questions == [typed]
        assert first.console_errors == second.console_errors == []
    finally:
        first.context.close()
        second.context.close()
    assert accessibility.problems == [], "\n".join(accessibility.problems)


def test_the_pages_work_without_javascript(
    browser: Any,
    base_url: str,
    emails: dict[str, str],
    browser_services: Services,
    accessibility: Accessibility,
):
    review_id = review_at_scoping(browser_services, emails, "Chloe", decide=False)
    scoping_id = review_at_scoping(browser_services, emails, "Daniel")
    context = new_context(browser, java_script_enabled=False)
    coordinator = Person("coordinator", context, base_url, emails["coordinator"], None)

    def main() -> str:
        return coordinator.page.locator("main").text_content() or ""

    try:
        coordinator.sign_in().open(f"/reviews/{review_id}/criteria")
        for key, value in ANSWERS.items():
            coordinator.page.locator(f"input[name='{key}'][value='{value}']").check()
        coordinator.click("Show the recommended route")  # without a script, the server works it out
        recommended = coordinator.page.locator("#recommendation").text_content() or ""
        assert "Local child safeguarding practice review" in recommended
        assert coordinator.page.locator("input[name='multi_agency_concerns'][value='yes']").is_checked()
        coordinator.click("Save the criteria check")
        assert "Criteria check saved" in main()
        coordinator.open(f"/reviews/{scoping_id}/scope")
        coordinator.fill("Research questions", "How was Daniel's voice heard?").tick("Police").tick(
            "Education"
        )
        coordinator.click("Save the scope")
        assert "Scope saved" in main()
        coordinator.open("/reviews?stage=scoping")
        assert "Review of Daniel" in main() and "Review of Chloe" not in main()
    finally:
        context.close()


def test_a_locked_account_is_told_clearly(
    browser: Any, base_url: str, browser_services: Services, accessibility: Accessibility
):
    with browser_services.sessions() as session:
        people.create_user(
            session,
            email="forgetful@browser.example.org",
            name="Fran Forgetful",
            role="member",
            password_hash=hash_password(PASSWORD),
        )
        session.commit()
    context = new_context(browser)
    outsider = Person("forgetful", context, base_url, "forgetful@browser.example.org", accessibility)
    try:
        for _ in range(5):
            outsider.sign_in(password="not the password")
            assert "The email address or password is not right" in outsider.text
        outsider.sign_in()  # the right password, too late
        assert "Your account is locked" in outsider.text
        assert "Try again in 15 minutes" in outsider.text
        outsider.shot("locked-account")
    finally:
        context.close()
    assert accessibility.problems == [], "\n".join(accessibility.problems)

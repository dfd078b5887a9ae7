"""A long render in the browser: the coordinator asks for the review report's PDF and sees the time so far
while it is made, then the PDF arrives as a download named as the link names it."""

from __future__ import annotations

from typing import Any

import pytest

from api.passwords import hash_password
from api.wiring import Services
from tests.browser.conftest import Accessibility, Person, new_context
from tests.findings_support import leaky_approved
from tests.support import People
from workflow import people as people_module

pytestmark = pytest.mark.browser
PASSWORD = "another horse battery"


@pytest.mark.pdf
def test_a_pdf_shows_the_time_so_far_while_it_is_made_and_then_downloads(
    browser: Any, base_url: str, browser_services: Services, accessibility: Accessibility
) -> None:
    services = browser_services
    a = leaky_approved(services.reviews, services.register, People(services.sessions)).analysis
    with services.sessions() as session:
        user = people_module.get_user(session, a.cast.coordinator)
        user.password_hash = hash_password(PASSWORD)
        email = user.email
        session.commit()
    coordinator = Person("coordinator", new_context(browser), base_url, email, accessibility)
    coordinator.sign_in(PASSWORD)
    coordinator.open(f"/reviews/{a.review_id}/report")

    link = coordinator.page.locator("a[data-long-render='the PDF of the review report']")
    status = coordinator.page.locator(".tv-render-status[role=status]")
    with coordinator.page.expect_download(timeout=120_000) as arrived:
        link.click()
        assert "Making the PDF of the review report" in status.inner_text()
    download = arrived.value
    assert download.suggested_filename == f"review-report-{a.review_id}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    status.filter(has_text="Ready after").wait_for()
    assert f"review-report-{a.review_id}.pdf is downloaded" in status.inner_text()
    accessibility.check(coordinator.page)
    assert coordinator.console_errors == []

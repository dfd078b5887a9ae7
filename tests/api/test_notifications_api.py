"""A person's own notifications through the API and their account page: how emails reach them, and
the calendar feed of their statutory deadlines at a secret address that can be revoked."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import icalendar
import pytest

from api.auth import SESSION_COOKIE, csrf_token
from tests.api.conftest import SECRET
from workflow.states import State


@pytest.fixture
def world(worlds):
    return worlds.at(State.SCREENING)  # aware 2 November 2026: notification and rapid review clocks run


def feed_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_a_person_reads_and_changes_how_emails_reach_them(client, world):
    headers = world.headers("chair")
    assert client.get("/api/v1/me/notifications", headers=headers).json() == {
        "delivery": "immediately",
        "calendar": {"active": False, "since": None},
    }
    changed = client.put("/api/v1/me/notifications", headers=headers, json={"delivery": "daily"})
    assert changed.status_code == 200 and changed.json()["delivery"] == "daily"
    assert client.get("/api/v1/me/notifications", headers=headers).json()["delivery"] == "daily"
    # someone else's choice is their own
    assert client.get("/api/v1/me/notifications", headers=world.headers("coordinator")).json()[
        "delivery"
    ] == ("immediately")


def test_a_bad_choice_is_refused_saying_what_to_send(client, world):
    refused = client.put(
        "/api/v1/me/notifications", headers=world.headers("chair"), json={"delivery": "hourly"}
    )
    assert refused.status_code == 422
    assert "delivery" in refused.json()["errors"]
    assert client.put("/api/v1/me/notifications", json={"delivery": "off"}).status_code == 401


def test_the_calendar_feed_lists_the_persons_statutory_deadlines_by_pseudonym(client, world, clock):
    # The notification (due 9 November) is overdue; the rapid review was sent to the national panel
    # (its clock is met), so it is no longer a deadline.
    clock.today = date(2026, 11, 16)
    made = client.post("/api/v1/me/calendar", headers=world.headers("chair"))
    assert made.status_code == 201
    url = made.json()["url"]
    assert url.startswith("http://127.0.0.1:8000/calendar.ics?token=")
    feed = client.get(feed_path(url))
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert feed.headers["cache-control"] == "no-store"
    assert b"\r\n" in feed.content  # RFC 5545 lines end in CRLF
    calendar = icalendar.Calendar.from_ical(feed.content)
    assert str(calendar["version"]) == "2.0" and "Tunnelview" in str(calendar["prodid"])
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Alice: Notification to the national panel (overdue)"}
    notification = events["Alice: Notification to the national panel (overdue)"]
    assert notification.decoded("dtstart") == date(2026, 11, 9)
    assert notification.decoded("dtend") == date(2026, 11, 10)
    assert str(notification["uid"]).startswith(f"review-{world.review_id}-notification@")
    assert str(notification["description"]) == "The review of Alice, at the stage: Criteria check."
    assert str(notification["url"]).endswith(f"/reviews/{world.review_id}")
    assert b"neglected" not in feed.content  # the incident's summary stays in the review
    state = client.get("/api/v1/me/notifications", headers=world.headers("chair")).json()["calendar"]
    assert state["active"] is True and state["since"]


def test_a_feed_of_someone_on_no_review_is_empty_and_valid(client, world):
    url = client.post("/api/v1/me/calendar", headers=world.headers("admin")).json()["url"]
    calendar = icalendar.Calendar.from_ical(client.get(feed_path(url)).content)
    assert list(calendar.walk("VEVENT")) == []


def test_a_revoked_or_replaced_feed_address_answers_404(client, world):
    headers = world.headers("chair")
    first = client.post("/api/v1/me/calendar", headers=headers).json()["url"]
    second = client.post("/api/v1/me/calendar", headers=headers).json()["url"]
    assert first != second
    assert client.get(feed_path(first)).status_code == 404  # made anew: the old address is dead
    assert client.get(feed_path(second)).status_code == 200
    assert client.delete("/api/v1/me/calendar", headers=headers).status_code == 204
    gone = client.get(feed_path(second))
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert client.get("/calendar.ics?token=" + "x" * 43).status_code == 404
    assert client.get("/api/v1/me/notifications", headers=headers).json()["calendar"]["active"] is False


def test_the_feed_of_a_deactivated_account_answers_404(client, world, api_services):
    url = client.post("/api/v1/me/calendar", headers=world.headers("chair")).json()["url"]
    api_services.accounts.update(world.users["admin"], world.users["chair"], active=False)
    assert client.get(feed_path(url)).status_code == 404


def sign_in(client, api_services, world, kind: str) -> str:
    token = api_services.auth.issue(world.users[kind], kind="session").token
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token(SECRET, token)


def test_the_account_page_changes_the_choice_and_shows_a_new_calendar_address_once(
    client, world, api_services
):
    csrf = sign_in(client, api_services, world, "chair")
    page = client.get("/account/notifications")
    assert page.status_code == 200
    assert "Your notifications" in page.text and 'value="immediately" checked' in page.text
    assert 'href="/account/notifications"' in page.text  # from the header, under the person's name

    saved = client.post(
        "/account/notifications", data={"csrf_token": csrf, "delivery": "off"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert 'value="off" checked' in client.get("/account/notifications").text

    empty = client.post("/account/notifications", data={"csrf_token": csrf})
    assert empty.status_code == 422 and "govuk-error-summary" in empty.text

    made = client.post("/account/notifications/calendar", data={"csrf_token": csrf})
    assert made.status_code == 200 and "shown only this once" in made.text
    url = made.text.split('id="calendar-url">')[1].split("<")[0]
    assert client.get(feed_path(url)).status_code == 200
    again = client.get("/account/notifications")
    assert url not in again.text and "Make a new calendar address" in again.text

    revoked = client.post(
        "/account/notifications/calendar/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert client.get(feed_path(url)).status_code == 404
    assert (
        client.post("/account/notifications", data={"delivery": "daily"}).status_code == 403
    )  # no CSRF token


def test_the_account_page_needs_a_signed_in_person(client):
    assert client.get("/account/notifications", follow_redirects=False).status_code in (303, 307)

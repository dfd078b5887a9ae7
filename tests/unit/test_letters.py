"""Every kind of email has its subject, text and HTML templates; a subject is always one line."""

from __future__ import annotations

from datetime import date

import pytest

from workflow.notifications.events import Kind
from workflow.notifications.letters import EMAIL_TEMPLATES, Letters, long_date

CONTEXT = {
    "review_id": 7,
    "pseudonym": "Alice",
    "stage": "Chair's sign-off",
    "role": "chair",
    "agency": "Police",
    "deadline": "Rapid review",
    "due": "2026-11-23",
}


@pytest.mark.parametrize("kind", [k for k in Kind if k != Kind.DIGEST])
def test_every_kind_has_a_subject_a_text_and_an_html_part_naming_the_review_by_pseudonym(kind):
    for part in ("subject.txt", "body.txt", "body.html"):
        assert (EMAIL_TEMPLATES / f"{kind}-{part}").is_file()
    letter = Letters("https://tv.example.org/").write(kind, CONTEXT)
    assert "Alice" in letter.subject and "\n" not in letter.subject
    assert "https://tv.example.org/reviews/7" in letter.text
    assert "https://tv.example.org/account/notifications" in letter.text
    assert (
        letter.html.startswith("<!DOCTYPE html>") and 'href="https://tv.example.org/reviews/7' in letter.html
    )


def test_a_subject_stays_one_line_whatever_it_is_given():
    letter = Letters("https://tv.example.org").write(
        Kind.SIGN_OFF, CONTEXT | {"pseudonym": "Alice\r\nBcc: x@y"}
    )
    assert "\n" not in letter.subject and "\r" not in letter.subject


def test_the_digest_lists_each_message_with_its_link():
    letter = Letters("https://tv.example.org").digest(
        date(2026, 12, 1), [(Kind.SIGN_OFF.value, CONTEXT), (Kind.ACTION_OVERDUE.value, CONTEXT)]
    )
    assert letter.subject == "Tunnelview: 2 updates from Tuesday 1 December 2026"
    assert "Sign-off requested: the review of Alice" in letter.text
    assert "https://tv.example.org/reviews/7/board" in letter.text


def test_dates_read_as_words():
    assert long_date("2026-11-23") == "Monday 23 November 2026"

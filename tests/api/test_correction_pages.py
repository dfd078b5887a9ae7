"""Corrections after approval, through the pages: every hit on the publication page links to the record
and field it stands in; at `approved` the review is reopened for correction first; each hit is then
corrected where it stands (the page of one correction, or the record's own page), the check runs again
and passes, the chair approves again and publishes. A date of birth found in a printed date names the
entry it comes from."""

from __future__ import annotations

import re
from html import unescape

import pytest

from api.auth import SESSION_COOKIE, csrf_token
from api.wiring import Services
from findings.analysis.board import BoardService
from tests.api.conftest import SECRET
from tests.findings_support import LEFT_NAME, leaky_approved
from tests.support import People
from workflow import audit
from workflow.states import State


class Leaky:
    """The review `leaky_approved` builds, and its pages' client."""

    def __init__(self, services: Services, people: People) -> None:
        built = leaky_approved(services.reviews, services.register, people)
        self.a, self.entry_id, self.finding_id = built.analysis, built.entry_id, built.finding_id
        self.services = services
        self.url = f"/reviews/{self.a.review_id}"

    def sign_in(self, client, user_id: int) -> str:
        token = self.services.auth.issue(user_id, kind="session").token
        client.cookies.set(SESSION_COOKIE, token)
        return csrf_token(SECRET, token)

    @property
    def version(self) -> int:
        return self.a.journey.version

    @property
    def state(self) -> str:
        return self.services.reviews.get(self.a.review_id, self.a.cast.coordinator).review.state


@pytest.fixture
def leaky(api_services: Services, people: People) -> Leaky:
    return Leaky(api_services, people)


def _hits(page: str) -> list[str]:
    """Each row of the table of hits, as HTML."""
    return re.findall(r'<tr class="govuk-table__row tv-hit">(.*?)</tr>', page, flags=re.S)


def _hrefs(row: str, link_class: str) -> list[str]:
    return [unescape(h) for h in re.findall(rf'class="govuk-link {link_class}" href="([^"]+)"', row)]


def _words(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_each_hit_links_to_its_record_and_after_reopening_is_corrected_there_then_publish_is_permitted(
    client, leaky: Leaky
) -> None:
    a, url = leaky.a, leaky.url
    csrf = leaky.sign_in(client, a.cast.coordinator)

    page = client.get(f"{url}/publication?check=1")
    assert page.status_code == 200
    name_row, birth_row = sorted(_hits(page.text), key=lambda row: "date of birth" in row)
    # The name: the finding and its field, read-only at `approved`.
    assert _hrefs(name_row, "tv-record") == [f"{url}/findings/{leaky.finding_id}#how_it_showed"]
    assert _hrefs(name_row, "tv-edit") == []
    assert "reopen the review for correction to change it" in name_row
    # The date of birth printed as an entry's date: the entry it comes from, never "the rendered report".
    assert "rendered report" not in birth_row
    assert "The narrative entry's date (20 November 2024)." in _words(birth_row)
    assert _hrefs(birth_row, "tv-record") == [f"{url}/narratives/Health?edit={leaky.entry_id}#entry-form"]
    assert f'href="{url}/triggers/reopen_for_correction"' in page.text
    assert "Possible now" not in page.text  # publish is refused

    reopened = client.post(
        f"{url}/triggers/reopen_for_correction",
        data={"csrf_token": csrf, "version": leaky.version, "reason": "A name and a birth date are printed."},
        follow_redirects=False,
    )
    assert reopened.status_code == 303 and leaky.state == State.FINDINGS

    page = client.get(f"{url}/publication?check=1")
    name_row, birth_row = sorted(_hits(page.text), key=lambda row: "date of birth" in row)
    (name_fix,) = _hrefs(name_row, "tv-edit")
    (birth_fix,) = _hrefs(birth_row, "tv-edit")
    assert name_fix == f"{url}/publication/corrections/finding:{leaky.finding_id}:how_it_showed"
    assert birth_fix == f"{url}/publication/corrections/narrative_entry:{leaky.entry_id}:occurred_on"

    form = client.get(name_fix)
    assert form.status_code == 200 and LEFT_NAME in form.text  # the words as they stand, to correct
    done = client.post(
        f"{url}/publication/correction",
        data={
            "csrf_token": csrf,
            "version": leaky.version,
            "source": f"finding:{leaky.finding_id}:how_it_showed",
            "value": "Three dental appointments were missed.",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"{url}/publication?check=1#check"
    assert "20" in client.get(birth_fix).text
    done = client.post(
        f"{url}/publication/correction",
        data={
            "csrf_token": csrf,
            "version": leaky.version,
            "source": f"narrative_entry:{leaky.entry_id}:occurred_on",
            "value-day": "1",
            "value-month": "12",
            "value-year": "2024",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303

    rerun = client.get(done.headers["location"])
    assert "Passed" in rerun.text and _hits(rerun.text) == []

    a.journey.fire("submit_for_signoff", a.cast.lead)
    chair_csrf = leaky.sign_in(client, a.cast.chair)
    approved = client.post(
        f"{url}/triggers/approve",
        data={"csrf_token": chair_csrf, "version": leaky.version},
        follow_redirects=False,
    )
    assert approved.status_code == 303 and leaky.state == State.APPROVED
    page = client.get(f"{url}/publication?check=1")
    assert "Possible now" in page.text and f'href="{url}/triggers/publish"' in page.text
    published = client.post(
        f"{url}/triggers/publish",
        data={"csrf_token": chair_csrf, "version": leaky.version},
        follow_redirects=False,
    )
    assert published.status_code == 303 and leaky.state == State.PUBLISHED

    with leaky.services.sessions() as session:
        rows = audit.entries_of(session, a.review_id)
        actions = [row.action for row in rows]
        reopen = next(row for row in rows if row.action == "reopen_for_correction")
        corrections = [row.params for row in rows if row.action == "correct_for_publication"]
        assert audit.verify(session, a.review_id).intact
    assert (reopen.from_state, reopen.to_state, reopen.actor_id) == (
        "approved",
        "findings",
        a.cast.coordinator,
    )
    assert reopen.reason == "A name and a birth date are printed."
    assert corrections == [
        {"kind": "finding", "object_id": leaky.finding_id, "field": "how_it_showed"},
        {"kind": "narrative_entry", "object_id": leaky.entry_id, "field": "occurred_on"},
    ]
    assert actions.index("approve", actions.index("reopen_for_correction")) < actions.index("publish")


def test_after_reopening_the_lead_reviewer_changes_the_finding_on_its_own_page(client, leaky: Leaky) -> None:
    a, url = leaky.a, leaky.url
    finding_page = f"{url}/findings/{leaky.finding_id}"
    leaky.sign_in(client, a.cast.lead)
    assert 'id="how_it_showed"' not in client.get(finding_page).text  # read-only once approved
    a.journey.fire("reopen_for_correction", a.cast.lead, reason="Finding 1 names the dentist.")
    assert 'id="how_it_showed"' in client.get(finding_page).text  # the field the hit links to


def test_a_correction_after_approval_is_refused_with_the_way_on(client, leaky: Leaky) -> None:
    a, url = leaky.a, leaky.url
    source = f"finding:{leaky.finding_id}:how_it_showed"
    csrf = leaky.sign_in(client, a.cast.chair)
    page = client.get(f"{url}/publication/corrections/{source}")
    assert page.status_code == 200
    assert "reopen the review for correction" in page.text and 'name="value"' not in page.text
    refused = client.post(
        f"{url}/publication/correction",
        data={"csrf_token": csrf, "version": leaky.version, "source": source, "value": "The dentist."},
    )
    assert refused.status_code == 409 and "reopen the review for correction" in refused.text
    assert leaky.state == State.APPROVED
    leaky.sign_in(client, a.cast.panel["Police"])
    assert client.get(f"{url}/publication/corrections/{source}").status_code == 403


def test_the_boards_words_are_corrected_at_approved_without_reopening(client, leaky: Leaky) -> None:
    a, url = leaky.a, leaky.url
    board = BoardService(a.reviews)
    view = board.actions(review_id=a.review_id, actor=a.cast.coordinator).items[0]
    source = f"action:{view.action.id}:title"
    csrf = leaky.sign_in(client, a.cast.coordinator)
    form = client.get(f"{url}/publication/corrections/{source}")
    assert form.status_code == 200 and 'name="value"' in form.text
    done = client.post(
        f"{url}/publication/correction",
        data={
            "csrf_token": csrf,
            "version": leaky.version,
            "source": source,
            "value": "A was-not-brought flag",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and leaky.state == State.APPROVED
    assert board.actions(review_id=a.review_id, actor=a.cast.coordinator).items[0].action.title == (
        "A was-not-brought flag"
    )


def test_a_correction_page_says_what_to_fix_and_loses_nothing(client, leaky: Leaky) -> None:
    a, url = leaky.a, leaky.url
    a.journey.fire("reopen_for_correction", a.cast.chair, reason="A birth date is printed.")
    csrf = leaky.sign_in(client, a.cast.coordinator)
    source = f"narrative_entry:{leaky.entry_id}:occurred_on"
    bad = client.post(
        f"{url}/publication/correction",
        data={
            "csrf_token": csrf,
            "version": leaky.version,
            "source": source,
            "value-day": "31",
            "value-month": "2",
        },
    )
    assert bad.status_code == 422 and "Enter a real date" in bad.text
    assert 'value="31"' in bad.text  # what was typed is kept
    stale = client.post(
        f"{url}/publication/correction",
        data={
            "csrf_token": csrf,
            "version": leaky.version - 1,
            "source": source,
            "value-day": "1",
            "value-month": "12",
            "value-year": "2024",
        },
    )
    assert stale.status_code == 412 and "Someone else changed this review" in stale.text
    assert client.get(f"{url}/publication/corrections/nonsense").status_code == 422


def test_at_approved_the_publication_page_writes_the_boards_words_but_not_what_the_chair_approved(
    client, leaky: Leaky
) -> None:
    a, url = leaky.a, leaky.url
    csrf = leaky.sign_in(client, a.cast.coordinator)
    page = client.get(f"{url}/publication").text
    assert 'name="board_response"' in page and 'name="case_summary"' not in page
    assert "Approved by the chair with the report: to change it, reopen the review for correction." in page
    saved = client.post(
        f"{url}/publication/texts",
        data={"csrf_token": csrf, "version": leaky.version, "partnership": "", "board_response": "Accepted."},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert (
        leaky.services.reports.texts(review_id=a.review_id, actor=a.cast.coordinator).board_response
        == "Accepted."
    )
    refused = client.post(
        f"{url}/publication/texts",
        data={"csrf_token": csrf, "version": leaky.version, "case_summary": "Rewritten after approval."},
    )
    assert refused.status_code == 409 and "reopen the review for correction" in refused.text

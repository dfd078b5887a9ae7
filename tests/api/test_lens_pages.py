"""The systems lens on the pages: a warning on a text only the reports hold is shown beside it, and
says where it stands with a link to the record and field (the board's response, an action, the words
of the reports)."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest

from api.auth import SESSION_COOKIE
from api.wiring import Services
from findings.analysis.board import AddAction, BoardService, RecordBoardResponse
from tests.findings_support import Analysis
from tests.support import People


def _sign_in(client, services: Services, user_id: int) -> None:
    client.cookies.set(SESSION_COOKIE, services.auth.issue(user_id, kind="session").token)


@pytest.fixture
def approved(api_services: Services, people: People) -> Analysis:
    analysis = Analysis(api_services.reviews, people).to_sign_off()
    analysis.journey.fire("approve", analysis.cast.chair)
    return analysis


def test_the_board_page_shows_each_warning_beside_its_text_with_a_link(client, api_services, approved):
    a = approved
    board = BoardService(a.reviews)
    board.record_response(
        review_id=a.review_id,
        actor=a.cast.chair,
        finding_id=a.finding_ids[0],
        command=RecordBoardResponse(response="The board will remind all staff of the procedures."),
    )
    action = board.add_action(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        command=AddAction(title="Refresher training for GPs", owner_agency="Health", due_on=date(2027, 1, 1)),
    ).action
    _sign_in(client, api_services, a.cast.coordinator)
    page = unescape(client.get(f"/reviews/{a.review_id}/board").text)
    base = f"/reviews/{a.review_id}"
    assert (
        f'<a class="govuk-link" href="{base}/board#f-{a.finding_ids[0]}">The board\'s response to Finding 1'
        in page
    )
    assert (
        f'<a class="govuk-link" href="{base}/board#action-{action.id}">Action \'Refresher training for GPs\''
        in page
    )
    assert f'id="action-{action.id}"' in page and "asks for a reminder or training" in page


def test_the_publication_page_shows_the_warnings_of_the_words_of_the_reports(client, api_services, people):
    # The words of the reports are part of what the chair approves, so they are written before approval.
    a = Analysis(api_services.reviews, people).to_sign_off()
    api_services.reports.write_texts(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        expected_version=a.journey.version,
        case_summary="It was obvious that the mother could not cope.",
        briefing={"lessons_learned": {"items": ["Remind staff to adhere to the procedures."]}},
    )
    a.journey.fire("approve", a.cast.chair)
    _sign_in(client, api_services, a.cast.coordinator)
    page = unescape(client.get(f"/reviews/{a.review_id}/publication").text)
    base = f"/reviews/{a.review_id}"
    assert f'href="{base}/publication#case_summary">The case in brief, case summary</a>' in page
    assert 'id="case_summary"' in page and "('obvious')" in page
    assert f'href="{base}/publication#briefing">Practitioner briefing, Lessons Learned, item 1' in page
    assert 'id="briefing"' in page

"""The board's response page and the findings pages through the ASGI app: the findings still without
a response are named, an action's evidence of impact is recorded from the page, and each form's
problems come back at once, in the command's words, with what was typed kept."""

from __future__ import annotations

import pytest

from api.auth import SESSION_COOKIE, csrf_token
from api.wiring import Services
from findings.analysis.findings import ChangeFinding
from tests.api.conftest import SECRET
from tests.findings_support import Analysis
from tests.support import People

TITLE = "Neglect is hard to see when appointments are missed"


def _sign_in(client, services: Services, user_id: int) -> str:
    token = services.auth.issue(user_id, kind="session").token
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token(SECRET, token)


@pytest.fixture
def approved(api_services: Services, people: People) -> Analysis:
    analysis = Analysis(api_services.reviews, people).to_sign_off()
    analysis.journey.fire("approve", analysis.cast.chair)
    return analysis


def test_the_board_page_names_the_findings_without_a_response(client, api_services, approved):
    _sign_in(client, api_services, approved.cast.coordinator)
    page = client.get(f"/reviews/{approved.review_id}/board")
    assert page.status_code == 200
    assert "The board's response has not been recorded for:" in page.text
    assert f'href="#f-{approved.finding_ids[0]}">Finding 1: {TITLE}</a>' in page.text

    csrf = _sign_in(client, api_services, approved.cast.chair)
    saved = client.post(
        f"/reviews/{approved.review_id}/board/responses",
        data={
            "csrf_token": csrf,
            "finding_id": str(approved.finding_ids[0]),
            f"response_{approved.finding_ids[0]}": "The board will ask each agency.",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "has not been recorded for" not in client.get(f"/reviews/{approved.review_id}/board").text


def test_an_empty_response_is_refused_in_the_commands_words(client, api_services, approved):
    csrf = _sign_in(client, api_services, approved.cast.chair)
    finding_id = approved.finding_ids[0]
    refused = client.post(
        f"/reviews/{approved.review_id}/board/responses",
        data={"csrf_token": csrf, "finding_id": str(finding_id), f"response_{finding_id}": "  "},
    )
    assert refused.status_code == 422
    assert "Write the board&#39;s response to this finding." in refused.text
    assert (
        api_services.finding.get(
            review_id=approved.review_id, actor=approved.cast.chair, finding_id=finding_id
        ).response
        is None
    )


def test_an_action_is_recorded_with_its_evidence_of_impact_and_it_can_change(client, api_services, approved):
    csrf = _sign_in(client, api_services, approved.cast.coordinator)
    base = f"/reviews/{approved.review_id}/board"
    form = {
        "csrf_token": csrf,
        "title": "Was-not-brought flag",
        "owner_agency": "Health",
        "due_on-day": "31",
        "due_on-month": "3",
        "due_on-year": "2027",
        "status": "in_progress",
        "evidence_of_impact": "Audit of 40 records: the flag was used in 31.",
        "finding_id": "",
    }
    assert client.post(f"{base}/actions", data=form, follow_redirects=False).status_code == 303
    [view] = api_services.board.actions(review_id=approved.review_id, actor=approved.cast.coordinator).items
    action = view.action
    assert (action.title, action.owner_agency, str(action.due_on), action.status, action.finding_id) == (
        "Was-not-brought flag",
        "Health",
        "2027-03-31",
        "in_progress",
        None,
    )
    assert action.evidence_of_impact == "Audit of 40 records: the flag was used in 31."
    assert "Audit of 40 records: the flag was used in 31." in client.get(base).text

    changed = client.post(
        f"{base}/actions/{action.id}",
        data={
            "csrf_token": csrf,
            "version": str(action.version),
            "status": "done",
            "evidence_of_impact": "A second audit: 38 of 40.",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    again = api_services.board.action(
        review_id=approved.review_id, actor=approved.cast.coordinator, action_id=action.id
    ).action
    assert (again.status, again.evidence_of_impact, again.title) == (
        "done",
        "A second audit: 38 of 40.",
        "Was-not-brought flag",
    )


def test_an_action_form_shows_every_problem_at_once_and_keeps_what_was_typed(client, api_services, approved):
    csrf = _sign_in(client, api_services, approved.cast.coordinator)
    refused = client.post(
        f"/reviews/{approved.review_id}/board/actions",
        data={
            "csrf_token": csrf,
            "title": " ",
            "due_on-day": "31",
            "due_on-month": "2",
            "due_on-year": "2027",
            "status": "planned",
            "evidence_of_impact": "Typed before the mistake.",
        },
    )
    assert refused.status_code == 422
    assert "Say what the action is." in refused.text
    assert "Enter a real date" in refused.text
    assert "Typed before the mistake." in refused.text
    assert (
        api_services.board.actions(review_id=approved.review_id, actor=approved.cast.coordinator).total == 0
    )


def test_the_finding_editor_shows_only_its_own_warnings_and_refuses_an_empty_title(
    client, api_services, people
):
    analysis = Analysis(api_services.reviews, people).gathering().narratives()
    analysis.begin_analysis().episode(explained=True)
    analysis.panel_submissions().draft_findings()
    finding_id = analysis.finding()
    csrf = _sign_in(client, api_services, analysis.cast.lead)
    base = f"/reviews/{analysis.review_id}/findings"
    added = client.post(base, data={"csrf_token": csrf, "title": "Staff failed to share the CAF"})
    assert added.status_code == 200  # followed to the new finding's editor
    assert "failed to" in added.text
    own = client.get(f"{base}/{finding_id}")
    assert own.status_code == 200 and "failed to" not in own.text

    finding = api_services.finding.get(
        review_id=analysis.review_id, actor=analysis.cast.lead, finding_id=finding_id
    )
    refused = client.post(
        f"{base}/{finding_id}",
        data={"csrf_token": csrf, "version": str(finding.version), "title": "", "context": "Kept as typed."},
    )
    assert refused.status_code == 422
    assert "Give the finding a short title." in refused.text and "Kept as typed." in refused.text
    unchanged = api_services.finding.get(
        review_id=analysis.review_id, actor=analysis.cast.lead, finding_id=finding_id
    )
    assert unchanged.version == finding.version


def test_the_findings_list_counts_the_warnings_again_after_every_change_that_moves_them(
    client, api_services, people
):
    """The counts are kept per version of the review (`warnings.counts_key`): a change in the review
    moves it, and a renamed member (outside the review's own audit chain) is in the key too."""
    analysis = Analysis(api_services.reviews, people).gathering().narratives()
    analysis.begin_analysis().episode(explained=True)
    analysis.panel_submissions().draft_findings()
    finding_id = analysis.finding()
    lead, review_id = analysis.cast.lead, analysis.review_id
    _sign_in(client, api_services, lead)
    base, blocking = f"/reviews/{review_id}/findings", "1 blocking warning"
    assert blocking not in client.get(base).text

    finding = api_services.finding.get(review_id=review_id, actor=lead, finding_id=finding_id)
    api_services.finding.update(
        review_id=review_id,
        actor=lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=ChangeFinding(context="Polly thought the family was coping."),
    )
    assert blocking in client.get(base).text
    assert blocking in client.get(base).text  # read again: the same counts

    api_services.accounts.update(analysis.cast.admin, analysis.cast.practitioner, name="Petra Practitioner")
    assert blocking not in client.get(base).text

"""Findings (order, comments, questions), the board's response and actions, themes and quality
warnings, through their services."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pydantic import ValidationError

from findings.analysis.board import AddAction, BoardService, ChangeAction, RecordBoardResponse
from findings.analysis.findings import (
    AddFinding,
    AddQuestion,
    ChangeFinding,
    CommentOnFinding,
    FindingService,
    MoveFinding,
)
from findings.analysis.themes import AddTheme, SetReviewThemes, ThemeService
from findings.analysis.warnings import AcknowledgeWarning, WarningService
from findings.learning.actions import ActionFilters, ActionTracker
from tests.findings_support import Analysis, real_services
from workflow.errors import InvalidInput, NotAtThisStage, NotFound, NotPermitted, TriggerRefused
from workflow.states import State


@pytest.fixture
def drafting(sessions, clock, people) -> Analysis:
    reviews = real_services(sessions, clock)
    analysis = Analysis(reviews, people).gathering().narratives().begin_analysis()
    analysis.episode()
    return analysis.panel_submissions().draft_findings()


def _findings(analysis: Analysis) -> FindingService:
    return FindingService(analysis.reviews)


# ---- findings, comments, ordering ---------------------------------------------------------------


def test_findings_are_ordered_and_can_move(drafting):
    f, review_id, lead = _findings(drafting), drafting.review_id, drafting.cast.lead
    ids = [drafting.finding(f"Finding {n}") for n in "ABC"]
    last = f.get(review_id=review_id, actor=lead, finding_id=ids[2])
    moved = f.move(
        review_id=review_id,
        actor=lead,
        finding_id=ids[2],
        expected_version=last.version,
        command=MoveFinding(to_number=1),
    )
    expected = [(ids[2], 1), (ids[0], 2), (ids[1], 3)]
    assert [(v.finding.id, v.finding.number) for v in moved] == expected
    assert [(x.id, x.number) for x in f.list(review_id=review_id, actor=lead).items] == expected
    with pytest.raises(InvalidInput, match="Choose a number from 1 to 3"):
        f.move(
            review_id=review_id,
            actor=lead,
            finding_id=ids[0],
            expected_version=f.get(review_id=review_id, actor=lead, finding_id=ids[0]).version,
            command=MoveFinding(to_number=4),
        )


def test_the_case_group_comments_on_draft_findings_only(drafting):
    f, review_id, cast = _findings(drafting), drafting.review_id, drafting.cast
    finding_id = drafting.finding()
    comment = f.comment(
        review_id=review_id,
        actor=cast.practitioner,
        finding_id=finding_id,
        command=CommentOnFinding(text="This rings true: we never see the dental letters."),
    )
    kept = f.get(review_id=review_id, actor=cast.practitioner, finding_id=finding_id).comments
    assert [(c.id, c.author_id, c.text) for c in kept] == [(comment.id, cast.practitioner, comment.text)]
    assert kept[0].at is not None
    with pytest.raises(NotPermitted):
        f.comment(
            review_id=review_id, actor=cast.chair, finding_id=finding_id, command=CommentOnFinding(text="x")
        )
    finding = f.get(review_id=review_id, actor=cast.lead, finding_id=finding_id)
    f.update(
        review_id=review_id,
        actor=cast.lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=ChangeFinding(status="agreed"),
    )
    with pytest.raises(NotAtThisStage, match="Only draft findings"):
        f.comment(
            review_id=review_id,
            actor=cast.practitioner,
            finding_id=finding_id,
            command=CommentOnFinding(text="x"),
        )


def test_a_change_names_every_problem_at_once(drafting):
    f, review_id, lead = _findings(drafting), drafting.review_id, drafting.cast.lead
    finding = f.get(review_id=review_id, actor=lead, finding_id=drafting.finding())
    with pytest.raises(InvalidInput) as refused:
        f.update(
            review_id=review_id,
            actor=lead,
            finding_id=finding.id,
            expected_version=finding.version,
            command=ChangeFinding(title=None, themes=["county_lines"], episode_ids=[999_999]),
        )
    assert set(refused.value.errors) == {"title", "themes", "episode_ids"}
    assert "Unknown theme(s): county_lines" in refused.value.errors["themes"]
    assert "Not part of this review: 999999" in refused.value.errors["episode_ids"]
    unchanged = f.get(review_id=review_id, actor=lead, finding_id=finding.id)
    assert (unchanged.title, unchanged.version) == (finding.title, finding.version)


def test_a_command_carries_the_words_a_page_shows():
    with pytest.raises(ValidationError, match=re.escape("Give the finding a short title.")):
        AddFinding(title="  ")
    with pytest.raises(ValidationError, match=re.escape("Write the question for the board.")):
        AddQuestion(text="")
    with pytest.raises(ValidationError, match=re.escape("Say why the wording is right as it is.")):
        AcknowledgeWarning(reason=" ")
    with pytest.raises(ValidationError, match=re.escape("Write the board's response to this finding.")):
        RecordBoardResponse(response="")
    with pytest.raises(ValidationError, match=re.escape("Say what the action is.")):
        AddAction(title="")


def test_the_coordinator_and_chair_may_ask_the_board_questions_but_not_write_findings(drafting):
    f, review_id, cast = _findings(drafting), drafting.review_id, drafting.cast
    finding = f.get(review_id=review_id, actor=cast.chair, finding_id=drafting.finding())
    for actor in (cast.coordinator, cast.chair):
        finding = f.add_question(
            review_id=review_id,
            actor=actor,
            finding_id=finding.id,
            expected_version=finding.version,
            command=AddQuestion(text="What would the board need to know?"),
        ).finding
    assert [q.number for q in finding.questions] == [1, 2, 3]
    with pytest.raises(NotPermitted):
        f.update(
            review_id=review_id,
            actor=cast.coordinator,
            finding_id=finding.id,
            expected_version=finding.version,
            command=ChangeFinding(title="x"),
        )
    with pytest.raises(NotPermitted):
        f.add_question(
            review_id=review_id,
            actor=cast.panel["Police"],
            finding_id=finding.id,
            expected_version=finding.version,
            command=AddQuestion(text="x"),
        )
    removed = f.remove_question(
        review_id=review_id,
        actor=cast.lead,
        finding_id=finding.id,
        expected_version=finding.version,
        question_id=finding.questions[0].id,
    ).finding
    assert [q.number for q in removed.questions] == [1, 2]


# ---- themes --------------------------------------------------------------------------------------


def test_themes_come_from_the_vocabulary_and_a_partnership_can_add_its_own(drafting):
    f, themes, review_id, cast = (
        _findings(drafting),
        ThemeService(drafting.reviews),
        drafting.review_id,
        drafting.cast,
    )
    with pytest.raises(InvalidInput, match="Unknown theme"):
        f.add(review_id=review_id, actor=cast.lead, command=AddFinding(title="x", themes=["county_lines"]))
    with pytest.raises(NotPermitted):
        themes.add(actor=cast.lead, command=AddTheme(label="County lines"))
    theme = themes.add(actor=cast.coordinator, command=AddTheme(label="County lines"))
    assert theme.key == "county_lines"
    with pytest.raises(InvalidInput, match="already exists"):
        themes.add(actor=cast.chair, command=AddTheme(label="County  Lines"))
    added = f.add(
        review_id=review_id, actor=cast.lead, command=AddFinding(title="x", themes=["county_lines"])
    )
    assert added.finding.themes == ["county_lines"]
    assert themes.set_for_review(
        review_id=review_id,
        actor=cast.coordinator,
        command=SetReviewThemes(themes=["neglect", "county_lines"]),
    ) == ["neglect", "county_lines"]
    assert themes.of_review(review_id=review_id, actor=cast.practitioner) == ["county_lines", "neglect"]
    assert themes.vocabulary(actor=cast.practitioner)["county_lines"] == "County lines"


# ---- quality warnings ----------------------------------------------------------------------------


def test_warnings_are_listed_per_object_and_an_acknowledgement_needs_a_lead_reviewer_and_a_reason(drafting):
    f, w, review_id, cast = (
        _findings(drafting),
        WarningService(drafting.reviews),
        drafting.review_id,
        drafting.cast,
    )
    finding = f.add(
        review_id=review_id, actor=cast.lead, command=AddFinding(title="Staff failed to share the CAF")
    ).finding
    warnings = w.list(review_id=review_id, actor=cast.chair, kind="finding", object_id=finding.id).items
    assert {x.code.value for x in warnings} == {"blame_language", "no_wider_evidence"}
    blame = next(x for x in warnings if x.code.value == "blame_language")
    assert blame.matched == ("failed to",) and blame.where.field == "title"
    with pytest.raises(NotPermitted):
        w.acknowledge(
            review_id=review_id,
            actor=cast.coordinator,
            fingerprint=blame.fingerprint,
            command=AcknowledgeWarning(reason="x"),
        )
    with pytest.raises(NotFound):
        w.acknowledge(
            review_id=review_id, actor=cast.lead, fingerprint="0" * 64, command=AcknowledgeWarning(reason="x")
        )
    w.acknowledge(
        review_id=review_id,
        actor=cast.lead,
        fingerprint=blame.fingerprint,
        command=AcknowledgeWarning(reason="Quoting the agency's own words."),
    )
    again = w.list(review_id=review_id, actor=cast.lead, kind="finding", object_id=finding.id).items
    assert next(x for x in again if x.code.value == "blame_language").acknowledged
    with pytest.raises(InvalidInput, match="already acknowledged"):
        w.acknowledge(
            review_id=review_id,
            actor=cast.lead,
            fingerprint=blame.fingerprint,
            command=AcknowledgeWarning(reason="x"),
        )


def test_a_finding_carries_its_own_warnings_and_its_questions_only(drafting):
    f, w, review_id, lead = (
        _findings(drafting),
        WarningService(drafting.reviews),
        drafting.review_id,
        drafting.cast.lead,
    )
    clean = f.view(review_id=review_id, actor=lead, finding_id=drafting.finding())
    blamed = f.add(review_id=review_id, actor=lead, command=AddFinding(title="Staff failed to share the CAF"))
    asked = f.add_question(
        review_id=review_id,
        actor=lead,
        finding_id=blamed.finding.id,
        expected_version=blamed.finding.version,
        command=AddQuestion(text="How will the board remind staff to share?"),
    )
    assert clean.warnings == []
    question_id = asked.finding.questions[0].id
    assert {(x.where.kind, x.where.id) for x in asked.warnings} == {
        ("finding", blamed.finding.id),
        ("question", question_id),
    }
    everything = w.list(review_id=review_id, actor=lead)
    of_these = [x for x in everything.items if x.where.kind in ("finding", "question")]
    page = f.views(review_id=review_id, actor=lead)
    assert page.total == 2 and [x for v in page.items for x in v.warnings] == of_these
    assert everything.blocking == sum(1 for x in everything.items if x.blocks)
    one = w.list(review_id=review_id, actor=lead, limit=1, offset=1)
    assert one.items == everything.items[1:2] and one.total == everything.total


# ---- the board's response and actions -----------------------------------------------------------


@pytest.fixture
def approved(sessions, clock, people) -> Analysis:
    reviews = real_services(sessions, clock)
    analysis = Analysis(reviews, people).to_sign_off()
    analysis.journey.fire("approve", analysis.cast.chair)
    return analysis


def test_actions_are_overdue_when_due_and_not_done(approved, clock):
    board, cast, review_id = BoardService(approved.reviews, today=clock), approved.cast, approved.review_id
    late = board.add_action(
        review_id=review_id,
        actor=cast.chair,
        command=AddAction(title="Audit dental referrals", owner_agency="Health", due_on=date(2026, 10, 1)),
    ).action
    board.add_action(
        review_id=review_id,
        actor=cast.chair,
        command=AddAction(
            title="Flag not brought", owner_agency="Health", due_on=date(2026, 10, 1), status="done"
        ),
    )
    board.add_action(
        review_id=review_id, actor=cast.chair, command=AddAction(title="Later", due_on=date(2027, 1, 1))
    )
    views = board.actions(review_id=review_id, actor=cast.practitioner).items
    assert [(v.action.title, v.overdue) for v in views] == [
        ("Audit dental referrals", True),
        ("Flag not brought", False),
        ("Later", False),
    ]
    across = ActionTracker(approved.reviews, today=clock)
    overdue = across.lines(actor=cast.coordinator, filters=ActionFilters(overdue=True))
    assert [v.action.id for v in overdue.items] == [late.id] and overdue.total == 1
    assert across.lines(actor=cast.coordinator).total == 3
    assert across.lines(actor=cast.outsider).items == []
    with pytest.raises(ValidationError):
        ChangeAction.model_validate({"status": "finished"})
    with pytest.raises(InvalidInput) as refused:
        board.update_action(
            review_id=review_id,
            actor=cast.chair,
            action_id=late.id,
            expected_version=late.version,
            command=ChangeAction(status=None, finding_id=999_999),
        )
    assert set(refused.value.errors) == {"status", "finding_id"}
    assert approved.reviews.get(review_id, cast.chair).review.state == State.APPROVED


def test_an_action_records_its_evidence_of_impact(approved):
    board, cast, review_id = BoardService(approved.reviews), approved.cast, approved.review_id
    action = board.add_action(
        review_id=review_id, actor=cast.coordinator, command=AddAction(title="Was-not-brought flag")
    ).action
    changed = board.update_action(
        review_id=review_id,
        actor=cast.coordinator,
        action_id=action.id,
        expected_version=action.version,
        command=ChangeAction(evidence_of_impact="Audit: the flag was used in 31 of 40 records."),
    )
    assert changed.action.evidence_of_impact == "Audit: the flag was used in 31 of 40 records."
    assert changed.action.title == "Was-not-brought flag" and changed.action.version == action.version + 1
    assert board.action(review_id=review_id, actor=cast.practitioner, action_id=action.id).action.version == (
        changed.action.version
    )


def test_publish_names_the_findings_still_without_the_boards_response(sessions, clock, people):
    reviews = real_services(sessions, clock)
    analysis = Analysis(reviews, people).gathering().narratives().begin_analysis()
    analysis.episode()
    analysis.panel_submissions().draft_findings()
    first = analysis.finding()
    analysis.finding("Supervision does not ask who brings the child")
    cast, review_id = analysis.cast, analysis.review_id
    analysis.journey.fire("submit_for_signoff", cast.lead)
    analysis.journey.fire("approve", cast.chair)
    title = _findings(analysis).get(review_id=review_id, actor=cast.chair, finding_id=first).title
    with pytest.raises(TriggerRefused) as refused:
        analysis.journey.fire("publish", cast.chair)
    assert (
        f"The board's response has not been recorded for Finding 1 '{title}', "
        "Finding 2 'Supervision does not ask who brings the child'."
    ) in refused.value.reasons
    BoardService(reviews).record_response(
        review_id=review_id,
        actor=cast.chair,
        finding_id=first,
        command=RecordBoardResponse(response="The board will ask each agency."),
    )
    with pytest.raises(TriggerRefused) as refused:
        analysis.journey.fire("publish", cast.chair)
    assert (
        "The board's response has not been recorded for "
        "Finding 2 'Supervision does not ask who brings the child'." in refused.value.reasons
    )

"""The lifecycle driven with real analysis data (FindingsFacts, not a double), and each analysis
guard refusing with its precise reason when its facts are missing."""

from __future__ import annotations

from datetime import date

import pytest

from findings.analysis.board import AddAction, BoardService, ChangeAction, RecordBoardResponse
from findings.analysis.episodes import AddEpisode
from findings.analysis.factors import AddFactor
from findings.analysis.findings import AddFinding, ChangeFinding, FindingService
from findings.analysis.narratives import AddEntry, ExemptNarrative
from findings.analysis.panel import SavePanelAnalysis, WaivePanelAnalysis
from findings.analysis.quality import Code
from findings.analysis.warnings import AcknowledgeWarning, WarningService
from tests.findings_support import Analysis, real_services
from tests.support import record_report_notices
from workflow import audit
from workflow.errors import InvalidInput, TriggerRefused
from workflow.states import State


@pytest.fixture
def analysis_services(sessions, clock):
    return real_services(sessions, clock)


@pytest.fixture
def build(analysis_services, people):
    reviews = analysis_services
    return lambda: Analysis(reviews, people)


def _refusal(analysis: Analysis, trigger: str, actor: int) -> tuple[str, ...]:
    with pytest.raises(TriggerRefused) as refused:
        analysis.journey.fire(trigger, actor)
    return refused.value.reasons


def test_referral_to_sign_off_with_real_analysis_data(build, sessions):
    analysis = build().to_sign_off()

    detail = analysis.reviews.get(analysis.review_id, analysis.cast.coordinator)
    assert detail.review.state == State.SIGN_OFF
    with sessions() as session:
        assert audit.verify(session, analysis.review_id).intact
        actions = [e.action for e in audit.entries_of(session, analysis.review_id)]
    for step in (
        "import_narrative",
        "submit_narrative",
        "begin_analysis",
        "add_episode",
        "add_factor",
        "submit_panel_analysis",
        "draft_findings",
        "add_finding",
        "add_finding_evidence",
        "add_board_question",
        "submit_for_signoff",
    ):
        assert step in actions


def test_after_sign_off_the_board_responds_and_the_review_is_published_and_closed(sessions, clock, people):
    reviews = real_services(sessions, clock, anonymisation_clean=True)
    analysis = Analysis(reviews, people).to_sign_off()
    cast, review_id = analysis.cast, analysis.review_id
    analysis.journey.fire("approve", cast.chair)

    refused = _refusal(analysis, "publish", cast.chair)
    assert (
        "The board's response has not been recorded for "
        "Finding 1 'Neglect is hard to see when appointments are missed'." in refused
    )

    board = BoardService(reviews, today=clock)
    board.record_response(
        review_id=review_id,
        actor=cast.chair,
        finding_id=analysis.finding_ids[0],
        command=RecordBoardResponse(
            response="The board will ask dental and GP practices to flag children who are not brought."
        ),
    )
    action = board.add_action(
        review_id=review_id, actor=cast.coordinator, command=AddAction(title="Was-not-brought flag")
    ).action
    record_report_notices(analysis.journey.lifecycle.notices, review_id, cast.chair, analysis.journey.version)
    analysis.journey.fire("publish", cast.chair)

    assert _refusal(analysis, "close", cast.coordinator) == (
        "Action 'Was-not-brought flag' is missing an owner agency and a due date.",
    )
    board.update_action(
        review_id=review_id,
        actor=cast.coordinator,
        action_id=action.id,
        expected_version=action.version,
        command=ChangeAction(owner_agency="Health", due_on=date(2027, 3, 31)),
    )
    analysis.journey.fire("close", cast.coordinator)
    assert reviews.get(review_id, cast.coordinator).review.state == State.CLOSED


def test_publish_is_refused_while_the_anonymisation_check_is_not_connected(build):
    analysis = build().to_sign_off()
    analysis.journey.fire("approve", analysis.cast.chair)
    assert "The anonymisation check could not be run on the report." in _refusal(
        analysis, "publish", analysis.cast.chair
    )


# ---- begin_analysis ------------------------------------------------------------------------------


def test_begin_analysis_refuses_until_every_agency_has_submitted_or_is_exempt(build):
    analysis = build().gathering()
    cast, review_id = analysis.cast, analysis.review_id

    assert _refusal(analysis, "begin_analysis", cast.coordinator) == (
        "Police has not submitted its narrative and has no exemption.",
        "Health has not submitted its narrative and has no exemption.",
        "Children's social care has not submitted its narrative and has no exemption.",
    )

    police = cast.panel["Police"]
    narratives = analysis.narrative_service
    narratives.add_entry(
        review_id=review_id,
        actor=police,
        agency="Police",
        command=AddEntry(occurred_on=date(2025, 2, 1), what_happened="Call to the address."),
    )
    narrative = narratives.get(review_id=review_id, actor=police, agency="Police")
    narratives.submit(review_id=review_id, actor=police, agency="Police", expected_version=narrative.version)
    narratives.record_exemption(
        review_id=review_id,
        actor=cast.coordinator,
        agency="Health",
        command=ExemptNarrative(reason="No involvement in the period under review."),
    )
    assert _refusal(analysis, "begin_analysis", cast.coordinator) == (
        "Children's social care has not submitted its narrative and has no exemption.",
    )


# ---- draft_findings ------------------------------------------------------------------------------


def test_draft_findings_refuses_without_any_episode(build):
    analysis = build().gathering().narratives().begin_analysis().panel_submissions()
    assert _refusal(analysis, "draft_findings", analysis.cast.lead) == (
        "Record at least one key practice episode.",
    )


def test_draft_findings_refuses_a_problematic_episode_explained_only_by_individual_factors(build):
    analysis = build().gathering().narratives().begin_analysis().panel_submissions()
    analysis.episode("Strategy discussion held promptly", "good")
    analysis.episode("Home visits established routines", "mixed")
    third = analysis.episode("Dental appointments missed", "problematic", explained=False)
    analysis.factors.add(
        review_id=analysis.review_id,
        actor=analysis.cast.lead,
        command=AddFactor(
            level="frontline",
            category="personal",
            description="The dental nurse was new in post.",
            episode_ids=[third],
        ),
    )

    assert _refusal(analysis, "draft_findings", analysis.cast.lead) == (
        "Episode 3 'Dental appointments missed' is problematic but explained only by individual-level "
        "factors.",
    )
    warnings = (
        WarningService(analysis.reviews)
        .list(review_id=analysis.review_id, actor=analysis.cast.lead, kind="episode", object_id=third)
        .items
    )
    assert [w.code for w in warnings] == [Code.INDIVIDUAL_ONLY]


def test_draft_findings_refuses_episodes_without_appraisal_or_explanation(build):
    analysis = build().gathering().narratives().begin_analysis().panel_submissions()
    episode = analysis.episodes.add(
        review_id=analysis.review_id,
        actor=analysis.cast.lead,
        command=AddEpisode(
            title="Referral not followed up",
            valence="problematic",
            appraisal="Guidance expects a referral to be followed up.",
        ),
    )
    assert episode.number == 1
    assert _refusal(analysis, "draft_findings", analysis.cast.lead) == (
        "Episode 1 'Referral not followed up' has no appraisal against expected practice.",
        "Episode 1 'Referral not followed up' has no explanation with a contributory factor.",
    )


def test_draft_findings_refuses_until_every_panel_member_submitted_or_was_waived(build):
    analysis = build().gathering().narratives().begin_analysis()
    analysis.episode()
    cast, review_id = analysis.cast, analysis.review_id
    police = cast.panel["Police"]
    draft = analysis.panel.save(
        review_id=review_id, actor=police, expected_version=None, command=SavePanelAnalysis(appraisal="Seen.")
    )
    analysis.panel.submit(review_id=review_id, actor=police, expected_version=draft.version)

    assert _refusal(analysis, "draft_findings", cast.lead) == (
        "Panel member Panel Health (Health) has not submitted their analysis and it has not been waived.",
        "Panel member Panel Children's social care (Children's social care) has not submitted their "
        "analysis and it has not been waived.",
    )
    memberships = {
        m.user_id: m.id
        for m in analysis.reviews.get(review_id, cast.coordinator).review.memberships
        if m.role == "panel_member"
    }
    for agency in ("Health", "Children's social care"):
        analysis.panel.waive(
            review_id=review_id,
            actor=cast.coordinator,
            command=WaivePanelAnalysis(
                membership_id=memberships[cast.panel[agency]],
                reason="On long-term leave; the agency's view came through its narrative.",
            ),
        )
    analysis.draft_findings()
    assert analysis.reviews.get(review_id, cast.coordinator).review.state == State.FINDINGS


# ---- submit_for_signoff --------------------------------------------------------------------------


def _at_findings(build) -> Analysis:
    analysis = build().gathering().narratives().begin_analysis()
    analysis.episode()
    return analysis.panel_submissions().draft_findings()


def test_submit_for_signoff_refuses_without_a_finding(build):
    analysis = _at_findings(build)
    assert _refusal(analysis, "submit_for_signoff", analysis.cast.lead) == ("Write at least one finding.",)


def test_submit_for_signoff_refuses_an_incomplete_unlinked_finding(build):
    analysis = _at_findings(build)
    FindingService(analysis.reviews).add(
        review_id=analysis.review_id,
        actor=analysis.cast.lead,
        command=AddFinding(
            title="Information about CAFs is not shared",
            statement="A CAF held by one service is invisible to the others.",
        ),
    )
    assert _refusal(analysis, "submit_for_signoff", analysis.cast.lead) == (
        "Finding 1 'Information about CAFs is not shared' is incomplete: missing a category, the context, "
        "how it showed in this case, evidence that it is not a quirk of this case (with a reference), "
        "why it matters, a question for the board, a theme.",
        "Finding 1 'Information about CAFs is not shared' is not linked to any key practice episode.",
        "Fix this blocking warning (it cannot be acknowledged, only fixed): Finding 1 'Information about "
        "CAFs is not shared', evidence: has no evidence that it is not a quirk of this case.",
    )


def test_submit_for_signoff_refuses_a_named_person_until_the_text_is_fixed(build, sessions):
    analysis = _at_findings(build)
    finding_id = analysis.finding()
    lead, review_id = analysis.cast.lead, analysis.review_id
    findings, warnings = FindingService(analysis.reviews), WarningService(analysis.reviews)
    finding = findings.get(review_id=review_id, actor=lead, finding_id=finding_id)
    findings.update(
        review_id=review_id,
        actor=lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=ChangeFinding(context="Polly's practice was typical of how dental appointments are handled."),
    )

    [reason] = _refusal(analysis, "submit_for_signoff", lead)
    assert reason.startswith(
        "Fix this blocking warning (it cannot be acknowledged, only fixed): Finding 1 'Neglect is hard to "
        "see when appointments are missed', context: names a person ('Polly's')."
    )
    [warning] = [
        w for w in warnings.list(review_id=review_id, actor=lead).items if w.code == Code.PERSON_NAMED
    ]
    with pytest.raises(InvalidInput) as refused:
        warnings.acknowledge(
            review_id=review_id,
            actor=lead,
            fingerprint=warning.fingerprint,
            command=AcknowledgeWarning(reason="Polly is the pseudonym the practitioner chose."),
        )
    assert refused.value.errors == {"fingerprint": warning.fix_instead()}
    assert _refusal(analysis, "submit_for_signoff", lead) == (reason,)  # it still blocks

    finding = findings.get(review_id=review_id, actor=lead, finding_id=finding_id)
    findings.update(
        review_id=review_id,
        actor=lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=ChangeFinding(context="The practice was typical of how dental appointments are handled."),
    )
    analysis.journey.fire("submit_for_signoff", lead)

    with sessions() as session:
        entries = audit.entries_of(session, review_id)
        assert not [e for e in entries if e.action == "acknowledge_warning"]  # the refusal kept nothing

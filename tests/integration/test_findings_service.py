"""The analysis services across aggregates: panel privacy, per-object versions, stages and roles
(narratives: test_narratives.py; conversations: test_conversations.py; findings, the board's response,
themes and warnings: test_findings_and_board.py)."""

from __future__ import annotations

import threading

import pytest
from pydantic import ValidationError

from findings.analysis.board import AddAction, BoardService
from findings.analysis.episodes import AddEpisode, ChangeEpisode
from findings.analysis.factors import AddFactor, AdoptProposedFactor
from findings.analysis.findings import AddFinding, FindingService
from findings.analysis.panel import ProposedFactor, SavePanelAnalysis, WaivePanelAnalysis
from findings.errors import StaleObject
from tests.findings_support import Analysis, real_services
from workflow import audit
from workflow.errors import InvalidInput, NotAtThisStage, NotFound, NotPermitted, StaleReview


@pytest.fixture
def services(sessions, clock):
    return real_services(sessions, clock)


@pytest.fixture
def gathering(services, people) -> Analysis:
    reviews = services
    return Analysis(reviews, people).gathering()


def _audit_count(sessions, review_id: int) -> int:
    with sessions() as session:
        return len(audit.entries_of(session, review_id))


def test_a_non_member_is_told_the_review_does_not_exist(gathering):
    for call in (
        lambda actor: gathering.narrative_service.overview(review_id=gathering.review_id, actor=actor),
        lambda actor: gathering.episodes.list(review_id=gathering.review_id, actor=actor),
        lambda actor: gathering.episodes.add(
            review_id=gathering.review_id, actor=actor, command=AddEpisode(title="x", valence="good")
        ),
    ):
        for outsider in (gathering.cast.outsider, gathering.cast.admin):
            with pytest.raises(NotFound):
                call(outsider)


# ---- panel analysis privacy ----------------------------------------------------------------------


@pytest.fixture
def analysing(gathering) -> Analysis:
    return gathering.narratives().begin_analysis()


def _others(cast):
    return {
        "coordinator": cast.coordinator,
        "chair": cast.chair,
        "another panel member": cast.panel["Health"],
        "case group member": cast.practitioner,
    }


def test_a_draft_panel_analysis_is_private_to_its_author_and_the_lead_reviewers(analysing):
    p, review_id, cast = analysing.panel, analysing.review_id, analysing.cast
    draft = p.save(
        review_id=review_id,
        actor=cast.panel["Police"],
        expected_version=None,
        command=SavePanelAnalysis(appraisal="The call handler could not see the earlier referrals."),
    )

    for who, actor in _others(cast).items():
        assert p.list(review_id=review_id, actor=actor).items == [], who
        with pytest.raises(NotFound):
            p.get(review_id=review_id, actor=actor, submission_id=draft.id)
    for actor in (cast.panel["Police"], cast.lead):
        assert [s.id for s in p.list(review_id=review_id, actor=actor).items] == [draft.id]
        assert p.get(review_id=review_id, actor=actor, submission_id=draft.id).appraisal
    with pytest.raises(NotFound):
        p.list(review_id=review_id, actor=cast.outsider)


def test_a_submitted_panel_analysis_is_visible_to_the_review_team_but_not_the_case_group(analysing):
    p, review_id, cast = analysing.panel, analysing.review_id, analysing.cast
    draft = p.save(
        review_id=review_id,
        actor=cast.panel["Police"],
        expected_version=None,
        command=SavePanelAnalysis(appraisal="Seen."),
    )
    p.submit(review_id=review_id, actor=cast.panel["Police"], expected_version=draft.version)

    for who, actor in _others(cast).items():
        visible = [s.id for s in p.list(review_id=review_id, actor=actor).items]
        assert visible == ([] if who == "case group member" else [draft.id]), who


def test_one_panel_analysis_per_member_and_no_change_after_submission(analysing):
    p, review_id, police = analysing.panel, analysing.review_id, analysing.cast.panel["Police"]
    first = p.save(
        review_id=review_id, actor=police, expected_version=None, command=SavePanelAnalysis(appraisal="One.")
    )
    second = p.save(
        review_id=review_id,
        actor=police,
        expected_version=first.version,
        command=SavePanelAnalysis(appraisal="Two."),
    )
    assert second.id == first.id and second.appraisal == "Two."
    p.submit(review_id=review_id, actor=police, expected_version=second.version)
    with pytest.raises((NotAtThisStage, StaleObject)):
        p.save(
            review_id=review_id,
            actor=police,
            expected_version=second.version + 1,
            command=SavePanelAnalysis(appraisal="Three."),
        )


def test_only_panel_members_write_panel_analyses_and_only_the_coordinator_waives(analysing, sessions):
    p, review_id, cast = analysing.panel, analysing.review_id, analysing.cast
    with pytest.raises(NotPermitted):
        p.save(
            review_id=review_id,
            actor=cast.lead,
            expected_version=None,
            command=SavePanelAnalysis(appraisal="x"),
        )
    review = analysing.reviews.get(review_id, cast.coordinator).review
    membership = next(m.id for m in review.memberships if m.user_id == cast.panel["Police"])
    with pytest.raises(NotPermitted):
        p.waive(
            review_id=review_id,
            actor=cast.chair,
            command=WaivePanelAnalysis(membership_id=membership, reason="x"),
        )
    with pytest.raises(ValidationError, match="Give the reason for waiving their analysis"):
        WaivePanelAnalysis(membership_id=membership, reason="  ")
    waived = p.waive(
        review_id=review_id,
        actor=cast.coordinator,
        command=WaivePanelAnalysis(membership_id=membership, reason="Left the agency."),
    )
    assert waived.status == "waived"
    with sessions() as session:
        last = audit.entries_of(session, review_id)[-1]
    assert (last.action, last.reason) == ("waive_panel_analysis", "Left the agency.")


def test_a_lead_reviewer_adopts_a_proposed_factor_from_a_submitted_analysis(analysing):
    p, review_id, cast = analysing.panel, analysing.review_id, analysing.cast
    episode = analysing.episode(explained=False)
    draft = p.save(
        review_id=review_id,
        actor=cast.panel["Police"],
        expected_version=None,
        command=SavePanelAnalysis(
            appraisal="See proposal.",
            proposed_factors=[
                ProposedFactor(
                    level="frontline",
                    category="inter_agency_team",
                    description="No shared view of missed appointments.",
                    episode_ids=[episode],
                )
            ],
        ),
    )
    adoption = AdoptProposedFactor(submission_id=draft.id, index=0)
    with pytest.raises(InvalidInput):
        analysing.factors.adopt(review_id=review_id, actor=cast.lead, command=adoption)
    p.submit(review_id=review_id, actor=cast.panel["Police"], expected_version=draft.version)
    factor = analysing.factors.adopt(review_id=review_id, actor=cast.lead, command=adoption)
    assert (factor.category, factor.episode_ids, factor.proposed_by) == (
        "inter_agency_team",
        [episode],
        cast.panel["Police"],
    )


# ---- versions, stages, roles -------------------------------------------------------------------


def test_an_edit_against_a_stale_object_version_is_refused_and_changes_nothing(analysing, sessions):
    e, review_id, lead = analysing.episodes, analysing.review_id, analysing.cast.lead
    episode_id = analysing.episode()
    episode = e.get(review_id=review_id, actor=lead, episode_id=episode_id)
    e.update(
        review_id=review_id,
        actor=lead,
        episode_id=episode_id,
        expected_version=episode.version,
        command=ChangeEpisode(title="Dental appointments not attended"),
    )
    before = _audit_count(sessions, review_id)
    with pytest.raises(StaleObject, match="Someone else changed this episode"):
        e.update(
            review_id=review_id,
            actor=lead,
            episode_id=episode_id,
            expected_version=episode.version,
            command=ChangeEpisode(title="Mine"),
        )
    assert e.get(review_id=review_id, actor=lead, episode_id=episode_id).title == (
        "Dental appointments not attended"
    )
    assert _audit_count(sessions, review_id) == before


def test_two_concurrent_edits_of_one_object_one_wins(analysing):
    e, review_id, lead = analysing.episodes, analysing.review_id, analysing.cast.lead
    episode = e.get(review_id=review_id, actor=lead, episode_id=analysing.episode())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(title: str) -> None:
        barrier.wait()
        try:
            e.update(
                review_id=review_id,
                actor=lead,
                episode_id=episode.id,
                expected_version=episode.version,
                command=ChangeEpisode(title=title),
            )
            outcomes.append("ok")
        except StaleReview:
            outcomes.append("stale")

    threads = [threading.Thread(target=edit, args=(t,)) for t in ("One", "Two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "stale"]


def test_changes_are_refused_at_the_wrong_stage(gathering):
    with pytest.raises(NotAtThisStage, match="at the stage 'Gathering accounts'"):
        FindingService(gathering.reviews).add(
            review_id=gathering.review_id, actor=gathering.cast.lead, command=AddFinding(title="x")
        )
    with pytest.raises(NotAtThisStage):
        BoardService(gathering.reviews).add_action(
            review_id=gathering.review_id, actor=gathering.cast.coordinator, command=AddAction(title="x")
        )


def test_episodes_are_numbered_and_renumbered(analysing):
    e, review_id, lead = analysing.episodes, analysing.review_id, analysing.cast.lead
    ids = [analysing.episode(f"Episode {n}", "good") for n in range(3)]
    first = e.get(review_id=review_id, actor=lead, episode_id=ids[0])
    e.delete(review_id=review_id, actor=lead, episode_id=ids[0], expected_version=first.version)
    assert [(x.id, x.number) for x in e.list(review_id=review_id, actor=lead).items] == [
        (ids[1], 1),
        (ids[2], 2),
    ]


def test_only_the_lead_reviewer_writes_episodes_factors_and_findings(analysing):
    review_id, cast = analysing.review_id, analysing.cast
    for actor in (cast.coordinator, cast.chair, cast.panel["Police"], cast.practitioner):
        with pytest.raises(NotPermitted):
            analysing.episodes.add(
                review_id=review_id, actor=actor, command=AddEpisode(title="x", valence="good")
            )
        with pytest.raises(NotPermitted):
            analysing.factors.add(
                review_id=review_id,
                actor=actor,
                command=AddFactor(level="frontline", category="role", description="x"),
            )


def test_factor_codes_are_checked_against_the_framework(analysing):
    f, review_id, lead = analysing.factors, analysing.review_id, analysing.cast.lead
    with pytest.raises(InvalidInput) as refused:
        f.add(
            review_id=review_id,
            actor=lead,
            command=AddFactor(level="frontline", category="weather", description="x"),
        )
    assert "category" in refused.value.errors
    factor = f.add(
        review_id=review_id,
        actor=lead,
        command=AddFactor(
            framework="seips",
            level="work_system",
            category="tools_and_technology",
            description="The record system hides CAFs.",
        ),
    )
    assert factor.framework == "seips"

"""The episode, factor and panel services: checks that need the database tell every field's problem
at once, lists are paged in SQL (the panel's visibility rule included), and an answer is the write's."""

from __future__ import annotations

from datetime import date

import pytest

from findings.analysis.episodes import AddEpisode, ChangeEpisode
from findings.analysis.factors import AddFactor, ChangeFactor
from findings.analysis.panel import ProposedFactor, SavePanelAnalysis
from tests.findings_support import Analysis, real_services
from workflow.errors import InvalidInput


@pytest.fixture
def analysing(sessions, clock, people) -> Analysis:
    reviews = real_services(sessions, clock)
    return Analysis(reviews, people).gathering().narratives().begin_analysis()


def test_an_episode_refused_for_several_reasons_names_them_all(analysing):
    with pytest.raises(InvalidInput) as refused:
        analysing.episodes.add(
            review_id=analysing.review_id,
            actor=analysing.cast.lead,
            command=AddEpisode(
                title="Dental appointments missed",
                valence="problematic",
                period_start=date(2025, 6, 1),
                period_end=date(2025, 1, 1),
                entry_ids=[999_999],
                conversation_ids=[999_998],
            ),
        )
    assert refused.value.errors == {
        "period_end": "The period must end on or after the day it starts.",
        "entry_ids": "Not part of this review: 999999.",
        "conversation_ids": "Not part of this review: 999998.",
    }
    assert analysing.episodes.list(review_id=analysing.review_id, actor=analysing.cast.lead).total == 0


def test_a_change_cannot_null_a_field_that_must_have_a_value(analysing):
    episode_id = analysing.episode()
    lead, review_id = analysing.cast.lead, analysing.review_id
    version = analysing.episodes.get(review_id=review_id, actor=lead, episode_id=episode_id).version
    with pytest.raises(InvalidInput) as refused:
        analysing.episodes.update(
            review_id=review_id,
            actor=lead,
            episode_id=episode_id,
            expected_version=version,
            command=ChangeEpisode(title=None, appraisal=None, period_start=None),
        )
    assert refused.value.errors.keys() == {"title", "appraisal"}


def test_a_changed_episode_is_answered_with_its_new_version_and_links(analysing):
    episode_id = analysing.episode()
    lead, review_id = analysing.cast.lead, analysing.review_id
    before = analysing.episodes.get(review_id=review_id, actor=lead, episode_id=episode_id)
    after = analysing.episodes.update(
        review_id=review_id,
        actor=lead,
        episode_id=episode_id,
        expected_version=before.version,
        command=ChangeEpisode(appraisal="Seen against the guidance."),
    )
    assert after.version == before.version + 1
    assert [f.id for f in after.factors] == [f.id for f in before.factors]
    assert (
        analysing.episodes.get(review_id=review_id, actor=lead, episode_id=episode_id).version
        == after.version
    )


def test_a_factor_code_is_checked_with_the_parts_not_sent(analysing):
    analysing.episode()
    lead, review_id = analysing.cast.lead, analysing.review_id
    factor = analysing.factors.list(review_id=review_id, actor=lead).items[0]
    with pytest.raises(InvalidInput) as refused:
        analysing.factors.update(
            review_id=review_id,
            actor=lead,
            factor_id=factor.id,
            expected_version=factor.version,
            command=ChangeFactor(framework="seips", episode_ids=[999_999]),
        )
    assert refused.value.errors.keys() == {"level", "episode_ids"}


def test_lists_are_paged_with_the_whole_count(analysing):
    lead, review_id = analysing.cast.lead, analysing.review_id
    ids = [analysing.episode(f"Episode {n}", "good", explained=False) for n in range(3)]
    for episode_id in ids:
        analysing.factors.add(
            review_id=review_id,
            actor=lead,
            command=AddFactor(level="frontline", category="role", description="x", episode_ids=[episode_id]),
        )
    page = analysing.episodes.list(review_id=review_id, actor=lead, limit=2, offset=1)
    assert ([e.id for e in page.items], page.total) == (ids[1:], 3)
    factors = analysing.factors.list(review_id=review_id, actor=lead, limit=1, offset=2)
    assert ([f.episode_ids for f in factors.items], factors.total) == ([[ids[2]]], 3)


def test_the_panel_list_counts_only_the_analyses_the_reader_may_see(analysing):
    cast, review_id = analysing.cast, analysing.review_id
    for agency, submit in (("Police", True), ("Health", False)):
        draft = analysing.panel.save(
            review_id=review_id,
            actor=cast.panel[agency],
            expected_version=None,
            command=SavePanelAnalysis(appraisal=f"{agency}: hard to see."),
        )
        if submit:
            analysing.panel.submit(
                review_id=review_id, actor=cast.panel[agency], expected_version=draft.version
            )
    assert analysing.panel.list(review_id=review_id, actor=cast.lead).total == 2
    assert analysing.panel.list(review_id=review_id, actor=cast.chair).total == 1
    assert analysing.panel.list(review_id=review_id, actor=cast.panel["Health"]).total == 2
    assert analysing.panel.list(review_id=review_id, actor=cast.practitioner).total == 0
    assert (
        analysing.panel.list(review_id=review_id, actor=cast.lead, limit=1, offset=1).items[0].status
        == "draft"
    )


def test_a_proposed_factor_is_checked_against_the_framework_and_the_review(analysing):
    with pytest.raises(InvalidInput) as refused:
        analysing.panel.save(
            review_id=analysing.review_id,
            actor=analysing.cast.panel["Police"],
            expected_version=None,
            command=SavePanelAnalysis(
                episode_notes={999_999: "Seen."},
                proposed_factors=[
                    ProposedFactor(
                        level="frontline", category="weather", description="x", episode_ids=[999_998]
                    )
                ],
            ),
        )
    assert refused.value.errors.keys() == {
        "episode_notes",
        "proposed_factors[0].category",
        "proposed_factors[0].episode_ids",
    }

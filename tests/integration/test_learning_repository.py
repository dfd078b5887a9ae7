"""The learning repository across the reviews of tests/trends_support.py (Poppy published in 2024,
Daisy a draft of 2025, Oscar approved in 2026, each with its own cast), on a real database: who finds
what (need-to-know), ranking, marked snippets, the filters, pages, and the index in step with every
edit and deletion, in the transaction of the change."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from findings.analysis.findings import AddFinding, AddQuestion, ChangeFinding, FindingService
from findings.analysis.models import Finding
from findings.analysis.themes import SetReviewThemes, ThemeService
from findings.learning.index import rebuild
from findings.learning.models import SearchEntry
from findings.learning.repository import LearningRepository, SearchFilters
from tests.trends_support import CHANGED_AFTER, PUBLISHED_RESPONSE, Portfolio, portfolio_fixture  # noqa: F401
from workflow.errors import NotPermitted
from workflow.models import Review, User


@pytest.fixture
def repository(service) -> LearningRepository:
    return LearningRepository(service)


def _search(repository: LearningRepository, actor: int, **filters: object):
    return repository.search(actor=actor, filters=SearchFilters.model_validate(filters), limit=100)


def _titles(hits) -> set[str]:
    return {"".join(text for text, _ in hit.title_segments) for hit in hits}


def _reviews(found) -> set[int | None]:
    return {hit.review_id for hit in found.items}


# ---- need-to-know --------------------------------------------------------------------------------


def test_a_member_finds_their_own_draft_and_published_reviews(portfolio: Portfolio, repository):
    found = _search(repository, portfolio.daisy.cast.coordinator, q="appointments")
    assert _reviews(found) == {portfolio.daisy.review_id, portfolio.poppy.review_id}


def test_a_reader_in_no_review_finds_only_published_ones(portfolio: Portfolio, repository):
    for words in ("dentist", "domestic abuse", "appointments", "neglect"):
        found = _search(repository, portfolio.reader, q=words)
        assert _reviews(found) <= {portfolio.poppy.review_id}, words
    assert _search(repository, portfolio.reader, q="dentist").total == 0  # only Daisy's draft says it


def test_an_approved_review_is_a_draft_to_everyone_but_its_members(portfolio: Portfolio, repository):
    assert _search(repository, portfolio.reader, q="notifications").total == 0
    assert _search(repository, portfolio.poppy.cast.chair, q="notifications").total == 0
    found = _search(repository, portfolio.oscar.cast.lead, q="notifications")
    assert _reviews(found) == {portfolio.oscar.review_id}


def test_an_admin_sees_nothing_unless_a_member(portfolio: Portfolio, repository):
    assert _search(repository, portfolio.admin).total == 0
    assert _search(repository, portfolio.admin, q="neglect").total == 0


def test_an_inactive_account_may_not_search(portfolio: Portfolio, repository, service):
    with service.session() as session:
        session.execute(update(User).where(User.id == portfolio.reader).values(active=False))
        session.commit()
    with pytest.raises(NotPermitted):
        _search(repository, portfolio.reader, q="neglect")


# ---- ranking, snippets, pages --------------------------------------------------------------------


def test_the_words_found_are_marked_in_the_title_and_the_snippet(portfolio: Portfolio, repository):
    found = _search(repository, portfolio.daisy.cast.lead, q="dentist", kind="finding")
    (hit,) = found.items
    assert ("dentist", True) in hit.snippet_segments
    assert hit.href == f"/reviews/{portfolio.daisy.review_id}/findings/{portfolio.daisy.finding_ids[0]}"
    found = _search(repository, portfolio.daisy.cast.lead, q="dental appointment", kind="finding")
    assert [text for text, marked in found.items[0].title_segments if marked] == ["Dental", "appointments"]


def test_a_title_that_says_it_ranks_above_a_body_that_mentions_it(portfolio: Portfolio, repository, service):
    daisy = portfolio.daisy
    findings = FindingService(service)
    findings.add(
        review_id=daisy.review_id,
        actor=daisy.cast.lead,
        command=AddFinding(title="Escalation routes", statement="Nobody knows where supervision sits."),
    )
    findings.add(
        review_id=daisy.review_id,
        actor=daisy.cast.lead,
        command=AddFinding(title="Supervision is squeezed", statement="Supervision is cancelled first."),
    )
    found = _search(repository, daisy.cast.lead, q="supervision")
    assert _titles(found.items[:1]) == {"Finding 3: Supervision is squeezed"}
    assert found.items[0].rank > found.items[1].rank


def test_results_come_a_page_at_a_time_with_the_total(portfolio: Portfolio, repository):
    actor = portfolio.poppy.cast.lead
    everything = repository.search(actor=actor, limit=100)
    first = repository.search(actor=actor, limit=3)
    second = repository.search(actor=actor, limit=3, offset=3)
    assert first.total == second.total == everything.total > 6
    assert [h.entry_id for h in first.items + second.items] == [h.entry_id for h in everything.items[:6]]


def test_punctuation_alone_finds_nothing_and_quotes_are_phrases(portfolio: Portfolio, repository):
    actor = portfolio.poppy.cast.lead
    assert _search(repository, actor, q='*) - ( "').total == 0
    assert _search(repository, actor, q='"appointment systems"').total >= 1
    assert _search(repository, actor, q='"systems appointment"').total == 0
    with_or = _search(repository, actor, q="dentist OR afresh")
    assert with_or.total == _search(repository, actor, q="afresh").total >= 1
    assert _search(repository, actor, q="afresh -neglect").total == 0


# ---- filters -------------------------------------------------------------------------------------


def test_filters_by_category_theme_factor_route_regime_agency_year_and_kind(portfolio: Portfolio, repository):
    actor = portfolio.daisy.cast.coordinator  # Daisy's member; Poppy is published
    poppy, daisy = portfolio.poppy.review_id, portfolio.daisy.review_id
    assert _reviews(_search(repository, actor, category="tools")) == {poppy, daisy}
    assert {h.kind for h in _search(repository, actor, category="longer_term_work").items} == {
        "finding",
        "question",
        "board_response",
    }
    assert _reviews(_search(repository, actor, theme="neglect")) == {poppy}
    assert _reviews(_search(repository, actor, theme="was_not_brought")) == {poppy, daisy}
    assert _reviews(_search(repository, actor, route="learning")) == {daisy}
    assert _reviews(_search(repository, actor, year=2024)) == {poppy}
    assert _reviews(_search(repository, actor, regime="wt2023")) == {poppy, daisy}
    assert _search(repository, actor, regime="wt2010").total == 0
    strategic = "learning_together/local_strategic/resources_and_commissioning"
    assert {(h.review_id, h.kind) for h in _search(repository, actor, factor=strategic).items} == {
        (poppy, "factor"),
        (poppy, "episode"),
    }
    assert _reviews(_search(repository, actor, agency="health")) == {poppy, daisy}
    reports = _search(repository, actor, kind="report")
    assert [(h.review_id, h.member) for h in reports.items] == [(poppy, False)]
    assert reports.items[0].href == f"/published/{poppy}/full/html"
    assert _search(repository, actor, q="dentist", year=2024).total == 0


# ---- the index in step ---------------------------------------------------------------------------


def _entries(service, review_id: int) -> list[tuple[str, int, str, str]]:
    with service.session(read_only=True) as session:
        return sorted(
            session.execute(
                select(SearchEntry.kind, SearchEntry.source_id, SearchEntry.title, SearchEntry.body).where(
                    SearchEntry.review_id == review_id
                )
            )
        )


def test_an_edit_is_found_by_its_new_words_and_not_its_old_ones(portfolio: Portfolio, repository, service):
    daisy = portfolio.daisy
    findings = FindingService(service)
    finding = findings.get(review_id=daisy.review_id, actor=daisy.cast.lead, finding_id=daisy.finding_ids[0])
    findings.update(
        review_id=daisy.review_id,
        actor=daisy.cast.lead,
        finding_id=finding.id,
        expected_version=finding.version,
        command=ChangeFinding(statement="Orthodontic referrals lapse without a word to the family."),
    )
    assert _search(repository, daisy.cast.lead, q="dentist").total == 0
    assert _search(repository, daisy.cast.lead, q="orthodontic").total == 1


def test_a_deleted_finding_leaves_no_entry_nor_its_questions(portfolio: Portfolio, repository, service):
    daisy = portfolio.daisy
    findings = FindingService(service)
    finding = findings.get(review_id=daisy.review_id, actor=daisy.cast.lead, finding_id=daisy.finding_ids[0])
    findings.delete(
        review_id=daisy.review_id,
        actor=daisy.cast.lead,
        finding_id=finding.id,
        expected_version=finding.version,
    )
    assert _search(repository, daisy.cast.lead, q="dentist").total == 0
    assert not [e for e in _entries(service, daisy.review_id) if e[0] in ("finding", "question")]


def test_questions_and_review_themes_are_indexed_as_they_change(portfolio: Portfolio, repository, service):
    daisy = portfolio.daisy
    findings = FindingService(service)
    finding = findings.get(review_id=daisy.review_id, actor=daisy.cast.lead, finding_id=daisy.finding_ids[0])
    findings.add_question(
        review_id=daisy.review_id,
        actor=daisy.cast.lead,
        finding_id=finding.id,
        expected_version=finding.version,
        command=AddQuestion(text="Which commissioners hold the orthodontic contracts?"),
    )
    assert [h.kind for h in _search(repository, daisy.cast.lead, q="commissioners").items] == ["question"]
    themes = ThemeService(service)
    themes.set_for_review(
        review_id=daisy.review_id,
        actor=daisy.cast.coordinator,
        command=SetReviewThemes(themes=["dental_neglect"]),
    )
    assert _reviews(_search(repository, daisy.cast.lead, theme="dental_neglect")) == {daisy.review_id}
    themes.set_for_review(
        review_id=daisy.review_id, actor=daisy.cast.coordinator, command=SetReviewThemes(themes=[])
    )
    assert _search(repository, daisy.cast.lead, theme="dental_neglect").total == 0


def test_a_bulk_change_of_a_review_and_a_deleted_review_reach_the_index(
    portfolio: Portfolio, repository, service
):
    daisy = portfolio.daisy
    with service.session() as session:
        session.execute(update(Review).where(Review.id == daisy.review_id).values(route="statutory"))
        session.commit()
    assert _search(repository, daisy.cast.lead, route="learning").total == 0
    with service.session() as session:
        session.delete(session.get(Review, daisy.review_id))
        session.commit()
    assert _entries(service, daisy.review_id) == []
    assert _search(repository, portfolio.poppy.cast.lead, q="dentist").total == 0


def test_a_refused_change_leaves_the_index_as_it_was(portfolio: Portfolio, service):
    daisy = portfolio.daisy
    before = _entries(service, daisy.review_id)
    with pytest.raises(RuntimeError), service.session() as session:
        finding = session.get(Finding, daisy.finding_ids[0])
        assert finding is not None
        finding.statement = "Something else entirely."
        session.flush()
        raise RuntimeError("refused")
    assert _entries(service, daisy.review_id) == before


def test_the_entries_kept_in_step_are_those_a_rebuild_makes(portfolio: Portfolio, service):
    with service.session() as session:
        kept = sorted(
            session.execute(
                select(
                    SearchEntry.kind,
                    SearchEntry.source_id,
                    SearchEntry.title,
                    SearchEntry.body,
                    SearchEntry.themes,
                    SearchEntry.year,
                    SearchEntry.route,
                )
            )
        )
        rebuild(session.connection())
        built = sorted(
            session.execute(
                select(
                    SearchEntry.kind,
                    SearchEntry.source_id,
                    SearchEntry.title,
                    SearchEntry.body,
                    SearchEntry.themes,
                    SearchEntry.year,
                    SearchEntry.route,
                )
            )
        )
        session.rollback()
    assert kept == built
    assert {k for k, *_ in kept} == {"finding", "question", "board_response", "episode", "factor", "report"}


def test_a_change_committed_without_a_flush_of_its_own_is_indexed(portfolio: Portfolio, repository, service):
    daisy = portfolio.daisy
    with service.session() as session:
        finding = session.get(Finding, daisy.finding_ids[0])
        assert finding is not None
        finding.title = "Orthodontic waiting lists"
        session.commit()
    assert _titles(_search(repository, daisy.cast.lead, q="orthodontic").items) == {
        "Finding 1: Orthodontic waiting lists"
    }

"""The trends' counts of each review (`trend_counts`) and the published reviews' totals (`trend_totals`)
in step with every change, in the transaction of the change, across the reviews of
tests/trends_support.py (Poppy published in 2024, Daisy a draft of 2025 with one finding, tools and
was-not-brought, and one factor; Oscar approved in 2026): findings added, changed and deleted, the
review's themes, factors, bulk changes, a deleted review, a refused change, publication, and a
rebuild that makes what was kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from findings.analysis.factors import AddFactor, ChangeFactor, FactorService
from findings.analysis.findings import AddFinding, ChangeFinding, FindingService
from findings.analysis.models import Factor, Finding
from findings.analysis.themes import SetReviewThemes, ThemeService
from findings.learning.counts import rebuild
from findings.learning.models import TrendCount, TrendTotal
from findings.learning.trends import TrendService
from tests.trends_support import Portfolio, portfolio_fixture, publish  # noqa: F401 (a fixture)
from workflow.models import Review

CONDITIONS = "learning_together/frontline/conditions_of_work"
FAMILY = "learning_together/frontline/family"

Counted = dict[tuple[str, str, str], int]


def _all(session) -> list[tuple[object, ...]]:
    query = select(
        TrendCount.review_id,
        TrendCount.kind,
        TrendCount.category,
        TrendCount.theme,
        TrendCount.factor,
        TrendCount.count,
        TrendCount.year,
        TrendCount.regime,
        TrendCount.route,
        TrendCount.public,
    )
    return sorted((tuple(row) for row in session.execute(query)), key=repr)


def _totals(session) -> list[tuple[object, ...]]:
    """The published reviews' totals (a heading whose reviews all went keeps a 0)."""
    query = select(TrendTotal).where(TrendTotal.count != 0)
    return sorted(
        (
            (t.year, t.regime, t.route, t.kind, t.category, t.theme, t.factor, t.count)
            for t in session.scalars(query)
        ),
        key=repr,
    )


def _in_step(service) -> bool:
    """The counts and totals kept are those a rebuild makes from the rows (rebuilt, rolled back)."""
    with service.session() as session:
        kept = (_all(session), _totals(session))
        rebuild(session.connection())
        built = (_all(session), _totals(session))
        session.rollback()
    return kept == built


def _counts(service, review_id: int) -> Counted:
    """A review's counts: (kind, category, theme or factor) -> count."""
    with service.session() as session:
        return {
            (kind, category, theme or factor): count
            for review, kind, category, theme, factor, count, *_ in _all(session)
            if review == review_id
        }


DAISY: Counted = {
    ("review", "", ""): 1,
    ("finding", "tools", ""): 1,
    ("theme", "tools", "was_not_brought"): 1,
    ("factor", "", CONDITIONS): 1,
}


def test_the_counts_of_findings_follow_them_as_they_are_added_changed_and_deleted(
    portfolio: Portfolio, service
):
    daisy = portfolio.daisy
    assert _counts(service, daisy.review_id) == DAISY
    findings = FindingService(service)
    added = findings.add(
        review_id=daisy.review_id,
        actor=daisy.cast.lead,
        command=AddFinding(
            title="Neglect is missed", category="tools", themes=["neglect", "was_not_brought"]
        ),
    ).finding
    assert _counts(service, daisy.review_id) == {
        ("review", "", ""): 1,
        ("finding", "tools", ""): 2,
        ("theme", "tools", "was_not_brought"): 2,
        ("theme", "tools", "neglect"): 1,
        ("factor", "", CONDITIONS): 1,
    }
    findings.update(
        review_id=daisy.review_id,
        actor=daisy.cast.lead,
        finding_id=added.id,
        expected_version=added.version,
        command=ChangeFinding(category="longer_term_work", themes=["domestic_abuse"]),
    )
    assert _counts(service, daisy.review_id) == DAISY | {
        ("finding", "longer_term_work", ""): 1,
        ("theme", "longer_term_work", "domestic_abuse"): 1,
    }
    assert _in_step(service)
    changed = findings.get(review_id=daisy.review_id, actor=daisy.cast.lead, finding_id=added.id)
    findings.delete(
        review_id=daisy.review_id,
        actor=daisy.cast.lead,
        finding_id=added.id,
        expected_version=changed.version,
    )
    assert _counts(service, daisy.review_id) == DAISY
    assert _in_step(service)


def test_a_reviews_themes_count_for_each_of_its_findings_once(portfolio: Portfolio, service):
    daisy = portfolio.daisy
    themes = ThemeService(service)
    themes.set_for_review(
        review_id=daisy.review_id,
        actor=daisy.cast.coordinator,
        command=SetReviewThemes(themes=["was_not_brought", "dental_neglect"]),
    )
    assert _counts(service, daisy.review_id) == DAISY | {("theme", "tools", "dental_neglect"): 1}
    assert _in_step(service)
    themes.set_for_review(
        review_id=daisy.review_id, actor=daisy.cast.coordinator, command=SetReviewThemes(themes=[])
    )
    assert _counts(service, daisy.review_id) == DAISY


def test_factors_are_counted_by_code_as_they_are_added_recoded_and_deleted(portfolio: Portfolio, service):
    daisy = portfolio.daisy
    factors = FactorService(service)
    added = factors.add(
        review_id=daisy.review_id,
        actor=daisy.cast.lead,
        command=AddFactor(level="frontline", category="conditions_of_work", description="Caseloads."),
    )
    assert _counts(service, daisy.review_id)[("factor", "", CONDITIONS)] == 2
    recoded = factors.update(
        review_id=daisy.review_id,
        actor=daisy.cast.lead,
        factor_id=added.id,
        expected_version=added.version,
        command=ChangeFactor(category="family"),
    )
    assert _counts(service, daisy.review_id) == DAISY | {("factor", "", FAMILY): 1}
    assert _in_step(service)
    factors.delete(
        review_id=daisy.review_id, actor=daisy.cast.lead, factor_id=added.id, expected_version=recoded.version
    )
    assert _counts(service, daisy.review_id) == DAISY


def test_bulk_changes_a_deleted_review_and_a_refused_change_reach_the_counts(portfolio: Portfolio, service):
    daisy = portfolio.daisy
    with service.session() as session:
        session.execute(
            update(Finding).where(Finding.review_id == daisy.review_id).values(category="analysis")
        )
        session.execute(update(Factor).where(Factor.review_id == daisy.review_id).values(category="family"))
        session.commit()
    assert _counts(service, daisy.review_id) == {
        ("review", "", ""): 1,
        ("finding", "analysis", ""): 1,
        ("theme", "analysis", "was_not_brought"): 1,
        ("factor", "", FAMILY): 1,
    }
    before = _counts(service, daisy.review_id)
    with pytest.raises(RuntimeError), service.session() as session:
        finding = session.get(Finding, daisy.finding_ids[0])
        assert finding is not None
        finding.category = "tools"
        session.flush()
        raise RuntimeError("refused")
    assert _counts(service, daisy.review_id) == before
    with service.session() as session:
        session.delete(session.get(Review, daisy.review_id))
        session.commit()
    assert _counts(service, daisy.review_id) == {}
    assert _in_step(service)


def test_a_review_published_is_counted_for_everyone_from_then_on(portfolio: Portfolio, service, people):
    trends = TrendService(service)
    oscar = portfolio.oscar
    before = _counts(service, oscar.review_id)
    assert trends.trends(actor=portfolio.reader).findings == 2  # Poppy's
    publish(service, people, oscar)
    assert _counts(service, oscar.review_id) == before  # what is counted is the same; who sees it is not
    assert _published(service)[(2026, "statutory", "theme", "responses_to_incidents", "domestic_abuse")] == 1
    found = trends.trends(actor=portfolio.reader)
    assert (found.reviews, found.findings) == (2, 3)
    assert {c.theme for c in found.categories_themes.cells if c.year == 2026} == {"Domestic abuse"}


def _published(service) -> dict[tuple[object, ...], int]:
    """The totals by (year, route, kind, category, theme or factor)."""
    with service.session() as session:
        return {(y, route, k, c, t or f): n for y, _, route, k, c, t, f, n in _totals(session)}


def test_the_published_reviews_totals_follow_their_changes_their_year_and_route_and_their_deletion(
    portfolio: Portfolio, service
):
    poppy = portfolio.poppy
    assert _published(service)[(2024, "statutory", "finding", "tools", "")] == 1
    assert _published(service)[(2024, "statutory", "theme", "tools", "neglect")] == 1
    with service.session() as session:  # past the services, as a bulk change would be
        finding = session.get(Finding, poppy.finding_ids[0])
        assert finding is not None
        finding.category = "longer_term_work"
        session.commit()
    assert _published(service)[(2024, "statutory", "finding", "longer_term_work", "")] == 2
    assert (2024, "statutory", "finding", "tools", "") not in _published(service)
    with service.session() as session:
        session.execute(update(Review).where(Review.id == poppy.review_id).values(route="learning"))
        session.commit()
    assert {route for _, route, *_ in _published(service)} == {"learning"}
    assert _in_step(service)
    with service.session() as session:
        session.delete(session.get(Review, poppy.review_id))
        session.commit()
    assert _published(service) == {}
    assert _in_step(service)


def test_the_counts_kept_in_step_are_those_a_rebuild_makes(portfolio: Portfolio, service):
    with service.session() as session:
        kinds = {kind for _, kind, *_ in _all(session)}
    assert kinds == {"review", "finding", "theme", "factor"}
    assert _published(service)[(2024, "statutory", "review", "", "")] == 1  # Poppy alone
    assert _in_step(service)

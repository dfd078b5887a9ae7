"""Trends, actions and the briefing built from a selection, across the reviews of tests/trends_support.py
(Poppy published in 2024, Daisy a draft of 2025, Oscar approved in 2026, each with its own cast), on a
real database: what each reader may count and read (need-to-know), the counts, the filters, overdue
by the app's clock, the CSV export and its neutralised cells, and the briefing that prints a review
the reader is not a member of only as it was frozen."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from findings.learning.actions import ActionFilters, ActionTracker
from findings.learning.selection import Selection, SelectionService
from findings.learning.spreadsheet import csv_text
from findings.learning.trends import TrendService, csv_rows
from findings.learning.visibility import ReviewFilters
from findings.publication.render import Format
from tests.trends_support import (
    AT_TITLE,
    CHANGED_AFTER,
    FORMULA_TITLE,
    PUBLISHED_RESPONSE,
    Portfolio,
    portfolio_fixture,  # noqa: F401 (a fixture)
)
from workflow.errors import InvalidInput, NotPermitted


@pytest.fixture
def trends(service) -> TrendService:
    return TrendService(service)


@pytest.fixture
def tracker(service, clock) -> ActionTracker:
    return ActionTracker(service, today=clock)


@pytest.fixture
def selections(service, clock) -> SelectionService:
    return SelectionService(service, partnership="Northshire", today=clock)


def _table(table) -> dict[str, tuple[int, ...]]:
    return {row.label: row.counts for row in table.rows if row.total}


# ---- trends ------------------------------------------------------------------------------------------


def test_trends_count_the_findings_of_the_readers_own_drafts_and_of_published_reviews(
    portfolio: Portfolio, trends: TrendService
):
    found = trends.trends(actor=portfolio.daisy.cast.coordinator)  # Daisy's member; Poppy is published
    assert (found.reviews, found.findings) == (2, 3)
    assert found.categories.years == (2024, 2025)
    assert _table(found.categories) == {"Tools": (1, 1), "Longer-term work": (1, 0)}
    assert [row.label for row in found.categories.rows][:6] == [
        "Innate human biases",
        "Family-professional interaction",
        "Responses to incidents",
        "Longer-term work",
        "Tools",
        "Management systems",
    ]  # all six, in the typology's order, with 0 where there are none
    assert found.categories.column_totals == (2, 1) and found.categories.total == 3
    # Poppy's two findings carry neglect (the review's theme, and each finding's own): counted once each
    assert _table(found.themes) == {
        "Neglect": (2, 0),
        "Was not brought (missed appointments)": (1, 1),
    }
    assert [(c.category, c.theme, c.year, c.count) for c in found.categories_themes.cells] == [
        ("Longer-term work", "Neglect", 2024, 1),
        ("Tools", "Neglect", 2024, 1),
        ("Tools", "Was not brought (missed appointments)", 2024, 1),
        ("Tools", "Was not brought (missed appointments)", 2025, 1),
    ]
    assert _table(found.factors) == {
        "Frontline: Conditions of work": (1, 1),
        "Local strategic: Resources and commissioning": (1, 0),
    }
    assert "Domestic abuse" not in {row.label for row in found.themes.rows}  # Oscar's: not Daisy's to see


def test_a_reader_in_no_review_counts_only_published_reviews_and_an_admin_nothing(
    portfolio: Portfolio, trends: TrendService
):
    reader = trends.trends(actor=portfolio.reader)
    assert (reader.reviews, reader.findings, reader.years_available) == (1, 2, (2024,))
    assert _table(reader.categories) == {"Tools": (1,), "Longer-term work": (1,)}
    admin = trends.trends(actor=portfolio.admin)
    assert (admin.reviews, admin.findings, admin.years_available) == (0, 0, ())
    assert admin.categories.years == () and admin.categories.total == 0
    oscar = trends.trends(actor=portfolio.oscar.cast.coordinator)
    assert oscar.years_available == (2024, 2026)
    assert _table(oscar.categories) == {
        "Responses to incidents": (0, 0, 1),
        "Longer-term work": (1, 0, 0),
        "Tools": (1, 0, 0),
    }  # the years between are columns too


def test_trends_filter_by_years_regime_and_route(portfolio: Portfolio, trends: TrendService):
    member = portfolio.daisy.cast.coordinator

    def findings(**filters: object) -> int:
        return trends.trends(actor=member, filters=ReviewFilters.model_validate(filters)).findings

    assert findings(year_from=2025) == 1
    assert findings(year_to=2024) == 2
    assert findings(year_from=2024, year_to=2024) == 2
    assert findings(route="learning") == 1
    assert findings(route="statutory") == 2
    assert findings(regime="wt2023") == 3
    assert findings(regime="wt2010") == 0
    with pytest.raises(InvalidInput) as refused:
        findings(year_from=2025, year_to=2024)
    assert set(refused.value.errors) == {"year_to"}


def test_each_table_downloads_as_the_rows_it_shows(portfolio: Portfolio, trends: TrendService):
    found = trends.trends(actor=portfolio.daisy.cast.coordinator)
    rows = list(csv.reader(io.StringIO(csv_text(csv_rows(found.categories)).lstrip("\ufeff"))))
    assert rows[0] == ["Category", "2024", "2025", "Total"]
    assert ["Tools", "1", "1", "2"] in rows and rows[-1] == ["Total", "2", "1", "3"]
    cube = csv_rows(found.categories_themes)
    assert cube[0] == ["Category", "Theme", "Year", "Findings"] and len(cube) == 5


# ---- actions across reviews -------------------------------------------------------------------------


def test_actions_across_reviews_are_the_readers_own_and_the_published_ones(
    portfolio: Portfolio, tracker: ActionTracker
):
    oscar = tracker.lines(actor=portfolio.oscar.cast.coordinator)
    assert oscar.total == 4
    assert [(a.action.title, a.overdue, a.member) for a in oscar.items] == [
        (FORMULA_TITLE, True, False),  # Poppy's, due 30 September 2026, in progress
        ("Police notify schools before the school day", True, True),
        (AT_TITLE, False, True),
        ("Dental practices share non-attendance with the health visitor", False, False),
    ]
    assert {a.review_id for a in tracker.lines(actor=portfolio.reader).items} == {portfolio.poppy.review_id}
    assert tracker.lines(actor=portfolio.daisy.cast.coordinator).total == 2  # Daisy has none; Poppy's
    assert tracker.lines(actor=portfolio.admin).total == 0


def test_actions_filter_by_agency_status_overdue_review_and_due_dates(
    portfolio: Portfolio, tracker: ActionTracker, clock
):
    actor = portfolio.oscar.cast.coordinator

    def titles(**filters: object) -> list[str]:
        found = tracker.lines(actor=actor, filters=ActionFilters.model_validate(filters))
        return [line.action.title for line in found.items]

    assert titles(agency="HEALTH") == [FORMULA_TITLE]
    assert titles(status="planned") == [
        "Police notify schools before the school day",
        AT_TITLE,
        "Dental practices share non-attendance with the health visitor",
    ]
    assert titles(overdue=True) == [FORMULA_TITLE, "Police notify schools before the school day"]
    assert titles(review_id=portfolio.oscar.review_id) == [
        "Police notify schools before the school day",
        AT_TITLE,
    ]
    assert titles(review_id=portfolio.daisy.review_id) == []
    assert titles(due_from=date(2026, 10, 1), due_to=date(2027, 1, 31)) == [
        "Police notify schools before the school day",
        AT_TITLE,
    ]
    clock.today = date(2027, 2, 1)  # overdue is by the app's clock
    assert titles(overdue=True) == [FORMULA_TITLE, "Police notify schools before the school day", AT_TITLE]
    page = tracker.lines(actor=actor, limit=2, offset=2)
    assert page.total == 4 and [line.action.title for line in page.items] == [
        AT_TITLE,
        "Dental practices share non-attendance with the health visitor",
    ]
    with pytest.raises(InvalidInput) as refused:
        titles(due_from=date(2027, 1, 1), due_to=date(2026, 1, 1))
    assert set(refused.value.errors) == {"due_to"}


def test_the_actions_export_neutralises_cells_a_spreadsheet_would_run(
    portfolio: Portfolio, tracker: ActionTracker
):
    text = csv_text(tracker.csv_rows(actor=portfolio.oscar.cast.coordinator))
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Review", "Review id", "Action"]
    formula = next(r for r in rows if "HYPERLINK" in r[2])
    assert formula[2] == "'" + FORMULA_TITLE
    assert formula[8] == "'-40% missed appointments in the audit of March"  # evidence of impact
    assert (formula[4], formula[5], formula[6], formula[7], formula[9]) == (
        "Health",
        "2026-09-30",
        "in progress",
        "yes",
        "1",
    )
    assert next(r for r in rows if "SUM" in r[2])[2] == "'" + AT_TITLE
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


# ---- the briefing built from a selection ------------------------------------------------------------


def _picked(selections: SelectionService, actor: int, **chosen: object) -> list[str]:
    picked = selections.reviews(actor=actor, selection=Selection.model_validate(chosen))
    return [r.child_pseudonym for r in picked]


def test_a_selection_picks_by_theme_year_route_and_publication(
    portfolio: Portfolio, selections: SelectionService
):
    daisys = portfolio.daisy.cast.coordinator
    assert _picked(selections, daisys) == ["Daisy", "Poppy"]  # newest first
    assert _picked(selections, daisys, theme="was_not_brought") == ["Daisy", "Poppy"]
    assert _picked(selections, daisys, theme="neglect") == ["Poppy"]
    assert _picked(selections, daisys, theme="domestic_abuse") == []  # Oscar's: not Daisy's to see
    assert _picked(selections, portfolio.oscar.cast.coordinator, theme="domestic_abuse") == ["Oscar"]
    assert _picked(selections, daisys, published_only=True) == ["Poppy"]
    assert _picked(selections, daisys, year_from=2025) == ["Daisy"]
    assert _picked(selections, daisys, route="statutory") == ["Poppy"]
    picked = selections.reviews(actor=daisys, selection=Selection())
    assert [(r.child_pseudonym, r.member, r.as_published) for r in picked] == [
        ("Daisy", True, False),
        ("Poppy", False, True),
    ]


def test_the_briefing_prints_a_review_the_reader_is_not_on_only_as_it_was_frozen(
    portfolio: Portfolio, selections: SelectionService
):
    html = selections.briefing(
        actor=portfolio.daisy.cast.coordinator, selection=Selection(theme="was_not_brought"), fmt=Format.HTML
    ).content.decode()
    assert "Board briefing: Reviews with the theme Was not brought (missed appointments)" in html
    assert "Review of Poppy" in html and "Review of Daisy" in html
    assert PUBLISHED_RESPONSE in html and CHANGED_AFTER not in html  # Poppy: as frozen
    assert "Appointment systems record a child who was not brought" in html  # Poppy's finding
    assert "How will the board know that Children not brought to appointments is changing?" in html
    assert FORMULA_TITLE in html  # the frozen actions table
    assert "When a child is not brought to the dentist" in html  # Daisy's own draft
    assert "Draft: not published" in html and "holds unpublished content" in html
    assert "Oscar" not in html and "Domestic abuse" not in html
    # the frozen sections sit under the review's headings, ids made the review's own
    assert 'id="review-' in html and "<h6>Why it matters</h6>" in html
    assert 'href="#episode-' not in html  # episodes are not quoted: their links are words only


def test_a_member_sees_their_published_review_as_it_stands_unless_published_only(
    portfolio: Portfolio, selections: SelectionService
):
    poppys = portfolio.poppy.cast.coordinator

    def briefing(**chosen: object) -> str:
        chosen_ = Selection.model_validate(chosen)
        return selections.briefing(actor=poppys, selection=chosen_, fmt=Format.HTML).content.decode()

    today = briefing()
    assert CHANGED_AFTER in today and "printed as it stood on 26 November 2026, not as published" in today
    assert "holds unpublished content" in today
    published = briefing(published_only=True)
    assert PUBLISHED_RESPONSE in published and CHANGED_AFTER not in published
    assert "printed exactly as its report was published" in published


def test_only_a_coordinator_or_chair_builds_a_briefing(portfolio: Portfolio, selections: SelectionService):
    for actor in (portfolio.reader, portfolio.admin, portfolio.daisy.cast.lead):
        with pytest.raises(NotPermitted):
            selections.reviews(actor=actor, selection=Selection())
    assert _picked(selections, portfolio.poppy.cast.chair) == ["Poppy"]
    with pytest.raises(InvalidInput):
        selections.briefing(
            actor=portfolio.poppy.cast.chair, selection=Selection(theme="thresholds"), fmt=Format.HTML
        )


@pytest.mark.pdf
def test_the_briefing_is_a_pdf_too(portfolio: Portfolio, selections: SelectionService):
    import pypdf

    pdf = selections.briefing(
        actor=portfolio.poppy.cast.chair,
        selection=Selection(published_only=True),
        fmt=Format.PDF,
    ).content
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Review of Poppy" in text and "Findings and questions for the board" in text
    assert CHANGED_AFTER not in " ".join(text.split())

"""Statutory clocks in working days in England and in calendar months."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from workflow import bank_holidays, regimes
from workflow.clocks import (
    add_months,
    add_working_days,
    compute_clocks,
    is_working_day,
    working_days_between,
)
from workflow.regimes.base import ClockAnchor, ClockEvent
from workflow.states import Route


def _clocks(key, today, route=None, anchors=None, events=None):
    return {
        c.key: c
        for c in compute_clocks(
            regimes.current(key), route=route, anchors=anchors or {}, events=events or {}, today=today
        )
    }


def test_christmas_2026_example_notification_and_rapid_review():
    clocks = _clocks("wt2023", date(2026, 12, 23), anchors={ClockAnchor.AWARENESS: date(2026, 12, 23)})
    assert clocks["notification"].due == date(2027, 1, 4)
    assert clocks["rapid_review"].due == date(2027, 1, 18)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 4, 1), 5, date(2026, 4, 10)),  # Good Friday 3 April and Easter Monday 6 April skipped
        (date(2026, 4, 2), 1, date(2026, 4, 7)),
        (date(2026, 12, 23), 5, date(2027, 1, 4)),  # Christmas, Boxing Day (observed 28th), New Year
        (date(2026, 5, 22), 1, date(2026, 5, 26)),  # Spring bank holiday Monday 25 May
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday to Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # from a Saturday
    ],
)
def test_working_days_skip_weekends_and_england_bank_holidays(start, days, due):
    assert add_working_days(start, days) == due


def test_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute
    assert is_working_day(date(2026, 3, 17))  # St Patrick's Day is not a bank holiday in England


def test_the_bank_holidays_table_is_the_holidays_packages_own_for_every_year_it_covers():
    """Fails after an upgrade of `holidays` changes a year: run scripts/bank_holidays.py."""
    table = sorted(date.fromisoformat(day) for day in bank_holidays.DATES.split())
    package = sorted(
        day
        for year in range(bank_holidays.FIRST, bank_holidays.LAST + 1)
        for day in holidays.country_holidays("GB", subdiv="ENG", years=year)
    )
    assert table == package


@pytest.mark.parametrize("day", [date(1999, 12, 31), date(2051, 12, 26), date(2051, 5, 1)])
def test_a_year_outside_the_table_asks_the_package(day):
    assert not is_working_day(day)


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # month-end clamps
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 11, 15), 1, date(2026, 12, 15)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_calendar_months_clamp_to_the_last_day_of_the_month(start, months, due):
    assert add_months(start, months) == due


def test_days_remaining_counts_working_days_and_goes_negative_when_late():
    assert working_days_between(date(2027, 1, 5), date(2027, 1, 18)) == 9
    assert working_days_between(date(2027, 1, 18), date(2027, 1, 5)) == -9


def test_an_unmet_clock_past_its_due_date_is_overdue_and_a_met_one_is_not():
    anchors = {ClockAnchor.AWARENESS: date(2026, 12, 23)}
    late = _clocks("wt2023", date(2027, 1, 5), anchors=anchors)
    assert late["notification"].overdue and late["notification"].days_remaining == -1
    assert not late["rapid_review"].overdue and late["rapid_review"].days_remaining == 9
    met = _clocks(
        "wt2023", date(2027, 1, 5), anchors=anchors, events={ClockEvent.NOTIFICATION: date(2026, 12, 24)}
    )
    assert not met["notification"].overdue and met["notification"].met_on == date(2026, 12, 24)


def test_completion_runs_six_months_from_the_decision_for_statutory_reviews_only():
    anchors = {ClockAnchor.AWARENESS: date(2026, 1, 5), ClockAnchor.DECISION: date(2026, 1, 30)}
    statutory = _clocks("wt2023", date(2026, 2, 1), route=Route.STATUTORY, anchors=anchors)
    assert statutory["completion"].due == date(2026, 7, 30)
    learning = _clocks("wt2023", date(2026, 2, 1), route=Route.LEARNING, anchors=anchors)
    assert "completion" not in learning


def test_wt2010_decision_is_due_one_month_after_the_referral():
    clocks = _clocks("wt2010", date(2026, 2, 1), anchors={ClockAnchor.AWARENESS: date(2026, 1, 31)})
    assert clocks["decision"].due == date(2026, 2, 28)


def test_the_publication_clock_is_an_earliest_date_and_never_overdue():
    clocks = _clocks("wt2023", date(2027, 6, 1), anchors={ClockAnchor.REPORT_NOTICES: date(2027, 5, 3)})
    assert clocks["publication"].due == date(2027, 5, 12)  # 7 working days after the 3 May bank holiday
    assert clocks["publication"].earliest and not clocks["publication"].overdue

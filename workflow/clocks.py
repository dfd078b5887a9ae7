"""Statutory clocks: pure functions of the regime, the dates recorded in the audit log and `today`.

Working days are days in England that are neither weekends nor England-and-Wales bank holidays
(substitute days included), from the `holidays` package: through the table `workflow.bank_holidays`
written from it for 2000-2050, the package itself for other years.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from workflow import bank_holidays
from workflow.regimes.base import ClockAnchor, ClockEvent, ClockRule, ClockUnit, Regime
from workflow.states import Route


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    if bank_holidays.FIRST <= year <= bank_holidays.LAST:
        return _TABLE[year]
    import holidays  # a year the table does not cover (its first use imports every country)

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def _table() -> dict[int, frozenset[date]]:
    days = [date.fromisoformat(day) for day in bank_holidays.DATES.split()]
    return {year: frozenset(day for day in days if day.year == year) for year in {day.year for day in days}}


_TABLE = _table()


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (the start itself is never counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(n)))


def add_months(start: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (31 August + 6 months = 28/29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Clock:
    key: str
    label: str
    due: date
    unit: ClockUnit
    met_on: date | None
    days_remaining: int  # in `unit`'s days: working days, or calendar days for month clocks
    overdue: bool
    earliest: bool

    @property
    def days_word(self) -> str:
        return "working days" if self.unit == ClockUnit.WORKING_DAYS else "days"


def due_date(rule: ClockRule, anchor: date) -> date:
    if rule.unit == ClockUnit.WORKING_DAYS:
        return add_working_days(anchor, rule.amount)
    return add_months(anchor, rule.amount)


def compute_clocks(
    regime: Regime,
    *,
    route: Route | None,
    anchors: Mapping[ClockAnchor, date],
    events: Mapping[ClockEvent, date],
    today: date,
) -> tuple[Clock, ...]:
    """Every clock of `regime` that has started: its due date, days left and whether it is overdue."""
    clocks: list[Clock] = []
    for rule in regime.clocks:
        if rule.routes is not None and route not in rule.routes:
            continue
        anchor = anchors.get(rule.anchor)
        if anchor is None:
            continue
        due = due_date(rule, anchor)
        met_on = events.get(rule.met_by)
        remaining = (
            working_days_between(today, due) if rule.unit == ClockUnit.WORKING_DAYS else (due - today).days
        )
        overdue = not rule.earliest and met_on is None and today > due
        clocks.append(Clock(rule.key, rule.label, due, rule.unit, met_on, remaining, overdue, rule.earliest))
    return tuple(clocks)

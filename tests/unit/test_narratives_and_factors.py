"""Pure parts of the analysis: the CSV cells, the narrative views, the factor frameworks, overdue."""

from __future__ import annotations

from datetime import date, time

import pytest

from findings.analysis import frameworks as factors
from findings.analysis.board import is_overdue
from findings.analysis.chronology import (
    CsvImportError,
    EntryView,
    agency_statuses,
    decode,
    information_sharing,
    merged,
    parse_aware,
    parse_csv,
    parse_date,
    parse_significant,
    parse_time,
    side_by_side,
)
from findings.analysis.statements import FindingParts, missing_parts


@pytest.mark.parametrize(
    ("text", "expected"), [("2025-03-04", date(2025, 3, 4)), ("04/03/2025", date(2025, 3, 4))]
)
def test_dates_are_iso_or_british(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["03/04/25", "2025-02-30", "tomorrow", "", "4 March 2025"])
def test_other_dates_are_refused_in_words(text):
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)


def test_times_and_yes_no():
    assert parse_time("") is None and parse_time("09:30") == time(9, 30)
    with pytest.raises(ValueError):
        parse_time("9.30am")
    assert [parse_significant(v) for v in ("Yes", "y", "TRUE", "1", "no", "", "0")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_agencies_aware_at_the_time_or_later():
    assert parse_aware("Police; Health (2025-04-02);; ", date(2025, 4, 1)) == {
        "Police": "2025-04-01",
        "Health": "2025-04-02",
    }
    with pytest.raises(ValueError, match="before it happened"):
        parse_aware("Health (2025-03-01)", date(2025, 4, 1))
    with pytest.raises(ValueError, match="does not name an agency"):
        parse_aware("(2025-05-01)", date(2025, 4, 1))


def test_an_empty_file_and_a_row_of_the_wrong_width_are_named():
    with pytest.raises(CsvImportError, match="empty"):
        parse_csv(decode(b""))
    with pytest.raises(CsvImportError) as refused:
        parse_csv("date,what_happened\n2025-01-01,a,b\n")
    [problem] = refused.value.problems
    assert (problem.line, problem.column) == (2, None) and "3 cells" in problem.message


def test_a_file_with_many_bad_rows_lists_fifty_and_counts_the_rest():
    rows = "".join("bad,\n" for _ in range(60))
    with pytest.raises(CsvImportError) as refused:
        parse_csv("date,what_happened\n" + rows)
    assert len(refused.value.problems) == 50
    assert "70 more problem(s)" in refused.value.errors["more"]


def _entry(id_, agency, on, significant=False, aware=None):
    return EntryView(id_, agency, on, None, f"entry {id_}", "", aware or {}, significant, 1)


def test_columns_show_missing_and_exempt_agencies():
    columns = side_by_side(
        [_entry(1, "Police", date(2025, 1, 2)), _entry(2, "Police", date(2025, 1, 1))],
        agencies=["Police", "Health", "Education"],
        statuses={"Police": "submitted"},
        exemptions={"Education": "No involvement"},
    )
    assert [(c.agency, c.status, [e.id for e in c.entries]) for c in columns] == [
        ("Police", "submitted", [2, 1]),
        ("Health", "missing", []),
        ("Education", "exempt", []),
    ]


def test_the_list_of_narratives_counts_what_the_columns_hold_in_their_order():
    entries = [_entry(1, "Housing", date(2025, 1, 2)), _entry(2, "Police", date(2025, 1, 1))]
    entries += [_entry(3, "Police", date(2025, 1, 3))]
    agencies = ["Health", "Police", "Education"]
    statuses = {"Youth justice": "draft", "Police": "submitted", "Housing": "returned", "Education": "draft"}
    exemptions = {"Education": "No involvement"}
    columns = side_by_side(entries, agencies=agencies, statuses=statuses, exemptions=exemptions)
    counts = {agency: sum(1 for e in entries if e.agency == agency) for agency in statuses}
    listed = agency_statuses(counts, agencies=agencies, statuses=statuses, exemptions=exemptions)
    assert [(c.agency, c.status, c.exemption, len(c.entries)) for c in columns] == [
        (s.agency, s.status, s.exemption, s.entries) for s in listed
    ]
    assert [s.agency for s in listed] == ["Health", "Police", "Education", "Housing", "Youth justice"]


def test_merged_days_and_the_map_include_agencies_outside_the_scope():
    entries = [
        _entry(1, "Police", date(2025, 1, 1), True, {"Housing": "2025-01-05"}),
        _entry(2, "Health", date(2025, 1, 1)),
    ]
    [day] = merged(entries)
    assert day.several_accounts and day.agencies == ("Health", "Police")
    grid = information_sharing(entries, agencies=["Health"])
    assert grid.agencies == ("Health", "Police", "Housing")
    assert [c.how for c in grid.rows[0].cells] == ["not_known", "recorded", "later"]


@pytest.mark.parametrize("key", list(factors.FRAMEWORKS))
def test_each_framework_has_exactly_one_individual_level_category(key):
    individual = [
        c.key for level in factors.FRAMEWORKS[key].levels for c in level.categories if c.individual_level
    ]
    assert (
        individual
        == {"learning_together": ["personal"], "london_protocol": ["individual"], "seips": ["persons"]}[key]
    )


def test_factor_codes_are_validated_in_words():
    assert factors.validate("learning_together", "frontline", "family") == {}
    assert "framework" in factors.validate("swiss_cheese", "x", "y")
    assert "level" in factors.validate("seips", "frontline", "tasks")
    assert "category" in factors.validate("seips", "work_system", "family")


@pytest.mark.parametrize(
    ("due_on", "status", "overdue"),
    [
        (date(2026, 11, 25), "planned", True),
        (date(2026, 11, 25), "in_progress", True),
        (date(2026, 11, 25), "done", False),
        (date(2026, 11, 25), "verified", False),
        (date(2026, 11, 26), "planned", False),
        (None, "planned", False),
    ],
)
def test_overdue_is_derived_from_the_due_date_and_status(due_on, status, overdue):
    assert is_overdue(due_on=due_on, status=status, today=date(2026, 11, 26)) is overdue


def test_a_complete_finding_misses_nothing():
    parts = FindingParts("tools", "s", "c", "h", "w", [], ["q"], ["neglect"])
    assert missing_parts(parts) == ("evidence that it is not a quirk of this case (with a reference)",)

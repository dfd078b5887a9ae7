"""The narrative service: CSV import (one statement, every problem at once), who writes which
narrative, submitting and returning, editing entries, the views side by side and merged, the
information-sharing map, and concurrent writers to one narrative."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, time

import pytest
from sqlalchemy import event

from findings.analysis.chronology import MAX_PROBLEMS, CsvImportError
from findings.analysis.narratives import AddEntry, ChangeEntry, ImportNarrative, ReturnNarrative
from findings.errors import StaleObject
from tests.findings_support import NARRATIVE_CSV, Analysis, real_services
from workflow import audit
from workflow.errors import InvalidInput, NotAtThisStage, NotFound, NotPermitted


@pytest.fixture
def gathering(sessions, clock, people) -> Analysis:
    reviews = real_services(sessions, clock)
    return Analysis(reviews, people).gathering()


def _audit_count(sessions, review_id: int) -> int:
    with sessions() as session:
        return len(audit.entries_of(session, review_id))


def _entries(analysis: Analysis, agency: str = "Health"):
    return analysis.narrative_service.get(
        review_id=analysis.review_id, actor=analysis.cast.coordinator, agency=agency
    ).entries


# ---- CSV import ---------------------------------------------------------------------------------


def test_a_good_csv_file_is_imported_as_dated_entries(gathering, sessions):
    before = _audit_count(sessions, gathering.review_id)
    result = gathering.narrative_service.import_csv(
        review_id=gathering.review_id,
        actor=gathering.cast.panel["Health"],
        agency="Health",
        command=ImportNarrative(data=NARRATIVE_CSV.encode()),
    )
    assert (result.agency, result.imported, result.replaced) == ("Health", 3, 0)
    first, second, third = _entries(gathering)
    assert (first.occurred_on, first.occurred_at, first.significant) == (date(2025, 3, 4), time(9, 30), True)
    assert first.source_record == "Dental record 12"
    assert second.aware == {"Education": "2025-03-10"} and second.occurred_at is None
    assert third.what_happened == "Home visit: house clean, routines in place" and not third.significant
    assert _audit_count(sessions, gathering.review_id) == before + 1


def test_a_file_with_one_bad_row_is_refused_whole_naming_the_line_and_column(gathering, sessions):
    coordinator = gathering.cast.coordinator
    gathering.narrative_service.import_csv(
        review_id=gathering.review_id,
        actor=coordinator,
        agency="Health",
        command=ImportNarrative(data=NARRATIVE_CSV.encode()),
    )
    before = _audit_count(sessions, gathering.review_id)
    bad = (
        NARRATIVE_CSV
        + "2025-05-01,,GP letter,GP record,,yes\n2025-13-01,,Visit,Log,,no\n2025-06-01,,Call,Log,,no\n"
    )

    with pytest.raises(CsvImportError) as refused:
        gathering.narrative_service.import_csv(
            review_id=gathering.review_id,
            actor=coordinator,
            agency="Health",
            command=ImportNarrative(data=bad.encode()),
        )

    [problem] = refused.value.problems
    assert (problem.line, problem.column) == (6, "date")
    assert "'2025-13-01' is not a date" in problem.message
    assert refused.value.errors == {"line 6, date": problem.message}
    assert len(_entries(gathering)) == 3  # nothing of the bad file was saved
    assert _audit_count(sessions, gathering.review_id) == before


def test_every_bad_cell_is_named_and_quoted_newlines_keep_line_numbers_right(gathering):
    data = (
        "date,time,what_happened,source_record,agencies_aware,significant\n"
        '2025-01-02,,"A visit\nover two lines",Log,,no\n'
        "02/01/2025,25:00,,Log,Police (2024-12-01),maybe\n"
    )
    with pytest.raises(CsvImportError) as refused:
        gathering.narrative_service.import_csv(
            review_id=gathering.review_id,
            actor=gathering.cast.coordinator,
            agency="Police",
            command=ImportNarrative(data=data.encode()),
        )
    assert [(p.line, p.column) for p in refused.value.problems] == [
        (4, "time"),
        (4, "significant"),
        (4, "agencies_aware"),
        (4, "what_happened"),
    ]


@pytest.mark.parametrize(
    ("header", "column", "message"),
    [
        ("date,what_happened,colour", "colour", "Unknown column"),
        ("time,what_happened", "date", "This column is required."),
        ("date,date,what_happened", "date", "more than once"),
    ],
)
def test_a_bad_header_is_named(gathering, header, column, message):
    with pytest.raises(CsvImportError) as refused:
        gathering.narrative_service.import_csv(
            review_id=gathering.review_id,
            actor=gathering.cast.coordinator,
            agency="Police",
            command=ImportNarrative(data=(header + "\n").encode()),
        )
    [problem] = refused.value.problems
    assert (problem.line, problem.column) == (1, column) and message in problem.message


def test_a_file_that_is_not_utf8_gets_a_clear_error_and_nothing_is_saved(gathering):
    data = "date,what_happened\n2025-01-02,Visite à domicile\n".encode("latin-1")
    with pytest.raises(CsvImportError) as refused:
        gathering.narrative_service.import_csv(
            review_id=gathering.review_id,
            actor=gathering.cast.coordinator,
            agency="Police",
            command=ImportNarrative(data=data),
        )
    [problem] = refused.value.problems
    assert problem.line == 2
    assert "not UTF-8" in problem.message and "0xE0" in problem.message and "CSV UTF-8" in problem.message
    with pytest.raises(NotFound):
        gathering.narrative_service.get(
            review_id=gathering.review_id, actor=gathering.cast.coordinator, agency="Police"
        )


def test_a_utf8_file_with_a_byte_order_mark_imports(gathering):
    data = "\ufeffdate,what_happened\n2025-01-02,Visite à domicile\n".encode()
    result = gathering.narrative_service.import_csv(
        review_id=gathering.review_id,
        actor=gathering.cast.coordinator,
        agency="Police",
        command=ImportNarrative(data=data),
    )
    assert result.imported == 1
    assert _entries(gathering, "Police")[0].what_happened == "Visite à domicile"


def test_an_import_can_replace_the_draft(gathering):
    args = dict(review_id=gathering.review_id, actor=gathering.cast.coordinator, agency="Health")
    gathering.narrative_service.import_csv(**args, command=ImportNarrative(data=NARRATIVE_CSV.encode()))
    result = gathering.narrative_service.import_csv(
        **args, command=ImportNarrative(data=b"date,what_happened\n2025-01-01,Only this\n", replace=True)
    )
    assert (result.imported, result.replaced) == (1, 3)
    assert [e.what_happened for e in _entries(gathering)] == ["Only this"]


# ---- narrative rules ----------------------------------------------------------------------------


def test_a_panel_member_writes_only_their_own_agencys_narrative(gathering):
    with pytest.raises(NotPermitted, match="Only Health's panel member or the review coordinator"):
        gathering.narrative_service.add_entry(
            review_id=gathering.review_id,
            actor=gathering.cast.panel["Police"],
            agency="Health",
            command=AddEntry(occurred_on=date(2025, 1, 1), what_happened="x"),
        )
    with pytest.raises(NotPermitted):
        gathering.narrative_service.add_entry(
            review_id=gathering.review_id,
            actor=gathering.cast.lead,
            agency="Health",
            command=AddEntry(occurred_on=date(2025, 1, 1), what_happened="x"),
        )


def test_a_submitted_narrative_is_read_only_until_returned(gathering, sessions):
    narratives, review_id, health = (
        gathering.narrative_service,
        gathering.review_id,
        gathering.cast.panel["Health"],
    )
    entry = narratives.add_entry(
        review_id=review_id,
        actor=health,
        agency="Health",
        command=AddEntry(occurred_on=date(2025, 1, 5), what_happened="Health visit"),
    )
    narrative = narratives.get(review_id=review_id, actor=health, agency="Health")
    narrative = narratives.submit(
        review_id=review_id, actor=health, agency="Health", expected_version=narrative.version
    )
    assert narrative.status == "submitted"

    with pytest.raises(NotAtThisStage, match="read-only"):
        narratives.update_entry(
            review_id=review_id,
            actor=health,
            entry_id=entry.id,
            expected_version=entry.version,
            command=ChangeEntry(what_happened="Changed"),
        )
    with pytest.raises(NotAtThisStage):
        narratives.import_csv(
            review_id=review_id,
            actor=gathering.cast.coordinator,
            agency="Health",
            command=ImportNarrative(data=NARRATIVE_CSV.encode()),
        )

    returned = narratives.return_for_changes(
        review_id=review_id,
        actor=gathering.cast.lead,
        agency="Health",
        expected_version=narrative.version,
        command=ReturnNarrative(reason="Please add the GP letters."),
    )
    assert (returned.status, returned.returned_reason) == ("returned", "Please add the GP letters.")
    changed = narratives.update_entry(
        review_id=review_id,
        actor=health,
        entry_id=entry.id,
        expected_version=entry.version,
        command=ChangeEntry(what_happened="Health visit, child seen"),
    )
    assert changed.what_happened == "Health visit, child seen" and changed.version == entry.version + 1


def test_the_case_group_does_not_see_narratives(gathering):
    with pytest.raises(NotPermitted):
        gathering.narrative_service.overview(review_id=gathering.review_id, actor=gathering.cast.practitioner)


# ---- views and the information-sharing map -------------------------------------------------------


def _two_accounts(analysis: Analysis) -> None:
    f, review_id, cast = analysis.narrative_service, analysis.review_id, analysis.cast
    f.add_entry(
        review_id=review_id,
        actor=cast.panel["Health"],
        agency="Health",
        command=AddEntry(
            occurred_on=date(2025, 3, 10),
            what_happened="Dentist: decay in four teeth; mother says Alice refuses to brush.",
            significant=True,
            aware={"Children's social care": date(2025, 4, 2)},
        ),
    )
    f.add_entry(
        review_id=review_id,
        actor=cast.panel["Children's social care"],
        agency="Children's social care",
        command=AddEntry(
            occurred_on=date(2025, 3, 10),
            occurred_at=time(11, 0),
            what_happened="Mother reports the dentist found no problems.",
        ),
    )
    f.add_entry(
        review_id=review_id,
        actor=cast.panel["Police"],
        agency="Police",
        command=AddEntry(
            occurred_on=date(2025, 2, 1),
            what_happened="Concern for welfare call.",
            significant=True,
            aware={"Health": None},
        ),
    )


def test_narratives_side_by_side_and_merged_keep_disagreements_visible(gathering):
    _two_accounts(gathering)
    overview = gathering.narrative_service.overview(review_id=gathering.review_id, actor=gathering.cast.lead)
    assert [(c.agency, c.status, len(c.entries)) for c in overview.columns] == [
        ("Police", "draft", 1),
        ("Health", "draft", 1),
        ("Children's social care", "draft", 1),
    ]
    assert [d.on for d in overview.days] == [date(2025, 2, 1), date(2025, 3, 10)]
    disagreement = overview.days[1]
    assert disagreement.several_accounts
    assert [e.agency for e in disagreement.entries] == ["Health", "Children's social care"]


def test_the_information_sharing_map_says_who_knew_and_from_when(gathering):
    _two_accounts(gathering)
    grid = gathering.narrative_service.information_sharing(
        review_id=gathering.review_id, actor=gathering.cast.chair
    )
    assert grid.agencies == ("Police", "Health", "Children's social care")
    police_call, dentist = grid.rows
    assert [(c.agency, c.knew, c.known_from, c.how) for c in police_call.cells] == [
        ("Police", True, date(2025, 2, 1), "recorded"),
        ("Health", True, date(2025, 2, 1), "at_the_time"),
        ("Children's social care", False, None, "not_known"),
    ]
    assert [(c.agency, c.how, c.known_from) for c in dentist.cells if c.knew] == [
        ("Health", "recorded", date(2025, 3, 10)),
        ("Children's social care", "later", date(2025, 4, 2)),
    ]
    assert dentist.not_known_to == ("Police",)


def test_a_bad_header_and_bad_rows_are_all_listed_at_once(gathering):
    data = (
        "date,what_happened,significant,colour\n"
        "2025-03-04,Visit,maybe,red\n"
        "2025-03-05,Call,yes,blue\n"
        "2025-13-01,,no,green\n"
    )
    with pytest.raises(CsvImportError) as refused:
        gathering.narrative_service.import_csv(
            review_id=gathering.review_id,
            actor=gathering.cast.coordinator,
            agency="Police",
            command=ImportNarrative(data=data.encode()),
        )
    assert [(p.line, p.column) for p in refused.value.problems] == [
        (1, "colour"),
        (2, "significant"),
        (4, "date"),
        (4, "what_happened"),
    ]
    assert refused.value.more == 0


def test_a_column_the_header_lacks_is_named_once_not_on_every_row(gathering):
    data = "time,what_happened\n09:00,Visit\n25:00,Call\n"
    with pytest.raises(CsvImportError) as refused:
        gathering.narrative_service.import_csv(
            review_id=gathering.review_id,
            actor=gathering.cast.coordinator,
            agency="Police",
            command=ImportNarrative(data=data.encode()),
        )
    assert [(p.line, p.column) for p in refused.value.problems] == [(1, "date"), (3, "time")]


def test_past_the_first_fifty_problems_the_rest_are_counted(gathering):
    rows = "".join(f"2025-02-30,Visit {i},maybe,red\n" for i in range(40))  # two problems a row
    data = "date,what_happened,significant,colour\n" + rows
    with pytest.raises(CsvImportError) as refused:
        gathering.narrative_service.import_csv(
            review_id=gathering.review_id,
            actor=gathering.cast.coordinator,
            agency="Police",
            command=ImportNarrative(data=data.encode()),
        )
    problems = refused.value.problems
    assert len(problems) == MAX_PROBLEMS
    assert (problems[0].line, problems[0].column) == (1, "colour")
    assert [(p.line, p.column) for p in problems[1:3]] == [(2, "date"), (2, "significant")]
    assert refused.value.more == 1 + 40 * 2 - MAX_PROBLEMS
    assert (
        refused.value.errors["more"]
        == f"{refused.value.more} more problem(s) not listed; fix these and import again."
    )


def test_a_large_import_goes_in_as_one_insert_not_one_per_change_of_columns(gathering, engine):
    # Rows with and without a time of day, alternating: the ORM used to start a new INSERT at each
    # change of which keys were present (a time of None was left out).
    rows = 2_500
    lines = [
        f"2025-01-{1 + i % 28:02d},{'09:30' if i % 2 else ''},Visit {i},Log {i},,no" for i in range(rows)
    ]
    data = ("date,time,what_happened,source_record,agencies_aware,significant\n" + "\n".join(lines)).encode()
    inserts: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO NARRATIVE_ENTRIES"):
            inserts.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = gathering.narrative_service.import_csv(
            review_id=gathering.review_id,
            actor=gathering.cast.coordinator,
            agency="Health",
            command=ImportNarrative(data=data),
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert result.imported == rows
    # One executemany; a driver that sends multi-row VALUES does so in pages of 1,000 rows.
    assert 1 <= len(inserts) <= 3, len(inserts)
    entries = _entries(gathering)
    assert [e.seq for e in entries] == list(range(1, rows + 1))
    assert (entries[0].occurred_at, entries[1].occurred_at) == (None, time(9, 30))


# ---- editing entries -----------------------------------------------------------------------------


def test_an_entry_changes_only_in_the_fields_sent(gathering, sessions):
    narratives, review_id, health = (
        gathering.narrative_service,
        gathering.review_id,
        gathering.cast.panel["Health"],
    )
    entry = narratives.add_entry(
        review_id=review_id,
        actor=health,
        agency="Health",
        command=AddEntry(
            occurred_on=date(2025, 3, 10),
            occurred_at=time(9, 30),
            what_happened="Dentist: decay in four teeth.",
            source_record="Dental record 12",
            aware={"Police": date(2025, 3, 12)},
        ),
    )
    before = _audit_count(sessions, review_id)
    changed = narratives.update_entry(
        review_id=review_id,
        actor=health,
        entry_id=entry.id,
        expected_version=entry.version,
        command=ChangeEntry(occurred_at=None, significant=True),
    )
    assert (changed.occurred_at, changed.significant, changed.version) == (None, True, entry.version + 1)
    assert (changed.what_happened, changed.source_record) == (
        "Dentist: decay in four teeth.",
        "Dental record 12",
    )
    assert changed.aware == {"Police": "2025-03-12"}
    assert _audit_count(sessions, review_id) == before + 1
    with sessions() as session:
        last = audit.entries_of(session, review_id)[-1]
    assert (last.action, last.params["fields"]) == ("update_narrative_entry", ["occurred_at", "significant"])


def test_an_entry_edit_is_refused_with_every_problem_or_when_stale(gathering):
    narratives, review_id, health = (
        gathering.narrative_service,
        gathering.review_id,
        gathering.cast.panel["Health"],
    )
    entry = narratives.add_entry(
        review_id=review_id,
        actor=health,
        agency="Health",
        command=AddEntry(occurred_on=date(2025, 3, 10), what_happened="Visit."),
    )
    with pytest.raises(InvalidInput) as refused:
        narratives.update_entry(
            review_id=review_id,
            actor=health,
            entry_id=entry.id,
            expected_version=entry.version,
            command=ChangeEntry(occurred_on=date(2025, 3, 10), aware={"Police": date(2025, 3, 1)}),
        )
    assert refused.value.errors == {"aware": "Police cannot have known of it before it happened."}
    with pytest.raises(InvalidInput) as blank:
        narratives.update_entry(
            review_id=review_id,
            actor=health,
            entry_id=entry.id,
            expected_version=entry.version,
            command=ChangeEntry(what_happened=None),
        )
    assert blank.value.errors == {"what_happened": "Say what happened, in the agency's words."}
    narratives.update_entry(
        review_id=review_id,
        actor=health,
        entry_id=entry.id,
        expected_version=entry.version,
        command=ChangeEntry(what_happened="Home visit."),
    )
    with pytest.raises(StaleObject, match="Someone else changed this narrative entry"):
        narratives.update_entry(
            review_id=review_id,
            actor=health,
            entry_id=entry.id,
            expected_version=entry.version,
            command=ChangeEntry(what_happened="Mine."),
        )
    assert narratives.get_entry(review_id=review_id, actor=health, entry_id=entry.id).what_happened == (
        "Home visit."
    )
    with pytest.raises(NotFound):
        narratives.get_entry(review_id=review_id, actor=health, entry_id=entry.id + 1000)


# ---- concurrent writers --------------------------------------------------------------------------


WRITERS = 8


def test_eight_writers_add_entries_to_one_new_narrative_at_once_and_every_one_is_kept(gathering, sessions):
    """They queue on the review's row: none is told the review changed (a create names no version),
    the narrative is made once, and the entries take the places 1..8 in turn."""
    narratives, review_id = gathering.narrative_service, gathering.review_id
    writers = [gathering.cast.coordinator, gathering.cast.panel["Health"]] * (WRITERS // 2)
    start = threading.Barrier(WRITERS)
    outcomes: list[str] = []

    def add(number: int, actor: int) -> None:
        start.wait()
        try:
            narratives.add_entry(
                review_id=review_id,
                actor=actor,
                agency="Health",
                command=AddEntry(occurred_on=date(2025, 3, 1 + number), what_happened=f"Visit {number}."),
            )
            outcomes.append("added")
        except Exception as error:
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=add, args=(n, a)) for n, a in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(outcomes) == {"added": WRITERS}
    entries = _entries(gathering)
    assert sorted(e.seq for e in entries) == list(range(1, WRITERS + 1))
    assert sorted(e.what_happened for e in entries) == sorted(f"Visit {n}." for n in range(WRITERS))
    with sessions() as session:
        log = audit.entries_of(session, review_id)
        assert [e.action for e in log].count("add_narrative_entry") == WRITERS
        assert audit.verify(session, review_id).intact

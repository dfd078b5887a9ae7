"""The findings service: CSV import, narrative rules and views, the information-sharing map, panel
privacy, conversations, per-object versions, stages and roles, comments, actions and themes."""

from __future__ import annotations

import threading
from datetime import date, time

import pytest

from findings.analysis.chronology import CsvImportError
from findings.errors import StaleObject
from tests.findings_support import NARRATIVE_CSV, Analysis, real_services
from workflow import audit
from workflow.errors import InvalidInput, NotAtThisStage, NotFound, NotPermitted, StaleReview
from workflow.states import State


@pytest.fixture
def services(sessions, clock):
    return real_services(sessions, clock)


@pytest.fixture
def gathering(services, people) -> Analysis:
    reviews, findings = services
    return Analysis(reviews, findings, people).gathering()


def _audit_count(sessions, review_id: int) -> int:
    with sessions() as session:
        return len(audit.entries_of(session, review_id))


def _entries(analysis: Analysis, agency: str = "Health"):
    return analysis.findings.narrative(
        review_id=analysis.review_id, actor=analysis.cast.coordinator, agency=agency
    ).entries


# ---- CSV import ---------------------------------------------------------------------------------


def test_a_good_csv_file_is_imported_as_dated_entries(gathering, sessions):
    before = _audit_count(sessions, gathering.review_id)
    result = gathering.findings.import_csv(
        review_id=gathering.review_id,
        actor=gathering.cast.panel["Health"],
        agency="Health",
        data=NARRATIVE_CSV.encode(),
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
    gathering.findings.import_csv(
        review_id=gathering.review_id, actor=coordinator, agency="Health", data=NARRATIVE_CSV.encode()
    )
    before = _audit_count(sessions, gathering.review_id)
    bad = (
        NARRATIVE_CSV
        + "2025-05-01,,GP letter,GP record,,yes\n2025-13-01,,Visit,Log,,no\n2025-06-01,,Call,Log,,no\n"
    )

    with pytest.raises(CsvImportError) as refused:
        gathering.findings.import_csv(
            review_id=gathering.review_id, actor=coordinator, agency="Health", data=bad.encode()
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
        gathering.findings.import_csv(
            review_id=gathering.review_id,
            actor=gathering.cast.coordinator,
            agency="Police",
            data=data.encode(),
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
        gathering.findings.import_csv(
            review_id=gathering.review_id,
            actor=gathering.cast.coordinator,
            agency="Police",
            data=(header + "\n").encode(),
        )
    [problem] = refused.value.problems
    assert (problem.line, problem.column) == (1, column) and message in problem.message


def test_a_file_that_is_not_utf8_gets_a_clear_error_and_nothing_is_saved(gathering):
    data = "date,what_happened\n2025-01-02,Visite à domicile\n".encode("latin-1")
    with pytest.raises(CsvImportError) as refused:
        gathering.findings.import_csv(
            review_id=gathering.review_id, actor=gathering.cast.coordinator, agency="Police", data=data
        )
    [problem] = refused.value.problems
    assert problem.line == 2
    assert "not UTF-8" in problem.message and "0xE0" in problem.message and "CSV UTF-8" in problem.message
    with pytest.raises(NotFound):
        gathering.findings.narrative(
            review_id=gathering.review_id, actor=gathering.cast.coordinator, agency="Police"
        )


def test_a_utf8_file_with_a_byte_order_mark_imports(gathering):
    data = "\ufeffdate,what_happened\n2025-01-02,Visite à domicile\n".encode()
    result = gathering.findings.import_csv(
        review_id=gathering.review_id, actor=gathering.cast.coordinator, agency="Police", data=data
    )
    assert result.imported == 1
    assert _entries(gathering, "Police")[0].what_happened == "Visite à domicile"


def test_an_import_can_replace_the_draft(gathering):
    args = dict(review_id=gathering.review_id, actor=gathering.cast.coordinator, agency="Health")
    gathering.findings.import_csv(**args, data=NARRATIVE_CSV.encode())
    result = gathering.findings.import_csv(
        **args, data=b"date,what_happened\n2025-01-01,Only this\n", replace=True
    )
    assert (result.imported, result.replaced) == (1, 3)
    assert [e.what_happened for e in _entries(gathering)] == ["Only this"]


# ---- narrative rules ----------------------------------------------------------------------------


def test_a_panel_member_writes_only_their_own_agencys_narrative(gathering):
    with pytest.raises(NotPermitted, match="Only Health's panel member or the review coordinator"):
        gathering.findings.add_entry(
            review_id=gathering.review_id,
            actor=gathering.cast.panel["Police"],
            agency="Health",
            occurred_on=date(2025, 1, 1),
            what_happened="x",
        )
    with pytest.raises(NotPermitted):
        gathering.findings.add_entry(
            review_id=gathering.review_id,
            actor=gathering.cast.lead,
            agency="Health",
            occurred_on=date(2025, 1, 1),
            what_happened="x",
        )


def test_a_submitted_narrative_is_read_only_until_returned(gathering, sessions):
    findings, review_id, health = gathering.findings, gathering.review_id, gathering.cast.panel["Health"]
    entry = findings.add_entry(
        review_id=review_id,
        actor=health,
        agency="Health",
        occurred_on=date(2025, 1, 5),
        what_happened="Health visit",
    )
    narrative = findings.narrative(review_id=review_id, actor=health, agency="Health")
    narrative = findings.submit_narrative(
        review_id=review_id, actor=health, agency="Health", expected_version=narrative.version
    )
    assert narrative.status == "submitted"

    with pytest.raises(NotAtThisStage, match="read-only"):
        findings.update_entry(
            review_id=review_id,
            actor=health,
            entry_id=entry.id,
            expected_version=entry.version,
            what_happened="Changed",
        )
    with pytest.raises(NotAtThisStage):
        findings.import_csv(
            review_id=review_id,
            actor=gathering.cast.coordinator,
            agency="Health",
            data=NARRATIVE_CSV.encode(),
        )

    findings.return_narrative(
        review_id=review_id,
        actor=gathering.cast.lead,
        agency="Health",
        reason="Please add the GP letters.",
        expected_version=narrative.version,
    )
    changed = findings.update_entry(
        review_id=review_id,
        actor=health,
        entry_id=entry.id,
        expected_version=entry.version,
        what_happened="Health visit, child seen",
    )
    assert changed.what_happened == "Health visit, child seen" and changed.version == entry.version + 1


def test_the_case_group_does_not_see_narratives(gathering):
    with pytest.raises(NotPermitted):
        gathering.findings.narratives(review_id=gathering.review_id, actor=gathering.cast.practitioner)


def test_a_non_member_is_told_the_review_does_not_exist(gathering):
    for call in (
        lambda actor: gathering.findings.narratives(review_id=gathering.review_id, actor=actor),
        lambda actor: gathering.findings.episodes(review_id=gathering.review_id, actor=actor),
        lambda actor: gathering.findings.add_episode(
            review_id=gathering.review_id, actor=actor, title="x", valence="good"
        ),
    ):
        for outsider in (gathering.cast.outsider, gathering.cast.admin):
            with pytest.raises(NotFound):
                call(outsider)


# ---- views and the information-sharing map -------------------------------------------------------


def _two_accounts(analysis: Analysis) -> None:
    f, review_id, cast = analysis.findings, analysis.review_id, analysis.cast
    f.add_entry(
        review_id=review_id,
        actor=cast.panel["Health"],
        agency="Health",
        occurred_on=date(2025, 3, 10),
        what_happened="Dentist: decay in four teeth; mother says Alice refuses to brush.",
        significant=True,
        aware={"Children's social care": date(2025, 4, 2)},
    )
    f.add_entry(
        review_id=review_id,
        actor=cast.panel["Children's social care"],
        agency="Children's social care",
        occurred_on=date(2025, 3, 10),
        occurred_at=time(11, 0),
        what_happened="Mother reports the dentist found no problems.",
    )
    f.add_entry(
        review_id=review_id,
        actor=cast.panel["Police"],
        agency="Police",
        occurred_on=date(2025, 2, 1),
        what_happened="Concern for welfare call.",
        significant=True,
        aware={"Health": None},
    )


def test_narratives_side_by_side_and_merged_keep_disagreements_visible(gathering):
    _two_accounts(gathering)
    overview = gathering.findings.narratives(review_id=gathering.review_id, actor=gathering.cast.lead)
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
    grid = gathering.findings.information_sharing(review_id=gathering.review_id, actor=gathering.cast.chair)
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
    f, review_id, cast = analysing.findings, analysing.review_id, analysing.cast
    draft = f.save_panel_submission(
        review_id=review_id,
        actor=cast.panel["Police"],
        appraisal="The call handler could not see the earlier referrals.",
    )

    for who, actor in _others(cast).items():
        assert f.panel_submissions(review_id=review_id, actor=actor) == [], who
        with pytest.raises(NotFound):
            f.panel_submission(review_id=review_id, actor=actor, submission_id=draft.id)
    for actor in (cast.panel["Police"], cast.lead):
        assert [s.id for s in f.panel_submissions(review_id=review_id, actor=actor)] == [draft.id]
        assert f.panel_submission(review_id=review_id, actor=actor, submission_id=draft.id).appraisal
    with pytest.raises(NotFound):
        f.panel_submissions(review_id=review_id, actor=cast.outsider)


def test_a_submitted_panel_analysis_is_visible_to_the_review_team_but_not_the_case_group(analysing):
    f, review_id, cast = analysing.findings, analysing.review_id, analysing.cast
    draft = f.save_panel_submission(review_id=review_id, actor=cast.panel["Police"], appraisal="Seen.")
    f.submit_panel_submission(review_id=review_id, actor=cast.panel["Police"], expected_version=draft.version)

    for who, actor in _others(cast).items():
        visible = [s.id for s in f.panel_submissions(review_id=review_id, actor=actor)]
        assert visible == ([] if who == "case group member" else [draft.id]), who


def test_one_panel_analysis_per_member_and_no_change_after_submission(analysing):
    f, review_id, police = analysing.findings, analysing.review_id, analysing.cast.panel["Police"]
    first = f.save_panel_submission(review_id=review_id, actor=police, appraisal="One.")
    second = f.save_panel_submission(
        review_id=review_id, actor=police, appraisal="Two.", expected_version=first.version
    )
    assert second.id == first.id and second.appraisal == "Two."
    f.submit_panel_submission(review_id=review_id, actor=police, expected_version=second.version)
    with pytest.raises((NotAtThisStage, StaleObject)):
        f.save_panel_submission(
            review_id=review_id, actor=police, appraisal="Three.", expected_version=second.version + 1
        )


def test_only_panel_members_write_panel_analyses_and_only_the_coordinator_waives(analysing, sessions):
    f, review_id, cast = analysing.findings, analysing.review_id, analysing.cast
    with pytest.raises(NotPermitted):
        f.save_panel_submission(review_id=review_id, actor=cast.lead, appraisal="x")
    review = analysing.reviews.get(review_id, cast.coordinator).review
    membership = next(m.id for m in review.memberships if m.user_id == cast.panel["Police"])
    with pytest.raises(NotPermitted):
        f.waive_panel_submission(review_id=review_id, actor=cast.chair, membership_id=membership, reason="x")
    with pytest.raises(InvalidInput):
        f.waive_panel_submission(
            review_id=review_id, actor=cast.coordinator, membership_id=membership, reason="  "
        )
    waived = f.waive_panel_submission(
        review_id=review_id, actor=cast.coordinator, membership_id=membership, reason="Left the agency."
    )
    assert waived.status == "waived"
    with sessions() as session:
        last = audit.entries_of(session, review_id)[-1]
    assert (last.action, last.reason) == ("waive_panel_analysis", "Left the agency.")


def test_a_lead_reviewer_adopts_a_proposed_factor_from_a_submitted_analysis(analysing):
    f, review_id, cast = analysing.findings, analysing.review_id, analysing.cast
    episode = analysing.episode(explained=False)
    draft = f.save_panel_submission(
        review_id=review_id,
        actor=cast.panel["Police"],
        appraisal="See proposal.",
        proposed_factors=[
            {
                "level": "frontline",
                "category": "inter_agency_team",
                "description": "No shared view of missed appointments.",
                "episode_ids": [episode],
            }
        ],
    )
    with pytest.raises(InvalidInput):
        f.adopt_proposed_factor(review_id=review_id, actor=cast.lead, submission_id=draft.id, index=0)
    f.submit_panel_submission(review_id=review_id, actor=cast.panel["Police"], expected_version=draft.version)
    factor = f.adopt_proposed_factor(review_id=review_id, actor=cast.lead, submission_id=draft.id, index=0)
    assert (factor.category, factor.episode_ids, factor.proposed_by) == (
        "inter_agency_team",
        [episode],
        cast.panel["Police"],
    )


# ---- conversations ----------------------------------------------------------------------------


def test_a_practitioner_sees_and_comments_on_their_own_conversation_only(analysing, people):
    f, review_id, cast = analysing.findings, analysing.review_id, analysing.cast
    other = people.user("member", "Oliver Other")
    analysing.journey.add_member(people.email(other), "case_group", "Police")
    mine = f.add_conversation(
        review_id=review_id,
        actor=cast.lead,
        practitioner_id=cast.practitioner,
        overview="Visited twice.",
        mindset="Worried about the school attendance.",
    )
    theirs = f.add_conversation(review_id=review_id, actor=cast.lead, practitioner_id=other, overview="Call.")

    assert [c.id for c in f.conversations(review_id=review_id, actor=cast.practitioner)] == [mine.id]
    assert [c.id for c in f.conversations(review_id=review_id, actor=cast.panel["Police"])] == [
        mine.id,
        theirs.id,
    ]
    with pytest.raises(NotFound):
        f.conversation(review_id=review_id, actor=cast.practitioner, conversation_id=theirs.id)
    comment = f.comment_on_conversation(
        review_id=review_id,
        actor=cast.practitioner,
        conversation_id=mine.id,
        text="I also phoned the school.",
    )
    assert comment.author_id == cast.practitioner
    with pytest.raises(NotFound):
        f.comment_on_conversation(
            review_id=review_id, actor=cast.practitioner, conversation_id=theirs.id, text="x"
        )
    with pytest.raises(NotPermitted):
        f.add_conversation(review_id=review_id, actor=cast.coordinator, practitioner_id=cast.practitioner)
    with pytest.raises(InvalidInput):
        f.add_conversation(review_id=review_id, actor=cast.lead, practitioner_id=cast.panel["Police"])


# ---- versions, stages, roles -------------------------------------------------------------------


def test_an_edit_against_a_stale_object_version_is_refused_and_changes_nothing(analysing, sessions):
    f, review_id, lead = analysing.findings, analysing.review_id, analysing.cast.lead
    episode_id = analysing.episode()
    episode = f.episode(review_id=review_id, actor=lead, episode_id=episode_id)
    f.update_episode(
        review_id=review_id,
        actor=lead,
        episode_id=episode_id,
        expected_version=episode.version,
        title="Dental appointments not attended",
    )
    before = _audit_count(sessions, review_id)
    with pytest.raises(StaleObject, match="Someone else changed this episode"):
        f.update_episode(
            review_id=review_id,
            actor=lead,
            episode_id=episode_id,
            expected_version=episode.version,
            title="Mine",
        )
    assert f.episode(review_id=review_id, actor=lead, episode_id=episode_id).title == (
        "Dental appointments not attended"
    )
    assert _audit_count(sessions, review_id) == before


def test_two_concurrent_edits_of_one_object_one_wins(analysing):
    f, review_id, lead = analysing.findings, analysing.review_id, analysing.cast.lead
    episode = f.episode(review_id=review_id, actor=lead, episode_id=analysing.episode())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(title: str) -> None:
        barrier.wait()
        try:
            f.update_episode(
                review_id=review_id,
                actor=lead,
                episode_id=episode.id,
                expected_version=episode.version,
                title=title,
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
        gathering.findings.add_finding(review_id=gathering.review_id, actor=gathering.cast.lead, title="x")
    with pytest.raises(NotAtThisStage):
        gathering.findings.add_action(
            review_id=gathering.review_id, actor=gathering.cast.coordinator, title="x"
        )


def test_episodes_are_numbered_and_renumbered(analysing):
    f, review_id, lead = analysing.findings, analysing.review_id, analysing.cast.lead
    ids = [analysing.episode(f"Episode {n}", "good") for n in range(3)]
    first = f.episode(review_id=review_id, actor=lead, episode_id=ids[0])
    f.delete_episode(review_id=review_id, actor=lead, episode_id=ids[0], expected_version=first.version)
    assert [(e.id, e.number) for e in f.episodes(review_id=review_id, actor=lead)] == [
        (ids[1], 1),
        (ids[2], 2),
    ]


def test_only_the_lead_reviewer_writes_episodes_factors_and_findings(analysing):
    f, review_id, cast = analysing.findings, analysing.review_id, analysing.cast
    for actor in (cast.coordinator, cast.chair, cast.panel["Police"], cast.practitioner):
        with pytest.raises(NotPermitted):
            f.add_episode(review_id=review_id, actor=actor, title="x", valence="good")
        with pytest.raises(NotPermitted):
            f.add_factor(
                review_id=review_id, actor=actor, level="frontline", category="role", description="x"
            )


def test_factor_codes_are_checked_against_the_framework(analysing):
    f, review_id, lead = analysing.findings, analysing.review_id, analysing.cast.lead
    with pytest.raises(InvalidInput) as refused:
        f.add_factor(review_id=review_id, actor=lead, level="frontline", category="weather", description="x")
    assert "category" in refused.value.errors
    factor = f.add_factor(
        review_id=review_id,
        actor=lead,
        framework="seips",
        level="work_system",
        category="tools_and_technology",
        description="The record system hides CAFs.",
    )
    assert factor.framework == "seips"


# ---- findings, comments, ordering ---------------------------------------------------------------


@pytest.fixture
def drafting(analysing) -> Analysis:
    analysing.episode()
    return analysing.panel_submissions().draft_findings()


def test_findings_are_ordered_and_can_move(drafting):
    f, review_id, lead = drafting.findings, drafting.review_id, drafting.cast.lead
    ids = [drafting.finding(f"Finding {n}") for n in "ABC"]
    last = f.finding(review_id=review_id, actor=lead, finding_id=ids[2])
    f.move_finding(
        review_id=review_id, actor=lead, finding_id=ids[2], expected_version=last.version, to_number=1
    )
    assert [(x.id, x.number) for x in f.findings(review_id=review_id, actor=lead)] == [
        (ids[2], 1),
        (ids[0], 2),
        (ids[1], 3),
    ]


def test_the_case_group_comments_on_draft_findings_only(drafting, sessions):
    f, review_id, cast = drafting.findings, drafting.review_id, drafting.cast
    finding_id = drafting.finding()
    comment = f.comment_on_finding(
        review_id=review_id,
        actor=cast.practitioner,
        finding_id=finding_id,
        text="This rings true: we never see the dental letters.",
    )
    kept = f.finding(review_id=review_id, actor=cast.practitioner, finding_id=finding_id).comments
    assert [(c.id, c.author_id, c.text) for c in kept] == [(comment.id, cast.practitioner, comment.text)]
    assert kept[0].at is not None
    with pytest.raises(NotPermitted):
        f.comment_on_finding(review_id=review_id, actor=cast.chair, finding_id=finding_id, text="x")
    finding = f.finding(review_id=review_id, actor=cast.lead, finding_id=finding_id)
    f.update_finding(
        review_id=review_id,
        actor=cast.lead,
        finding_id=finding_id,
        expected_version=finding.version,
        status="agreed",
    )
    with pytest.raises(NotAtThisStage, match="Only draft findings"):
        f.comment_on_finding(review_id=review_id, actor=cast.practitioner, finding_id=finding_id, text="x")


def test_themes_come_from_the_vocabulary_and_a_partnership_can_add_its_own(drafting):
    f, review_id, cast = drafting.findings, drafting.review_id, drafting.cast
    with pytest.raises(InvalidInput, match="Unknown theme"):
        f.add_finding(review_id=review_id, actor=cast.lead, title="x", themes=["county_lines"])
    with pytest.raises(NotPermitted):
        f.add_theme(actor=cast.lead, label="County lines")
    theme = f.add_theme(actor=cast.coordinator, label="County lines")
    assert theme.key == "county_lines"
    assert f.add_finding(review_id=review_id, actor=cast.lead, title="x", themes=["county_lines"]).themes == [
        "county_lines"
    ]
    assert f.set_review_themes(
        review_id=review_id, actor=cast.coordinator, themes=["neglect", "county_lines"]
    ) == ["neglect", "county_lines"]
    assert f.review_themes(review_id=review_id, actor=cast.practitioner) == ["county_lines", "neglect"]


def test_warnings_are_listed_per_object_and_an_acknowledgement_needs_a_lead_reviewer_and_a_reason(drafting):
    f, review_id, cast = drafting.findings, drafting.review_id, drafting.cast
    finding = f.add_finding(review_id=review_id, actor=cast.lead, title="Staff failed to share the CAF")
    warnings = f.warnings(review_id=review_id, actor=cast.chair, kind="finding", object_id=finding.id)
    assert {w.code.value for w in warnings} == {"blame_language", "no_wider_evidence"}
    blame = next(w for w in warnings if w.code.value == "blame_language")
    assert blame.matched == ("failed to",) and blame.where.field == "title"
    with pytest.raises(NotPermitted):
        f.acknowledge_warning(
            review_id=review_id, actor=cast.coordinator, fingerprint=blame.fingerprint, reason="x"
        )
    with pytest.raises(InvalidInput):
        f.acknowledge_warning(review_id=review_id, actor=cast.lead, fingerprint=blame.fingerprint, reason=" ")
    with pytest.raises(NotFound):
        f.acknowledge_warning(review_id=review_id, actor=cast.lead, fingerprint="0" * 64, reason="x")
    f.acknowledge_warning(
        review_id=review_id,
        actor=cast.lead,
        fingerprint=blame.fingerprint,
        reason="Quoting the agency's own words.",
    )
    again = f.warnings(review_id=review_id, actor=cast.lead, kind="finding", object_id=finding.id)
    assert next(w for w in again if w.code.value == "blame_language").acknowledged


# ---- board response and actions ---------------------------------------------------------------


def test_actions_are_overdue_when_due_and_not_done(sessions, clock, people):
    reviews, findings = real_services(sessions, clock)
    analysis = Analysis(reviews, findings, people).to_sign_off()
    cast, review_id = analysis.cast, analysis.review_id
    analysis.journey.fire("approve", cast.chair)
    late = findings.add_action(
        review_id=review_id,
        actor=cast.chair,
        title="Audit dental referrals",
        owner_agency="Health",
        due_on=date(2026, 10, 1),
    )
    findings.add_action(
        review_id=review_id,
        actor=cast.chair,
        title="Flag not brought",
        owner_agency="Health",
        due_on=date(2026, 10, 1),
        status="done",
    )
    findings.add_action(review_id=review_id, actor=cast.chair, title="Later", due_on=date(2027, 1, 1))
    views = findings.actions(review_id=review_id, actor=cast.practitioner)
    assert [(v.action.title, v.overdue) for v in views] == [
        ("Audit dental referrals", True),
        ("Flag not brought", False),
        ("Later", False),
    ]
    assert [
        v.action.id for v in findings.actions_across_reviews(actor=cast.coordinator, overdue_only=True)
    ] == [late.id]
    assert findings.actions_across_reviews(actor=cast.outsider) == []
    with pytest.raises(InvalidInput):
        findings.update_action(
            review_id=review_id,
            actor=cast.chair,
            action_id=late.id,
            expected_version=late.version,
            status="finished",
        )
    assert analysis.reviews.get(review_id, cast.chair).review.state == State.APPROVED


def test_the_coordinator_and_chair_may_ask_the_board_questions_but_not_write_findings(drafting):
    f, review_id, cast = drafting.findings, drafting.review_id, drafting.cast
    finding = f.finding(review_id=review_id, actor=cast.chair, finding_id=drafting.finding())
    for actor in (cast.coordinator, cast.chair):
        finding = f.add_question(
            review_id=review_id,
            actor=actor,
            finding_id=finding.id,
            expected_version=finding.version,
            text="What would the board need to know?",
        )
    assert [q.number for q in finding.questions] == [1, 2, 3]
    with pytest.raises(NotPermitted):
        f.update_finding(
            review_id=review_id,
            actor=cast.coordinator,
            finding_id=finding.id,
            expected_version=finding.version,
            title="x",
        )
    with pytest.raises(NotPermitted):
        f.add_question(
            review_id=review_id,
            actor=cast.panel["Police"],
            finding_id=finding.id,
            expected_version=finding.version,
            text="x",
        )

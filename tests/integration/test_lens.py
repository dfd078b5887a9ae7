"""The systems lens over every text a review publishes, through the real services: the texts only the
reports hold (the case summary, the briefing, the board's response and actions, narratives, good
practice) are checked where they stand; every text the documents print is read or left out for a
stated reason; the single-agency check counts the agencies of all of a finding's evidence; the lens
for any text keeps need-to-know."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from findings.analysis import quality
from findings.analysis.board import AddAction, BoardService, RecordBoardResponse
from findings.analysis.episodes import AddEpisode, ChangeEpisode, EpisodeService
from findings.analysis.facts import FindingsFacts
from findings.analysis.family import AddFamilyMember, FamilyService
from findings.analysis.findings import AddEvidence, ChangeFinding, FindingService
from findings.analysis.good_practice import AddGoodPractice, GoodPracticeService
from findings.analysis.independence import DeclareIndependence, IndependenceService
from findings.analysis.lens import CheckText, LensService
from findings.analysis.narratives import AddEntry, NarrativeService
from findings.analysis.quality import ONLY_FIXED
from findings.analysis.self_assessment import AssessMarker, SelfAssessmentService
from findings.analysis.warnings import WarningService
from findings.errors import RegisterUnreadable
from findings.publication.assemble import load, report_data
from findings.publication.briefings import briefing_data
from findings.publication.lens import NOT_READ, NOT_READ_KINDS, READ_WITH_THE_ANALYSIS, texts_of
from findings.publication.service import ReportService
from findings.publication.sources import texts
from tests.findings_support import Analysis, real_services
from tests.support import FakePublisher, People
from workflow.errors import NotFound, TriggerRefused
from workflow.models import Review, User
from workflow.service import ReviewService
from workflow.states import Trigger

BRIEFING = {
    "background": {"heading": "Background", "intro": ["Alice lived with her mother."], "items": []},
    "key_issues": {
        "heading": "What we learned",
        "items": ["Neglect is hard to see", {"text": "Dental decay", "children": ["It was obvious."]}],
    },
    "positive_factors": {"items": ["The school nurse visited every week."]},
    "lessons_learned": {
        "intro": ["Practitioners failed to share what they knew."],
        "items": ["Remind all staff of the safeguarding procedures."],
        "outro": ["The board will ask each agency."],
    },
}


@pytest.fixture
def drafting(sessions, clock, people) -> Analysis:
    analysis = Analysis(real_services(sessions, clock), people).gathering()
    NarrativeService(analysis.reviews).add_entry(
        review_id=analysis.review_id,
        actor=analysis.cast.panel["Police"],
        agency="Police",
        command=AddEntry(
            occurred_on=date(2025, 2, 1),
            what_happened="Officers attended; the mother told them the GP failed to listen. "
            "The officer failed to record it.",
        ),
    )
    analysis.narratives().begin_analysis()
    analysis.episode()
    analysis.panel_submissions().draft_findings()
    analysis.finding()
    return analysis


def _name(sessions: sessionmaker[Session], user_id: int) -> str:
    with sessions() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.name


def _write_texts(a: Analysis, **fields: object) -> None:
    reports = ReportService(a.reviews, None)  # type: ignore[arg-type]  # no publishing needed to write
    reports.write_texts(
        review_id=a.review_id, actor=a.cast.coordinator, expected_version=a.journey.version, **fields
    )


def _warnings(a: Analysis, *kinds: str) -> list[quality.QualityWarning]:
    return WarningService(a.reviews).list(review_id=a.review_id, actor=a.cast.lead, kinds=kinds).items  # type: ignore[arg-type]


def _places(found: list[quality.QualityWarning]) -> set[tuple[str, str, str]]:
    return {(w.where.kind, w.where.field, w.code.value) for w in found}


def test_the_texts_only_the_reports_hold_are_checked_where_they_stand(drafting, sessions):
    a = drafting
    lead = _name(sessions, a.cast.lead)
    GoodPracticeService(a.reviews).add(
        review_id=a.review_id,
        actor=a.cast.lead,
        command=AddGoodPractice(
            what_went_well=f"{lead} saw the children alone.", what_enabled_it="Time in the plan."
        ),
    )
    _write_texts(
        a,
        case_summary="It was obvious that the mother could not cope.",
        methodology_note=f"The review was led by {lead}.",
        briefing=BRIEFING,
    )

    found = _warnings(a, "report_text", "briefing", "good_practice", "narrative_entry")
    assert _places(found) == {
        ("report_text", "case_summary", "blame_language"),
        ("report_text", "methodology_note", "person_named"),
        ("briefing", "key_issues", "blame_language"),  # the sub-bullet 'It was obvious.'
        ("briefing", "lessons_learned_intro", "blame_language"),
        ("briefing", "lessons_learned", "training_reminder"),
        ("good_practice", "what_went_well", "person_named"),
        ("narrative_entry", "what_happened", "blame_language"),
    }
    entry = next(w for w in found if w.where.kind == "narrative_entry")
    assert entry.matched == ("failed to",)  # the officer's, not the mother's reported words
    assert (
        entry.where.within == "Police" and entry.where.label == "Police's narrative, entry of 1 February 2025"
    )
    bullet = next(w for w in found if w.where.field == "key_issues")
    assert (
        bullet.where.number == "2.1"
        and bullet.where.label == "Practitioner briefing, What we learned, item 2.1"
    )

    # a person named in a published text blocks the chair's sign-off, wherever it stands
    with pytest.raises(TriggerRefused) as refused:
        a.journey.fire("submit_for_signoff", a.cast.lead)
    prefix = f"Fix this blocking warning (it {ONLY_FIXED}): "
    blocking = [r.removeprefix(prefix) for r in refused.value.reasons if r.startswith(prefix)]
    assert len(blocking) == 2
    assert any(r.startswith("The note on the methodology") for r in blocking)
    assert any(r.startswith("Good practice 1, what went well") for r in blocking)


def test_the_boards_response_and_actions_are_checked_and_say_which_finding(drafting):
    a = drafting
    a.journey.fire("submit_for_signoff", a.cast.lead)
    a.journey.fire("approve", a.cast.chair)
    board = BoardService(a.reviews)
    response = board.record_response(
        review_id=a.review_id,
        actor=a.cast.chair,
        finding_id=a.finding_ids[0],
        command=RecordBoardResponse(response="The board will remind staff to follow the procedures."),
    )
    action = board.add_action(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        command=AddAction(
            title="Refresher training for all staff",
            owner_agency="Health",
            due_on=date(2027, 3, 31),
            evidence_of_impact="Staff said the dentist should have referred; 31 of 40 are flagged.",
        ),
    ).action

    found = _warnings(a, "board_response", "action")
    assert sorted((w.where.kind, w.where.id, w.where.within, w.code.value) for w in found) == [
        ("action", action.id, None, "training_reminder"),
        ("board_response", response.id, a.finding_ids[0], "training_reminder"),
    ]
    found.sort(key=lambda w: w.where.kind, reverse=True)
    assert found[0].where.label == "The board's response to Finding 1"
    assert found[1].where.label == "Action 'Refresher training for all staff'"


def test_every_text_the_documents_print_is_read_or_left_out_for_a_reason(drafting, sessions):
    a = drafting
    for agencies in (["Health"], []):  # with agencies, they are its title; without, "Good practice 2"
        GoodPracticeService(a.reviews).add(
            review_id=a.review_id,
            actor=a.cast.lead,
            command=AddGoodPractice(
                what_went_well="Weekly visits.", what_enabled_it="A stable caseload.", agencies=agencies
            ),
        )
    FamilyService(a.reviews).add(
        review_id=a.review_id,
        actor=a.cast.lead,
        command=AddFamilyMember(pseudonym="Alice's mother", relationship="mother", views="No one asked."),
    )
    SelfAssessmentService(a.reviews).assess(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        marker="family",
        expected_version=None,
        command=AssessMarker(rating="met", comment="The mother met the lead reviewers."),
    )
    IndependenceService(a.reviews).declare(
        review_id=a.review_id,
        actor=a.cast.lead,
        expected_version=None,
        command=DeclareIndependence(statement="Independent of every agency.", declared_on=date(2026, 11, 2)),
    )
    _write_texts(
        a,
        case_summary="Alice, 6.",
        methodology_note="Learning Together.",
        board_response="Agreed.",
        briefing=BRIEFING,
    )
    a.journey.fire("submit_for_signoff", a.cast.lead)
    a.journey.fire("approve", a.cast.chair)
    board = BoardService(a.reviews)
    board.record_response(
        review_id=a.review_id,
        actor=a.cast.chair,
        finding_id=a.finding_ids[0],
        command=RecordBoardResponse(response="Agreed."),
    )
    board.add_action(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        command=AddAction(title="A flag", owner_agency="Health", evidence_of_impact="31 of 40."),
    )
    with sessions() as session:
        review = session.get(Review, a.review_id)
        content = load(session, review)
        printed = [*texts(report_data(content)), *texts(briefing_data(content))]
        read = texts_of(content)
    read_values = {p.text for p in read}
    places = {(t.source.kind, t.source.field) for t in printed}
    for text in printed:
        place = (text.source.kind, text.source.field)
        if (
            text
            and place not in READ_WITH_THE_ANALYSIS
            and place not in NOT_READ
            and text.source.kind not in NOT_READ_KINDS
        ):
            assert text.value in read_values, place
    assert {p.where.kind for p in read} <= set(quality.KINDS)  # each placed by a rule, none by the fallback
    assert {p.where.kind for p in read} >= {
        "report_text",
        "research_question",
        "narrative_entry",
        "good_practice",
        "board_response",
        "action",
        "briefing",
        "family_member",
        "independence",
        "quality_marker",
    }
    # the tables name only what the documents print
    assert places >= READ_WITH_THE_ANALYSIS
    assert set(NOT_READ) <= places


# ---- single agency: all of a finding's evidence -----------------------------------------------------


def _health_only_finding(a: Analysis) -> tuple[int, int]:
    """A finding linked to one episode whose agencies are Health alone, resting on nothing else."""
    episode = EpisodeService(a.reviews).add(
        review_id=a.review_id,
        actor=a.cast.lead,
        command=AddEpisode(title="Dental decay", valence="good", agencies=["Health"]),
    )
    finding_id = a.finding("Dental decay")
    findings = FindingService(a.reviews)
    finding = findings.get(review_id=a.review_id, actor=a.cast.lead, finding_id=finding_id)
    findings.update(
        review_id=a.review_id,
        actor=a.cast.lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=ChangeFinding(episode_ids=[episode.id]),
    )
    return finding_id, episode.id


def _single_agency(a: Analysis, finding_id: int) -> list[quality.QualityWarning]:
    view = FindingService(a.reviews).view(review_id=a.review_id, actor=a.cast.lead, finding_id=finding_id)
    return [w for w in view.warnings if w.code == quality.Code.SINGLE_AGENCY]


def test_a_finding_resting_on_one_agency_warns_until_its_evidence_involves_another(drafting):
    a = drafting
    finding_id, episode_id = _health_only_finding(a)
    [warning] = _single_agency(a, finding_id)
    assert warning.matched == ("Health",)

    # a narrative entry of the Police that the episode rests on
    police = NarrativeService(a.reviews).get(review_id=a.review_id, actor=a.cast.lead, agency="Police")
    episodes = EpisodeService(a.reviews)
    episode = episodes.get(review_id=a.review_id, actor=a.cast.lead, episode_id=episode_id)
    episodes.update(
        review_id=a.review_id,
        actor=a.cast.lead,
        episode_id=episode_id,
        expected_version=episode.version,
        command=ChangeEpisode(entry_ids=[police.entries[0].id]),
    )
    assert _single_agency(a, finding_id) == []


def test_evidence_that_names_another_agency_counts(drafting):
    a = drafting
    finding_id, _ = _health_only_finding(a)
    findings = FindingService(a.reviews)
    finding = findings.get(review_id=a.review_id, actor=a.cast.lead, finding_id=finding_id)
    findings.add_evidence(
        review_id=a.review_id,
        actor=a.cast.lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=AddEvidence(
            kind="audit",
            summary="An audit of Police and Health referrals found the same.",
            reference="LSCB 2011",
        ),
    )
    assert _single_agency(a, finding_id) == []


# ---- the lens for any text ---------------------------------------------------------------------


def _lens(reviews: ReviewService, extra: list[str] | None = None, unreadable: bool = False) -> LensService:
    def names(_session: Session, _review_id: int) -> list[str]:
        if unreadable:
            raise RegisterUnreadable("no_key")
        return extra or []

    return LensService(reviews, facts=FindingsFacts(extra_names=names))


def test_the_lens_needs_no_review_and_finds_the_wording(drafting):
    found = _lens(drafting.reviews).check(
        actor=drafting.cast.outsider, command=CheckText(kind="question", text="Will the board remind staff?")
    )
    assert [w.code.value for w in found.warnings] == ["training_reminder"]
    assert not found.names_checked


def test_on_a_review_the_lens_looks_for_members_and_the_register_and_keeps_need_to_know(drafting, sessions):
    a = drafting
    lead = _name(sessions, a.cast.lead)
    lens = _lens(a.reviews, ["Rupert Greenwood"])
    command = CheckText(kind="statement", text=f"{lead} and Rupert Greenwood met.", review_id=a.review_id)

    found = lens.check(actor=a.cast.coordinator, command=command)
    [named] = found.warnings
    assert named.matched == (lead, "Rupert Greenwood") and found.names_checked
    # the case group is checked against the members only: the lens never tells them a name is sealed
    [named] = lens.check(actor=a.cast.practitioner, command=command).warnings
    assert named.matched == (lead,)
    with pytest.raises(NotFound):
        lens.check(actor=a.cast.outsider, command=command)


def test_an_unreadable_register_is_said_and_the_members_are_still_looked_for(drafting, sessions):
    a = drafting
    lead = _name(sessions, a.cast.lead)
    found = _lens(a.reviews, unreadable=True).check(
        actor=a.cast.chair,
        command=CheckText(kind="narrative", text=f"{lead} visited.", review_id=a.review_id),
    )
    assert found.register_problem and [w.matched for w in found.warnings] == [(lead,)]


def test_the_lens_service_needs_no_publisher(sessions, clock, people: People):
    reviews = ReviewService(sessions, analysis=FindingsFacts(), publisher=FakePublisher(), today=clock)
    found = LensService(reviews).check(
        actor=people.user(),
        command=CheckText(kind="statement", text="Staff felt they should have more time."),
    )
    assert found.warnings == []


def test_a_name_in_a_text_never_makes_a_finding_single_agency_on_its_own(drafting):
    a = drafting
    finding_id, episode_id = _health_only_finding(a)
    episodes = EpisodeService(a.reviews)
    episode = episodes.get(review_id=a.review_id, actor=a.cast.lead, episode_id=episode_id)
    episodes.update(
        review_id=a.review_id,
        actor=a.cast.lead,
        episode_id=episode_id,
        expected_version=episode.version,
        command=ChangeEpisode(agencies=[]),  # the records name no agency; the evidence says "health"
    )
    assert _single_agency(a, finding_id) == []


def test_a_blocking_warning_written_after_approval_refuses_publication_until_fixed(drafting, sessions):
    a = drafting
    a.journey.fire("submit_for_signoff", a.cast.lead)
    a.journey.fire("approve", a.cast.chair)
    lead = _name(sessions, a.cast.lead)
    board = BoardService(a.reviews)
    first = board.record_response(
        review_id=a.review_id,
        actor=a.cast.chair,
        finding_id=a.finding_ids[0],
        command=RecordBoardResponse(response=f"{lead} will present the changes to the board."),
    )

    def publish_reasons() -> list[str]:
        options = a.reviews.allowed_triggers(a.review_id, a.cast.chair)
        return next(o for o in options if o.trigger == Trigger.PUBLISH).reasons

    prefix = f"Fix this blocking warning (it {ONLY_FIXED}): The board's response to Finding 1"
    assert any(r.startswith(prefix) and "person named" in r for r in publish_reasons())
    assert not any(lead in r for r in publish_reasons())  # a publish refusal never repeats a name

    board.record_response(
        review_id=a.review_id,
        actor=a.cast.chair,
        finding_id=a.finding_ids[0],
        expected_version=first.version,
        command=RecordBoardResponse(response="The lead reviewer will present the changes to the board."),
    )
    assert not any(r.startswith("Fix this blocking warning") for r in publish_reasons())

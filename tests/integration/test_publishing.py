"""Publishing wired end to end through the real services: the anonymisation check of the review's own
rendered documents blocks `publish` and says where each leak stands; a correction fixes it; `publish`
freezes exactly what was checked, in the trigger's transaction, with the digest in its audit row; later
edits never change what was published; `decline_publication` freezes the summary of improvements."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

import findings.publication.publisher
from findings.analysis.board import BoardService, ChangeAction, RecordBoardResponse
from findings.analysis.episodes import ChangeEpisode
from findings.analysis.findings import AddQuestion, ChangeFinding, FindingService
from findings.analysis.narratives import AddEntry
from findings.analysis.quality import Code
from findings.publication.freeze import published_for, verify
from findings.publication.register import AddRegisterEntry
from findings.publication.render import DocumentKind, Format
from findings.publication.sources import Source, SourceKind
from tests.findings_support import Analysis, Wired, to_approved, wired_services
from tests.support import Clock, People
from workflow import audit
from workflow.errors import TriggerRefused
from workflow.guards import ANONYMISATION_NOT_KNOWN
from workflow.ports import NO_PUBLISHER
from workflow.service import ReviewService
from workflow.states import State

LEAK = "Rupert Greenwood"


@pytest.fixture
def wired(sessions: sessionmaker[Session], clock: Clock) -> Wired:
    return wired_services(sessions, clock)


def _seal(wired: Wired, analysis: Analysis) -> None:
    for kind, value, pseudonym in (
        ("child", "Jane Smith", "Alice"),
        ("practitioner", LEAK, "the dentist"),
    ):
        wired.register.add(
            review_id=analysis.review_id,
            actor=analysis.cast.coordinator,
            expected_version=analysis.journey.version,
            command=AddRegisterEntry(kind=kind, value=value, pseudonym=pseudonym),
        )


def _refusal(analysis: Analysis) -> tuple[str, ...]:
    with pytest.raises(TriggerRefused) as refused:
        analysis.journey.fire("publish", analysis.cast.chair)
    return refused.value.reasons


# ---- planting a leak through the real services, one kind of field at a time ------------------------
# Each planter runs at the stage where the field is written and returns where the leak stands.

Planter = Callable[[Analysis], Source]


def _plant_finding(a: Analysis) -> Source:
    findings = FindingService(a.reviews)
    finding = findings.get(review_id=a.review_id, actor=a.cast.lead, finding_id=a.finding_ids[0])
    findings.update(
        review_id=a.review_id,
        actor=a.cast.lead,
        finding_id=finding.id,
        expected_version=finding.version,
        command=ChangeFinding(
            how_it_showed=f"Three dental appointments with {LEAK} were missed over four months."
        ),
    )
    return Source(SourceKind.FINDING, finding.id, "how_it_showed", 1)


def _plant_episode(a: Analysis) -> Source:
    episode = a.episodes.get(review_id=a.review_id, actor=a.cast.lead, episode_id=a.episode_ids[0])
    a.episodes.update(
        review_id=a.review_id,
        actor=a.cast.lead,
        episode_id=episode.id,
        expected_version=episode.version,
        command=ChangeEpisode(
            what_happened=f"{LEAK} recorded three missed appointments; the decay was not linked to neglect."
        ),
    )
    return Source(SourceKind.EPISODE, episode.id, "what_happened", 1)


def _plant_narrative_entry(a: Analysis) -> Source:
    entry = a.narrative_service.add_entry(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        agency="Health",
        command=AddEntry(
            occurred_on=date(2025, 5, 2), what_happened=f"{LEAK} wrote to the GP about the decay."
        ),
    )
    return Source(SourceKind.NARRATIVE_ENTRY, entry.id, "what_happened")


def _plant_board_question(a: Analysis) -> Source:
    findings = FindingService(a.reviews)
    finding = findings.get(review_id=a.review_id, actor=a.cast.lead, finding_id=a.finding_ids[0])
    finding = findings.add_question(
        review_id=a.review_id,
        actor=a.cast.lead,
        finding_id=finding.id,
        expected_version=finding.version,
        command=AddQuestion(text=f"Does the board know how {LEAK}'s practice records a child not brought?"),
    ).finding
    question = finding.questions[-1]
    return Source(SourceKind.BOARD_QUESTION, question.id, "text", f"1.{question.number}")


def _plant_action_evidence(a: Analysis) -> Source:
    board = BoardService(a.reviews)
    view = board.actions(review_id=a.review_id, actor=a.cast.coordinator).items[0]
    board.update_action(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        action_id=view.action.id,
        expected_version=view.action.version,
        command=ChangeAction(
            evidence_of_impact=f"An audit by {LEAK} shows the flag used in 31 of 40 records."
        ),
    )
    return Source(SourceKind.ACTION, view.action.id, "evidence_of_impact")


PLANTERS: dict[str, tuple[State, Planter]] = {
    "finding text": (State.FINDINGS, _plant_finding),
    "episode": (State.ANALYSIS, _plant_episode),
    "narrative entry": (State.DATA_GATHERING, _plant_narrative_entry),
    "board question": (State.FINDINGS, _plant_board_question),
    "an action's evidence": (State.APPROVED, _plant_action_evidence),
}


def _with_leak(wired: Wired, people: People, field_kind: str) -> tuple[Analysis, Source]:
    """A review driven to `approved` through the real services, with the leak planted on the way. The
    name is sealed in the register last (a register is often completed late): sealed earlier, the
    quality warning that a finding names a person would already stop it at sign-off."""
    stage, plant = PLANTERS[field_kind]
    a = Analysis(wired.reviews, people)
    a.gathering()
    source = plant(a) if stage == State.DATA_GATHERING else None
    a.narratives().begin_analysis()
    a.episode()
    if stage == State.ANALYSIS:
        source = plant(a)
    a.panel_submissions().draft_findings()
    a.finding()
    if stage == State.FINDINGS:
        source = plant(a)
    a.journey.fire("submit_for_signoff", a.cast.lead)
    to_approved(a)
    _seal(wired, a)
    if stage == State.APPROVED:
        source = plant(a)
    assert source is not None
    return a, source


@pytest.mark.parametrize("field_kind", list(PLANTERS))
def test_a_leak_in_each_kind_of_field_blocks_publish_at_its_place_until_it_is_corrected(
    wired: Wired, people: People, sessions: sessionmaker[Session], field_kind: str
) -> None:
    a, source = _with_leak(wired, people, field_kind)

    reasons = _refusal(a)
    (reason,) = reasons
    assert reason.startswith("Anonymisation check: A practitioner's name (register entry")
    assert f"in {source.describe()}:" in reason
    assert "use 'the dentist'" in reason and "seen in html, markdown" in reason
    assert "Greenwood" not in reason and "Rupert" not in reason  # the refusal never repeats the name

    check = wired.reports.anonymisation(review_id=a.review_id, actor=a.cast.chair)
    (hit,) = check.hits
    assert (hit.kind, hit.object_id, hit.field) == (source.kind.value, source.id, source.field)
    assert hit.matched.startswith(LEAK) and hit.correctable and hit.outputs == ("html", "markdown")
    with sessions() as session:
        assert published_for(session, a.review_id) is None

    current = {
        "finding text": "Three dental appointments were missed over four months.",
        "episode": "The dentist recorded three missed appointments.",
        "narrative entry": "The dentist wrote to the GP about the decay.",
        "board question": "Does the board know how dental practices record a child not brought?",
        "an action's evidence": "An audit shows the flag used in 31 of 40 records.",
    }[field_kind]
    if field_kind == "an action's evidence":
        # The board's words, written after the approval, are changed at `approved` where they stand.
        board = BoardService(a.reviews)
        view = board.actions(review_id=a.review_id, actor=a.cast.coordinator).items[0]
        board.update_action(
            review_id=a.review_id,
            actor=a.cast.coordinator,
            action_id=view.action.id,
            expected_version=view.action.version,
            command=ChangeAction(evidence_of_impact=current),
        )
        steps = ["update_action"]
    else:
        # What the chair approved is corrected only after reopening, and the chair approves again.
        a.journey.fire("reopen_for_correction", a.cast.coordinator, reason="A name is left in the report.")
        wired.reports.correct(
            review_id=a.review_id,
            actor=a.cast.chair,
            expected_version=a.journey.version,
            kind=source.kind.value,
            object_id=int(source.id or 0),
            field=source.field,
            value=current,
        )
        a.journey.fire("submit_for_signoff", a.cast.lead)
        a.journey.fire("approve", a.cast.chair)
        steps = ["reopen_for_correction", "correct_for_publication", "submit_for_signoff", "approve"]
    a.journey.fire("publish", a.cast.chair)

    with sessions() as session:
        published = published_for(session, a.review_id)
        assert published is not None and verify(published)
        assert b"Greenwood" not in b"".join(bytes(d.content) for d in published.documents)
        actions = [e.action for e in audit.entries_of(session, a.review_id)]
        assert actions[-len(steps) - 2 :] == [*steps, "freeze_publication", "publish"]
        assert audit.verify(session, a.review_id).intact


def test_publish_freezes_in_its_own_transaction_with_the_digest_in_its_audit_row(
    wired: Wired, people: People, sessions: sessionmaker[Session]
) -> None:
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    review = a.journey.fire("publish", a.cast.chair)
    assert review.state == State.PUBLISHED
    with sessions() as session:
        published = published_for(session, a.review_id)
        assert published is not None and published.variant == "full" and verify(published)
        assert {(d.kind, d.format) for d in published.documents} == {
            (kind, fmt) for kind in ("full", "practitioner") for fmt in ("html", "md")
        }
        entries = audit.entries_of(session, a.review_id)
        freeze_row, publish_row = entries[-2:]
        assert (freeze_row.action, publish_row.action) == ("freeze_publication", "publish")
        assert publish_row.params["digest"] == published.digest == freeze_row.params["digest"]
        assert publish_row.params["variant"] == "full"
        assert publish_row.to_state == State.PUBLISHED


def test_later_edits_never_change_what_was_published(
    wired: Wired, people: People, sessions: sessionmaker[Session]
) -> None:
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    a.journey.fire("publish", a.cast.chair)
    frozen = {
        kind: wired.reports.document(
            review_id=a.review_id, actor=a.cast.chair, kind=kind, fmt=Format.MARKDOWN
        )
        for kind in (DocumentKind.FULL, DocumentKind.PRACTITIONER)
    }
    # After publication the board's actions and responses still move on.
    board = BoardService(a.reviews)
    view = board.actions(review_id=a.review_id, actor=a.cast.coordinator).items[0]
    board.update_action(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        action_id=view.action.id,
        expected_version=view.action.version,
        command=ChangeAction(status="done", evidence_of_impact="A new audit: 38 of 40."),
    )
    finding = FindingService(a.reviews).get(
        review_id=a.review_id, actor=a.cast.chair, finding_id=a.finding_ids[0]
    )
    assert finding.response is not None
    board.record_response(
        review_id=a.review_id,
        actor=a.cast.chair,
        finding_id=finding.id,
        expected_version=finding.response.version,
        command=RecordBoardResponse(response="A changed response."),
    )
    for kind, document in frozen.items():
        again = wired.reports.document(
            review_id=a.review_id, actor=a.cast.chair, kind=kind, fmt=Format.MARKDOWN
        )
        assert again.content == document.content
    assert b"A changed response." not in frozen[DocumentKind.FULL].content
    with sessions() as session:
        published = published_for(session, a.review_id)
        assert published is not None and verify(published)
        stored = {(d.kind, d.format): bytes(d.content) for d in published.documents}
        assert stored[("full", "md")] == frozen[DocumentKind.FULL].content
    # The words of the reports can no longer be written either.
    with pytest.raises(TriggerRefused, match="Published"):
        wired.reports.write_texts(
            review_id=a.review_id,
            actor=a.cast.coordinator,
            expected_version=a.journey.version,
            case_summary="Rewritten after publication.",
        )


def test_decline_publication_freezes_the_summary_of_improvements(
    wired: Wired, people: People, sessions: sessionmaker[Session]
) -> None:
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    a.journey.fire("decline_publication", a.cast.chair, rationale="The family's privacy outweighs it.")
    with sessions() as session:
        published = published_for(session, a.review_id)
        assert published is not None and published.variant == "summary"
        assert {(d.kind, d.format) for d in published.documents} == {("summary", "html"), ("summary", "md")}
        summary = next(bytes(d.content) for d in published.documents if d.format == "md").decode()
        assert "Summary of improvements" in summary and "Response to finding 1" in summary
        assert "multi-agency narrative" not in summary
        row = audit.entries_of(session, a.review_id)[-1]
        assert row.action == "decline_publication" and row.params["digest"] == published.digest
        assert row.params["variant"] == "summary"


def test_a_leak_blocks_decline_publication_too(wired: Wired, people: People, sessions) -> None:
    a, source = _with_leak(wired, people, "board question")  # the summary holds the questions
    with pytest.raises(TriggerRefused) as refused:
        a.journey.fire("decline_publication", a.cast.chair, rationale="Privacy.")
    assert refused.value.trigger == "decline_publication"
    assert source.describe() in " ".join(refused.value.reasons)
    with sessions() as session:
        assert published_for(session, a.review_id) is None


def test_without_a_publisher_publishing_is_refused(sessions, clock, people) -> None:
    wired = wired_services(sessions, clock)
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    bare = ReviewService(sessions, analysis=wired.reviews._analysis, today=clock)  # no publisher
    with pytest.raises(TriggerRefused) as refused:
        bare.fire(a.review_id, "publish", a.cast.chair, a.journey.version)
    assert refused.value.reasons == (NO_PUBLISHER,)
    assert wired.reviews.get(a.review_id, a.cast.chair).review.state == State.APPROVED


def test_one_publish_renders_and_checks_once(
    wired: Wired, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    calls: list[DocumentKind] = []
    real_prepare = findings.publication.publisher.prepare

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["variant"])
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(findings.publication.publisher, "prepare", counting)
    options = wired.reviews.allowed_triggers(a.review_id, a.cast.chair)
    assert next(o for o in options if o.trigger == "publish").allowed
    wired.reviews.allowed_triggers(a.review_id, a.cast.chair)  # again: nothing changed, nothing rendered
    a.journey.fire("publish", a.cast.chair)  # the guard's check and the freeze share the prepared documents
    assert calls == [DocumentKind.FULL]


def test_listing_triggers_never_renders_and_shows_the_last_known_check(
    wired: Wired, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, source = _with_leak(wired, people, "finding text")
    calls: list[DocumentKind] = []
    real_prepare = findings.publication.publisher.prepare

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["variant"])
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(findings.publication.publisher, "prepare", counting)

    def publish_option():  # type: ignore[no-untyped-def]
        options = wired.reviews.allowed_triggers(a.review_id, a.cast.chair)
        return next(o for o in options if o.trigger == "publish")

    unknown = publish_option()
    assert calls == []  # nothing rendered to list the triggers
    assert unknown.allowed and ANONYMISATION_NOT_KNOWN in unknown.warnings
    checked = wired.reviews.allowed_triggers(a.review_id, a.cast.chair, check_anonymisation=True)
    assert calls == [DocumentKind.FULL]  # the publication page runs it
    (reason,) = next(o for o in checked if o.trigger == "publish").reasons
    assert reason.startswith("Anonymisation check:") and source.describe() in reason
    known = publish_option()
    assert not known.allowed and known.reasons == (reason,)  # the last known result, not rendered again
    assert calls == [DocumentKind.FULL]
    with pytest.raises(TriggerRefused):  # publishing checks again what it would freeze: still refused
        a.journey.fire("publish", a.cast.chair)
    assert calls == [DocumentKind.FULL]  # unchanged content: the cache, not a second render


def test_an_edit_after_the_check_is_checked_again(wired: Wired, people: People) -> None:
    """The cache is keyed by what the documents are made from: a change means a new check."""
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    assert wired.reports.anonymisation(review_id=a.review_id, actor=a.cast.coordinator).passed
    _seal(wired, a)
    board = BoardService(a.reviews)
    view = board.actions(review_id=a.review_id, actor=a.cast.coordinator).items[0]
    board.update_action(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        action_id=view.action.id,
        expected_version=view.action.version,
        command=ChangeAction(title="Jane Smith's dentist to flag missed appointments"),
    )
    check = wired.reports.anonymisation(review_id=a.review_id, actor=a.cast.coordinator)
    assert [(h.kind, h.field, h.what) for h in check.hits] == [("action", "title", "the child's name")]


@pytest.mark.pdf
def test_the_pdf_text_is_checked_too(sessions, clock, people) -> None:
    """With every format (as in production) the PDF's extracted text is scanned: the hit is seen in
    the PDF as well, and the frozen publication holds the checked PDF."""
    wired = wired_services(sessions, clock, formats=(Format.HTML, Format.MARKDOWN, Format.PDF))
    a, source = _with_leak(wired, people, "finding text")
    (reason,) = _refusal(a)
    assert "seen in html, pdf, markdown" in reason and source.describe() in reason
    check = wired.reports.anonymisation(review_id=a.review_id, actor=a.cast.chair)
    assert check.hits[0].outputs == ("html", "pdf", "markdown")
    a.journey.fire("reopen_for_correction", a.cast.chair, reason="A name is left in finding 1.")
    wired.reports.correct(
        review_id=a.review_id,
        actor=a.cast.chair,
        expected_version=a.journey.version,
        kind="finding",
        object_id=int(source.id or 0),
        field="how_it_showed",
        value="Three dental appointments were missed over four months.",
    )
    a.journey.fire("submit_for_signoff", a.cast.lead)
    a.journey.fire("approve", a.cast.chair)
    a.journey.fire("publish", a.cast.chair)
    with sessions() as session:
        published = published_for(session, a.review_id)
        assert published is not None
        pdf = next(d for d in published.documents if d.kind == "full" and d.format == "pdf")
        assert (
            bytes(pdf.content).startswith(b"%PDF") and pdf.sha256 == hashlib.sha256(pdf.content).hexdigest()
        )


def test_names_in_the_register_feed_the_person_named_warning(wired: Wired, people: People) -> None:
    a = Analysis(wired.reviews, people).gathering()
    a.narratives().begin_analysis()
    a.episode()
    a.panel_submissions().draft_findings()
    a.finding()
    findings = FindingService(a.reviews)
    finding = findings.get(review_id=a.review_id, actor=a.cast.lead, finding_id=a.finding_ids[0])
    findings.update(
        review_id=a.review_id,
        actor=a.cast.lead,
        finding_id=finding.id,
        expected_version=finding.version,
        command=ChangeFinding(context=f"{LEAK}'s practice holds part of the picture."),
    )
    assert not any(
        w.code == Code.PERSON_NAMED
        for w in wired.warnings.list(review_id=a.review_id, actor=a.cast.lead).items
    )
    _seal(wired, a)
    named = [
        w
        for w in wired.warnings.list(review_id=a.review_id, actor=a.cast.lead).items
        if w.code == Code.PERSON_NAMED
    ]
    assert [w.where.id for w in named] == [finding.id]


def test_corrections_are_for_the_coordinator_and_chair_at_findings_and_sign_off(
    wired: Wired, people: People
) -> None:
    from workflow.errors import InvalidInput, NotPermitted

    a = Analysis(wired.reviews, people).gathering()
    entry = a.narrative_service.add_entry(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        agency="Health",
        command=AddEntry(occurred_on=date(2025, 5, 2), what_happened="A letter."),
    )
    args = {"kind": "narrative_entry", "object_id": entry.id, "field": "what_happened", "value": "A note."}
    with pytest.raises(TriggerRefused, match="possible at: Findings, Chair's sign-off\\)"):
        wired.reports.correct(
            review_id=a.review_id, actor=a.cast.coordinator, expected_version=a.journey.version, **args
        )
    with pytest.raises(NotPermitted):
        wired.reports.correct(
            review_id=a.review_id, actor=a.cast.lead, expected_version=a.journey.version, **args
        )
    with pytest.raises(InvalidInput):
        wired.reports.correct(
            review_id=a.review_id,
            actor=a.cast.coordinator,
            expected_version=a.journey.version,
            **(args | {"field": "source_record"}),
        )

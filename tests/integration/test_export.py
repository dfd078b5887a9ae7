"""The JSON export of a whole review and its import into another Tunnelview: the round trip keeps the
content (export -> import -> export is identical, field by field, after the normalisation of
docs/export.md); an import never publishes and never writes history (the review starts at `referred`,
the file's log and publication kept as provenance that verifies against its own hashes, and tampering
with it is reported); the sealed register never leaves; a malformed file is refused with where it is
wrong, and nothing is saved."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from findings.analysis.conversations import AddComment, AddConversation
from findings.analysis.episodes import ChangeEpisode
from findings.analysis.family import AddFamilyContact, AddFamilyMember, FamilyService
from findings.analysis.findings import ChangeFinding, CommentOnFinding, FindingService
from findings.analysis.good_practice import AddGoodPractice, GoodPracticeService
from findings.analysis.independence import DeclareIndependence, IndependenceService
from findings.analysis.quality import Code
from findings.analysis.self_assessment import AssessMarker, SelfAssessmentService
from findings.analysis.themes import AddTheme, SetReviewThemes, ThemeService
from findings.analysis.warnings import AcknowledgeWarning
from findings.exchange import provenance
from findings.exchange.document import IMPORTED, normalised
from findings.exchange.export import dumps
from findings.exchange.models import (
    ImportedAuditEntry,
    ImportedDocument,
    ImportedProvenance,
    ProvenanceIsFixed,
)
from findings.exchange.reading import MAX_DEPTH, parse
from findings.exchange.service import ExportService
from findings.publication.freeze import published_for
from findings.publication.register import AddRegisterEntry
from tests.findings_support import Analysis, Wired, to_approved, wired_services
from tests.support import COMPLETE_NOTIFICATION, Clock, Journey, People
from workflow import audit, migrate
from workflow import people as people_module
from workflow.db import make_engine, make_session_factory
from workflow.errors import InvalidInput, NotPermitted, TriggerRefused
from workflow.models import PanelNotification, RapidReview, Review, User
from workflow.service import ReviewService
from workflow.states import State
from workflow.statutory import SendNotification


def rich_review(wired: Wired, people: People) -> Analysis:
    """A review with something in every part of the export, published through the real services."""
    a = Analysis(wired.reviews, people)
    a.journey.to(State.SCREENING)  # under WT2023: the rapid review sent, the panel's response recorded
    notify_the_panel(a.journey)
    a.gathering()
    rid, cast = a.review_id, a.cast
    wired.register.add(
        review_id=rid,
        actor=cast.coordinator,
        expected_version=a.journey.version,
        command=AddRegisterEntry(kind="child", value="Jane Smith", pseudonym="Alice"),
    )
    a.narratives().begin_analysis()
    themes = ThemeService(wired.reviews)
    themes.add(actor=cast.coordinator, command=AddTheme(label="Dental access"))
    themes.set_for_review(
        review_id=rid, actor=cast.lead, command=SetReviewThemes(themes=["neglect", "dental_access"])
    )
    conversation = a.conversation_service.add(
        review_id=rid,
        actor=cast.lead,
        command=AddConversation(
            practitioner_id=cast.practitioner,
            overview="I saw the family twice.",
            went_well="The school shared its notes.",
        ),
    )
    a.conversation_service.comment(
        review_id=rid,
        actor=cast.practitioner,
        conversation_id=conversation.id,
        command=AddComment(text="That is right."),
    )
    episode_id = a.episode()
    a.episodes.update(
        review_id=rid,
        actor=cast.lead,
        episode_id=episode_id,
        expected_version=a.episodes.get(review_id=rid, actor=cast.lead, episode_id=episode_id).version,
        command=ChangeEpisode(
            conversation_ids=[conversation.id],
            entry_ids=[
                e.id for e in a.narrative_service.get(review_id=rid, actor=cast.lead, agency="Health").entries
            ][:2],
        ),
    )
    second = a.episode("The school's notes were shared", "good")
    a.episodes.update(
        review_id=rid,
        actor=cast.lead,
        episode_id=second,
        expected_version=a.episodes.get(review_id=rid, actor=cast.lead, episode_id=second).version,
        command=ChangeEpisode(
            explanation="The health visitor failed to see the pattern; the school should have escalated."
        ),
    )
    GoodPracticeService(wired.reviews).add(
        review_id=rid,
        actor=cast.coordinator,
        command=AddGoodPractice(
            what_went_well="The school shared its attendance notes.",
            what_enabled_it="A weekly huddle.",
            agencies=["Education"],
            episode_id=second,
        ),
    )
    family = FamilyService(wired.reviews)
    mother = family.add(
        review_id=rid,
        actor=cast.lead,
        command=AddFamilyMember(
            pseudonym="Alice's mother",
            relationship="mother",
            invited_on=date(2026, 11, 2),
            wishes="taking_part",
            views="No one asked how the move had gone.",
        ),
    )
    family.add_contact(
        review_id=rid,
        actor=cast.coordinator,
        family_member_id=mother.id,
        command=AddFamilyContact(on=date(2026, 11, 9), means="meeting", note="At the family centre."),
    )
    IndependenceService(wired.reviews).declare(
        review_id=rid,
        actor=cast.lead,
        expected_version=None,
        command=DeclareIndependence(statement="Independent of every agency.", declared_on=date(2026, 11, 2)),
    )
    SelfAssessmentService(wired.reviews).assess(
        review_id=rid,
        actor=cast.coordinator,
        marker="family",
        expected_version=None,
        command=AssessMarker(rating="met", comment="The mother took part."),
    )
    a.panel_submissions().draft_findings()
    finding_id = a.finding()
    findings = FindingService(wired.reviews)
    findings.comment(
        review_id=rid,
        actor=cast.practitioner,
        finding_id=finding_id,
        command=CommentOnFinding(text="Agreed."),
    )
    finding = findings.get(review_id=rid, actor=cast.lead, finding_id=finding_id)
    findings.update(
        review_id=rid,
        actor=cast.lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=ChangeFinding(themes=["dental_access"]),
    )
    warning = next(
        w for w in wired.warnings.list(review_id=rid, actor=cast.lead).items if w.code != Code.INDIVIDUAL_ONLY
    )
    wired.warnings.acknowledge(
        review_id=rid,
        actor=cast.lead,
        fingerprint=warning.fingerprint,
        command=AcknowledgeWarning(reason="Deliberate wording."),
    )
    wired.reports.write_texts(
        review_id=rid,
        actor=cast.coordinator,
        expected_version=a.journey.version,
        case_summary="Alice, aged 6, was found in a neglected state.",
        methodology_note="Two lead reviewers and a review team of four agencies.",
        briefing={
            "lessons_learned": {
                "intro": ["There is a need for:"],
                "items": [
                    "Appointment systems that flag a child who is not brought",
                    {"text": "Information shared across", "children": ["dental practices", "GP practices"]},
                ],
            }
        },
    )
    a.journey.fire("submit_for_signoff", cast.lead)
    to_approved(a)
    a.journey.fire("publish", cast.chair)
    return a


def notify_the_panel(journey: Journey) -> None:
    statutory = journey.lifecycle.statutory
    for method, command in (
        (statutory.write_notification, COMPLETE_NOTIFICATION),
        (statutory.send_notification, SendNotification(on=date(2026, 11, 6))),
    ):
        method(
            review_id=journey.review_id,
            actor=journey.cast.coordinator,
            expected_version=journey.version,
            command=command,  # type: ignore[arg-type]
        )


STATUTORY_RECORDS = (PanelNotification, RapidReview)


def _records(session: Session, review_id: int) -> dict[str, dict[str, Any]]:
    """The review's statutory records as stored, but for the row's own bookkeeping."""
    out = {}
    for model in STATUTORY_RECORDS:
        row = session.get(model, review_id)
        assert row is not None, f"no {model.__tablename__} row"
        columns = (c.key for c in model.__table__.columns if c.key not in ("review_id", "updated_at"))
        out[model.__tablename__] = {key: getattr(row, key) for key in columns}
    return out


@pytest.fixture
def wired(sessions: sessionmaker[Session], clock: Clock) -> Wired:
    return wired_services(sessions, clock)


def test_export_import_export_keeps_the_content(
    wired: Wired, people: People, sessions: sessionmaker[Session]
) -> None:
    a = rich_review(wired, people)
    exports = ExportService(wired.reviews)
    first = exports.export(review_id=a.review_id, actor=a.cast.coordinator)
    text = dumps(first)

    imported = exports.import_(data=text, actor=a.cast.coordinator)
    assert imported.id != a.review_id
    second = exports.export(review_id=imported.id, actor=a.cast.coordinator)

    assert second["source"] == {"review_id": imported.id}
    assert [row["action"] for row in second["history"]] == [IMPORTED]
    assert second["history"][0]["params"]["from_review_id"] == a.review_id
    assert normalised(second) == normalised(first)
    assert first["acknowledgements"][0]["on"] is not None  # re-keyed to the imported objects
    assert dumps(normalised(second)) == dumps(normalised(first))  # the same text, key order included
    for part in (
        "panel_notification",
        "rapid_review",
        "narratives",
        "conversations",
        "episodes",
        "factors",
        "panel_submissions",
        "good_practice",
        "family",
        "independence",
        "quality",
        "findings",
        "actions",
        "report_texts",
        "partnership_themes",
        "acknowledgements",
    ):
        assert first[part], f"the rich review has nothing in {part}"
    assert first["review"]["criteria_answers"] == second["review"]["criteria_answers"] != {}
    assert first["panel_notification"]["sent_on"] == "2026-11-06"
    assert first["panel_notification"]["known_to"] == ["Police", "Health"]
    assert (first["rapid_review"]["panel_response"], first["rapid_review"]["panel_response_on"]) == (
        "agrees",
        "2026-11-26",
    )
    with sessions() as session:
        assert _records(session, imported.id) == _records(session, a.review_id)
        assert audit.verify(session, imported.id).intact
        kept = provenance.provenance_of(session, imported.id)
        assert kept is not None
        assert [(row.seq, row.action, row.hash) for row in kept.history] == [
            (row["seq"], row["action"], row["hash"]) for row in first["history"]
        ]
        assert [(d.kind, d.format, d.sha256) for d in kept.documents] == [
            (d["kind"], d["format"], d["sha256"]) for d in first["publication"]["documents"]
        ]


INCIDENT_CLOCKS = ("notification", "rapid_review")


def test_an_imported_review_keeps_its_clocks_met_and_so_does_its_import_elsewhere(
    wired: Wired, people: People, sessions: sessionmaker[Session]
) -> None:
    # The notification and the rapid review were sent in the exporting system: the imported review's
    # `imported` row carries those rows, so their clocks stand met as they did there instead of showing
    # overdue (and an import of the imported review carries them on). The review itself starts again
    # at `referred`: its decision's clocks start when it is decided here.
    a = rich_review(wired, people)
    exports = ExportService(wired.reviews)

    def clocks(review_id: int) -> list[tuple[str, date, date | None, bool]]:
        detail = wired.reviews.get(review_id, a.cast.coordinator)
        return [(c.key, c.due, c.met_on, c.overdue) for c in detail.clocks if c.key in INCIDENT_CLOCKS]

    original = clocks(a.review_id)
    assert len(original) == 2 and all(met for _, _, met, _ in original), original
    once = exports.import_(
        data=dumps(exports.export(review_id=a.review_id, actor=a.cast.coordinator)), actor=a.cast.coordinator
    )
    twice = exports.import_(
        data=dumps(exports.export(review_id=once.id, actor=a.cast.coordinator)), actor=a.cast.coordinator
    )
    assert clocks(once.id) == original
    assert clocks(twice.id) == original
    with sessions() as session:
        for review_id in (once.id, twice.id):
            report = provenance.verify(session, review_id)
            assert report is not None and report.intact, report


def test_a_file_claiming_published_yields_a_review_at_referred_with_no_publication(
    wired: Wired, people: People, sessions: sessionmaker[Session]
) -> None:
    a = rich_review(wired, people)
    exports = ExportService(wired.reviews)
    text = dumps(exports.export(review_id=a.review_id, actor=a.cast.coordinator))
    assert json.loads(text)["review"]["state"] == State.PUBLISHED

    imported = exports.import_(data=text, actor=a.cast.coordinator)
    with sessions() as session:
        review = session.get(Review, imported.id)
        assert review is not None
        assert (review.state, review.route, review.decision_rationale) == (State.REFERRED, None, None)
        assert published_for(session, imported.id) is None
        own = audit.entries_of(session, imported.id)
        assert [(e.seq, e.action, e.to_state) for e in own] == [(1, IMPORTED, State.REFERRED)]
        assert own[0].params["sha256"] == hashlib.sha256(text.encode()).hexdigest()
        assert own[0].params["state_there"] == State.PUBLISHED
        kept = provenance.provenance_of(session, imported.id)
        assert kept is not None and (kept.state, kept.route) == (State.PUBLISHED, "statutory")
    report = exports.provenance(review_id=imported.id, actor=a.cast.coordinator)
    assert report is not None and report.report.intact, report and report.report.problems
    assert report.report.hashed and report.report.entries == len(json.loads(text)["history"])
    assert str(report.report).startswith(f"provenance intact: review {a.review_id}'s log (")
    # Only `publish` publishes: the review must pass every stage here first.
    with pytest.raises(TriggerRefused):
        wired.reviews.fire(imported.id, "publish", a.cast.chair, imported.version)
    assert exports.provenance(review_id=a.review_id, actor=a.cast.coordinator) is None


TAMPERING = {
    "a row changed": (
        lambda kept: (
            update(ImportedAuditEntry)
            .where(ImportedAuditEntry.provenance_id == kept.id, ImportedAuditEntry.seq == 2)
            .values(reason="rewritten")
        ),
        "imported log: entry #2 was changed: its contents do not match its hash",
    ),
    "the newest rows removed": (
        lambda kept: delete(ImportedAuditEntry).where(
            ImportedAuditEntry.provenance_id == kept.id, ImportedAuditEntry.seq > kept.history_count - 2
        ),
        "imported log: 2 entries missing after #{n}: the import records {total}, {n} are present",
    ),
    "a document changed": (
        lambda kept: (
            update(ImportedDocument)
            .where(ImportedDocument.provenance_id == kept.id, ImportedDocument.format == "html")
            .values(content=b"<p>Something else</p>")
        ),
        "does not match its SHA-256 or size",
    ),
    "the standing there changed": (
        lambda kept: (
            update(ImportedProvenance).where(ImportedProvenance.id == kept.id).values(state="approved")
        ),
        "the provenance is not what the review's `imported` entry recorded of the file",
    ),
}


@pytest.mark.parametrize("tampering", list(TAMPERING))
def test_tampered_provenance_is_reported(
    wired: Wired, people: People, sessions: sessionmaker[Session], tampering: str
) -> None:
    a = rich_review(wired, people)
    exports = ExportService(wired.reviews)
    imported = exports.import_(
        data=dumps(exports.export(review_id=a.review_id, actor=a.cast.coordinator)), actor=a.cast.coordinator
    )
    statement, expected = TAMPERING[tampering]
    with sessions() as session:
        kept = provenance.provenance_of(session, imported.id)
        assert kept is not None
        session.execute(statement(kept))
        session.commit()
        expected = expected.format(n=kept.history_count - 2, total=kept.history_count)
    checked = exports.provenance(review_id=imported.id, actor=a.cast.coordinator)
    assert checked is not None and not checked.report.intact
    assert any(expected in problem for problem in checked.report.problems), checked.report.problems
    assert str(checked.report).startswith("provenance not intact: ")


def test_provenance_cannot_be_changed_through_the_orm(
    wired: Wired, people: People, sessions: sessionmaker[Session]
) -> None:
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    exports = ExportService(wired.reviews)
    imported = exports.import_(
        data=dumps(exports.export(review_id=a.review_id, actor=a.cast.coordinator)), actor=a.cast.coordinator
    )
    with sessions() as session:
        kept = provenance.provenance_of(session, imported.id)
        assert kept is not None
        kept.history[0].reason = "rewritten"
        with pytest.raises(ProvenanceIsFixed):
            session.flush()


def test_the_export_never_holds_the_sealed_register(wired: Wired, people: People) -> None:
    a = rich_review(wired, people)
    text = dumps(ExportService(wired.reviews).export(review_id=a.review_id, actor=a.cast.coordinator))
    assert "Jane Smith" not in text and "register_entries" not in text
    assert "Jane" not in text


def test_only_the_coordinator_exports_and_only_coordinators_import(wired: Wired, people: People) -> None:
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    exports = ExportService(wired.reviews)
    with pytest.raises(NotPermitted):
        exports.export(review_id=a.review_id, actor=a.cast.chair)
    text = dumps(exports.export(review_id=a.review_id, actor=a.cast.coordinator))
    with pytest.raises(NotPermitted):
        exports.import_(data=text, actor=a.cast.chair)


def _count(sessions: sessionmaker[Session], model: Any) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _broken(document: dict[str, Any], change: str) -> dict[str, Any] | str:
    doc = copy.deepcopy(document)
    if change == "not json":
        return "{ this is not json"
    if change == "not an export":
        doc["format"] = "something else"
    elif change == "missing field":
        del doc["review"]["child_pseudonym"]
    elif change == "wrong type":
        doc["narratives"][0]["entries"][0]["occurred_on"] = "the third of March"
    elif change == "unknown reference":
        doc["episodes"][0]["entries"] = ["entry-999"]
    elif change == "tampered publication":
        content = base64.b64decode(doc["publication"]["documents"][0]["content"]) + b"<!-- changed -->"
        doc["publication"]["documents"][0]["content"] = base64.b64encode(content).decode()
    elif change == "unknown field":
        doc["findings"][0]["colour"] = "blue"
    elif change == "history changed":
        doc["history"][1]["reason"] = "It was always like this."
    elif change == "unknown quality marker":
        by = doc["people"][0]["ref"]
        doc["quality"] = [
            {"marker": "colour_of_the_cover", "rating": "met", "comment": "", "assessed_by": by}
        ]
    elif change == "unknown panel response":
        doc["rapid_review"]["panel_response"] = "perhaps"
    elif change == "panel response before the rapid review was sent":
        doc["rapid_review"]["panel_response_on"] = "2026-01-05"
    elif change == "unknown age band":
        doc["panel_notification"] = {"age_band": "ancient", "sent_on": "2026-11-06"}
    elif change == "rapid review under a regime without one":
        doc["review"]["regime_version"] = 1
    elif change == "declaration of someone else":
        doc["independence"] = [
            {"membership": "member-999", "statement": "Independent.", "declared_on": "2026-11-02"}
        ]
    return doc


BROKEN = {
    "not json": "file",
    "not an export": "format",
    "missing field": "review.child_pseudonym",
    "wrong type": "narratives.0.entries.0.occurred_on",
    "unknown reference": "episodes.0.entries.0",
    "tampered publication": "publication.documents.0.sha256",
    "unknown field": "findings.0.colour",
    "history changed": "history.1.hash",
    "unknown quality marker": "quality.0.marker",
    "declaration of someone else": "independence.0.membership",
    "unknown panel response": "rapid_review.panel_response",
    "panel response before the rapid review was sent": "rapid_review.panel_response_on",
    "unknown age band": "panel_notification.age_band",
    "rapid review under a regime without one": "rapid_review",
}


@pytest.mark.parametrize("change", list(BROKEN))
def test_a_malformed_import_says_where_and_saves_nothing(
    wired: Wired, people: People, sessions: sessionmaker[Session], change: str
) -> None:
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    a.journey.fire("publish", a.cast.chair)
    exports = ExportService(wired.reviews)
    document = exports.export(review_id=a.review_id, actor=a.cast.coordinator)
    counted = (Review, User, *STATUTORY_RECORDS)
    before = {model: _count(sessions, model) for model in counted}
    broken = _broken(document, change)
    with pytest.raises(InvalidInput) as refused:
        exports.import_(
            data=broken if isinstance(broken, str) else json.dumps(broken), actor=a.cast.coordinator
        )
    assert BROKEN[change] in refused.value.errors, refused.value.errors
    assert {model: _count(sessions, model) for model in counted} == before


def test_a_failure_while_writing_saves_nothing(
    wired: Wired, people: People, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    import findings.exchange.provenance

    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    exports = ExportService(wired.reviews)
    text = dumps(exports.export(review_id=a.review_id, actor=a.cast.coordinator))
    before = _count(sessions, Review)

    def broken_history(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(findings.exchange.provenance, "record", broken_history)
    with pytest.raises(RuntimeError):
        exports.import_(data=text, actor=a.cast.coordinator)
    assert _count(sessions, Review) == before


def test_import_into_another_tunnelview(wired: Wired, people: People, tmp_path: Path) -> None:
    """A second database: people unknown there arrive as inactive accounts; the importer becomes the
    review's coordinator; the content is the same."""
    a = rich_review(wired, people)
    document = ExportService(wired.reviews).export(review_id=a.review_id, actor=a.cast.coordinator)

    url = f"sqlite:///{tmp_path / 'other.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        other_sessions = make_session_factory(engine)
        with other_sessions() as session:
            importer = people_module.create_user(
                session,
                email="coordinator@other.example.org",
                name="Olive Other",
                role="coordinator",
                password_hash=None,
            ).id
            session.commit()
        other = ReviewService(other_sessions)
        review = ExportService(other).import_(data=dumps(document), actor=importer)
        again = ExportService(other).export(review_id=review.id, actor=importer)
        with other_sessions() as session:
            users = {u.email: u for u in session.scalars(select(User))}
            assert not users[document["people"][0]["email"]].active
        assert again["memberships"][:-1] == document["memberships"]
        assert again["memberships"][-1]["role"] == "coordinator"
        for part in ("narratives", "episodes", "findings", "actions", "report_texts"):
            assert again[part] == document[part]
        assert again["publication"] is None and again["review"]["state"] == "referred"
        kept = ExportService(other).provenance(review_id=review.id, actor=importer)
        assert kept is not None and kept.report.intact
        assert kept.report.documents == len(document["publication"]["documents"])
    finally:
        engine.dispose()


def test_parse_reads_an_export_and_names_the_format(wired: Wired, people: People) -> None:
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    document = ExportService(wired.reviews).export(review_id=a.review_id, actor=a.cast.coordinator)
    parsed = parse(dumps(document))
    assert parsed.review.child_pseudonym == "Alice" and parsed.format == "tunnelview.review"
    with pytest.raises(InvalidInput, match="version"):
        parse(json.dumps(document | {"version": 2}))


def test_nesting_is_bounded_before_the_json_is_decoded_and_brackets_in_words_do_not_count(
    wired: Wired, people: People
) -> None:
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    document = ExportService(wired.reviews).export(review_id=a.review_id, actor=a.cast.coordinator)
    document["review"]["incident_summary"] = "[{" * 5_000
    assert parse(json.dumps(document)).review.incident_summary == "[{" * 5_000

    too_deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    for text in (too_deep, "[" * 1_000_000, json.dumps(document)[:-1] + ', "deep": ' + too_deep + "}"):
        with pytest.raises(InvalidInput) as refused:
            parse(text)
        assert refused.value.errors == {
            "file": f"The file nests arrays and objects more than {MAX_DEPTH} deep; no export does."
        }
    with pytest.raises(InvalidInput) as at_the_bound:
        parse("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert at_the_bound.value.errors == {
        "file": "The file must hold one JSON object (a Tunnelview review export)."
    }


def test_an_export_without_the_statutory_records_imports_without_them(
    wired: Wired, people: People, sessions: sessionmaker[Session]
) -> None:
    """A file written before the export carried them (or from a review that has none)."""
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    exports = ExportService(wired.reviews)
    document = exports.export(review_id=a.review_id, actor=a.cast.coordinator)
    assert document["rapid_review"] is not None
    del document["panel_notification"], document["rapid_review"]

    imported = exports.import_(data=dumps(document), actor=a.cast.coordinator)
    with sessions() as session:
        assert [session.get(model, imported.id) for model in STATUTORY_RECORDS] == [None, None]
        assert audit.verify(session, imported.id).intact
    again = exports.export(review_id=imported.id, actor=a.cast.coordinator)
    assert (again["panel_notification"], again["rapid_review"]) == (None, None)


def test_an_older_export_without_hashes_is_kept_and_checked_against_its_digest(
    wired: Wired, people: People, sessions: sessionmaker[Session]
) -> None:
    a = to_approved(Analysis(wired.reviews, people).to_sign_off())
    exports = ExportService(wired.reviews)
    document = exports.export(review_id=a.review_id, actor=a.cast.coordinator)
    for row in document["history"]:
        for key in ("seq", "actor_id", "hash"):
            del row[key]
    imported = exports.import_(data=dumps(document), actor=a.cast.coordinator)
    checked = exports.provenance(review_id=imported.id, actor=a.cast.coordinator)
    assert checked is not None and checked.report.intact and not checked.report.hashed
    assert "which carried no hashes" in str(checked.report)
    with sessions() as session:
        kept = provenance.provenance_of(session, imported.id)
        assert kept is not None
        session.execute(
            update(ImportedAuditEntry)
            .where(ImportedAuditEntry.provenance_id == kept.id, ImportedAuditEntry.seq == 1)
            .values(reason="rewritten")
        )
        session.commit()
    checked = exports.provenance(review_id=imported.id, actor=a.cast.coordinator)
    assert checked is not None and checked.report.problems == (
        "imported log: the entries are not the ones kept at the import (their digest differs)",
    )

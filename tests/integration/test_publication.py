"""Publication: the checked documents are frozen with their hashes; a leak blocks `publish` until it is
fixed; later edits never change what was published."""

from __future__ import annotations

import dataclasses
import hashlib
import io

import pytest
from cryptography.fernet import Fernet, MultiFernet
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from api.demo.reference_cases import ALICE
from findings.publication.freeze import (
    ALL_FORMATS,
    anonymisation_hits,
    digest_of,
    freeze,
    prepare,
    published_document,
    published_for,
    summary_of_improvements,
    verify,
)
from findings.publication.models import FrozenPublication
from findings.publication.register import AddRegisterEntry, RegisterService, sealed_identifiers
from findings.publication.render import DocumentKind, Format
from findings.publication.view_model import ReportData
from tests.report_factory import PLANTERS, sample_report
from tests.support import SATISFIED, FakeAnalysis, Journey, People, record_report_notices
from workflow import audit
from workflow.errors import TriggerRefused
from workflow.models import Review
from workflow.service import ReviewService
from workflow.states import State

CIPHER = MultiFernet([Fernet(Fernet.generate_key())])


@pytest.fixture(scope="module")
def report() -> ReportData:
    return sample_report(findings=3, entries=6, episodes=1)


@pytest.fixture
def approved(service: ReviewService, people: People) -> Journey:
    return Journey(service, people).to(State.APPROVED)


def _seal_alice(service: ReviewService, journey: Journey) -> None:
    register = RegisterService(service, cipher=CIPHER)
    register.add(
        review_id=journey.review_id,
        actor=journey.cast.coordinator,
        expected_version=journey.version,
        command=AddRegisterEntry(kind="child", value="Jane Smith", pseudonym="Alice"),
    )
    register.add(
        review_id=journey.review_id,
        actor=journey.cast.coordinator,
        expected_version=journey.version,
        command=AddRegisterEntry(kind="practitioner", value="Rupert Greenwood", pseudonym="the GP"),
    )


@pytest.mark.pdf
def test_freeze_stores_exactly_what_was_checked(
    approved: Journey, sessions: sessionmaker[Session], report: ReportData
) -> None:
    prepared = prepare(report, (), briefing=ALICE)
    with sessions() as session:
        review = session.get(Review, approved.review_id)
        assert review is not None
        published = freeze(session, review, prepared, actor_id=approved.cast.chair)
        session.commit()
        published_id = published.id
    with sessions() as session:
        stored = published_for(session, approved.review_id)
        assert stored is not None and stored.id == published_id and verify(stored)
        assert stored.variant == "full" and stored.digest == digest_of(prepared.documents)
        assert len(stored.documents) == 6
        for document in prepared.documents:
            row = published_document(session, approved.review_id, document.kind, document.format)
            assert row is not None
            assert bytes(row.content) == document.content
            assert row.sha256 == hashlib.sha256(document.content).hexdigest() == document.sha256
            assert row.media_type == document.media_type
        pdf = published_document(session, approved.review_id, DocumentKind.FULL, Format.PDF)
        assert pdf is not None and len(PdfReader(io.BytesIO(bytes(pdf.content))).pages) > 1
        entries = audit.entries_of(session, approved.review_id)
        (row,) = [e for e in entries if e.action == "freeze_publication"]
        assert row.params["digest"] == stored.digest
        assert {d["sha256"] for d in row.params["documents"]} == {d.sha256 for d in prepared.documents}
        assert audit.verify(session, approved.review_id).intact


def test_later_edits_never_change_what_was_published(
    approved: Journey, sessions: sessionmaker[Session], report: ReportData
) -> None:
    prepared = prepare(report, (), formats=[Format.HTML])
    with sessions() as session:
        review = session.get(Review, approved.review_id)
        assert review is not None
        freeze(session, review, prepared, actor_id=approved.cast.chair)
        session.commit()
    edited = dataclasses.replace(
        report,
        findings=(
            dataclasses.replace(
                report.findings[0],
                statement=dataclasses.replace(report.findings[0].statement, value="A different statement."),
            ),
            *report.findings[1:],
        ),
    )
    again = prepare(edited, (), formats=[Format.HTML])
    assert again.documents[0].sha256 != prepared.documents[0].sha256
    with sessions() as session:
        review = session.get(Review, approved.review_id)
        assert review is not None
        with pytest.raises(TriggerRefused, match="already published"):
            freeze(session, review, again, actor_id=approved.cast.chair)
        session.rollback()
        stored = published_for(session, approved.review_id)
        assert stored is not None
        assert bytes(stored.documents[0].content) == prepared.documents[0].content
        stored.documents[0].content = b"tampered"
        with pytest.raises(FrozenPublication):
            session.flush()
        session.rollback()
        stored = published_for(session, approved.review_id)
        assert stored is not None
        session.delete(stored)
        with pytest.raises(FrozenPublication):
            session.flush()


def test_freeze_refuses_while_the_check_has_hits(
    approved: Journey, sessions: sessionmaker[Session], report: ReportData
) -> None:
    from findings.publication.identifiers import Identifier, IdentifierKind

    leaky, _ = PLANTERS["finding text"](report, "Jane Smith")
    prepared = prepare(
        leaky, [Identifier(1, IdentifierKind.CHILD, "Jane Smith", "Alice")], formats=[Format.MARKDOWN]
    )
    with sessions() as session:
        review = session.get(Review, approved.review_id)
        assert review is not None
        with pytest.raises(TriggerRefused) as refused:
            freeze(session, review, prepared, actor_id=approved.cast.chair)
        assert "Finding 2" in str(refused.value) and "Jane" not in str(refused.value)
        assert published_for(session, approved.review_id) is None


@pytest.mark.pdf
def test_declined_publication_freezes_the_summary_of_improvements(
    approved: Journey, sessions: sessionmaker[Session], report: ReportData
) -> None:
    prepared = summary_of_improvements(report, ())
    with sessions() as session:
        review = session.get(Review, approved.review_id)
        assert review is not None
        freeze(session, review, prepared, actor_id=approved.cast.chair)
        session.commit()
        stored = published_for(session, approved.review_id)
        assert stored is not None and stored.variant == "summary"
        assert {(d.kind, d.format) for d in stored.documents} == {("summary", f.value) for f in ALL_FORMATS}


@pytest.mark.pdf
@pytest.mark.parametrize("field_kind", list(PLANTERS))
def test_a_leak_blocks_publish_at_the_right_place_until_it_is_fixed(
    service: ReviewService,
    people: People,
    analysis: FakeAnalysis,
    sessions: sessionmaker[Session],
    report: ReportData,
    field_kind: str,
) -> None:
    """The lifecycle guard refuses `publish` while the check finds a sealed identifier, naming where;
    after the fix it publishes and the checked documents are frozen."""
    journey = Journey(service, people).to(State.APPROVED)
    _seal_alice(service, journey)
    record_report_notices(
        journey.lifecycle.notices,
        journey.review_id,
        journey.cast.chair,
        journey.version,
        on=journey.today.replace(day=2),
    )

    def check(current: ReportData) -> None:
        with sessions() as session:
            identifiers = sealed_identifiers(session, journey.review_id, CIPHER)
        hits = anonymisation_hits(current, identifiers, briefing=ALICE)
        analysis.snapshot_value = dataclasses.replace(SATISFIED, anonymisation_hits=hits)

    leaky, source = PLANTERS[field_kind](report, "Rupert Greenwood")
    check(leaky)
    with pytest.raises(TriggerRefused) as refused:
        journey.fire("publish", journey.cast.chair)
    (reason,) = refused.value.reasons
    assert reason.startswith("Anonymisation check: A practitioner's name (register entry")
    assert source.describe() in reason
    assert "Greenwood" not in reason

    fixed, _ = PLANTERS[field_kind](report, "the GP")
    check(fixed)
    journey.fire("publish", journey.cast.chair)
    with sessions() as session:
        identifiers = sealed_identifiers(session, journey.review_id, CIPHER)
        review = session.get(Review, journey.review_id)
        assert review is not None and review.state == State.PUBLISHED
        freeze(
            session,
            review,
            prepare(fixed, identifiers, briefing=ALICE, formats=[Format.HTML]),
            actor_id=journey.cast.chair,
        )
        session.commit()
        assert published_for(session, journey.review_id) is not None


def test_when_the_check_cannot_run_the_guard_refuses(report: ReportData) -> None:
    broken = dataclasses.replace(report, meta=None)  # type: ignore[arg-type]
    assert anonymisation_hits(broken, ()) is None

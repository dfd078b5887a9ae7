"""The service behind the report routes and commands: a review's documents (drafts for its members,
the frozen ones once published), the words written for the reports, the anonymisation check as the
coordinator and chair see it (with corrections in place), and the published documents any signed-in
user of the partnership may read.

Every method is keyword-only, takes the acting user's id, owns its transaction and commits once; every
change appends one audit row (which raises the review's version, the ETag of the API).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from findings.analysis import models as m
from findings.publication import corrections
from findings.publication.assemble import load, report_data, report_texts, review_type
from findings.publication.briefings import board_briefing, briefing_data
from findings.publication.freeze import check_document, published_for
from findings.publication.identifiers import Identifier, build_rules
from findings.publication.models import PublishedReport, ReportTexts
from findings.publication.publisher import Publishing
from findings.publication.render import DocumentKind, Format, Rendered, html_to_docx, render
from findings.publication.sources import Source
from findings.publication.texts import APPROVED_TEXTS, TEXT_FIELDS, TEXT_LIMIT, checked_text, clean_briefing
from workflow import audit, policy
from workflow.errors import InvalidInput, NotAtThisStage, NotFound, NotPermitted, TriggerRefused
from workflow.models import Review, utcnow
from workflow.policy import READERS
from workflow.service import ReviewService
from workflow.states import ReviewRole, State

# ---- what the service returns ------------------------------------------------------------------


@dataclass(frozen=True)
class TextsView:
    review_id: int
    version: int  # the review's version
    partnership: str
    case_summary: str
    methodology_note: str
    board_response: str
    briefing: Mapping[str, Any]  # the sections the coordinator wrote (others are derived)


@dataclass(frozen=True)
class HitPlace:
    """One record and field an anonymisation hit stands in (a hit that runs across items, such as a
    date printed after another entry's "born", stands in each of them)."""

    kind: str  # the source kind
    object_id: int | str | None
    field: str
    where: str  # in words, never the real words
    words: str  # the real words of the hit in this place
    owner: int | str | None  # the finding of evidence, a question or a response; a narrative's agency
    correctable: bool  # `ReportService.correct` takes it


@dataclass(frozen=True)
class HitView:
    """One anonymisation hit for the coordinator and chair: where it stands and what was found."""

    what: str
    entry_id: int | str | None
    pseudonym: str | None
    where: str
    kind: str | None  # the source kind, id and field: what `correct` takes
    object_id: int | str | None
    field: str | None
    outputs: tuple[str, ...]
    count: int
    context: str  # masked
    matched: str  # the real words found
    page: int | None
    correctable: bool
    places: tuple[HitPlace, ...] = ()  # none: the report's own words (a template, a label)


@dataclass(frozen=True)
class CheckView:
    review_id: int
    ran: bool  # False: the check could not run (e.g. no register key); publishing is refused
    outputs: tuple[str, ...]
    hits: tuple[HitView, ...]
    problem: str | None = None

    @property
    def passed(self) -> bool:
        return self.ran and not self.hits


@dataclass(frozen=True)
class PublishedDocumentView:
    kind: str
    format: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class PublishedView:
    review_id: int
    child_pseudonym: str
    review_type: str
    variant: str  # full | summary
    published_at: datetime
    digest: str
    documents: tuple[PublishedDocumentView, ...]


def _reopen_hint(review: Review) -> str:
    if review.state == State.APPROVED:
        return " The chair has approved the report: reopen the review for correction to change it."
    return ""


def _texts_view(review: Review, texts: ReportTexts | None) -> TextsView:
    return TextsView(
        review_id=review.id,
        version=review.version,
        partnership=texts.partnership if texts else "",
        case_summary=texts.case_summary if texts else "",
        methodology_note=texts.methodology_note if texts else "",
        board_response=texts.board_response if texts else "",
        briefing=dict(texts.briefing) if texts else {},
    )


class ReportService:
    def __init__(
        self, reviews: ReviewService, publishing: Publishing, *, today: Callable[[], date] = date.today
    ) -> None:
        self._reviews = reviews
        self.publishing = publishing
        self._today = today

    # ---- transactions ---------------------------------------------------------------------------

    @contextmanager
    def _member(self, review_id: int, actor: int) -> Iterator[tuple[Session, Review, frozenset[ReviewRole]]]:
        with self._reviews.session() as session:
            review, roles = self._reviews.load(session, review_id, actor)
            yield session, review, roles

    @contextmanager
    def _change(
        self, review_id: int, actor: int, expected_version: int | None, action: str
    ) -> Iterator[tuple[Session, Review]]:
        """A change named in `workflow.policy`: role, then the review's version, then its stage."""
        with self._reviews.session() as session:
            review, roles = self._reviews.load(session, review_id, actor, for_change=True)
            refused = policy.role_refusal(roles, action)
            if refused:
                raise NotPermitted(refused)
            self._reviews.check_version(review, expected_version)
            refused = policy.stage_refusal(review.state, action)
            if refused:
                raise NotAtThisStage(action, refused + _reopen_hint(review))
            yield session, review
            session.commit()

    # ---- a review's documents (members) ---------------------------------------------------------

    def document(self, *, review_id: int, actor: int, kind: DocumentKind, fmt: Format) -> Rendered:
        """The review's full report or practitioner briefing: once published, exactly the frozen
        document; before, a draft rendered from the analysis as it stands (not checked: drafts stay
        with the review's members; the draft full report with the review team, as it holds the
        narratives)."""
        if kind not in (DocumentKind.FULL, DocumentKind.PRACTITIONER):
            raise InvalidInput({"kind": "A review's documents are 'full' and 'practitioner'."})
        with self._member(review_id, actor) as (session, review, roles):
            frozen = published_for(session, review.id)
            if frozen is not None:
                stored = _frozen(frozen, kind, fmt)
                if stored is not None:
                    return stored
            if kind == DocumentKind.FULL and not roles & READERS["draft_report"]:
                raise NotPermitted(
                    "The draft report holds every agency's narrative, which the case group does not see; "
                    "it is yours to read once it is published."
                )
            content = load(session, review)
            partnership = self.publishing.partnership
            data = (
                report_data(content, partnership=partnership)
                if kind == DocumentKind.FULL
                else briefing_data(content, partnership=partnership)
            )
            return render(kind, data, fmt)

    # ---- the words written for the reports --------------------------------------------------------

    def texts(self, *, review_id: int, actor: int) -> TextsView:
        with self._member(review_id, actor) as (session, review, _roles):
            return _texts_view(review, report_texts(session, review.id))

    def write_texts(
        self, *, review_id: int, actor: int, expected_version: int | None, **fields: Any
    ) -> TextsView:
        """Write the case summary, methodology note, the board's overall response, the partnership's
        name on the documents, or the practitioner briefing (coordinator, lead reviewer or chair,
        until the review is published; the case summary, methodology note and briefing only until the
        chair approves, as they are part of what the chair approves). Only the fields given change."""
        unknown = set(fields) - set(TEXT_FIELDS)
        if unknown:
            raise InvalidInput({name: "This field cannot be changed here." for name in sorted(unknown)})
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "briefing":
                values[name] = clean_briefing(value)
            else:
                values[name] = checked_text(value, name, errors, 200 if name == "partnership" else TEXT_LIMIT)
        if errors:
            raise InvalidInput(errors)
        with self._change(review_id, actor, expected_version, "write_board_texts") as (session, review):
            texts = report_texts(session, review.id)
            if texts is None:
                texts = ReportTexts(
                    review_id=review.id, partnership="", case_summary="", methodology_note="", briefing={}
                )
                session.add(texts)
            if any(getattr(texts, name) != values[name] for name in APPROVED_TEXTS & set(values)):
                # Words the chair approves (the roles are those of `write_board_texts`, checked above).
                refused = policy.stage_refusal(review.state, "write_report_texts")
                if refused:
                    raise NotAtThisStage("write_report_texts", refused + _reopen_hint(review))
            for name, value in values.items():
                setattr(texts, name, value)
            texts.updated_at = utcnow()
            session.flush()
            audit.append(
                session,
                review,
                actor_id=actor,
                action="write_report_texts",
                params={"fields": sorted(values)},
            )
            return _texts_view(review, texts)

    # ---- the anonymisation check (coordinator and chair) -------------------------------------------

    def anonymisation(self, *, review_id: int, actor: int) -> CheckView:
        """The check of what the review would publish today, each hit with where it stands and the
        real words found (so it is audited, like opening the register)."""
        with self._reviews.session() as session:
            review, roles = self._reviews.load(session, review_id, actor)
            self._reviews.require(roles, READERS["anonymisation_check"], "see the anonymisation check")
            try:
                prepared = self.publishing.prepared(session, review.id)
            except Exception as error:  # a missing key, a broken template: the check did not run
                session.rollback()
                return CheckView(
                    review.id, False, (), (), f"The check could not run ({type(error).__name__})."
                )
            hits = []
            for hit, outputs, count in prepared.check.grouped():
                source = hit.source
                correctable = source is not None and corrections.correctable(source.kind, source.field)
                hits.append(
                    HitView(
                        what=hit.what,
                        entry_id=hit.entry_id,
                        pseudonym=hit.pseudonym,
                        where=hit.where,
                        kind=source.kind.value if source else None,
                        object_id=source.id if source else None,
                        field=source.field if source else None,
                        outputs=outputs,
                        count=count,
                        context=hit.context,
                        matched=hit.matched,
                        page=hit.page,
                        correctable=correctable,
                        places=tuple(
                            HitPlace(
                                kind=part.kind.value,
                                object_id=part.id,
                                field=part.field,
                                where=part.describe(),
                                words=words,
                                owner=corrections.owner_of(session, part),
                                correctable=corrections.correctable(part.kind, part.field),
                            )
                            for part, words in zip(hit.parts, hit.part_words, strict=True)
                        ),
                    )
                )
            audit.append(
                session,
                review,
                actor_id=actor,
                action="read_anonymisation_check",
                params={"hits": len(hits)},
                changes_review=False,
            )
            session.commit()
            return CheckView(review.id, True, prepared.check.outputs, tuple(hits))

    def correct(
        self,
        *,
        review_id: int,
        actor: int,
        expected_version: int | None,
        kind: str,
        object_id: int,
        field: str,
        value: str,
    ) -> TextsView:
        """Correct one text (or printed date) in place where the anonymisation check found an identifier
        (coordinator or chair, at the findings and sign-off stages, where the narratives can no longer
        be edited; once the chair has approved, the review is reopened for correction first, so the
        chair approves again what is published; the board's words, written after the approval, also at
        `approved`). Audited with the object and field, never the words."""
        source_kind = corrections.correctable_kind(kind)
        model = corrections.correctable_model(source_kind, field)
        corrected = corrections.corrected_value(field, value)
        action = corrections.correction_action(source_kind, field)
        with self._change(review_id, actor, expected_version, action) as (session, review):
            target = corrections.target(session, review, source_kind, model, object_id, field)
            if isinstance(target, m.NarrativeEntry) and isinstance(corrected, date):
                # The agencies that knew at the time knew on the entry's (corrected) day.
                was = target.occurred_on.isoformat()
                target.aware = {
                    a: corrected.isoformat() if on == was else on for a, on in target.aware.items()
                }
            setattr(target, field, corrected)
            if hasattr(target, "updated_at"):
                target.updated_at = utcnow()
            session.flush()
            audit.append(
                session,
                review,
                actor_id=actor,
                action="correct_for_publication",
                params={"kind": source_kind.value, "object_id": object_id, "field": field},
            )
            return _texts_view(review, report_texts(session, review.id))

    def correction(
        self, *, review_id: int, actor: int, kind: str, object_id: int, field: str
    ) -> corrections.CorrectionView:
        """What a correction would change, as it stands (coordinator and chair: the page of one
        correction shows it before it is changed)."""
        source_kind = corrections.correctable_kind(kind)
        model = corrections.correctable_model(source_kind, field)
        with self._member(review_id, actor) as (session, review, roles):
            refused = policy.role_refusal(roles, corrections.correction_action(source_kind, field))
            if refused:
                raise NotPermitted(refused)
            target = corrections.target(session, review, source_kind, model, object_id, field)
            current = getattr(target, field)
            source = Source(source_kind, object_id, field)
            return corrections.CorrectionView(
                review_id=review.id,
                version=review.version,
                kind=source_kind.value,
                object_id=object_id,
                field=field,
                where=source.describe(),
                value=current.isoformat() if isinstance(current, date) else str(current or ""),
                is_date=field in corrections.DATE_FIELDS,
                owner=corrections.owner_of(session, source),
            )

    # ---- published documents (any signed-in user) --------------------------------------------------

    def published(self, *, actor: int) -> list[PublishedView]:
        """Every published review (report or summary of improvements), newest first. Published
        documents are public: any active user may read them."""
        with self._reviews.session() as session:
            self._reviews.active_user(session, actor)
            rows = session.scalars(
                select(PublishedReport)
                .options(selectinload(PublishedReport.documents))
                .order_by(PublishedReport.published_at.desc(), PublishedReport.id.desc())
            ).all()
            out = []
            for row in rows:
                review = session.get(Review, row.review_id)
                assert review is not None
                out.append(
                    PublishedView(
                        review_id=review.id,
                        child_pseudonym=review.child_pseudonym,
                        review_type=review_type(review),
                        variant=row.variant,
                        published_at=row.published_at,
                        digest=row.digest,
                        documents=tuple(
                            PublishedDocumentView(d.kind, d.format, d.media_type, d.size, d.sha256)
                            for d in row.documents
                        ),
                    )
                )
            return out

    def published_document(self, *, actor: int, review_id: int, kind: DocumentKind, fmt: Format) -> Rendered:
        with self._reviews.session() as session:
            self._reviews.active_user(session, actor)
            frozen = published_for(session, review_id)
            stored = _frozen(frozen, kind, fmt) if frozen is not None else None
            if stored is None:
                raise NotFound(f"Review {review_id} has published no {kind.value} document as {fmt.value}.")
            return stored

    def board_briefing(self, *, actor: int, review_ids: Sequence[int] | None, fmt: Format) -> Rendered:
        """One briefing over several published reviews (all of them when none are named), checked
        against the sealed registers of every review in it before it is handed out."""
        with self._reviews.session() as session:
            self._reviews.active_user(session, actor)
            published = {
                row.review_id: row
                for row in session.scalars(select(PublishedReport).where(PublishedReport.variant == "full"))
            }
            wanted = list(dict.fromkeys(review_ids)) if review_ids else sorted(published)
            missing = [str(r) for r in wanted if r not in published]
            if missing:
                raise NotFound(f"No published report for review(s): {', '.join(missing)}.")
            if not wanted:
                raise NotFound("No review has published its report yet.")
            briefings = []
            identifiers: list[Identifier] = []
            for review_id in wanted:
                review = session.get(Review, review_id)
                assert review is not None
                content = load(session, review)
                briefings.append(briefing_data(content, partnership=self.publishing.partnership))
                identifiers += self.publishing.identifiers(session, review_id)
            partnership = briefings[0].partnership if briefings else self.publishing.partnership
            data = board_briefing(briefings, partnership=partnership, published_on=self._today())
            documents, check = check_document(DocumentKind.BOARD, data, build_rules(identifiers), [fmt])
            if not check.passed:
                raise TriggerRefused("board_briefing", [f"Anonymisation check: {r}" for r in check.reasons()])
            return documents[0]


def _frozen(frozen: PublishedReport, kind: DocumentKind, fmt: Format) -> Rendered | None:
    """A published document, byte for byte as it was frozen; Word is made from the frozen HTML (the words
    that passed the anonymisation check): it is a copy to edit, not part of the record."""
    stored_format = Format.HTML if fmt == Format.DOCX else fmt
    stored = next(
        (d for d in frozen.documents if d.kind == kind.value and d.format == stored_format.value), None
    )
    if stored is None:
        return None
    if fmt == Format.DOCX:
        return Rendered(kind, fmt, html_to_docx(bytes(stored.content).decode("utf-8")))
    return Rendered(kind, fmt, bytes(stored.content))

"""Publication: render a review's report and briefing in every format, check every rendering for sealed
identifiers, and freeze exactly what was checked.

The documents that are checked are the documents that are stored: `prepare` renders once, scans those
renderings (HTML text, Markdown, and the text pypdf extracts from the PDF), and `freeze` stores those same
bytes with their SHA-256. Later edits to the review never change what was published.

Wiring into the lifecycle (`publish` / `decline_publication`) is
`findings.publication.publisher.Publishing`: the
publish guard's `anonymisation_hits` come from its check, and as the `workflow.ports.Publisher` it calls
`freeze` inside the trigger's transaction with the documents that check prepared.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from findings.publication.anonymise import CheckResult, Hit, merge, scan_docx, scan_pdf, scan_traced
from findings.publication.identifiers import Identifier, Rule, build_rules
from findings.publication.models import PublishedDocument, PublishedReport
from findings.publication.render import (
    DocumentKind,
    Format,
    Rendered,
    ViewModel,
    html_to_docx,
    html_to_pdf,
    render_traced,
)
from findings.publication.view_model import BriefingData, ReportData
from workflow import audit
from workflow.errors import TriggerRefused
from workflow.models import Review

log = logging.getLogger(__name__)

ALL_FORMATS: tuple[Format, ...] = (Format.HTML, Format.MARKDOWN, Format.PDF)
OUTPUT_NAMES = {Format.HTML: "html", Format.MARKDOWN: "markdown", Format.PDF: "pdf", Format.DOCX: "docx"}


@dataclass(frozen=True)
class Prepared:
    """Rendered documents and the anonymisation check of exactly those documents."""

    variant: DocumentKind  # FULL, or SUMMARY when publication of the report was declined
    documents: tuple[Rendered, ...]
    check: CheckResult

    @property
    def passed(self) -> bool:
        return self.check.passed

    def document(self, kind: DocumentKind, fmt: Format) -> Rendered:
        for document in self.documents:
            if document.kind == kind and document.format == fmt:
                return document
        raise KeyError(f"No {kind.value} document as {fmt.value} was prepared.")


def check_document(
    kind: DocumentKind, data: ViewModel, rules: Sequence[Rule], formats: Iterable[Format] = ALL_FORMATS
) -> tuple[tuple[Rendered, ...], CheckResult]:
    """Render one document in each format and scan each rendering. The PDF is made from the same HTML
    and its extracted text is scanned too (names split across lines, ligatures, metadata); so is a
    DOCX's (its paragraphs, tables, header and properties)."""
    wanted = tuple(dict.fromkeys(formats))
    documents: list[Rendered] = []
    hits: list[Hit] = []
    if set(wanted) & {Format.HTML, Format.PDF, Format.DOCX}:
        html = render_traced(kind, data, Format.HTML)
        if Format.HTML in wanted:
            documents.append(Rendered(kind, Format.HTML, html.content.encode("utf-8")))
            hits.extend(scan_traced(html.traced, rules, output=OUTPUT_NAMES[Format.HTML]))
        if Format.PDF in wanted:
            pdf = html_to_pdf(html.content)
            documents.append(Rendered(kind, Format.PDF, pdf))
            hits.extend(scan_pdf(pdf, rules, candidates=html.traced))
        if Format.DOCX in wanted:
            docx = html_to_docx(html.content)
            documents.append(Rendered(kind, Format.DOCX, docx))
            hits.extend(scan_docx(docx, rules, candidates=html.traced))
    if Format.MARKDOWN in wanted:
        markdown = render_traced(kind, data, Format.MARKDOWN)
        documents.append(Rendered(kind, Format.MARKDOWN, markdown.content.encode("utf-8")))
        hits.extend(scan_traced(markdown.traced, rules, output=OUTPUT_NAMES[Format.MARKDOWN], markdown=True))
    outputs = tuple(OUTPUT_NAMES[f] for f in wanted)
    return tuple(documents), CheckResult(tuple(hits), outputs)


def prepare(
    report: ReportData,
    identifiers: Sequence[Identifier],
    *,
    briefing: BriefingData | None = None,
    variant: DocumentKind = DocumentKind.FULL,
    formats: Iterable[Format] = ALL_FORMATS,
    allowed_postcodes: Iterable[str] = (),
) -> Prepared:
    """Render the report (or, with `variant=SUMMARY`, the summary of improvements) and the practitioner
    briefing, and check them all against the sealed identifiers."""
    if variant not in (DocumentKind.FULL, DocumentKind.SUMMARY):
        raise ValueError("A review publishes its full report or its summary of improvements.")
    rules = build_rules(identifiers, allowed_postcodes=allowed_postcodes)
    formats = tuple(formats)
    documents, check = check_document(variant, report, rules, formats)
    results = [check]
    if briefing is not None:
        more, more_check = check_document(DocumentKind.PRACTITIONER, briefing, rules, formats)
        documents += more
        results.append(more_check)
    return Prepared(variant, documents, merge(results))


def summary_of_improvements(
    report: ReportData,
    identifiers: Sequence[Identifier],
    *,
    formats: Iterable[Format] = ALL_FORMATS,
    allowed_postcodes: Iterable[str] = (),
) -> Prepared:
    """What `decline_publication` publishes instead of the report: the findings, the questions for the
    board and the board's response and actions, checked like the report."""
    return prepare(
        report,
        identifiers,
        variant=DocumentKind.SUMMARY,
        formats=formats,
        allowed_postcodes=allowed_postcodes,
    )


def anonymisation_hits(
    report: ReportData,
    identifiers: Sequence[Identifier],
    *,
    briefing: BriefingData | None = None,
    allowed_postcodes: Iterable[str] = (),
) -> tuple[str, ...] | None:
    """What the publish guard needs (`AnalysisSnapshot.anonymisation_hits`): the hits in words, or None
    when the check could not be run (the guard then refuses)."""
    try:
        prepared = prepare(report, identifiers, briefing=briefing, allowed_postcodes=allowed_postcodes)
    except Exception as error:  # the guard must refuse, never pass, when the check fails
        log.error("The anonymisation check could not run: %s", type(error).__name__)
        return None
    return prepared.check.reasons()


# ---- freezing ------------------------------------------------------------------------------------


def digest_of(documents: Iterable[Rendered]) -> str:
    """SHA-256 over each document's kind, format and SHA-256, in a fixed order."""
    lines = sorted(f"{d.kind.value}.{d.format.value} {d.sha256}" for d in documents)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def freeze(session: Session, review: Review, prepared: Prepared, *, actor_id: int | None) -> PublishedReport:
    """Store the prepared documents as the review's publication, in the caller's transaction, with one
    audit row carrying the digest and each document's hash. Refused while the check has hits, or when
    the review has already published."""
    if not prepared.passed:
        reasons = [f"Anonymisation check: {reason}" for reason in prepared.check.reasons()]
        raise TriggerRefused("publish", reasons)
    if not prepared.documents:
        raise TriggerRefused("publish", ["There is nothing to publish: no document was rendered."])
    if published_for(session, review.id) is not None:
        raise TriggerRefused("publish", ["This review has already published; a publication cannot change."])
    digest = digest_of(prepared.documents)
    published = PublishedReport(
        review_id=review.id,
        variant=prepared.variant.value,
        digest=digest,
        published_by=actor_id,
        documents=[
            PublishedDocument(
                kind=d.kind.value,
                format=d.format.value,
                media_type=d.media_type,
                content=d.content,
                size=len(d.content),
                sha256=d.sha256,
            )
            for d in prepared.documents
        ],
    )
    session.add(published)
    session.flush()
    audit.append(
        session,
        review,
        actor_id=actor_id,
        action="freeze_publication",
        params={
            "variant": prepared.variant.value,
            "digest": digest,
            "documents": [
                {"kind": d.kind.value, "format": d.format.value, "sha256": d.sha256, "size": len(d.content)}
                for d in prepared.documents
            ],
        },
    )
    return published


def published_for(session: Session, review_id: int) -> PublishedReport | None:
    """The frozen publication of a review, with its documents; None if it has not published."""
    return session.scalars(
        select(PublishedReport)
        .where(PublishedReport.review_id == review_id)
        .options(selectinload(PublishedReport.documents))
    ).first()


def published_document(
    session: Session, review_id: int, kind: DocumentKind, fmt: Format
) -> PublishedDocument | None:
    published = published_for(session, review_id)
    if published is None:
        return None
    return next((d for d in published.documents if d.kind == kind.value and d.format == fmt.value), None)


def verify(published: PublishedReport) -> bool:
    """True when every stored document still has the hash it was published with, and the digest holds."""
    for document in published.documents:
        if hashlib.sha256(bytes(document.content)).hexdigest() != document.sha256:
            return False
    lines = sorted(f"{d.kind}.{d.format} {d.sha256}" for d in published.documents)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest() == published.digest

"""The audited export and import of a review (`ExportService`), and the provenance of an imported one,
as the API, the pages and the CLI call them."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from findings.exchange import provenance
from findings.exchange.export import export_review
from findings.exchange.models import ImportedAuditEntry, ImportedDocument, ImportedProvenance
from findings.exchange.reading import parse
from findings.exchange.recreate import import_review
from workflow import audit
from workflow.models import Review
from workflow.policy import READERS
from workflow.service import ReviewService

EXPORTED = "export_review"


@dataclass(frozen=True)
class Provenance:
    """An imported review's provenance as its pages and the API show it, with its check."""

    record: ImportedProvenance
    history: Sequence[ImportedAuditEntry]
    documents: Sequence[ImportedDocument]
    report: provenance.ProvenanceReport


class ExportService:
    """Export (the review's coordinator) and import (any coordinator), each audited."""

    def __init__(self, reviews: ReviewService) -> None:
        self._reviews = reviews

    def export(self, *, review_id: int, actor: int) -> dict[str, Any]:
        with self._reviews.session() as session:
            review, roles = self._reviews.load(session, review_id, actor)
            self._reviews.require(roles, READERS["export"], "export the review")
            document = export_review(session, review)
            audit.append(session, review, actor_id=actor, action=EXPORTED, changes_review=False)
            session.commit()
            return document

    def import_(self, *, data: bytes | str, actor: int) -> Review:
        """A new review at `referred` with the file's content; its past there kept as provenance."""
        document = parse(data)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        with self._reviews.session() as session:
            review = import_review(
                session, document, actor=actor, data_digest=hashlib.sha256(raw).hexdigest()
            )
            session.commit()
            return review

    def provenance(self, *, review_id: int, actor: int) -> Provenance | None:
        """The provenance of an imported review and its check (any member, like the audit log); None
        for a review that was not imported."""
        with self._reviews.session(read_only=True) as session:
            self._reviews.load(session, review_id, actor)
            report = provenance.verify(session, review_id)
            kept = provenance.provenance_of(session, review_id)
            if report is None or kept is None:
                return None
            return Provenance(kept, list(kept.history), list(kept.documents), report)

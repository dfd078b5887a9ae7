"""The audited export and import of a review (`ExportService`), as the API, the pages and the CLI call it."""

from __future__ import annotations

import hashlib
from typing import Any

from findings.exchange.document import parse
from findings.exchange.export import export_review
from findings.exchange.recreate import import_review
from workflow import audit
from workflow.models import Review
from workflow.policy import READERS
from workflow.service import ReviewService

EXPORTED = "export_review"


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
        document = parse(data)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        with self._reviews.session() as session:
            review = import_review(
                session, document, actor=actor, data_digest=hashlib.sha256(raw).hexdigest()
            )
            session.commit()
            return review

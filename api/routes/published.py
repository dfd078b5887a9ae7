"""Published documents: public once published, so any signed-in user of the partnership may list and
download them. What is served is exactly what was frozen at publication."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from api.deps import CurrentUser, ReviewId, ServicesDep
from api.errors import ApiProblem, documented
from api.routes.reports import DOCUMENT_RESPONSES, ReportFormat, download
from api.schemas.reports import PublishedList, PublishedOut
from findings.publication.render import DocumentKind, Format, filename

router = APIRouter(tags=["published"])

MAX_BOARD_REVIEWS = 50


@router.get("/published", response_model=PublishedList, responses=documented(401, 422))
def list_published(services: ServicesDep, caller: CurrentUser) -> PublishedList:
    """Every published review, newest first: the report (or the summary of improvements, when
    publication of the report was declined) and the practitioner briefing, with their hashes."""
    items = [PublishedOut.of(p) for p in services.reports.published(actor=caller.id)]
    return PublishedList(items=items, total=len(items))


def _review_ids(reviews: str | None) -> list[int] | None:
    if reviews is None or not reviews.strip():
        return None
    try:
        ids = [int(part) for part in reviews.split(",") if part.strip()]
    except ValueError:
        raise ApiProblem(
            422, "invalid-input", "reviews must be review ids separated by commas, e.g. 1,2,3."
        ) from None
    if not ids or len(ids) > MAX_BOARD_REVIEWS or any(i < 1 or i > 2**31 - 1 for i in ids):
        raise ApiProblem(
            422, "invalid-input", f"Name between 1 and {MAX_BOARD_REVIEWS} review ids, e.g. 1,2,3."
        )
    return ids


@router.get(
    "/published/board-briefing",
    response_class=Response,
    responses={**DOCUMENT_RESPONSES, **documented(409)},
)
def board_briefing(
    services: ServicesDep,
    caller: CurrentUser,
    reviews: Annotated[
        str | None,
        Query(max_length=600, description="Published review ids separated by commas (default: all of them)."),
    ] = None,
    fmt: ReportFormat = "html",
) -> Response:
    """One briefing over several published reviews, with a short introduction (as the reference
    briefing gathers three reviews). It is checked against every included review's sealed register
    before it is handed out (409 if anything is found)."""
    document = services.reports.board_briefing(
        actor=caller.id, review_ids=_review_ids(reviews), fmt=Format(fmt)
    )
    return download(document, filename(DocumentKind.BOARD, Format(fmt)))


@router.get("/published/{review_id}/{kind}", response_class=Response, responses=DOCUMENT_RESPONSES)
def published_document(
    review_id: ReviewId,
    kind: Annotated[
        Literal["full", "summary", "practitioner"],
        Path(description="full (the report), summary (of improvements) or practitioner (the briefing)."),
    ],
    services: ServicesDep,
    caller: CurrentUser,
    fmt: ReportFormat = "html",
) -> Response:
    """A frozen published document, byte for byte as it was published."""
    document_kind, document_format = DocumentKind(kind), Format(fmt)
    document = services.reports.published_document(
        actor=caller.id, review_id=review_id, kind=document_kind, fmt=document_format
    )
    return download(document, filename(document_kind, document_format, review_id))

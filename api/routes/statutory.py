"""The notification of a serious incident to the national panel and the rapid review with the panel's
response (WT2023 from version 2). Every change needs If-Match (the review's version) and answers with
the record and the review's new ETag; the documents are HTML, PDF or DOCX downloads."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from api.deps import CurrentUser, IfMatch, ReviewId, ServicesDep, etag
from api.errors import documented
from api.routes.reviews import CHANGE_PROBLEMS
from api.schemas.statutory import NotificationOut, RapidReviewOut
from findings.publication.render import MEDIA_TYPES, Format
from findings.publication.statutory import (
    STATUTORY_FORMATS,
    StatutoryDocument,
    StatutoryRendered,
    render_statutory,
)
from workflow.statutory import (
    RecordPanelResponse,
    SendNotification,
    SendRapidReview,
    StatutoryRecord,
    WriteNotification,
    WriteRapidReview,
)

router = APIRouter(tags=["statutory notices"])
READ_PROBLEMS = documented(401, 403, 404, 422)
DocumentFormat = Annotated[
    Literal["html", "pdf", "docx"], Query(alias="format", description="html, pdf or docx (Word).")
]
DOCUMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document (a download).",
        "content": {
            MEDIA_TYPES[f]: {"schema": {"type": "string", "format": "binary"}} for f in STATUTORY_FORMATS
        },
    },
    **READ_PROBLEMS,
}


def _tag(response: Response, record: StatutoryRecord) -> StatutoryRecord:
    response.headers["ETag"] = etag(record.detail.review.version)
    return record


def _download(document: StatutoryRendered, review_id: int) -> Response:
    return Response(
        document.content,
        media_type=document.media_type,
        headers={"Content-Disposition": f'attachment; filename="{review_id}-{document.filename}"'},
    )


@router.get("/reviews/{review_id}/notification", response_model=NotificationOut, responses=READ_PROBLEMS)
def get_notification(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, response: Response
) -> NotificationOut:
    """The notification to the national panel: what its form asks for, and what is still missing
    (coordinator, chair, safeguarding partner)."""
    return NotificationOut.of(_tag(response, services.statutory.record(review_id=review_id, actor=caller.id)))


@router.patch("/reviews/{review_id}/notification", response_model=NotificationOut, responses=CHANGE_PROBLEMS)
def write_notification(
    review_id: ReviewId,
    body: WriteNotification,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> NotificationOut:
    """Change the fields sent (coordinator or safeguarding partner, before the route is decided and
    until the notification is sent)."""
    record = services.statutory.write_notification(
        review_id=review_id, actor=caller.id, expected_version=version, command=body
    )
    return NotificationOut.of(_tag(response, record))


@router.post(
    "/reviews/{review_id}/notification/sent", response_model=NotificationOut, responses=CHANGE_PROBLEMS
)
def send_notification(
    review_id: ReviewId,
    body: SendNotification,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> NotificationOut:
    """Record the day the notification was sent: it meets the 5-working-day clock. Refused (422, with
    what is missing) until the form is complete."""
    record = services.statutory.send_notification(
        review_id=review_id, actor=caller.id, expected_version=version, command=body
    )
    return NotificationOut.of(_tag(response, record))


@router.get("/reviews/{review_id}/rapid-review", response_model=RapidReviewOut, responses=READ_PROBLEMS)
def get_rapid_review(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, response: Response
) -> RapidReviewOut:
    """The rapid review and the national panel's response (coordinator, chair, safeguarding partner)."""
    return RapidReviewOut.of(_tag(response, services.statutory.record(review_id=review_id, actor=caller.id)))


@router.patch("/reviews/{review_id}/rapid-review", response_model=RapidReviewOut, responses=CHANGE_PROBLEMS)
def write_rapid_review(
    review_id: ReviewId,
    body: WriteRapidReview,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> RapidReviewOut:
    """Change the fields sent (coordinator or safeguarding partner, until it is sent)."""
    record = services.statutory.write_rapid_review(
        review_id=review_id, actor=caller.id, expected_version=version, command=body
    )
    return RapidReviewOut.of(_tag(response, record))


@router.post(
    "/reviews/{review_id}/rapid-review/sent", response_model=RapidReviewOut, responses=CHANGE_PROBLEMS
)
def send_rapid_review(
    review_id: ReviewId,
    body: SendRapidReview,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> RapidReviewOut:
    """Record the day the rapid review was sent to the national panel: it meets the 15-working-day
    clock. Refused (422, with what is missing) until it is complete."""
    record = services.statutory.send_rapid_review(
        review_id=review_id, actor=caller.id, expected_version=version, command=body
    )
    return RapidReviewOut.of(_tag(response, record))


@router.put(
    "/reviews/{review_id}/rapid-review/panel-response",
    response_model=RapidReviewOut,
    responses=CHANGE_PROBLEMS,
)
def record_panel_response(
    review_id: ReviewId,
    body: RecordPanelResponse,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> RapidReviewOut:
    """Record the national panel's response (agrees, disagrees with reasons, national review), after
    the rapid review was sent: the safeguarding partners decide once it is recorded."""
    record = services.statutory.record_panel_response(
        review_id=review_id, actor=caller.id, expected_version=version, command=body
    )
    return RapidReviewOut.of(_tag(response, record))


@router.get(
    "/reviews/{review_id}/{document}/document",
    response_class=Response,
    responses=DOCUMENT_RESPONSES,
)
def statutory_document(
    review_id: ReviewId,
    document: StatutoryDocument,
    services: ServicesDep,
    caller: CurrentUser,
    fmt: DocumentFormat = "html",
) -> Response:
    """The notification (`notification`) or the rapid review report (`rapid-review`) as HTML, PDF or
    Word (DOCX)."""
    record = services.statutory.record(review_id=review_id, actor=caller.id)
    return _download(render_statutory(document, record, Format(fmt)), review_id)

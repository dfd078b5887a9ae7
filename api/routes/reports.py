"""A review's documents (members), the words written for its reports, the anonymisation check with
corrections in place (coordinator and chair), and the JSON export and import (coordinator)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import CurrentUser, IfMatch, ReviewId, ServicesDep, etag
from api.errors import ApiProblem, documented
from api.routes.reviews import CHANGE_PROBLEMS, review_answer
from api.schemas.reports import CheckOut, CorrectionIn, TextsIn, TextsOut
from api.schemas.reviews import ReviewOut
from findings.exchange.export import dumps
from findings.publication.render import MEDIA_TYPES, DocumentKind, Format, Rendered, filename

router = APIRouter(tags=["reports"])

MAX_IMPORT_BYTES = 50 * 1024 * 1024

ReportFormat = Annotated[
    Literal["html", "pdf", "md", "docx"],
    Query(alias="format", description="html, pdf, md (Markdown) or docx (Word, made from the HTML)."),
]

DOCUMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document (a download).",
        "content": {MEDIA_TYPES[f]: {"schema": {"type": "string", "format": "binary"}} for f in Format},
    },
    **documented(401, 403, 404, 422),
}


def download(document: Rendered, name: str) -> Response:
    return Response(
        document.content,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "ETag": f'"{document.sha256}"',
        },
    )


@router.get("/reviews/{review_id}/reports/{kind}", response_class=Response, responses=DOCUMENT_RESPONSES)
def review_document(
    review_id: ReviewId,
    kind: Annotated[
        Literal["full", "practitioner"], Path(description="full (the review report) or practitioner.")
    ],
    services: ServicesDep,
    caller: CurrentUser,
    fmt: ReportFormat = "html",
) -> Response:
    """The review report or the practitioner briefing (members). Once published, exactly the frozen
    document; before, a draft from the analysis as it stands (the draft report holds every agency's
    narrative, so the case group gets 403 for it)."""
    document_kind, document_format = DocumentKind(kind), Format(fmt)
    document = services.reports.document(
        review_id=review_id, actor=caller.id, kind=document_kind, fmt=document_format
    )
    return download(document, filename(document_kind, document_format, review_id))


@router.get("/reviews/{review_id}/report-texts", response_model=TextsOut, responses=documented(401, 404, 422))
def get_texts(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, response: Response
) -> TextsOut:
    """The words written for the reports: case summary, methodology note, the board's overall response,
    the partnership's name on the documents, and the practitioner briefing's written sections."""
    out = TextsOut.of(services.reports.texts(review_id=review_id, actor=caller.id))
    response.headers["ETag"] = etag(out.version)
    return out


@router.put("/reviews/{review_id}/report-texts", response_model=TextsOut, responses=CHANGE_PROBLEMS)
def put_texts(
    review_id: ReviewId,
    body: TextsIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> TextsOut:
    """Write them (coordinator, lead reviewer or chair, until the review is published). Only the fields
    sent change; a briefing section left out is derived from the analysis."""
    out = TextsOut.of(
        services.reports.write_texts(
            review_id=review_id, actor=caller.id, expected_version=version, **body.fields()
        )
    )
    response.headers["ETag"] = etag(out.version)
    return out


@router.get(
    "/reviews/{review_id}/anonymisation", response_model=CheckOut, responses=documented(401, 403, 404, 422)
)
def anonymisation(review_id: ReviewId, services: ServicesDep, caller: CurrentUser) -> CheckOut:
    """The anonymisation check of what the review would publish today, in every format (coordinator and
    chair): each sealed identifier found, where it stands, and the real words (so the read is audited).
    `publish` is refused while there is any hit."""
    return CheckOut.of(services.reports.anonymisation(review_id=review_id, actor=caller.id))


@router.post(
    "/reviews/{review_id}/anonymisation/corrections", response_model=ReviewOut, responses=CHANGE_PROBLEMS
)
def correct(
    review_id: ReviewId,
    body: CorrectionIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Correct one text where the check found an identifier (coordinator or chair, from the findings
    stage until publication): name the hit's `kind`, `object_id` and `field`, and give the new words."""
    services.reports.correct(
        review_id=review_id,
        actor=caller.id,
        expected_version=version,
        kind=body.kind,
        object_id=body.object_id,
        field=body.field,
        value=body.value,
    )
    return review_answer(services, response, review_id, caller.id)


@router.get(
    "/reviews/{review_id}/export",
    response_class=JSONResponse,
    responses={
        200: {
            "description": "The whole review as JSON (docs/export.md); never the sealed register.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        **documented(401, 403, 404, 422),
    },
)
def export(review_id: ReviewId, services: ServicesDep, caller: CurrentUser) -> Response:
    """Export the whole review (its coordinator): everything but the sealed register. Audited."""
    document = services.exports.export(review_id=review_id, actor=caller.id)
    return Response(
        dumps(document).encode("utf-8"),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="review-{review_id}.json"'},
    )


@router.post(
    "/reviews/import",
    response_model=ReviewOut,
    status_code=status.HTTP_201_CREATED,
    responses=documented(401, 403, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A review export (GET /api/v1/reviews/{id}/export), as it was downloaded.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def import_review(
    request: Request, services: ServicesDep, caller: CurrentUser, response: Response
) -> ReviewOut:
    """Import a review exported from another Tunnelview (coordinators): it is recreated with new ids and
    the same content, and you become one of its coordinators. A malformed file is refused (422, each
    problem with where it stands) and nothing is saved."""
    data = await request.body()
    if len(data) > MAX_IMPORT_BYTES:
        raise ApiProblem(
            413, "too-large", f"An import may be at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB."
        )
    review = await run_in_threadpool(services.exports.import_, data=data, actor=caller.id)
    response.headers["Location"] = f"/api/v1/reviews/{review.id}"
    return await run_in_threadpool(review_answer, services, response, review.id, caller.id)

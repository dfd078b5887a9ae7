"""Reviews: log a referral, list and read them, record the criteria check, the scope, publication
holds and notices. Every change needs If-Match and answers with the review and its new ETag, both
read in the change's own transaction."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, IfMatch, Limit, Offset, ReviewId, ServicesDep, etag
from api.errors import documented
from api.schemas.reviews import ReviewList, ReviewOut
from api.wiring import Services
from workflow.holds import ClearPublicationHold, SetPublicationHold
from workflow.notices import RecordNotice
from workflow.referrals import LogReferral, RecordCriteria, SetScope
from workflow.service import ReviewDetail
from workflow.states import State

router = APIRouter(tags=["reviews"])

CHANGE_PROBLEMS = documented(401, 403, 404, 409, 412, 422, 428)


def review_answer(services: Services, response: Response, review_id: int, actor: int) -> ReviewOut:
    """The review as the caller sees it now, with its ETag (after a change made elsewhere)."""
    return tagged(response, services.reviews.get(review_id, actor))


def tagged(response: Response, detail: ReviewDetail, warnings: tuple[str, ...] = ()) -> ReviewOut:
    """The review as the caller sees it, with its ETag."""
    out = ReviewOut.of(detail, warnings)
    response.headers["ETag"] = etag(out.version)
    return out


@router.post(
    "/reviews",
    response_model=ReviewOut,
    status_code=status.HTTP_201_CREATED,
    responses=documented(401, 403, 422),
)
def log_referral(
    body: LogReferral, services: ServicesDep, caller: CurrentUser, response: Response
) -> ReviewOut:
    """Log a referral (coordinators). The caller becomes the review's coordinator, and the person
    named in `chair_email`, if any, its chair. `warnings` names what to check, such as a second
    referral for the same child and date of awareness."""
    logged = services.referrals.log(actor=caller.id, command=body)
    response.headers["Location"] = f"/api/v1/reviews/{logged.detail.review.id}"
    return tagged(response, logged.detail, logged.warnings)


@router.get("/reviews", response_model=ReviewList, responses=documented(401, 422))
def list_reviews(
    services: ServicesDep,
    caller: CurrentUser,
    limit: Limit = 50,
    offset: Offset = 0,
    state: State | None = None,
) -> ReviewList:
    """The reviews the caller is a member of, newest first (admins see only their own memberships)."""
    details, total = services.reviews.list_for(caller.id, state=state, limit=limit, offset=offset)
    return ReviewList(items=[ReviewOut.of(d) for d in details], total=total)


@router.get("/reviews/{review_id}", response_model=ReviewOut, responses=documented(401, 404, 422))
def get_review(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, response: Response
) -> ReviewOut:
    """A review: stage, regime, review type, version, clocks and publication hold."""
    return review_answer(services, response, review_id, caller.id)


@router.put("/reviews/{review_id}/criteria", response_model=ReviewOut, responses=CHANGE_PROBLEMS)
def record_criteria(
    review_id: ReviewId,
    body: RecordCriteria,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Record criteria answers (coordinator or chair, before the route is decided). The answer's
    `criteria.recommendation` is the route the regime recommends, with its reasons."""
    detail = services.referrals.record_criteria(
        review_id=review_id, actor=caller.id, expected_version=version, command=body
    )
    return tagged(response, detail)


@router.put("/reviews/{review_id}/scope", response_model=ReviewOut, responses=CHANGE_PROBLEMS)
def set_scope(
    review_id: ReviewId,
    body: SetScope,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Set the terms of reference (coordinator, at the scoping stage)."""
    detail = services.referrals.set_scope(
        review_id=review_id, actor=caller.id, expected_version=version, command=body
    )
    return tagged(response, detail)


@router.post("/reviews/{review_id}/publication-hold", response_model=ReviewOut, responses=CHANGE_PROBLEMS)
def set_publication_hold(
    review_id: ReviewId,
    body: SetPublicationHold,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Set a publication hold (coordinator or chair): it blocks `publish` only."""
    detail = services.holds.set(review_id=review_id, actor=caller.id, expected_version=version, command=body)
    return tagged(response, detail)


@router.delete("/reviews/{review_id}/publication-hold", response_model=ReviewOut, responses=CHANGE_PROBLEMS)
def clear_publication_hold(
    review_id: ReviewId,
    body: ClearPublicationHold,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Clear the publication hold (coordinator or chair), with the reason."""
    detail = services.holds.clear(
        review_id=review_id, actor=caller.id, expected_version=version, command=body
    )
    return tagged(response, detail)


@router.post("/reviews/{review_id}/notices", response_model=ReviewOut, responses=CHANGE_PROBLEMS)
def record_notice(
    review_id: ReviewId,
    body: RecordNotice,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Record a notice that starts or meets a clock (coordinator or chair)."""
    detail = services.notices.record(
        review_id=review_id, actor=caller.id, expected_version=version, command=body
    )
    return tagged(response, detail)

"""Reviews: log a referral, list and read them, record the criteria check, the scope, publication
holds and notices. Every change needs If-Match and answers with the review and its new ETag."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, IfMatch, Limit, Offset, ReviewId, ServicesDep, etag
from api.errors import documented
from api.schemas.reviews import CriteriaIn, HoldIn, NoticeIn, ReferralIn, ReviewList, ReviewOut, ScopeIn
from api.wiring import Services
from workflow.errors import InvalidInput
from workflow.states import State

router = APIRouter(tags=["reviews"])

CHANGE_PROBLEMS = documented(401, 403, 404, 409, 412, 422, 428)

# The service's names of the referral's incident fields -> their place in the request body.
INCIDENT_FIELDS = {
    "incident_outcome": "incident.outcome",
    "abuse_or_neglect": "incident.abuse_or_neglect",
    "date_of_awareness": "incident.date_of_awareness",
    "incident_summary": "incident.summary",
}


def review_answer(services: Services, response: Response, review_id: int, actor: int) -> ReviewOut:
    """The review as the caller sees it now, with its ETag."""
    out = ReviewOut.of(services.reviews.get(review_id, actor))
    response.headers["ETag"] = etag(out.version)
    return out


@router.post(
    "/reviews",
    response_model=ReviewOut,
    status_code=status.HTTP_201_CREATED,
    responses=documented(401, 403, 422),
)
def log_referral(
    body: ReferralIn, services: ServicesDep, caller: CurrentUser, response: Response
) -> ReviewOut:
    """Log a referral (coordinators). The caller becomes the review's coordinator."""
    try:
        review = services.reviews.create_review(
            caller.id,
            child_pseudonym=body.child_pseudonym,
            incident_outcome=body.incident.outcome,
            abuse_or_neglect=body.incident.abuse_or_neglect,
            date_of_awareness=body.incident.date_of_awareness,
            incident_summary=body.incident.summary,
            agencies_involved=body.agencies_involved,
            regime=body.regime,
        )
    except InvalidInput as error:  # name the fields as the request does
        raise InvalidInput({INCIDENT_FIELDS.get(k, k): v for k, v in error.errors.items()}) from None
    response.headers["Location"] = f"/api/v1/reviews/{review.id}"
    return review_answer(services, response, review.id, caller.id)


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
    body: CriteriaIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Record criteria answers (coordinator or chair, before the route is decided). The answer's
    `criteria.recommendation` is the route the regime recommends, with its reasons."""
    services.reviews.record_criteria(review_id, caller.id, version, body.answers)
    return review_answer(services, response, review_id, caller.id)


@router.put("/reviews/{review_id}/scope", response_model=ReviewOut, responses=CHANGE_PROBLEMS)
def set_scope(
    review_id: ReviewId,
    body: ScopeIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Set the terms of reference (coordinator, at the scoping stage)."""
    services.reviews.set_scope(
        review_id,
        caller.id,
        version,
        research_questions=body.research_questions,
        agencies_in_scope=body.agencies_in_scope,
        period_start=body.period_start,
        period_end=body.period_end,
    )
    return review_answer(services, response, review_id, caller.id)


@router.post("/reviews/{review_id}/publication-hold", response_model=ReviewOut, responses=CHANGE_PROBLEMS)
def set_publication_hold(
    review_id: ReviewId,
    body: HoldIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Set a publication hold (coordinator or chair): it blocks `publish` only."""
    services.reviews.set_publication_hold(review_id, caller.id, version, held=True, reason=body.reason)
    return review_answer(services, response, review_id, caller.id)


@router.delete("/reviews/{review_id}/publication-hold", response_model=ReviewOut, responses=CHANGE_PROBLEMS)
def clear_publication_hold(
    review_id: ReviewId,
    body: HoldIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Clear the publication hold (coordinator or chair), with the reason."""
    services.reviews.set_publication_hold(review_id, caller.id, version, held=False, reason=body.reason)
    return review_answer(services, response, review_id, caller.id)


@router.post("/reviews/{review_id}/notices", response_model=ReviewOut, responses=CHANGE_PROBLEMS)
def record_notice(
    review_id: ReviewId,
    body: NoticeIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Record a notice that starts or meets a clock (coordinator or chair)."""
    services.reviews.record_notice(review_id, caller.id, version, kind=body.kind, on=body.on)
    return review_answer(services, response, review_id, caller.id)

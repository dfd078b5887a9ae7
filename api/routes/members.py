"""The people of a review: who is a member, in which role, for which agency."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, IfMatch, Limit, MemberId, Offset, ReviewId, ServicesDep, etag
from api.errors import documented
from api.routes.reviews import CHANGE_PROBLEMS, tagged
from api.schemas.reviews import MemberList, MemberOut, ReviewOut
from workflow.membership import AddMember, RemoveMember

router = APIRouter(tags=["members"])


@router.get("/reviews/{review_id}/members", response_model=MemberList, responses=documented(401, 404, 422))
def list_members(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> MemberList:
    """The review's members (any member may see who else is on the review)."""
    memberships = services.reviews.get(review_id, caller.id).review.memberships
    return MemberList(
        items=[MemberOut.of(m) for m in memberships[offset : offset + limit]], total=len(memberships)
    )


@router.post(
    "/reviews/{review_id}/members",
    response_model=MemberOut,
    status_code=status.HTTP_201_CREATED,
    responses=CHANGE_PROBLEMS,
)
def add_member(
    review_id: ReviewId,
    body: AddMember,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> MemberOut:
    """Add a member by email, role and agency (coordinator). The ETag is the review's new version."""
    membership = services.membership.add(
        review_id=review_id, actor=caller.id, expected_version=version, command=body
    )
    response.headers["ETag"] = etag(membership.review.version)
    response.headers["Location"] = f"/api/v1/reviews/{review_id}/members/{membership.id}"
    return MemberOut.of(membership)


@router.delete(
    "/reviews/{review_id}/members/{member_id}", response_model=ReviewOut, responses=CHANGE_PROBLEMS
)
def remove_member(
    review_id: ReviewId,
    member_id: MemberId,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> ReviewOut:
    """Remove a membership (coordinator). A review keeps at least one coordinator."""
    detail = services.membership.remove(
        review_id=review_id,
        actor=caller.id,
        expected_version=version,
        command=RemoveMember(membership_id=member_id),
    )
    return tagged(response, detail)

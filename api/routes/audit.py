"""A review's audit log and the check of its hash chain (and of an imported review's provenance)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentUser, Limit, Offset, ReviewId, ServicesDep
from api.errors import documented
from api.schemas.reviews import AuditList, ReviewChainOut

router = APIRouter(tags=["audit"])


@router.get("/reviews/{review_id}/audit", response_model=AuditList, responses=documented(401, 404, 422))
def audit_log(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> AuditList:
    """Every audited change of the review, oldest first, each hash-chained to the one before."""
    return AuditList.page(services.reviews.audit_log(review_id, caller.id), limit, offset)


@router.get(
    "/reviews/{review_id}/audit/verify", response_model=ReviewChainOut, responses=documented(401, 404, 422)
)
def verify_audit(review_id: ReviewId, services: ServicesDep, caller: CurrentUser) -> ReviewChainOut:
    """Walk the hash chain and compare its end with the anchor on the review (how many entries it
    records, and the newest one's hash): intact, or every problem in words, e.g. entries missing
    after the last one present. For a review imported from another Tunnelview, `provenance` is the
    check of the log and the frozen documents its file carried, against their own hashes."""
    report = services.reviews.verify_audit(review_id, caller.id)
    return ReviewChainOut.of_review(report, services.exports.provenance(review_id=review_id, actor=caller.id))

"""Quality warnings (DESIGN §5.5): the systems lens over episodes, factors, findings and questions,
and the lead reviewer's acknowledgement of an advisory one, with a reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import CurrentUser, Limit, Offset, ReviewId, ServicesDep
from api.routes.answers import CREATE, READ
from api.schemas.analysis import WarningList, WarningOut
from findings.analysis.warnings import AcknowledgeWarning, Kind

router = APIRouter(tags=["quality warnings"])

Fingerprint = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="The warning's fingerprint.")]


@router.get("/reviews/{review_id}/warnings", response_model=WarningList, responses=READ)
def list_warnings(
    review_id: ReviewId,
    services: ServicesDep,
    caller: CurrentUser,
    kind: Annotated[Kind | None, Query(description="Only this kind of object.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> WarningList:
    """The review's quality warnings in reading order, acknowledged ones marked; `blocking` counts
    those that stop submit_for_signoff and approve until fixed."""
    found = services.warnings.list(
        review_id=review_id, actor=caller.id, kind=kind, limit=limit, offset=offset
    )
    return WarningList(
        items=[WarningOut.of(w) for w in found.items], total=found.total, blocking=found.blocking
    )


@router.post(
    "/reviews/{review_id}/warnings/{fingerprint}/acknowledgement", response_model=WarningOut, responses=CREATE
)
def acknowledge_warning(
    review_id: ReviewId,
    fingerprint: Fingerprint,
    body: AcknowledgeWarning,
    services: ServicesDep,
    caller: CurrentUser,
) -> WarningOut:
    """Acknowledge an advisory warning with the reason it stands (lead reviewer; audited; the chair
    sees it at sign-off). 422 for a blocking warning: it cannot be acknowledged, only fixed. 404 when
    the warning no longer applies."""
    return WarningOut.of(
        services.warnings.acknowledge(
            review_id=review_id, actor=caller.id, fingerprint=fingerprint, command=body
        )
    )

"""Triggers: what the caller may do next, and doing it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Response

from api.deps import CurrentUser, IfMatch, ReviewId, ServicesDep
from api.errors import documented
from api.routes.reviews import CHANGE_PROBLEMS, review_answer
from api.schemas.reviews import ReviewOut, TriggerList, TriggerOptionOut, TriggerParams
from workflow.states import Trigger

router = APIRouter(tags=["triggers"])


@router.get("/reviews/{review_id}/triggers", response_model=TriggerList, responses=documented(401, 404, 422))
def list_triggers(review_id: ReviewId, services: ServicesDep, caller: CurrentUser) -> TriggerList:
    """Each trigger that leaves the review's stage: whether the caller may fire it now, and why not."""
    options = services.reviews.allowed_triggers(review_id, caller.id)
    return TriggerList(items=[TriggerOptionOut.of(o) for o in options], total=len(options))


@router.post("/reviews/{review_id}/triggers/{trigger}", response_model=ReviewOut, responses=CHANGE_PROBLEMS)
def fire_trigger(
    review_id: ReviewId,
    trigger: Annotated[Trigger, Path(description="The trigger to fire.")],
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
    params: Annotated[TriggerParams | None, Body()] = None,
) -> ReviewOut:
    """Fire a trigger against the version named by If-Match. 409 lists every unmet condition;
    412 means someone else changed the review first."""
    values = params.model_dump(mode="json", exclude_none=True) if params else {}
    services.reviews.fire(review_id, trigger, caller.id, version, **values)
    return review_answer(services, response, review_id, caller.id)

"""The board's response to each finding, and its actions: owner agency, due date, status, evidence
of impact, overdue derived from the due date; also across every review the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, OptionalObjectVersion, ReviewId, ServicesDep
from api.errors import documented
from api.routes.answers import (
    CHANGE,
    CREATE,
    READ,
    ActionId,
    FindingId,
    created,
    must_name_version,
    page,
    tagged,
)
from api.schemas.findings import (
    ActionIn,
    ActionList,
    ActionOut,
    ActionPatch,
    BoardResponseIn,
    BoardResponseOut,
)
from api.wiring import Services
from workflow.errors import NotFound

router = APIRouter(tags=["board response and actions"])


def _action(services: Services, review_id: int, actor: int, action_id: int, response: Response) -> ActionOut:
    view = next(
        (v for v in services.findings.actions(review_id=review_id, actor=actor) if v.action.id == action_id),
        None,
    )
    if view is None:
        raise NotFound(f"Action {action_id} was not found in this review.")
    tagged(response, view.action.version)
    return ActionOut.of(view)


@router.put(
    "/reviews/{review_id}/findings/{finding_id}/board-response",
    response_model=BoardResponseOut,
    responses={**CHANGE, 201: {"model": BoardResponseOut, "description": "The response was recorded."}},
)
def record_board_response(
    review_id: ReviewId,
    finding_id: FindingId,
    body: BoardResponseIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: OptionalObjectVersion,
    response: Response,
) -> BoardResponseOut:
    """Record the board's response to a finding (chair or coordinator, once the review is approved).
    The first one needs no If-Match (201); changing it needs its ETag."""
    existing = services.findings.finding(review_id=review_id, actor=caller.id, finding_id=finding_id).response
    must_name_version(existing is not None, version, "the board's response")
    recorded = services.findings.record_board_response(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        response=body.response,
        expected_version=version if existing is not None else None,
    )
    if existing is None:
        response.status_code = status.HTTP_201_CREATED
    tagged(response, recorded.version)
    return BoardResponseOut.of(recorded)


@router.get("/reviews/{review_id}/actions", response_model=ActionList, responses=READ)
def list_actions(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> ActionList:
    """The board's actions for this review, with `overdue` (every member)."""
    views = services.findings.actions(review_id=review_id, actor=caller.id)
    return ActionList(items=[ActionOut.of(v) for v in page(views, limit, offset)], total=len(views))


@router.post(
    "/reviews/{review_id}/actions",
    response_model=ActionOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_action(
    review_id: ReviewId, body: ActionIn, services: ServicesDep, caller: CurrentUser, response: Response
) -> ActionOut:
    """Record an action of the board's response (chair or coordinator, once the review is approved)."""
    action = services.findings.add_action(review_id=review_id, actor=caller.id, **body.model_dump())
    created(response, f"/api/v1/reviews/{review_id}/actions/{action.id}")
    return _action(services, review_id, caller.id, action.id, response)


@router.get("/reviews/{review_id}/actions/{action_id}", response_model=ActionOut, responses=READ)
def get_action(
    review_id: ReviewId, action_id: ActionId, services: ServicesDep, caller: CurrentUser, response: Response
) -> ActionOut:
    """One action."""
    return _action(services, review_id, caller.id, action_id, response)


@router.patch("/reviews/{review_id}/actions/{action_id}", response_model=ActionOut, responses=CHANGE)
def update_action(
    review_id: ReviewId,
    action_id: ActionId,
    body: ActionPatch,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> ActionOut:
    """Change the fields sent: status (planned, in_progress, done, verified), owner, due date,
    evidence of impact."""
    services.findings.update_action(
        review_id=review_id,
        actor=caller.id,
        action_id=action_id,
        expected_version=version,
        **body.model_dump(exclude_unset=True),
    )
    return _action(services, review_id, caller.id, action_id, response)


@router.get("/actions", response_model=ActionList, responses=documented(401, 422))
def actions_across_reviews(
    services: ServicesDep,
    caller: CurrentUser,
    overdue: Annotated[bool, Query(description="Only the overdue ones.")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ActionList:
    """The actions of every review the caller is a member of, by due date, with `overdue`."""
    views = services.findings.actions_across_reviews(actor=caller.id, overdue_only=overdue)
    return ActionList(items=[ActionOut.of(v) for v in page(views, limit, offset)], total=len(views))

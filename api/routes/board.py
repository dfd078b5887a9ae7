"""The board's response to each finding, and its actions: owner agency, due date, status, evidence
of impact, overdue derived from the due date; also across every review the caller may see
(`findings.learning.actions`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import ValidationError

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
    tagged,
)
from api.schemas.findings import ActionList, ActionOut, BoardResponseOut
from findings.analysis.board import ActionView, AddAction, ChangeAction, RecordBoardResponse
from findings.learning.actions import ActionFilters, ActionStatus
from workflow.commands import MAX_ID, invalid_input

router = APIRouter(tags=["board response and actions"])


def _action(view: ActionView, response: Response) -> ActionOut:
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
    body: RecordBoardResponse,
    services: ServicesDep,
    caller: CurrentUser,
    version: OptionalObjectVersion,
    response: Response,
) -> BoardResponseOut:
    """Record the board's response to a finding (chair or coordinator, once the review is approved).
    The first one needs no If-Match (201); changing it needs its ETag."""
    existing = services.finding.get(review_id=review_id, actor=caller.id, finding_id=finding_id).response
    must_name_version(existing is not None, version, "the board's response")
    recorded = services.board.record_response(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        expected_version=version if existing is not None else None,
        command=body,
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
    found = services.board.actions(review_id=review_id, actor=caller.id, limit=limit, offset=offset)
    return ActionList(items=[ActionOut.of(v) for v in found.items], total=found.total)


@router.post(
    "/reviews/{review_id}/actions",
    response_model=ActionOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_action(
    review_id: ReviewId, body: AddAction, services: ServicesDep, caller: CurrentUser, response: Response
) -> ActionOut:
    """Record an action of the board's response (chair or coordinator, once the review is approved)."""
    view = services.board.add_action(review_id=review_id, actor=caller.id, command=body)
    created(response, f"/api/v1/reviews/{review_id}/actions/{view.action.id}")
    return _action(view, response)


@router.get("/reviews/{review_id}/actions/{action_id}", response_model=ActionOut, responses=READ)
def get_action(
    review_id: ReviewId, action_id: ActionId, services: ServicesDep, caller: CurrentUser, response: Response
) -> ActionOut:
    """One action."""
    return _action(services.board.action(review_id=review_id, actor=caller.id, action_id=action_id), response)


@router.patch("/reviews/{review_id}/actions/{action_id}", response_model=ActionOut, responses=CHANGE)
def update_action(
    review_id: ReviewId,
    action_id: ActionId,
    body: ChangeAction,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> ActionOut:
    """Change the fields sent: status (planned, in_progress, done, verified), owner, due date,
    evidence of impact."""
    view = services.board.update_action(
        review_id=review_id, actor=caller.id, action_id=action_id, expected_version=version, command=body
    )
    return _action(view, response)


@router.get("/actions", response_model=ActionList, responses=documented(401, 422))
def actions_across_reviews(
    services: ServicesDep,
    caller: CurrentUser,
    overdue: Annotated[bool, Query(description="Only the overdue ones.")] = False,
    agency: Annotated[str | None, Query(max_length=200, description="Only this owner agency's.")] = None,
    status_: Annotated[
        ActionStatus | None, Query(alias="status", description="Only actions with this status.")
    ] = None,
    review_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this review's.")] = None,
    due_from: Annotated[date | None, Query(description="Due on or after this day.")] = None,
    due_to: Annotated[date | None, Query(description="Due on or before this day.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ActionList:
    """The actions of every review the caller may see (their own reviews, and every published
    review), soonest due first, with `overdue` (by the app's clock)."""
    given = {"overdue": overdue, "agency": agency, "status": status_, "review_id": review_id}
    try:
        filters = ActionFilters.model_validate(given | {"due_from": due_from, "due_to": due_to})
    except ValidationError as error:
        raise invalid_input(error) from None
    found = services.actions.lines(actor=caller.id, filters=filters, limit=limit, offset=offset)
    return ActionList(items=[ActionOut.of(v) for v in found.items], total=found.total)

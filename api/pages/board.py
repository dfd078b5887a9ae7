"""The board's response page: a response to each finding (the findings still without one named) and
the board's actions, with owner agency, due date, status and evidence of impact (overdue marked)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import Caller
from api.deps import ReviewId
from api.pages import forms
from api.pages.common import (
    CsrfChecked,
    Form,
    PageRoute,
    PageUser,
    ServicesDep,
    Submitted,
    attempt,
    redirect,
    render,
)
from api.pages.views import may, review_context
from api.wiring import Services
from findings.analysis.board import AddAction, ChangeAction, RecordBoardResponse
from findings.analysis.models import ACTION_STATUSES
from workflow.errors import NotFound

router = APIRouter(route_class=PageRoute, include_in_schema=False)

ACTION_LABELS = {"planned": "Planned", "in_progress": "In progress", "done": "Done", "verified": "Verified"}


def _board_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    *,
    response_form: Form | None = None,
    action_form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "board")
    review = context["review"]
    findings = services.finding.list(review_id=review_id, actor=user.id).items
    context.update(
        {
            "findings": findings,
            "without_response": [f for f in findings if f.response is None],
            "actions": services.board.actions(review_id=review_id, actor=user.id).items,
            "may_respond": may(context["roles"], review.state, "record_board_response"),
            "may_act": may(context["roles"], review.state, "write_action"),
            "response_form": response_form or Form.of(),
            "action_form": action_form or Form.of(status="planned"),
            "status_options": [(s, ACTION_LABELS[s]) for s in ACTION_STATUSES],
            "status_labels": ACTION_LABELS,
            "finding_options": [(str(f.id), f"Finding {f.number}: {f.title}") for f in findings],
            "agency_options": [(a, a) for a in review.agencies_in_scope or review.agencies_involved],
            "warnings": services.warnings.list(
                review_id=review_id, actor=user.id, kinds=("board_response", "action")
            ).items,
        }
    )
    return render(request, "pages/board.html", context, status=status)


@router.get("/reviews/{review_id}/board")
def board(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _board_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/board/responses", dependencies=[CsrfChecked])
def record_response(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    finding_id = form.value("finding_id")
    name = f"response_{finding_id}"  # one form per finding on the page
    form.anchors[name] = name
    if not finding_id.isdigit():
        raise NotFound("There is no such finding in this review.")
    answer = Form.of({"response": form.value(name)})
    command = forms.command(answer, RecordBoardResponse)
    if command is None:
        for message in answer.errors.values():
            form.fail(name, message)
        return _board_page(request, services, user, review_id, response_form=form, status=422)
    _, status = attempt(
        form,
        lambda: services.board.record_response(
            review_id=review_id,
            actor=user.id,
            finding_id=int(finding_id),
            expected_version=form.version(),
            command=command,
        ),
        {"response": name},
    )
    if not status:
        return redirect(f"/reviews/{review_id}/board", flash="The board's response is recorded.")
    return _board_page(request, services, user, review_id, response_form=form, status=status)


@router.post("/reviews/{review_id}/board/actions", dependencies=[CsrfChecked])
def add_action(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    _, status = forms.submit(
        form,
        AddAction,
        lambda command: services.board.add_action(review_id=review_id, actor=user.id, command=command),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/board", flash="Action recorded.")
    return _board_page(request, services, user, review_id, action_form=form, status=status)


@router.post("/reviews/{review_id}/board/actions/{action_id}", dependencies=[CsrfChecked])
def update_action(
    request: Request,
    review_id: ReviewId,
    action_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    """An action's status and its evidence of impact, from the row of the actions table."""
    form = Form.of(submitted)
    _, status = forms.submit(
        form,
        ChangeAction,
        lambda command: services.board.update_action(
            review_id=review_id,
            actor=user.id,
            action_id=action_id,
            expected_version=form.version(),
            command=command,
        ),
        only={"status", "evidence_of_impact"},
    )
    if not status:
        return redirect(f"/reviews/{review_id}/board", flash="Action updated.")
    return _board_page(request, services, user, review_id, action_form=form, status=status)

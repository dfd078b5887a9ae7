"""The board's response (DESIGN §2): its answer to each finding, and its actions (owner agency, due
date, status, evidence of impact), tracked within a review (across reviews: `findings.learning.actions`).
Overdue is derived from the due date and the status, never stored."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from findings.analysis.base import AnalysisService, Context, Page, check_version, page_of
from findings.analysis.models import ACTION_STATUSES, Action, BoardResponse, Finding
from workflow import policy
from workflow.commands import Agency, AnyDate, Command, Id, Text, Title, required
from workflow.errors import InvalidInput
from workflow.models import Review
from workflow.notifications.events import Audience, Kind
from workflow.notifications.reminders import Reminder
from workflow.policy import READERS

ActionStatus = Literal[ACTION_STATUSES]  # type: ignore[valid-type]
ActionTitle = Annotated[Title, required("Say what the action is.")]


class RecordBoardResponse(Command):
    response: Annotated[Text, required("Write the board's response to this finding.")] = Field(
        description="The board's response to the finding."
    )


class AddAction(Command):
    title: ActionTitle
    description: Text = ""
    owner_agency: Agency | None = None
    due_on: AnyDate | None = None
    status: ActionStatus = "planned"
    evidence_of_impact: Text = Field(default="", description="What shows the action made a difference.")
    finding_id: Id | None = Field(default=None, description="The finding it answers, if any.")


class ChangeAction(Command):
    """The fields sent are changed; the others are left as they are."""

    title: ActionTitle | None = None
    description: Text | None = None
    owner_agency: Agency | None = None
    due_on: AnyDate | None = None
    status: ActionStatus | None = None
    evidence_of_impact: Text | None = None
    finding_id: Id | None = None


@dataclass(frozen=True)
class ActionView:
    action: Action
    overdue: bool


FINISHED = ("done", "verified")


def is_overdue(*, due_on: date | None, status: str | None, today: date) -> bool:
    """An action is overdue when its due date has passed and it is neither done nor verified."""
    return due_on is not None and due_on < today and status not in FINISHED


def overdue_on(today: date) -> ColumnElement[bool]:
    """`is_overdue` as a condition in SQL."""
    return (Action.due_on < today) & (Action.status.is_(None) | Action.status.not_in(FINISHED))


class OverdueActions:
    """The board's overdue actions as reminders (a `workflow.notifications.reminders.ReminderSource`),
    in the reviews at a stage where their progress can be recorded, for whoever may record it. One
    reminder per action and due date."""

    def reminders(self, session: Session, today: date) -> Iterator[Reminder]:
        stages = [stage.value for stage in policy.rule("write_action").stages]
        rows = session.execute(
            select(Action.id, Action.review_id, Action.due_on)
            .join(Review, Review.id == Action.review_id)
            .where(
                Review.state.in_(stages),
                overdue_on(today),
            )
            .order_by(Action.id)
        )
        for row in rows:
            yield Reminder(
                Kind.ACTION_OVERDUE,
                f"{Kind.ACTION_OVERDUE}:action-{row.id}:{row.due_on.isoformat()}",
                row.review_id,
                Audience(action="write_action"),
                {"due": row.due_on.isoformat()},
            )


class BoardService(AnalysisService):
    def record_response(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        expected_version: int | None = None,
        command: RecordBoardResponse,
    ) -> BoardResponse:
        """Record (or, naming its version, change) the board's response to a finding."""
        with self.change(review_id, actor, "record_board_response") as ctx:
            finding = ctx.get(Finding, finding_id, "finding")
            existing = finding.response
            if existing is None:
                existing = BoardResponse(
                    review_id=ctx.review.id,
                    finding_id=finding.id,
                    response=command.response,
                    recorded_by=actor,
                )
                finding.response = existing
            else:
                check_version(existing, expected_version, "board response")
                existing.response, existing.recorded_by = command.response, actor
            ctx.session.flush()
            ctx.audit("record_board_response", finding_id=finding.id)
            return existing

    def add_action(self, *, review_id: int, actor: int, command: AddAction) -> ActionView:
        """Record an action of the board's response; status planned unless given."""
        with self.change(review_id, actor, "write_action") as ctx:
            action = Action(review_id=ctx.review.id, title="", status="planned")
            _apply(ctx, action, command.model_dump())
            ctx.session.add(action)
            ctx.session.flush()
            ctx.audit("add_action", action_id=action.id)
            return self._view(action)

    def update_action(
        self,
        *,
        review_id: int,
        actor: int,
        action_id: int,
        expected_version: int | None,
        command: ChangeAction,
    ) -> ActionView:
        with self.change(review_id, actor, "write_action") as ctx:
            action = ctx.get(Action, action_id, "action")
            check_version(action, expected_version, "action")
            _apply(ctx, action, command.sent())
            ctx.audit("update_action", action_id=action.id, fields=sorted(command.model_fields_set))
            ctx.session.flush()
            return self._view(action)

    def actions(
        self, *, review_id: int, actor: int, limit: int | None = None, offset: int = 0
    ) -> Page[ActionView]:
        """The review's actions in the order they were recorded, overdue derived (every member)."""
        with self.read(review_id, actor, READERS["board"]) as ctx:
            query = select(Action).where(Action.review_id == ctx.review.id).order_by(Action.id)
            found = page_of(ctx.session, query, limit=limit, offset=offset)
            return Page([self._view(a) for a in found.items], found.total)

    def action(self, *, review_id: int, actor: int, action_id: int) -> ActionView:
        with self.read(review_id, actor, READERS["board"]) as ctx:
            return self._view(ctx.get(Action, action_id, "action"))

    def _view(self, action: Action) -> ActionView:
        return ActionView(action, is_overdue(due_on=action.due_on, status=action.status, today=self._today()))


NOT_NULL = {
    "title": "Say what the action is.",
    "description": "Send text, or leave the field out.",
    "evidence_of_impact": "Send text, or leave the field out.",
    "status": "Status must be one of: " + ", ".join(ACTION_STATUSES) + ".",
}


def _apply(ctx: Context, action: Action, sent: dict[str, Any]) -> None:
    errors = {name: message for name, message in NOT_NULL.items() if name in sent and sent[name] is None}
    for name in ("title", "description", "evidence_of_impact", "status"):
        if sent.get(name) is not None:
            setattr(action, name, sent[name])
    if "owner_agency" in sent:
        action.owner_agency = sent["owner_agency"] or None
    if "due_on" in sent:
        action.due_on = sent["due_on"]
    if sent.get("finding_id") is not None:
        try:
            ctx.in_review(Finding, [sent["finding_id"]], "finding_id")
        except InvalidInput as error:
            errors |= error.errors
    if "finding_id" in sent:
        action.finding_id = sent["finding_id"]
    if errors:
        raise InvalidInput(errors)

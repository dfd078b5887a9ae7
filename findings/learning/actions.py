"""The board's actions across reviews (DESIGN §6): every action of every review the reader may see
(`findings.learning.visibility`), with its owner agency, due date, status, whether it is overdue by
the app's clock, and its evidence of impact; filtered, cut to a page in SQL, and as a CSV download.

This is the one list of actions across reviews: the overdue list (`GET /api/v1/actions?overdue=true`)
is this list with the overdue filter, and overdue means what `findings.analysis.board.is_overdue`
says, in SQL (`overdue_on`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from findings.analysis.base import Page
from findings.analysis.board import ActionView, is_overdue, overdue_on
from findings.analysis.models import ACTION_STATUSES, Action, Finding
from findings.learning.visibility import Reader, member_of, reader
from findings.publication.assemble import ACTION_STATUS_LABELS, review_type
from workflow.commands import Agency, AnyDate, Command, Id
from workflow.errors import InvalidInput
from workflow.models import Membership, Review
from workflow.service import ReviewService

ActionStatus = Literal[ACTION_STATUSES]  # type: ignore[valid-type]
MAX_EXPORT = 10_000  # rows of one CSV download; a larger export asks for narrower filters

CSV_HEADER = (
    "Review",
    "Review id",
    "Action",
    "Description",
    "Owner agency",
    "Due",
    "Status",
    "Overdue",
    "Evidence of impact",
    "Finding",
)


class ActionFilters(Command):
    agency: Agency | None = Field(default=None, description="The owner agency (case does not matter).")
    status: ActionStatus | None = Field(default=None, description="planned, in_progress, done or verified.")
    overdue: bool = Field(default=False, description="Only the overdue ones.")
    review_id: Id | None = Field(default=None, description="Only this review's.")
    due_from: AnyDate | None = Field(default=None, description="Due on or after this day.")
    due_to: AnyDate | None = Field(default=None, description="Due on or before this day.")

    def conditions(self, today: date) -> list[ColumnElement[bool]]:
        if self.due_from and self.due_to and self.due_to < self.due_from:
            raise InvalidInput({"due_to": "The last due date must be the same as the first or after it."})
        out: list[ColumnElement[bool]] = []
        if self.agency:
            out.append(func.lower(Action.owner_agency) == self.agency.lower())
        if self.status:
            out.append(Action.status == self.status)
        if self.overdue:
            out.append(overdue_on(today))
        if self.review_id is not None:
            out.append(Action.review_id == self.review_id)
        if self.due_from is not None:
            out.append(Action.due_on >= self.due_from)
        if self.due_to is not None:
            out.append(Action.due_on <= self.due_to)
        return out

    @property
    def active(self) -> bool:
        return any(v not in (None, False, "") for v in self.model_dump().values())


@dataclass(frozen=True)
class ActionLine(ActionView):
    """An action in the list across reviews: with its review and whether the reader is a member."""

    review_id: int
    child_pseudonym: str
    review_type: str
    member: bool  # the reader may open the review (else it is seen because it was published)
    finding_number: int | None

    @property
    def status_label(self) -> str:
        return ACTION_STATUS_LABELS.get(self.action.status or "", self.action.status or "not set")


@dataclass(frozen=True)
class ActionChoices:
    """What the filters offer: the owner agencies and the reviews that have actions the reader sees."""

    agencies: tuple[str, ...]
    reviews: tuple[tuple[int, str], ...]  # (review id, "Review of Alice")


class ActionTracker:
    """The actions across reviews. Keyword-only; `actor` is the reader's id."""

    def __init__(self, reviews: ReviewService, *, today: Callable[[], date] = date.today) -> None:
        self._reviews = reviews
        self._today = today

    def lines(
        self, *, actor: int, filters: ActionFilters | None = None, limit: int | None = 50, offset: int = 0
    ) -> Page[ActionLine]:
        """The actions matching `filters`, soonest due first (those without a due date last)."""
        filters = filters or ActionFilters()
        with self._reviews.session(read_only=True) as session:
            who = reader(session, actor)
            query = self._query(who, filters)
            total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
            if limit is not None:
                query = query.limit(limit)
            rows = session.execute(query.offset(offset)).all()
            return Page(self._lines(session, who, rows), total)

    def choices(self, *, actor: int) -> ActionChoices:
        with self._reviews.session(read_only=True) as session:
            who = reader(session, actor)
            seen = select(Action.review_id).join(Review, Review.id == Action.review_id).where(who.sees())
            agencies = session.scalars(
                select(Action.owner_agency)
                .where(Action.review_id.in_(seen), Action.owner_agency.is_not(None))
                .distinct()
            )
            reviews = session.execute(
                select(Review.id, Review.child_pseudonym).where(Review.id.in_(seen)).order_by(Review.id)
            )
            by_name = {a.casefold(): a for a in sorted(a for a in agencies if a)}
            return ActionChoices(
                tuple(sorted(by_name.values(), key=str.casefold)),
                tuple((rid, f"Review of {name}") for rid, name in reviews),
            )

    def csv_rows(self, *, actor: int, filters: ActionFilters | None = None) -> list[list[Any]]:
        """The actions matching `filters` as the rows of a CSV download (`spreadsheet.csv_text`)."""
        found = self.lines(actor=actor, filters=filters, limit=MAX_EXPORT + 1)
        if found.total > MAX_EXPORT:
            raise InvalidInput(
                {"form": f"More than {MAX_EXPORT} actions match; narrow the filters to download them."}
            )
        rows: list[list[Any]] = [list(CSV_HEADER)]
        for line in found.items:
            a = line.action
            rows.append(
                [
                    f"Review of {line.child_pseudonym}",
                    line.review_id,
                    a.title,
                    a.description,
                    a.owner_agency,
                    a.due_on,
                    line.status_label,
                    line.overdue,
                    a.evidence_of_impact,
                    line.finding_number,
                ]
            )
        return rows

    def _query(self, who: Reader, filters: ActionFilters) -> Select[Action, Review, int]:
        finding = aliased(Finding)
        return (
            select(Action, Review, finding.number)
            .join(Review, Review.id == Action.review_id)
            .outerjoin(finding, finding.id == Action.finding_id)
            .where(who.sees(), *filters.conditions(self._today()))
            .order_by(Action.due_on.is_(None), Action.due_on, Action.id)
        )

    def _lines(self, session: Session, who: Reader, rows: Sequence[Any]) -> list[ActionLine]:
        today = self._today()
        ids = {review.id for _, review, _ in rows}
        mine = set(session.scalars(member_of(who.id).where(Membership.review_id.in_(ids)))) if ids else set()
        return [
            ActionLine(
                action,
                is_overdue(due_on=action.due_on, status=action.status, today=today),
                review.id,
                review.child_pseudonym,
                review_type(review),
                review.id in mine,
                number,
            )
            for action, review, number in rows
        ]

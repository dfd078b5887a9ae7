"""Which reviews a person may see across reviews (need-to-know, DESIGN §1 and §6), in one place for
the trends, the actions and the briefing built from a selection.

A member of a review sees it at every stage, drafts included. Once a review has published its report
(not a summary of improvements instead), everyone signed in sees it. An admin sees only the reviews
they are a member of: admins do not read case content.

Also here: the filters every cross-review page shares (years, regime, route) and the year of a review
(the year its referral says the partnership became aware, else the year it was logged).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field
from sqlalchemy import ColumnElement, Integer, Select, cast, extract, func, select, union
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.selectable import TableValuedAlias

from findings.publication.models import PublishedReport
from workflow import regimes
from workflow.commands import Command
from workflow.errors import InvalidInput, NotPermitted
from workflow.models import Membership, Review, User
from workflow.service import ReviewService
from workflow.states import Route

Year = Annotated[int, Field(ge=1900, le=2100, description="A year, four digits.")]
RegimeKey = Literal["wt2010", "wt2023"]
ReviewRoute = Literal["statutory", "learning"]

Column = ColumnElement[Any] | QueryableAttribute[Any]

ROUTE_LABELS = {
    Route.STATUTORY.value: "Statutory review (serious case review or LCSPR)",
    Route.LEARNING.value: "Learning review (management or local learning review)",
}


def regime_labels() -> dict[str, str]:
    """Each regime's key and title, for a filter."""
    return {key: regimes.current(key).title for key in regimes.keys()}  # noqa: SIM118 (a function, not a dict)


def review_year() -> ColumnElement[int]:
    """A review's year: of the date of awareness, else of the day it was logged."""
    return func.coalesce(
        cast(extract("year", Review.date_of_awareness), Integer),
        cast(extract("year", Review.created_at), Integer),
    )


def json_elements(session: Session, column: Any) -> TableValuedAlias:
    """The elements of a JSON list column as a table with one column, `value` (SQLite's `json_each`,
    PostgreSQL's `json_array_elements_text`); join it with `true()`."""
    each = func.json_each if session.get_bind().dialect.name == "sqlite" else func.json_array_elements_text
    return each(column).table_valued("value")


def member_of(actor: int) -> Select[int]:
    return select(Membership.review_id).where(Membership.user_id == actor)


def published_reviews() -> Select[int]:
    """The reviews that published their report (a summary of improvements is not the report)."""
    return select(PublishedReport.review_id).where(PublishedReport.variant == "full")


@dataclass(frozen=True)
class Reader:
    """Who is reading across reviews: their id and their role in the partnership."""

    id: int
    role: str  # the account's global role: admin, coordinator, chair, member

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    @property
    def sees_published(self) -> bool:
        """They may see every review that published its report, not only their own."""
        return not self.admin

    def sees(self) -> ColumnElement[bool]:
        """The condition on `Review.id` for the reviews this reader may see."""
        if not self.sees_published:
            return Review.id.in_(member_of(self.id))
        # One IN over a UNION, not two INs joined by OR: the database can then start from these
        # reviews and use the indexes on review_id (docs/performance.md).
        return Review.id.in_(union(member_of(self.id), published_reviews()))


def reader(session: Session, actor: int) -> Reader:
    """The active user `actor` as a reader (NotPermitted for an account that is not active)."""
    user: User = ReviewService.active_user(session, actor)
    return Reader(user.id, user.global_role)


# Who writes for the partnership across reviews (a board briefing, the partners' yearly report).
AUTHORS = frozenset({"coordinator", "chair"})


def author(session: Session, actor: int, document: str) -> Reader:
    """The reader `actor`, if they may write `document` for the partnership (NotPermitted if not)."""
    who = reader(session, actor)
    if who.role not in AUTHORS:
        raise NotPermitted(f"Only a review coordinator or chair may make {document}.")
    return who


class ReviewFilters(Command):
    """The filters every cross-review page shares: a range of years, the regime, the route."""

    year_from: Year | None = Field(default=None, description="The first year (of the review) to count.")
    year_to: Year | None = Field(default=None, description="The last year to count.")
    regime: RegimeKey | None = Field(default=None, description="wt2010 or wt2023.")
    route: ReviewRoute | None = Field(default=None, description="statutory or learning.")

    def conditions(
        self,
        year: Column | None = None,
        regime: Column | None = None,
        route: Column | None = None,
    ) -> list[ColumnElement[bool]]:
        """The conditions on the review's year, regime and route (`Review`'s, or the columns given
        where a table holds copies of them)."""
        if self.year_from is not None and self.year_to is not None and self.year_to < self.year_from:
            raise InvalidInput({"year_to": "The last year must be the same as the first year or after it."})
        year = review_year() if year is None else year
        out: list[ColumnElement[bool]] = []
        if self.year_from is not None:
            out.append(year >= self.year_from)
        if self.year_to is not None:
            out.append(year <= self.year_to)
        if self.regime is not None:
            out.append((Review.regime_key if regime is None else regime) == self.regime)
        if self.route is not None:
            out.append((Review.route if route is None else route) == self.route)
        return out

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.year_from, self.year_to, self.regime, self.route))


def years_seen(session: Session, who: Reader) -> Sequence[int]:
    """The years of the reviews `who` may see, oldest first (the choices of a year filter)."""
    year = review_year()
    query = select(year).where(who.sees()).group_by(year).order_by(year)
    return [y for y in session.scalars(query) if y is not None]

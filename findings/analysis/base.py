"""What every service of the analysis shares: the one path for a change and for a read.

A change (`AnalysisService.change`) is one unit of work: load the review through
`ReviewService.load` with its row locked (need-to-know: a non-member gets NotFound), check the actor's
role and the review's stage against `workflow.policy`, let the caller change and audit, commit once.
The audit row raises the review's version; concurrent writers queue for the lock, so a create (which
names no version) is never refused because another writer got in first, and an edit is refused as
stale only against the version of the object it names. Whatever the caller builds for its answer
inside the block is built from the same transaction, so an answer's version is the write's. A
refused change leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from findings.errors import StaleObject
from workflow import audit, policy
from workflow.errors import InvalidInput, NotFound, NotPermitted, StaleReview
from workflow.models import Review, utcnow
from workflow.service import ReviewDetail, ReviewService
from workflow.states import ReviewRole

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, counted and cut in SQL, and how many there are in all."""

    items: list[T]
    total: int


def page_of(session: Session, query: Select[T], *, limit: int | None, offset: int) -> Page[T]:
    """`query` (ordered) cut to one page in SQL, with the count of the whole list."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if limit is not None:
        query = query.limit(limit).offset(offset)
    elif offset:
        query = query.offset(offset)
    return Page(list(session.scalars(query)), total)


@dataclass
class Context:
    """One use case in progress: its transaction, the review, the actor and their roles in it."""

    session: Session
    review: Review
    roles: frozenset[ReviewRole]
    actor: int

    def audit(self, action: str, reason: str | None = None, **params: Any) -> None:
        audit.append(
            self.session, self.review, actor_id=self.actor, action=action, reason=reason, params=params
        )

    def get(self, model: type[T], object_id: int, kind: str) -> T:
        """An object of this review, or NotFound (an object of another review is not found either)."""
        obj = self.session.get(model, object_id)
        if obj is None or getattr(obj, "review_id", None) != self.review.id:
            raise NotFound(f"{kind.capitalize()} {object_id} was not found in this review.")
        return obj

    def in_review(self, model: Any, ids: Iterable[int], field: str) -> list[Any]:
        """The objects with these ids, in the order given; InvalidInput naming any not in this review."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        found = {
            o.id: o
            for o in self.session.scalars(
                select(model).where(model.id.in_(wanted), model.review_id == self.review.id)
            )
        }
        missing = [i for i in wanted if i not in found]
        if missing:
            raise InvalidInput({field: f"Not part of this review: {', '.join(map(str, missing))}."})
        return [found[i] for i in wanted]


def check_version(obj: Any, expected: int | None, kind: str) -> None:
    """Refuse an edit made against another version of `obj` (StaleObject); mark it updated."""
    if expected is None or expected != obj.version:
        raise StaleObject(kind, expected, obj.version)
    obj.updated_at = utcnow()


def agencies(values: Iterable[str] | None) -> list[str]:
    """Agency names trimmed, blanks dropped, each once, in the order given."""
    return list(dict.fromkeys(v.strip() for v in values or () if v and v.strip()))


class AnalysisService:
    """The base of the analysis services. Methods are keyword-only; `actor` is the id of the user
    acting."""

    def __init__(self, reviews: ReviewService, *, today: Callable[[], date] = date.today) -> None:
        self._reviews = reviews
        self._today = today

    @contextmanager
    def read(self, review_id: int, actor: int, readers: frozenset[ReviewRole]) -> Iterator[Context]:
        with self._reviews.session(read_only=True) as session:
            review, roles = self._reviews.load(session, review_id, actor)
            if not roles & readers:
                raise NotPermitted("Your role in this review does not let you see this.")
            yield Context(session, review, roles, actor)

    def detail(self, ctx: Context) -> ReviewDetail:
        """The review as every page of it shows it, read in this use case's transaction (a page that
        asks for it with its own content reads the review once)."""
        return self._reviews.detail(ctx.session, ctx.review, ctx.roles)

    @contextmanager
    def change(self, review_id: int, actor: int, action: str) -> Iterator[Context]:
        with self._reviews.session() as session:
            try:
                # The review's row is locked first: concurrent changes (creates name no version)
                # queue for it, so each one's audit row raises the version it has just read.
                review, roles = self._reviews.load(session, review_id, actor, for_change=True)
                policy.check(roles, review.state, action)
                yield Context(session, review, roles, actor)
                session.commit()
            except StaleDataError as error:
                session.rollback()
                raise StaleReview(None, None) from error
            except IntegrityError as error:
                # A unique key taken by a concurrent writer (one panel analysis per member, one
                # board response per finding) is a lost race; anything else is a bug and surfaces.
                session.rollback()
                if "unique" not in str(error.orig).lower():
                    raise
                raise StaleReview(None, None) from error

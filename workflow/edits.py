"""What every service that edits a review itself shares (its referral, criteria check, scope,
membership, publication hold and notices): one unit of work per use case.

`EditService.editing` loads the review for a change (its row locked until the transaction ends), checks
the actor's role, the review's version and its stage against `workflow.policy` (each refusal in that
order), lets the caller change and audit, and commits once. The caller builds its answer (e.g.
`edit.detail()`) inside the block, from the same transaction, so an answer's version is the write's.
Firing triggers stays in `ReviewService.fire`: these edits never change a review's state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from workflow import audit, policy
from workflow.errors import NotPermitted
from workflow.models import Review
from workflow.service import ReviewDetail, ReviewService
from workflow.states import ReviewRole


@dataclass
class Edit:
    """One edit of a review in progress: its transaction, the review, the actor and their roles."""

    session: Session
    review: Review
    roles: frozenset[ReviewRole]
    actor: int
    reviews: ReviewService

    def audit(self, action: str, reason: str | None = None, **params: Any) -> None:
        audit.append(
            self.session, self.review, actor_id=self.actor, action=action, reason=reason, params=params
        )

    def detail(self) -> ReviewDetail:
        """The review as the actor now sees it, read in this transaction."""
        return self.reviews.detail(self.session, self.review, self.roles)


class EditService:
    """The base of the services that edit a review. Methods are keyword-only; `actor` is the id of
    the user acting, `expected_version` the review's version their change was made against."""

    def __init__(self, reviews: ReviewService, *, today: Callable[[], date] = date.today) -> None:
        self._reviews = reviews
        self._today = today

    def today(self) -> date:
        return self._today()

    @contextmanager
    def editing(
        self, review_id: int, actor: int, expected_version: int | None, action: str
    ) -> Iterator[Edit]:
        with self._reviews.session() as session:
            review, roles = self._reviews.load(session, review_id, actor, for_change=True)
            refused = policy.role_refusal(roles, action)
            if refused:
                raise NotPermitted(refused)
            self._reviews.check_version(review, expected_version)
            policy.check(roles, review.state, action)
            yield Edit(session, review, roles, actor, self._reviews)
            session.commit()

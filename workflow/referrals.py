"""The review's record: the referral that starts it, the criteria check and the scope.

Commands here are the JSON bodies of `api/routes/reviews.py` and what the referral, criteria and
scope pages build from their forms. Structure is validated by the command (all of it at once); the
checks that need the clock or the database are collected by the service and raised together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow import audit, regimes
from workflow.commands import (
    MAX_ITEMS,
    Agency,
    AnyDate,
    ClockDate,
    Command,
    Email,
    Key,
    Pseudonym,
    Reason,
    Text,
    required,
)
from workflow.edits import Edit, EditService
from workflow.errors import InvalidInput, NotPermitted
from workflow.membership import active_user_by_email, join
from workflow.models import Membership, Review, User
from workflow.service import ReviewDetail, ReviewService
from workflow.states import ReviewRole, State

INCIDENT_OUTCOMES = {
    "died": "The child died",
    "serious_harm": "The child was seriously harmed",
    "other": "Other incident",
}
ABUSE_OR_NEGLECT = {"known": "Known", "suspected": "Suspected", "not_suspected": "Not suspected"}
Outcome = Literal["died", "serious_harm", "other"]
AbuseOrNeglect = Literal["known", "suspected", "not_suspected"]
RegimeKey = Literal[regimes.keys()]  # type: ignore[valid-type]

NO_PSEUDONYM = "Give the child a pseudonym (never their real name)."
NO_AGENCY = "Choose or name at least one agency involved with the child and family."


def awareness_problem(day: date | None, today: date) -> str | None:
    if day is not None and day > today:
        return "The date of awareness cannot be in the future."
    return None


def _not_after_today(value: date, info: ValidationInfo) -> date:
    """With `context={"today": ...}` (a page knows the service's today), a future date is refused in
    the same pass as every other field; the service checks it again for the API."""
    today = (info.context or {}).get("today")
    problem = awareness_problem(value, today) if isinstance(today, date) else None
    if problem:
        raise PydanticCustomError("future", problem)
    return value


AwarenessDate = Annotated[ClockDate, AfterValidator(_not_after_today)]


def asked(message: str) -> AfterValidator:
    """Refuse a value the referral form asks for when it is left out (None or no items)."""

    def check(value: Any) -> Any:
        if value is None or value == []:
            raise PydanticCustomError("required", message)
        return value

    return AfterValidator(check)


class Incident(Command):
    outcome: Outcome | None = Field(default=None, description="What happened to the child.")
    abuse_or_neglect: AbuseOrNeglect | None = Field(
        default=None, description="Whether abuse or neglect is known or suspected to be a factor."
    )
    date_of_awareness: AwarenessDate | None = Field(
        default=None, description="When the partnership became aware of the incident (starts the clocks)."
    )
    summary: Text = ""


class LogReferral(Command):
    """A referral may be logged before everything is known: `open_screening` asks for the rest."""

    child_pseudonym: Pseudonym = Field(description="A pseudonym, never the child's real name.")
    incident: Incident = Field(default_factory=Incident)
    agencies_involved: list[Agency] = Field(default_factory=list, max_length=MAX_ITEMS)
    regime: RegimeKey | None = Field(  # type: ignore[valid-type]
        default=None, description="Default: the partnership's regime."
    )
    chair_email: Email | None = Field(
        default=None, description="Who chairs the review (an active user): added as its chair."
    )


class CompleteIncident(Incident):
    outcome: Annotated[Outcome | None, asked("Say what happened to the child.")] = Field(
        default=None, validate_default=True
    )
    abuse_or_neglect: Annotated[AbuseOrNeglect | None, asked("Say whether abuse or neglect is known.")] = (
        Field(default=None, validate_default=True)
    )
    date_of_awareness: Annotated[
        AwarenessDate | None, asked("Enter the date the partnership became aware.")
    ] = Field(default=None, validate_default=True)


class CompleteReferral(LogReferral):
    """What the referral page asks for: everything `open_screening` will need."""

    child_pseudonym: Annotated[Pseudonym, required(NO_PSEUDONYM)]
    incident: CompleteIncident = Field(default_factory=CompleteIncident)
    agencies_involved: Annotated[list[Agency], asked(NO_AGENCY)] = Field(
        default_factory=list, max_length=MAX_ITEMS, validate_default=True
    )


class ChangeReferral(Command):
    """The fields sent are changed (until the route is decided); the others are left as they are."""

    child_pseudonym: Annotated[Pseudonym, required(NO_PSEUDONYM)] | None = None
    incident_outcome: Annotated[Outcome | None, asked("Say what happened to the child.")] = None
    abuse_or_neglect: Annotated[AbuseOrNeglect | None, asked("Say whether abuse or neglect is known.")] = None
    date_of_awareness: Annotated[
        AwarenessDate | None, asked("Enter the date the partnership became aware.")
    ] = None
    incident_summary: Text | None = None
    agencies_involved: Annotated[list[Agency] | None, asked(NO_AGENCY)] = Field(
        default=None, max_length=MAX_ITEMS
    )


class RecordCriteria(Command):
    answers: dict[Key, Key] = Field(
        max_length=MAX_ITEMS, description="Question key -> option code; see the review's criteria.questions."
    )


class SetScope(Command):
    research_questions: list[Reason] = Field(max_length=MAX_ITEMS)
    agencies_in_scope: list[Agency] = Field(max_length=MAX_ITEMS)
    period_start: AnyDate | None = None
    period_end: AnyDate | None = None

    @field_validator("period_end")
    @classmethod
    def _ends_after_it_starts(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("period_start")
        if value and start and value < start:
            raise PydanticCustomError("period", "The period must end on or after the day it starts.")
        return value


@dataclass(frozen=True)
class LoggedReferral:
    """The new review, and what the coordinator should look at (a possible second referral)."""

    detail: ReviewDetail
    warnings: tuple[str, ...]


class ReferralService(EditService):
    def __init__(
        self,
        reviews: ReviewService,
        *,
        today: Callable[[], date] = date.today,
        default_regime: str = "wt2023",
    ) -> None:
        super().__init__(reviews, today=today)
        self._default_regime = default_regime

    def log(self, *, actor: int, command: LogReferral) -> LoggedReferral:
        """Log a referral (coordinators). The coordinator who logs it becomes the review's
        coordinator; the chair named in it, its chair."""
        with self._reviews.session() as session:
            user = self._reviews.active_user(session, actor)
            if user.global_role != "coordinator":
                raise NotPermitted("Only a review coordinator may log a referral.")
            incident = command.incident
            errors: dict[str, str] = {}
            if not command.child_pseudonym:
                errors["child_pseudonym"] = NO_PSEUDONYM
            future = awareness_problem(incident.date_of_awareness, self._today())
            if future:
                errors["incident.date_of_awareness"] = future
            chair = active_user_by_email(session, command.chair_email, "chair_email", errors)
            try:
                chosen = regimes.current(command.regime or self._default_regime)
            except regimes.UnknownRegime as error:
                errors["regime"] = str(error)
            if errors:
                raise InvalidInput(errors)
            review = Review(
                regime_key=chosen.key,
                regime_version=chosen.version,
                state=State.REFERRED.value,
                child_pseudonym=command.child_pseudonym,
                incident_outcome=incident.outcome,
                abuse_or_neglect=incident.abuse_or_neglect,
                date_of_awareness=incident.date_of_awareness,
                incident_summary=incident.summary,
                agencies_involved=_agencies(command.agencies_involved),
            )
            review.memberships.append(Membership(user_id=user.id, role=ReviewRole.COORDINATOR.value))
            session.add(review)
            session.flush()
            edit = Edit(session, review, frozenset({ReviewRole.COORDINATOR}), actor, self._reviews)
            audit.append(
                session,
                review,
                actor_id=actor,
                action="log_referral",
                to_state=State.REFERRED.value,
                params={"regime": f"{chosen.key} v{chosen.version}"},
            )
            if chair is not None:
                join(edit, chair, ReviewRole.CHAIR, agency=None, declared_interest=None)
            warnings = self._second_referral(session, review, actor)
            detail = edit.detail()
            session.commit()
            return LoggedReferral(detail, warnings)

    def chairs(self) -> list[User]:
        """The partnership's chairs (active users whose account is a chair's), to choose one from."""
        with self._reviews.session() as session:
            query = select(User).where(User.global_role == "chair", User.active.is_(True)).order_by(User.name)
            return list(session.scalars(query))

    def change(
        self, *, review_id: int, actor: int, expected_version: int | None, command: ChangeReferral
    ) -> ReviewDetail:
        with self.editing(review_id, actor, expected_version, "update_referral") as edit:
            sent = command.sent()
            future = awareness_problem(sent.get("date_of_awareness"), self._today())
            if future:
                raise InvalidInput({"date_of_awareness": future})
            for name, value in sent.items():
                setattr(edit.review, name, _agencies(value) if name == "agencies_involved" else value)
            edit.audit("update_referral", fields=sorted(sent))
            return edit.detail()

    def record_criteria(
        self, *, review_id: int, actor: int, expected_version: int | None, command: RecordCriteria
    ) -> ReviewDetail:
        """Record criteria answers (coordinator or chair, before the route is decided)."""
        with self.editing(review_id, actor, expected_version, "record_criteria") as edit:
            review = edit.review
            regime = regimes.get(review.regime_key, review.regime_version)
            problems = regime.invalid_answers(command.answers)
            if problems:
                raise InvalidInput({"answers": " ".join(problems)})
            review.criteria_answers = dict(review.criteria_answers) | dict(command.answers)
            recommendation = regime.recommend(review.criteria_answers)
            edit.audit(
                "record_criteria",
                answers=dict(command.answers),
                recommended=recommendation.route.value if recommendation else None,
            )
            return edit.detail()

    def set_scope(
        self, *, review_id: int, actor: int, expected_version: int | None, command: SetScope
    ) -> ReviewDetail:
        """Set the terms of reference (coordinator, at the scoping stage)."""
        with self.editing(review_id, actor, expected_version, "set_scope") as edit:
            review = edit.review
            questions = [q for q in command.research_questions if q]
            review.research_questions = questions
            review.agencies_in_scope = _agencies(command.agencies_in_scope)
            review.period_start, review.period_end = command.period_start, command.period_end
            edit.audit(
                "set_scope",
                research_questions=len(questions),
                agencies_in_scope=review.agencies_in_scope,
                period_start=command.period_start,
                period_end=command.period_end,
            )
            return edit.detail()

    def _second_referral(self, session: Session, review: Review, actor: int) -> tuple[str, ...]:
        """A warning, not a refusal: the same child and date of awareness may be a referral logged
        twice. Only the reviews the coordinator is a member of are named (need-to-know)."""
        if review.date_of_awareness is None:
            return ()
        others = session.scalars(
            select(Review).where(
                Review.id != review.id,
                func.lower(Review.child_pseudonym) == review.child_pseudonym.lower(),
                Review.date_of_awareness == review.date_of_awareness,
            )
        ).all()
        if not others:
            return ()
        mine = [o.id for o in others if any(m.user_id == actor for m in o.memberships)]
        where = (
            "review " + ", ".join(map(str, mine))
            if len(mine) == len(others)
            else "a review you are not a member of: ask the business unit"
        )
        return (
            f"A referral for {review.child_pseudonym} with the same date of awareness was already "
            f"logged ({where}). Check this is not the same incident logged twice.",
        )


def _agencies(values: list[str]) -> list[str]:
    """Agency names trimmed, blanks dropped, each once, in the order given."""
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))

"""The one service that changes a review. It loads with a version check, authorises, evaluates every
guard, changes state through the machine, appends the audit row and commits once. Side effects run
after the commit, through listeners. Publishing is not a side effect: the `Publisher` port freezes
what is published inside the trigger's own transaction, so a review is never published without its
frozen documents (and never has frozen documents without being published)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from workflow import audit, db, policy, regimes
from workflow.clocks import Clock, compute_clocks
from workflow.errors import InvalidInput, NotFound, NotPermitted, StaleReview, TriggerRefused
from workflow.guards import (
    REASON_PARAM,
    MemberFacts,
    Need,
    ReviewFacts,
    ReviewNeed,
    Verdict,
    analysis_needs,
    evaluate,
    needs_of,
)
from workflow.machine import next_state
from workflow.models import AuditEntry, Membership, Review, User
from workflow.policy import ROLE_NAMES
from workflow.ports import AnalysisFacts, NoAnalysis, NoPublisher, Publisher
from workflow.regimes import Recommendation, Regime
from workflow.regimes.base import ClockAnchor, ClockEvent
from workflow.states import (
    FINAL_STATES,
    STATE_LABELS,
    TRIGGER_LABELS,
    ReviewRole,
    Route,
    State,
    Trigger,
    triggers_from,
)

INCIDENT_OUTCOMES = {
    "died": "The child died",
    "serious_harm": "The child was seriously harmed",
    "other": "Other incident",
}
ABUSE_OR_NEGLECT = {"known": "Known", "suspected": "Suspected", "not_suspected": "Not suspected"}


@dataclass(frozen=True)
class TriggerOption:
    trigger: Trigger
    label: str
    allowed: bool
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Transitioned:
    """What listeners hear after a trigger was committed."""

    review_id: int
    trigger: Trigger
    from_state: State
    to_state: State
    actor_id: int


@dataclass(frozen=True)
class ReviewDetail:
    review: Review
    regime: Regime
    roles: frozenset[ReviewRole]
    clocks: tuple[Clock, ...]
    recommendation: Recommendation | None

    @property
    def review_type(self) -> str | None:
        return self.regime.route_name(Route(self.review.route)) if self.review.route else None


Listener = Callable[[Transitioned], None]


# The audit rows that start or meet a clock: a review's clocks are read from these alone.
CLOCK_ACTIONS = (
    Trigger.DECIDE.value,
    "record_notification",
    "record_panel_notice",
    Trigger.APPROVE.value,
    Trigger.PUBLISH.value,
)


def _event_dates(entries: Iterable[audit.Anchor]) -> tuple[dict[ClockAnchor, date], dict[ClockEvent, date]]:
    """Clock anchors and events, read from the audit log (the latest of each counts)."""
    anchors: dict[ClockAnchor, date] = {}
    events: dict[ClockEvent, date] = {}

    def day_of(entry: audit.Anchor) -> date:
        on = entry.params.get("on")
        return date.fromisoformat(on) if isinstance(on, str) else entry.at.date()

    for entry in entries:
        if entry.action == Trigger.DECIDE:
            anchors[ClockAnchor.DECISION] = events[ClockEvent.DECISION] = day_of(entry)
        elif entry.action == "record_notification":
            events[ClockEvent.NOTIFICATION] = day_of(entry)
        elif entry.action == "record_panel_notice":
            anchors[ClockAnchor.PANEL_NOTICE] = day_of(entry)
        elif entry.action == Trigger.APPROVE:
            events[ClockEvent.COMPLETION] = day_of(entry)
        elif entry.action == Trigger.PUBLISH:
            events[ClockEvent.PUBLICATION] = day_of(entry)
    return anchors, events


def clock_anchors(session: Session, review_ids: Iterable[int]) -> dict[int, list[audit.Anchor]]:
    """The rows the clocks of these reviews are read from, in one query."""
    return audit.anchors_of(session, review_ids, CLOCK_ACTIONS)


def clocks_of(review: Review, entries: Iterable[audit.Anchor], today: date) -> tuple[Clock, ...]:
    regime = regimes.get(review.regime_key, review.regime_version)
    anchors, events = _event_dates(entries)
    if review.date_of_awareness is not None:
        anchors[ClockAnchor.AWARENESS] = review.date_of_awareness
    route = Route(review.route) if review.route else None
    return compute_clocks(regime, route=route, anchors=anchors, events=events, today=today)


class ReviewService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        analysis: AnalysisFacts | None = None,
        today: Callable[[], date] = date.today,
        listeners: Sequence[Listener] = (),
        default_regime: str = "wt2023",
        publisher: Publisher | None = None,
    ) -> None:
        self._sessions = sessions
        self._default_regime = default_regime
        self._analysis: AnalysisFacts = analysis or NoAnalysis()
        self._publisher: Publisher = publisher or NoPublisher()
        self._today = today
        self._listeners = list(listeners)

    # ---- loading and authorising -------------------------------------------------------------

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """A transaction that rolls back unless committed. A concurrent writer that got in first
        (the version check at flush or commit matched no row) surfaces as `StaleReview`.

        A writer's transaction takes SQLite's write lock when it begins (`BEGIN IMMEDIATE`), so
        writers queue; a `read_only` one begins deferred and never waits for a writer."""
        with self._sessions() as session:
            if read_only:
                db.begin_reading(session)
            try:
                yield session
            except StaleDataError as error:
                session.rollback()
                raise StaleReview(None, None) from error

    @staticmethod
    def active_user(session: Session, actor_id: int) -> User:
        user = session.get(User, actor_id)
        if user is None or not user.active:
            raise NotPermitted("This account is not active.")
        return user

    def load(
        self, session: Session, review_id: int, actor_id: int, *, for_change: bool = False
    ) -> tuple[Review, frozenset[ReviewRole]]:
        """The review and the actor's roles in it; NotFound unless the actor is a member.

        `for_change` locks the review's row until the transaction ends, so concurrent writers queue
        and each one after the first sees the new version and is refused as stale (SQLite's
        `BEGIN IMMEDIATE` does the same for the whole database)."""
        rows = session.execute(
            select(User.active, Membership.role)
            .outerjoin(Membership, (Membership.user_id == User.id) & (Membership.review_id == review_id))
            .where(User.id == actor_id)
        ).all()
        if not rows or not rows[0].active:
            raise NotPermitted("This account is not active.")
        # A read answers with the members (pages list them after the session closed); a change
        # loads them only if it needs them.
        members = () if for_change else (selectinload(Review.memberships),)
        review = session.get(Review, review_id, with_for_update=for_change, options=members)
        roles = frozenset(ReviewRole(row.role) for row in rows if row.role is not None)
        if review is None or not roles:
            raise NotFound(f"Review {review_id} was not found.")
        return review, roles

    @staticmethod
    def check_version(review: Review, expected_version: int | None) -> None:
        if expected_version is None or expected_version != review.version:
            raise StaleReview(expected_version, review.version)

    @staticmethod
    def require(roles: frozenset[ReviewRole], allowed: Iterable[ReviewRole], what: str) -> None:
        allowed = frozenset(allowed)
        if not roles & allowed:
            raise NotPermitted(f"Only the {policy.roles_phrase(allowed)} may {what}.")

    @staticmethod
    def require_not_final(review: Review) -> None:
        if review.state in FINAL_STATES:
            raise TriggerRefused("edit", [f"The review is {review.state}; it can no longer change."])

    # ---- facts for guards --------------------------------------------------------------------

    def facts(
        self, session: Session, review: Review, needs: Iterable[Need], *, run_checks: bool
    ) -> ReviewFacts:
        """What the guards that need `needs` look at: only those facts are read (`run_checks=False`
        gives the anonymisation check's last known result instead of running it)."""
        needs = frozenset(needs)
        panel_notice_on = None
        if ReviewNeed.PANEL_NOTICE in needs:
            anchors, _ = _event_dates(clock_anchors(session, [review.id])[review.id])
            panel_notice_on = anchors.get(ClockAnchor.PANEL_NOTICE)
        members: tuple[MemberFacts, ...] = ()
        if ReviewNeed.MEMBERS in needs:
            members = tuple(
                MemberFacts(m.id, m.user.name, ReviewRole(m.role), m.agency) for m in review.memberships
            )
        wanted = analysis_needs(needs)
        return ReviewFacts(
            regime=regimes.get(review.regime_key, review.regime_version),
            date_of_awareness=review.date_of_awareness,
            incident_outcome=review.incident_outcome,
            agencies_involved=tuple(review.agencies_involved),
            criteria_answers=dict(review.criteria_answers),
            research_questions=tuple(review.research_questions),
            agencies_in_scope=tuple(review.agencies_in_scope),
            panel_exemptions=dict(review.panel_exemptions),
            members=members,
            publication_hold=review.publication_hold,
            panel_notice_on=panel_notice_on,
            analysis=self._analysis.snapshot(session, review.id, wanted, run_checks=run_checks)
            if wanted
            else None,
            today=self._today(),
            paused_from=review.paused_from,
        )

    # ---- firing triggers ---------------------------------------------------------------------

    def fire(
        self,
        review_id: int,
        trigger: Trigger | str,
        actor: int,
        expected_version: int | None,
        **params: Any,
    ) -> Review:
        trigger = _parse_trigger(trigger)
        with self.session() as session:
            review, roles = self.load(session, review_id, actor, for_change=True)
            self.check_version(review, expected_version)
            current = State(review.state)
            if trigger not in triggers_from(current):
                raise TriggerRefused(
                    trigger,
                    [
                        f"'{TRIGGER_LABELS[trigger]}' is not possible while the review is at the "
                        f"stage '{STATE_LABELS[current]}'."
                    ],
                )
            refused = policy.role_refusal(roles, trigger)
            if refused:
                raise NotPermitted(refused)
            facts = self.facts(session, review, needs_of([trigger]), run_checks=True)
            verdict = evaluate(trigger, facts, params)
            if not verdict.allowed:
                raise TriggerRefused(trigger, verdict.reasons)
            target = next_state(
                current,
                trigger,
                route=Route(params["route"]) if trigger == Trigger.DECIDE else None,
                resume_to=State(review.paused_from) if review.paused_from else None,
            )
            published = self._publish(session, review, trigger, actor)
            _record_trigger_data(review, trigger, current, params)
            review.state = target.value
            reason_key = REASON_PARAM.get(trigger, "comment")
            audit.append(
                session,
                review,
                actor_id=actor,
                action=trigger.value,
                from_state=current.value,
                to_state=target.value,
                reason=_clean(params.get(reason_key)),
                params={k: v for k, v in params.items() if v not in (None, "")} | dict(published),
            )
            session.commit()
        event = Transitioned(review_id, trigger, current, target, actor)
        for listener in self._listeners:
            listener(event)
        return review

    def _publish(self, session: Session, review: Review, trigger: Trigger, actor: int) -> Mapping[str, str]:
        """Freeze what `publish` (the report) or `decline_publication` (the summary of improvements)
        publishes, in this transaction; the audit params that record it (e.g. the digest)."""
        if trigger == Trigger.PUBLISH:
            return self._publisher.publish(session, review.id, actor)
        if trigger == Trigger.DECLINE_PUBLICATION:
            return self._publisher.decline(session, review.id, actor)
        return {}

    def allowed_triggers(
        self, review_id: int, actor: int, *, check_anonymisation: bool = False
    ) -> list[TriggerOption]:
        """Each trigger that leaves the review's stage: whether the actor may fire it now, and why not.
        The anonymisation check is run only with `check_anonymisation` (the publication page);
        otherwise `publish` shows its last known result, or a warning that it runs on publishing."""
        with self.session(read_only=not check_anonymisation) as session:
            review, roles = self.load(session, review_id, actor)
            return self.trigger_options(session, review, roles, check_anonymisation=check_anonymisation)

    def trigger_options(
        self,
        session: Session,
        review: Review,
        roles: frozenset[ReviewRole],
        *,
        check_anonymisation: bool = False,
    ) -> list[TriggerOption]:
        triggers = triggers_from(State(review.state))
        permitted = [t for t in triggers if roles & policy.rule(t).roles]
        facts = self.facts(session, review, needs_of(permitted), run_checks=check_anonymisation)
        options = []
        for trigger in triggers:
            allowed_roles = policy.rule(trigger).roles
            if trigger not in permitted:
                verdict = Verdict(reasons=(f"Only the {policy.roles_phrase(allowed_roles)} may do this.",))
            else:
                verdict = evaluate(trigger, facts, None)
            options.append(
                TriggerOption(
                    trigger, TRIGGER_LABELS[trigger], verdict.allowed, verdict.reasons, verdict.warnings
                )
            )
        return options

    # ---- reading -------------------------------------------------------------------------------

    def detail(
        self,
        session: Session,
        review: Review,
        roles: frozenset[ReviewRole],
        anchors: Sequence[audit.Anchor] | None = None,
    ) -> ReviewDetail:
        """The review as its pages show it; `anchors` (its clock rows) are read when not given."""
        regime = regimes.get(review.regime_key, review.regime_version)
        if anchors is None:
            anchors = clock_anchors(session, [review.id])[review.id]
        return ReviewDetail(
            review=review,
            regime=regime,
            roles=roles,
            clocks=clocks_of(review, anchors, self._today()),
            recommendation=regime.recommend(review.criteria_answers),
        )

    def get(self, review_id: int, actor: int) -> ReviewDetail:
        with self.session(read_only=True) as session:
            review, roles = self.load(session, review_id, actor)
            return self.detail(session, review, roles)

    def list_for(
        self,
        actor: int,
        *,
        state: str | None = None,
        waiting_on: Mapping[State, frozenset[ReviewRole]] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[ReviewDetail], int]:
        """Reviews the actor is a member of (need-to-know: admins see none unless members), newest
        first, one page cut in SQL: the same few queries whatever the number of reviews.
        `waiting_on` keeps the reviews at one of its stages where the actor has one of its roles."""
        with self.session(read_only=True) as session:
            self.active_user(session, actor)
            query = select(Review).where(Review.id.in_(_member_of(actor)))
            if state:
                query = query.where(Review.state == state)
            if waiting_on is not None:
                stages = [
                    (Review.state == stage.value) & Review.id.in_(_member_of(actor, roles))
                    for stage, roles in waiting_on.items()
                    if roles
                ]
                query = query.where(or_(*stages) if stages else false())
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            reviews = list(session.scalars(query.order_by(Review.id.desc()).limit(limit).offset(offset)))
            ids = [review.id for review in reviews]
            roles: dict[int, set[ReviewRole]] = {review_id: set() for review_id in ids}
            for review_id, role in session.execute(
                select(Membership.review_id, Membership.role).where(
                    Membership.user_id == actor, Membership.review_id.in_(ids)
                )
            ):
                roles[review_id].add(ReviewRole(role))
            anchors = clock_anchors(session, ids)
            details = [
                self.detail(session, review, frozenset(roles[review.id]), anchors[review.id])
                for review in reviews
            ]
            return details, total

    def audit_log(self, review_id: int, actor: int) -> Sequence[AuditEntry]:
        with self.session(read_only=True) as session:
            self.load(session, review_id, actor)
            return audit.entries_of(session, review_id)

    def verify_audit(self, review_id: int, actor: int) -> audit.ChainReport:
        with self.session(read_only=True) as session:
            self.load(session, review_id, actor)
            return audit.verify(session, review_id)

    # ---- changes that are not triggers (each audited and version-checked) ---------------------

    def create_review(
        self,
        actor: int,
        *,
        child_pseudonym: str,
        incident_outcome: str | None = None,
        abuse_or_neglect: str | None = None,
        date_of_awareness: date | None = None,
        incident_summary: str = "",
        agencies_involved: Sequence[str] = (),
        regime: str | None = None,
    ) -> Review:
        """Log a referral. The coordinator who logs it becomes the review's coordinator."""
        with self.session() as session:
            user = self.active_user(session, actor)
            if user.global_role != "coordinator":
                raise NotPermitted("Only a review coordinator may log a referral.")
            errors = _referral_errors(
                child_pseudonym, incident_outcome, abuse_or_neglect, date_of_awareness, self._today()
            )
            try:
                chosen = regimes.current(regime or self._default_regime)
            except regimes.UnknownRegime as error:
                errors["regime"] = str(error)
            if errors:
                raise InvalidInput(errors)
            review = Review(
                regime_key=chosen.key,
                regime_version=chosen.version,
                state=State.REFERRED.value,
                child_pseudonym=child_pseudonym.strip(),
                incident_outcome=incident_outcome,
                abuse_or_neglect=abuse_or_neglect,
                date_of_awareness=date_of_awareness,
                incident_summary=incident_summary.strip(),
                agencies_involved=_agencies(agencies_involved),
            )
            review.memberships.append(Membership(user_id=user.id, role=ReviewRole.COORDINATOR.value))
            session.add(review)
            session.flush()
            audit.append(
                session,
                review,
                actor_id=actor,
                action="log_referral",
                to_state=State.REFERRED.value,
                params={"regime": f"{chosen.key} v{chosen.version}"},
            )
            session.commit()
            return review

    def update_referral(
        self, review_id: int, actor: int, expected_version: int | None, **fields: Any
    ) -> Review:
        allowed = {
            "child_pseudonym",
            "incident_outcome",
            "abuse_or_neglect",
            "date_of_awareness",
            "incident_summary",
            "agencies_involved",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise InvalidInput({name: "This field cannot be changed here." for name in unknown})
        with self.session() as session:
            review, _roles = self._for_change(session, review_id, actor, expected_version, "update_referral")
            merged = {name: getattr(review, name) for name in allowed} | fields
            errors = _referral_errors(
                merged["child_pseudonym"],
                merged["incident_outcome"],
                merged["abuse_or_neglect"],
                merged["date_of_awareness"],
                self._today(),
            )
            if errors:
                raise InvalidInput(errors)
            for name, value in fields.items():
                setattr(review, name, _agencies(value) if name == "agencies_involved" else value)
            audit.append(
                session, review, actor_id=actor, action="update_referral", params={"fields": sorted(fields)}
            )
            session.commit()
            return review

    def record_criteria(
        self, review_id: int, actor: int, expected_version: int | None, answers: Mapping[str, str]
    ) -> ReviewDetail:
        with self.session() as session:
            review, roles = self._for_change(session, review_id, actor, expected_version, "record_criteria")
            regime = regimes.get(review.regime_key, review.regime_version)
            problems = regime.invalid_answers(answers)
            if problems:
                raise InvalidInput({"answers": " ".join(problems)})
            review.criteria_answers = dict(review.criteria_answers) | dict(answers)
            recommendation = regime.recommend(review.criteria_answers)
            audit.append(
                session,
                review,
                actor_id=actor,
                action="record_criteria",
                params={
                    "answers": dict(answers),
                    "recommended": recommendation.route.value if recommendation else None,
                },
            )
            session.commit()
            return self.detail(session, review, roles)

    def set_scope(
        self,
        review_id: int,
        actor: int,
        expected_version: int | None,
        *,
        research_questions: Sequence[str],
        agencies_in_scope: Sequence[str],
        period_start: date | None = None,
        period_end: date | None = None,
    ) -> Review:
        with self.session() as session:
            review, _ = self._for_change(session, review_id, actor, expected_version, "set_scope")
            if period_start and period_end and period_end < period_start:
                raise InvalidInput({"period_end": "The period must end on or after the day it starts."})
            questions = [q.strip() for q in research_questions if q and q.strip()]
            review.research_questions = questions
            review.agencies_in_scope = _agencies(agencies_in_scope)
            review.period_start, review.period_end = period_start, period_end
            audit.append(
                session,
                review,
                actor_id=actor,
                action="set_scope",
                params={
                    "research_questions": len(questions),
                    "agencies_in_scope": review.agencies_in_scope,
                    "period_start": period_start,
                    "period_end": period_end,
                },
            )
            session.commit()
            return review

    def add_member(
        self,
        review_id: int,
        actor: int,
        expected_version: int | None,
        *,
        email: str,
        role: str,
        agency: str | None = None,
        declared_interest: str | None = None,
    ) -> Membership:
        with self.session() as session:
            review, _ = self._for_change(session, review_id, actor, expected_version, "change_membership")
            errors: dict[str, str] = {}
            user = session.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None or not user.active:
                errors["email"] = f"No active user has the email address '{email}'."
            try:
                review_role = ReviewRole(role)
            except ValueError:
                errors["role"] = "Role must be one of: " + ", ".join(r.value for r in ReviewRole) + "."
                review_role = None
            agency = (agency or "").strip() or None
            if review_role in (ReviewRole.PANEL_MEMBER, ReviewRole.CASE_GROUP) and not agency:
                errors["agency"] = "Say which agency this panel or case group member is from."
            if (
                user
                and review_role
                and any(m.user_id == user.id and m.role == review_role for m in review.memberships)
            ):
                errors["role"] = f"{user.name} is already a {ROLE_NAMES[review_role]} of this review."
            if errors:
                raise InvalidInput(errors)
            assert user is not None and review_role is not None
            membership = Membership(
                user_id=user.id,
                role=review_role.value,
                agency=agency,
                declared_interest=(declared_interest or "").strip() or None,
            )
            review.memberships.append(membership)
            session.flush()
            audit.append(
                session,
                review,
                actor_id=actor,
                action="add_member",
                params={
                    "membership_id": membership.id,
                    "user_id": user.id,
                    "role": review_role.value,
                    "agency": agency,
                },
            )
            session.commit()
            return membership

    def remove_member(
        self, review_id: int, actor: int, expected_version: int | None, membership_id: int
    ) -> Review:
        with self.session() as session:
            review, _ = self._for_change(session, review_id, actor, expected_version, "change_membership")
            membership = next((m for m in review.memberships if m.id == membership_id), None)
            if membership is None:
                raise NotFound(f"Membership {membership_id} is not part of this review.")
            coordinators = [m for m in review.memberships if m.role == ReviewRole.COORDINATOR]
            if membership.role == ReviewRole.COORDINATOR and len(coordinators) == 1:
                raise InvalidInput({"membership": "A review must keep at least one coordinator."})
            review.memberships.remove(membership)
            audit.append(
                session,
                review,
                actor_id=actor,
                action="remove_member",
                params={
                    "membership_id": membership_id,
                    "user_id": membership.user_id,
                    "role": membership.role,
                },
            )
            session.commit()
            return review

    def record_panel_exemption(
        self, review_id: int, actor: int, expected_version: int | None, *, agency: str, reason: str
    ) -> Review:
        """Record why an agency in scope has no panel member (or clear it with an empty reason)."""
        with self.session() as session:
            review, _ = self._for_change(
                session, review_id, actor, expected_version, "record_panel_exemption"
            )
            if agency not in review.agencies_in_scope:
                raise InvalidInput({"agency": f"'{agency}' is not an agency in scope."})
            exemptions = dict(review.panel_exemptions)
            if reason.strip():
                exemptions[agency] = reason.strip()
            else:
                exemptions.pop(agency, None)
            review.panel_exemptions = exemptions
            audit.append(
                session,
                review,
                actor_id=actor,
                action="record_panel_exemption",
                reason=reason.strip() or None,
                params={"agency": agency},
            )
            session.commit()
            return review

    def set_publication_hold(
        self, review_id: int, actor: int, expected_version: int | None, *, held: bool, reason: str
    ) -> Review:
        """Set or clear a publication hold (criminal proceedings, inquest, family court)."""
        with self.session() as session:
            review, _ = self._for_change(session, review_id, actor, expected_version, "set_publication_hold")
            if not reason.strip():
                raise InvalidInput({"reason": "Give the reason for setting or clearing the hold."})
            if held == review.publication_hold:
                raise InvalidInput(
                    {
                        "held": "A publication hold is already in force."
                        if held
                        else "There is no publication hold to clear."
                    }
                )
            review.publication_hold = held
            review.publication_hold_reason = reason.strip() if held else None
            audit.append(
                session,
                review,
                actor_id=actor,
                action="set_publication_hold" if held else "clear_publication_hold",
                reason=reason.strip(),
            )
            session.commit()
            return review

    def record_notice(
        self, review_id: int, actor: int, expected_version: int | None, *, kind: str, on: date
    ) -> Review:
        """Record a notice that starts or meets a clock: `notification` of the incident to the
        national panel, or `panel_notice` of the final report before publication."""
        actions = {"notification": "record_notification", "panel_notice": "record_panel_notice"}
        if kind not in actions:
            raise InvalidInput({"kind": "Kind must be 'notification' or 'panel_notice'."})
        if on > self._today():
            raise InvalidInput({"on": "A notice cannot be recorded for a future date."})
        with self.session() as session:
            review, _ = self._for_change(session, review_id, actor, expected_version, "record_notice")
            audit.append(session, review, actor_id=actor, action=actions[kind], params={"on": on.isoformat()})
            session.commit()
            return review

    def _for_change(
        self, session: Session, review_id: int, actor: int, expected_version: int | None, action: str
    ) -> tuple[Review, frozenset[ReviewRole]]:
        """Load the review for a change named in the policy table: the actor's role, the review's
        version, then its stage (each refusal in that order)."""
        review, roles = self.load(session, review_id, actor, for_change=True)
        refused = policy.role_refusal(roles, action)
        if refused:
            raise NotPermitted(refused)
        self.check_version(review, expected_version)
        policy.check(roles, review.state, action)
        return review, roles


def _member_of(actor: int, roles: Iterable[ReviewRole] | None = None) -> Select[int]:
    """The ids of the reviews the actor is a member of (in one of `roles`, when given)."""
    query = select(Membership.review_id).where(Membership.user_id == actor)
    if roles is not None:
        query = query.where(Membership.role.in_([role.value for role in roles]))
    return query


def _parse_trigger(trigger: Trigger | str) -> Trigger:
    try:
        return Trigger(trigger)
    except ValueError:
        known = ", ".join(t.value for t in Trigger)
        raise InvalidInput({"trigger": f"Unknown trigger '{trigger}'. Known triggers: {known}."}) from None


def _record_trigger_data(review: Review, trigger: Trigger, current: State, params: Mapping[str, Any]) -> None:
    if trigger == Trigger.DECIDE:
        review.route = Route(params["route"]).value
        review.decision_rationale = _clean(params.get("rationale"))
        review.departure_rationale = _clean(params.get("departure_rationale"))
    elif trigger == Trigger.PAUSE:
        review.paused_from = current.value
    elif trigger == Trigger.RESUME:
        review.paused_from = None


def _clean(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _agencies(values: Iterable[str]) -> list[str]:
    """Agency names trimmed, blanks dropped, each once, in the order given."""
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def _referral_errors(
    child_pseudonym: str | None,
    incident_outcome: str | None,
    abuse_or_neglect: str | None,
    date_of_awareness: date | None,
    today: date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not child_pseudonym or not child_pseudonym.strip():
        errors["child_pseudonym"] = "Give the child a pseudonym (never their real name)."
    if incident_outcome is not None and incident_outcome not in INCIDENT_OUTCOMES:
        errors["incident_outcome"] = "Outcome must be one of: " + ", ".join(INCIDENT_OUTCOMES) + "."
    if abuse_or_neglect is not None and abuse_or_neglect not in ABUSE_OR_NEGLECT:
        errors["abuse_or_neglect"] = "Abuse or neglect must be one of: " + ", ".join(ABUSE_OR_NEGLECT) + "."
    if date_of_awareness is not None and date_of_awareness > today:
        errors["date_of_awareness"] = "The date of awareness cannot be in the future."
    return errors

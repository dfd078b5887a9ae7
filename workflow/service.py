"""The one service that changes a review. It loads with a version check, authorises, evaluates every
guard, changes state through the machine, appends the audit row and commits once. Side effects run
after the commit, through listeners. Publishing is not a side effect: the `Publisher` port freezes
what is published inside the trigger's own transaction, so a review is never published without its
frozen documents (and never has frozen documents without being published)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from workflow import audit, db, policy, regimes
from workflow.clocks import Clock, add_working_days, compute_clocks
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
from workflow.models import AuditEntry, Membership, RapidReview, Review, User
from workflow.ports import AnalysisFacts, NoAnalysis, NoPublisher, Publisher
from workflow.regimes import Recommendation, Regime
from workflow.regimes.base import ClockAnchor, ClockEvent, Recipient
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
class ReportNotice:
    recipient: Recipient
    sent_on: date | None
    publishable_from: date | None


@dataclass(frozen=True)
class ReviewDetail:
    review: Review
    regime: Regime
    roles: frozenset[ReviewRole]
    clocks: tuple[Clock, ...]
    recommendation: Recommendation | None
    # The day the final report was sent to each recipient (the regime names who: `report_notice_to`).
    report_notices: Mapping[Recipient, date] = field(default_factory=dict)

    @property
    def report_notices_due(self) -> tuple[ReportNotice, ...]:
        """Each final report notice the regime asks for: when it was given and from when it allows
        publication."""
        days = self.regime.publication_notice_working_days
        return tuple(
            ReportNotice(recipient, sent, add_working_days(sent, days) if sent else None)
            for recipient in self.regime.report_notice_to
            for sent in (self.report_notices.get(recipient),)
        )

    @property
    def review_type(self) -> str | None:
        return self.regime.route_name(Route(self.review.route)) if self.review.route else None


Listener = Callable[[Transitioned], None]


# The audit rows that start or meet a clock: a review's clocks are read from these alone.
CLOCK_ACTIONS = (
    Trigger.DECIDE.value,
    "record_notification",
    "send_rapid_review",
    *(f"record_{recipient.notice_kind}" for recipient in Recipient),
    Trigger.APPROVE.value,
    Trigger.REOPEN_FOR_CORRECTION.value,
    Trigger.PUBLISH.value,
)


_NOTICE_ACTIONS = {f"record_{recipient.notice_kind}": recipient for recipient in Recipient}


def report_notices(entries: Iterable[audit.Anchor]) -> dict[Recipient, date]:
    """The day the final report was sent to each recipient, read from the audit log (the latest
    notice to each counts)."""
    return {
        _NOTICE_ACTIONS[entry.action]: _day_of(entry) for entry in entries if entry.action in _NOTICE_ACTIONS
    }


def _day_of(entry: audit.Anchor) -> date:
    on = entry.params.get("on")
    return date.fromisoformat(on) if isinstance(on, str) else entry.at.date()


def notices_anchor(regime: Regime, notices: Mapping[Recipient, date]) -> date | None:
    """The day the last of the regime's final report notices was given, once every one was."""
    days = [notices.get(recipient) for recipient in regime.report_notice_to]
    return None if any(day is None for day in days) else max(d for d in days if d is not None)


def _event_dates(
    entries: Iterable[audit.Anchor], regime: Regime
) -> tuple[dict[ClockAnchor, date], dict[ClockEvent, date]]:
    """Clock anchors and events, read from the audit log (the latest of each counts)."""
    entries = list(entries)
    anchors: dict[ClockAnchor, date] = {}
    events: dict[ClockEvent, date] = {}
    day_of = _day_of

    for entry in entries:
        if entry.action == Trigger.DECIDE:
            anchors[ClockAnchor.DECISION] = events[ClockEvent.DECISION] = day_of(entry)
        elif entry.action == "record_notification":
            events[ClockEvent.NOTIFICATION] = day_of(entry)
        elif entry.action == "send_rapid_review":
            events[ClockEvent.RAPID_REVIEW] = day_of(entry)
        elif entry.action == Trigger.APPROVE:
            events[ClockEvent.COMPLETION] = day_of(entry)
        elif entry.action == Trigger.REOPEN_FOR_CORRECTION:
            events.pop(ClockEvent.COMPLETION, None)  # not complete until the chair approves again
        elif entry.action == Trigger.PUBLISH:
            events[ClockEvent.PUBLICATION] = day_of(entry)
    last_notice = notices_anchor(regime, report_notices(entries))
    if last_notice is not None:
        anchors[ClockAnchor.REPORT_NOTICES] = last_notice
    return anchors, events


# An imported review starts again at `referred`, so what it decides, approves and publishes here starts
# and meets its clocks again; but the incident's own clocks are not started again: the notification
# and the rapid review sent in the exporting system are carried by the review's `imported` row (key
# CARRIED_CLOCK_ROWS, written by `findings.exchange.provenance`) and meet their clocks here too.
IMPORTED = "imported"
CARRIED_CLOCK_ROWS = "clock_rows"
CARRIED_ACTIONS = ("record_notification", "send_rapid_review")


def clock_anchors(session: Session, review_ids: Iterable[int]) -> dict[int, list[audit.Anchor]]:
    """The rows the clocks of these reviews are read from, in one query, oldest first (what an
    imported review's `imported` row carries first of all)."""
    found = audit.anchors_of(session, review_ids, (*CLOCK_ACTIONS, IMPORTED))
    return {review_id: [a for row in rows for a in clock_rows_of(row)] for review_id, rows in found.items()}


def clock_rows_of(row: audit.Anchor, *, only: Iterable[str] = CLOCK_ACTIONS) -> list[audit.Anchor]:
    """The clock rows `row` is or carries (of the actions `only`): itself when it starts or meets a
    clock, what an `imported` row carries, nothing otherwise."""
    if row.action in only:
        return [row]
    carried = row.params.get(CARRIED_CLOCK_ROWS) if row.action == IMPORTED else None
    items = [i for i in (carried if isinstance(carried, list) else []) if isinstance(i, dict)]
    return [
        audit.Anchor(
            row.review_id, item["action"], datetime.fromisoformat(item["at"]), dict(item.get("params") or {})
        )
        for item in items
        if item.get("action") in CARRIED_ACTIONS and isinstance(item.get("at"), str)
    ]


def clocks_of(review: Review, entries: Iterable[audit.Anchor], today: date) -> tuple[Clock, ...]:
    regime = regimes.get(review.regime_key, review.regime_version)
    anchors, events = _event_dates(entries, regime)
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

    def today(self) -> date:
        """The service's today (the services that edit a review count from the same day)."""
        return self._today()

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
        notices: dict[Recipient, date] = {}
        if ReviewNeed.REPORT_NOTICES in needs:
            notices = report_notices(clock_anchors(session, [review.id])[review.id])
        members: tuple[MemberFacts, ...] = ()
        if ReviewNeed.MEMBERS in needs:
            members = tuple(
                MemberFacts(m.id, m.user.name, ReviewRole(m.role), m.agency) for m in review.memberships
            )
        panel_response = None
        if ReviewNeed.PANEL_RESPONSE in needs:
            rapid = session.get(RapidReview, review.id)
            panel_response = rapid.panel_response if rapid else None
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
            report_notices=notices,
            analysis=self._analysis.snapshot(session, review.id, wanted, run_checks=run_checks)
            if wanted
            else None,
            today=self._today(),
            paused_from=review.paused_from,
            panel_response=panel_response,
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
            regime = regimes.get(review.regime_key, review.regime_version)
            refused = policy.role_refusal(roles, trigger, regime)
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
            partner = _deciding_partner(review, trigger, regime, actor)
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
                params={k: v for k, v in params.items() if v not in (None, "")}
                | dict(verdict.recorded)
                | dict(published)
                | partner,
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
        regime = regimes.get(review.regime_key, review.regime_version)
        permitted = [t for t in triggers if roles & policy.roles_allowed(t, regime)]
        facts = self.facts(session, review, needs_of(permitted), run_checks=check_anonymisation)
        options = []
        for trigger in triggers:
            allowed_roles = policy.roles_allowed(trigger, regime)
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
            report_notices=report_notices(anchors),
        )

    def get(self, review_id: int, actor: int) -> ReviewDetail:
        with self.session(read_only=True) as session:
            review, roles = self.load(session, review_id, actor)
            return self.detail(session, review, roles)

    def get_with_triggers(self, review_id: int, actor: int) -> tuple[ReviewDetail, list[TriggerOption]]:
        """`get` and `allowed_triggers` in one read (a trigger's page shows both)."""
        with self.session(read_only=True) as session:
            review, roles = self.load(session, review_id, actor)
            return self.detail(session, review, roles), self.trigger_options(session, review, roles)

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


def _member_of(actor: int, roles: Iterable[ReviewRole] | None = None) -> Select[int]:
    """The ids of the reviews the actor is a member of (in one of `roles`, when given)."""
    query = select(Membership.review_id).where(Membership.user_id == actor)
    if roles is not None:
        query = query.where(Membership.role.in_([role.value for role in roles]))
    return query


def _deciding_partner(review: Review, trigger: Trigger, regime: Regime, actor: int) -> dict[str, str]:
    """Under a regime where the safeguarding partners decide, which partner recorded the decision (the
    agency of the actor's partner membership: the local authority, the ICB, the police, or the lead or
    delegated partner), kept in the decision's audit row."""
    if trigger != Trigger.DECIDE or ReviewRole.SAFEGUARDING_PARTNER not in regime.deciders:
        return {}
    agency = next(
        (
            m.agency
            for m in review.memberships
            if m.user_id == actor and m.role == ReviewRole.SAFEGUARDING_PARTNER and m.agency
        ),
        None,
    )
    return {"decided_for": agency} if agency else {}


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

"""What a page shows of a review for the person looking: their roles, the sections they may open, the
next deadline, whether the review waits on them. Plain functions over the services' answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from api.auth import Caller
from api.wiring import Services
from workflow import policy
from workflow.clocks import Clock
from workflow.policy import READERS, REVIEW_TEAM
from workflow.service import ReviewDetail
from workflow.states import (
    FINAL_STATES,
    STAGES,
    STATE_LABELS,
    ReviewRole,
    State,
    Trigger,
    edges_from,
)

# Triggers that move a review on (not the ones that pause, resume or withdraw it).
SIDE_TRIGGERS = frozenset({Trigger.PAUSE, Trigger.RESUME, Trigger.WITHDRAW})
# Triggers a review does not wait for: it waits on whoever moves it on, not on whoever may take it back.
NOT_AWAITED = SIDE_TRIGGERS | {Trigger.REOPEN_FOR_CORRECTION}

# Triggers fired from a page of their own (what the person must see first), and where it is.
TRIGGER_PAGES: dict[Trigger, str] = {Trigger.APPROVE: "sign-off#decision"}

# Triggers that need words from the person firing them, and the fields that carry them.
TRIGGER_FIELDS: dict[Trigger, tuple[str, ...]] = {
    Trigger.DECIDE: ("route", "rationale", "departure_rationale"),
    Trigger.RETURN_FOR_REVISION: ("comment",),
    Trigger.DECLINE_PUBLICATION: ("rationale",),
    Trigger.REOPEN_FOR_CORRECTION: ("reason",),
    Trigger.PAUSE: ("reason",),
    Trigger.WITHDRAW: ("reason",),
}

COMMON_AGENCIES = (
    "Children's social care",
    "Police",
    "Health",
    "Education",
    "Probation",
    "Housing",
    "Adult mental health",
    "Substance misuse service",
)


def may(roles: Iterable[ReviewRole], state: str, action: str) -> bool:
    """Whether someone with `roles` may make the change `action` (workflow.policy) now."""
    return policy.permits(roles, state, action)


def member_names(review: Any) -> dict[int, str]:
    """Each member's user id and name, to show who wrote what."""
    return {m.user_id: m.user.name for m in review.memberships}


def next_deadline(clocks: Iterable[Clock]) -> Clock | None:
    """The clock due soonest that is still running (not met; "earliest" clocks are not deadlines)."""
    running = [c for c in clocks if c.met_on is None and not c.earliest]
    return min(running, key=lambda c: c.due) if running else None


def _waiting_on() -> dict[State, frozenset[ReviewRole]]:
    """Stage -> the roles that may fire the trigger that moves a review on from it (`needs_action`
    as data, so my reviews can filter in SQL)."""
    return {
        state: frozenset(
            role for edge in edges_from(state) if edge.trigger not in NOT_AWAITED for role in edge.roles
        )
        for state in State
        if state not in FINAL_STATES
    }


WAITING_ON = _waiting_on()


def needs_action(detail: ReviewDetail) -> bool:
    """The review waits on this person: their role may fire the trigger that moves it on from its
    current stage (pausing, resuming, withdrawing and reopening for correction do not count)."""
    state = State(detail.review.state)
    if state in FINAL_STATES:
        return False
    return any(edge.trigger not in NOT_AWAITED and detail.roles & edge.roles for edge in edges_from(state))


@dataclass(frozen=True)
class Step:
    state: State
    label: str
    status: str  # done | current | upcoming


def stepper(detail: ReviewDetail) -> list[Step]:
    """The stages from referral to closure and where the review is (a paused review shows the stage
    it was paused in as current)."""
    review = detail.review
    current = State(review.paused_from) if review.state == State.PAUSED and review.paused_from else None
    current = current or State(review.state)
    if current == State.WITHDRAWN:
        return [Step(s, STATE_LABELS[s], "upcoming") for s in STAGES]
    order = list(STAGES)
    if current not in order:
        return [Step(s, STATE_LABELS[s], "upcoming") for s in STAGES]
    at = order.index(current)
    closed_early = current == State.CLOSED
    steps = []
    for i, state in enumerate(order):
        if i < at:
            status = "done"
        elif i == at:
            status = "done" if closed_early else "current"
        else:
            status = "upcoming"
        steps.append(Step(state, STATE_LABELS[state], status))
    return steps


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    href: str


def sections(review_id: int, roles: frozenset[ReviewRole]) -> list[Section]:
    """The parts of a review this person may open, in the order the work happens."""
    team = bool(roles & REVIEW_TEAM)
    statutory = bool(roles & READERS["statutory"])
    preparer = bool(roles & {ReviewRole.COORDINATOR, ReviewRole.LEAD_REVIEWER, ReviewRole.CHAIR})
    base = f"/reviews/{review_id}"
    items = [
        ("overview", "Overview", base),
        ("criteria", "Criteria check", f"{base}/criteria"),
        ("notification", "Notification", f"{base}/notification") if statutory else None,
        ("rapid-review", "Rapid review", f"{base}/rapid-review") if statutory else None,
        ("scope", "Scope and questions", f"{base}/scope"),
        ("members", "Members and agencies", f"{base}/members"),
        ("register", "Sealed identity register", f"{base}/register") if roles & READERS["register"] else None,
        ("narratives", "Agency narratives", f"{base}/narratives") if team else None,
        ("chronology", "Merged chronology", f"{base}/chronology") if team else None,
        ("conversations", "Conversations", f"{base}/conversations"),
        ("episodes", "Key practice episodes", f"{base}/episodes"),
        ("factors", "Contributory factors", f"{base}/factors"),
        ("panel", "Panel analyses", f"{base}/panel") if team else None,
        ("good_practice", "Good practice", f"{base}/good-practice"),
        ("family", "The family's involvement", f"{base}/family") if team else None,
        ("findings", "Findings", f"{base}/findings"),
        ("report", "Draft report", f"{base}/report"),
        ("sign_off", "Chair's sign-off", f"{base}/sign-off"),
        ("board", "Board response and actions", f"{base}/board"),
        ("publication", "Publication", f"{base}/publication") if preparer else None,
        ("quality", "Quality self-assessment", f"{base}/quality") if team else None,
        ("audit", "Audit log", f"{base}/audit"),
    ]
    return [Section(*item) for item in items if item]


def review_context(services: Services, user: Caller, review_id: int, section: str) -> dict[str, Any]:
    """What every page of a review shows around its own content (NotFound for a non-member)."""
    detail = services.reviews.get(review_id, user.id)
    return review_context_of(detail, section)


def review_context_of(detail: ReviewDetail, section: str) -> dict[str, Any]:
    review = detail.review
    roles = detail.roles
    return {
        "detail": detail,
        "review": review,
        "roles": roles,
        "is_": {role.value: role in roles for role in ReviewRole},
        "sections": sections(review.id, roles),
        "section": section,
        "review_url": f"/reviews/{review.id}",
        "final": State(review.state) in FINAL_STATES,
    }

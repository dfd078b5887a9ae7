"""States, triggers and the transition table of every review, declared as data in one place.

The table is the single source of truth: the machine (`workflow.machine`), the policy of who may fire
what, the guards and the Mermaid diagram are all derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    REFERRED = "referred"
    SCREENING = "screening"
    SCOPING = "scoping"
    CASE_GROUP = "case_group"
    DATA_GATHERING = "data_gathering"
    ANALYSIS = "analysis"
    FINDINGS = "findings"
    SIGN_OFF = "sign_off"
    APPROVED = "approved"
    PUBLISHED = "published"
    PAUSED = "paused"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Trigger(StrEnum):
    OPEN_SCREENING = "open_screening"
    DECIDE = "decide"
    CONFIRM_SCOPE = "confirm_scope"
    CONVENE = "convene"
    BEGIN_ANALYSIS = "begin_analysis"
    DRAFT_FINDINGS = "draft_findings"
    SUBMIT_FOR_SIGNOFF = "submit_for_signoff"
    APPROVE = "approve"
    RETURN_FOR_REVISION = "return_for_revision"
    PUBLISH = "publish"
    DECLINE_PUBLICATION = "decline_publication"
    REOPEN_FOR_CORRECTION = "reopen_for_correction"
    CLOSE = "close"
    PAUSE = "pause"
    RESUME = "resume"
    WITHDRAW = "withdraw"


class ReviewRole(StrEnum):
    """The part a person plays in one review (a membership)."""

    COORDINATOR = "coordinator"
    LEAD_REVIEWER = "lead_reviewer"
    PANEL_MEMBER = "panel_member"
    CASE_GROUP = "case_group"
    CHAIR = "chair"
    # A representative of one of the three safeguarding partners (local authority, integrated care
    # board, chief officer of police), or the lead or delegated partner: they decide under WT2023.
    SAFEGUARDING_PARTNER = "safeguarding_partner"


class Route(StrEnum):
    """The route decided after the criteria check; each regime names them in its own words."""

    STATUTORY = "statutory"
    LEARNING = "learning"
    NONE = "none"


FINAL_STATES = frozenset({State.CLOSED, State.WITHDRAWN})

# States from which a review may be paused or withdrawn. `published` is not among them: the review
# is over and only its actions are being tracked.
ACTIVE_STATES: tuple[State, ...] = (
    State.REFERRED,
    State.SCREENING,
    State.SCOPING,
    State.CASE_GROUP,
    State.DATA_GATHERING,
    State.ANALYSIS,
    State.FINDINGS,
    State.SIGN_OFF,
    State.APPROVED,
)

# The stages in the order a person reads them on the stage stepper.
STAGES: tuple[State, ...] = (*ACTIVE_STATES, State.PUBLISHED, State.CLOSED)


@dataclass(frozen=True)
class Edge:
    """One row of the transition table."""

    trigger: Trigger
    source: State
    dest: State
    roles: frozenset[ReviewRole]
    summary: str


def _roles(*roles: ReviewRole) -> frozenset[ReviewRole]:
    return frozenset(roles)


_C, _L, _CH = ReviewRole.COORDINATOR, ReviewRole.LEAD_REVIEWER, ReviewRole.CHAIR
# Who decides the route depends on the regime (`Regime.deciders`): the chair, or the partners.
_DECIDERS = _roles(_CH, ReviewRole.SAFEGUARDING_PARTNER)

TRANSITIONS: tuple[Edge, ...] = (
    Edge(Trigger.OPEN_SCREENING, State.REFERRED, State.SCREENING, _roles(_C), "Open the criteria check"),
    Edge(Trigger.DECIDE, State.SCREENING, State.SCOPING, _DECIDERS, "Decide to hold a review"),
    Edge(Trigger.DECIDE, State.SCREENING, State.CLOSED, _DECIDERS, "Decide that no review is needed"),
    Edge(Trigger.CONFIRM_SCOPE, State.SCOPING, State.CASE_GROUP, _roles(_C), "Confirm the scope"),
    Edge(Trigger.CONVENE, State.CASE_GROUP, State.DATA_GATHERING, _roles(_C), "Convene the review team"),
    Edge(Trigger.BEGIN_ANALYSIS, State.DATA_GATHERING, State.ANALYSIS, _roles(_C, _L), "Begin the analysis"),
    Edge(Trigger.DRAFT_FINDINGS, State.ANALYSIS, State.FINDINGS, _roles(_L), "Draft the findings"),
    Edge(Trigger.SUBMIT_FOR_SIGNOFF, State.FINDINGS, State.SIGN_OFF, _roles(_L, _C), "Submit for sign-off"),
    Edge(Trigger.APPROVE, State.SIGN_OFF, State.APPROVED, _roles(_CH), "Approve the report"),
    Edge(Trigger.RETURN_FOR_REVISION, State.SIGN_OFF, State.FINDINGS, _roles(_CH), "Return for revision"),
    Edge(Trigger.PUBLISH, State.APPROVED, State.PUBLISHED, _roles(_CH), "Publish the report"),
    Edge(
        Trigger.DECLINE_PUBLICATION,
        State.APPROVED,
        State.CLOSED,
        _roles(_CH),
        "Decline publication (publish a summary of improvements instead)",
    ),
    # What the chair approved changes only after the review goes back to where it is written, so the
    # chair sees (and approves again) every word that is published.
    Edge(
        Trigger.REOPEN_FOR_CORRECTION,
        State.APPROVED,
        State.FINDINGS,
        _roles(_C, _L, _CH),
        "Reopen for correction (the chair approves again)",
    ),
    Edge(Trigger.CLOSE, State.PUBLISHED, State.CLOSED, _roles(_C), "Close the review"),
    *(Edge(Trigger.PAUSE, s, State.PAUSED, _roles(_C, _CH), "Pause the review") for s in ACTIVE_STATES),
    *(Edge(Trigger.RESUME, State.PAUSED, s, _roles(_C, _CH), "Resume the review") for s in ACTIVE_STATES),
    *(
        Edge(Trigger.WITHDRAW, s, State.WITHDRAWN, _roles(_CH), "Withdraw the review")
        for s in (*ACTIVE_STATES, State.PAUSED)
    ),
)


def edges_from(state: State) -> tuple[Edge, ...]:
    return tuple(edge for edge in TRANSITIONS if edge.source == state)


def triggers_from(state: State) -> tuple[Trigger, ...]:
    """Triggers that leave `state`, in table order, each once."""
    return tuple(dict.fromkeys(edge.trigger for edge in edges_from(state)))


def roles_for(trigger: Trigger) -> frozenset[ReviewRole]:
    """The review roles that may fire `trigger` (the same for every edge of a trigger)."""
    return frozenset().union(*(edge.roles for edge in TRANSITIONS if edge.trigger == trigger))


TRIGGER_LABELS: dict[Trigger, str] = {
    Trigger.OPEN_SCREENING: "Open the criteria check",
    Trigger.DECIDE: "Record the route decision",
    Trigger.CONFIRM_SCOPE: "Confirm the scope",
    Trigger.CONVENE: "Convene the review team",
    Trigger.BEGIN_ANALYSIS: "Begin the analysis",
    Trigger.DRAFT_FINDINGS: "Move to drafting findings",
    Trigger.SUBMIT_FOR_SIGNOFF: "Submit for the chair's sign-off",
    Trigger.APPROVE: "Approve the report",
    Trigger.RETURN_FOR_REVISION: "Return for revision",
    Trigger.PUBLISH: "Publish the report",
    Trigger.DECLINE_PUBLICATION: "Decline publication",
    Trigger.REOPEN_FOR_CORRECTION: "Reopen for correction",
    Trigger.CLOSE: "Close the review",
    Trigger.PAUSE: "Pause the review",
    Trigger.RESUME: "Resume the review",
    Trigger.WITHDRAW: "Withdraw the review",
}

STATE_LABELS: dict[State, str] = {
    State.REFERRED: "Referred",
    State.SCREENING: "Criteria check",
    State.SCOPING: "Scoping",
    State.CASE_GROUP: "Review team and case group",
    State.DATA_GATHERING: "Gathering accounts",
    State.ANALYSIS: "Analysis",
    State.FINDINGS: "Findings",
    State.SIGN_OFF: "Chair's sign-off",
    State.APPROVED: "Approved",
    State.PUBLISHED: "Published",
    State.PAUSED: "Paused",
    State.CLOSED: "Closed",
    State.WITHDRAWN: "Withdrawn",
}

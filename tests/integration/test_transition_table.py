"""The transition table, row by row, through the real service and database: every edge for every
permitted role; every other role refused; every trigger refused from states it does not leave."""

from __future__ import annotations

import pytest

from tests.support import Journey, Journeys
from workflow import audit
from workflow.errors import NotFound, NotPermitted, TriggerRefused
from workflow.ports import AnalysisSnapshot
from workflow.states import ACTIVE_STATES, TRANSITIONS, Edge, ReviewRole, State, Trigger, triggers_from

PARAMS = {
    Trigger.RETURN_FOR_REVISION: {"comment": "Finding 2 needs more evidence."},
    Trigger.DECLINE_PUBLICATION: {"rationale": "A criminal trial is pending."},
    Trigger.REOPEN_FOR_CORRECTION: {"reason": "Finding 1 names the dentist."},
    Trigger.PAUSE: {"reason": "Police investigation under way."},
    Trigger.WITHDRAW: {"reason": "The referral was made in error."},
}


def _params(edge: Edge) -> dict[str, str]:
    if edge.trigger == Trigger.DECIDE:
        if edge.dest == State.CLOSED:
            return {"route": "none", "rationale": "No lessons.", "departure_rationale": "Panel view."}
        return {"route": "statutory", "rationale": "Criteria (a) and (c) are met."}
    return PARAMS.get(edge.trigger, {})


def _actor(journey: Journey, role: ReviewRole) -> int:
    """A person holding `role` in the review, made a member now if they are not one yet."""
    cast = journey.cast
    user = {
        ReviewRole.COORDINATOR: cast.coordinator,
        ReviewRole.CHAIR: cast.chair,
        ReviewRole.LEAD_REVIEWER: cast.lead,
        ReviewRole.PANEL_MEMBER: cast.panel["Police"],
        ReviewRole.CASE_GROUP: cast.practitioner,
        ReviewRole.SAFEGUARDING_PARTNER: cast.partner,
    }[role]
    detail = journey.service.get(journey.review_id, cast.coordinator)
    if not any(m.user_id == user and m.role == role for m in detail.review.memberships):
        agency = (
            "Police"
            if role in (ReviewRole.PANEL_MEMBER, ReviewRole.CASE_GROUP, ReviewRole.SAFEGUARDING_PARTNER)
            else None
        )
        journey.add_member(journey.people.email(user), role, agency)
    return user


# Who decides the route is the regime's (`Regime.deciders`): the chair under WT2010, a safeguarding
# partner under WT2023 (version 2), so `decide` is taken under the regime whose decider the role is.
DECIDING_REGIME = {ReviewRole.CHAIR: "wt2010", ReviewRole.SAFEGUARDING_PARTNER: "wt2023"}


def _arrive(journeys: Journeys, edge: Edge, role: ReviewRole | None = None) -> Journey:
    if edge.source == State.PAUSED:
        before = edge.dest if edge.trigger == Trigger.RESUME else State.ANALYSIS
        journey = journeys.to(before)
        journey.fire("pause", journey.cast.coordinator, reason="Inquest.")
        return journey
    if edge.trigger == Trigger.DECIDE and role is not None:
        return journeys.to(edge.source, DECIDING_REGIME[role])
    return journeys.to(edge.source)


EDGE_ROLES = [
    pytest.param(edge, role, id=f"{edge.source}-{edge.trigger}-{edge.dest}-as-{role}")
    for edge in TRANSITIONS
    for role in sorted(edge.roles)
]


@pytest.mark.parametrize(("edge", "role"), EDGE_ROLES)
def test_each_edge_is_taken_by_each_permitted_role(edge, role, service, journeys, sessions):
    journey = _arrive(journeys, edge, role)
    actor = _actor(journey, role)
    review = service.fire(journey.review_id, edge.trigger, actor, journey.version, **_params(edge))
    assert review.state == edge.dest
    with sessions() as session:
        last = audit.entries_of(session, journey.review_id)[-1]
    assert (last.action, last.from_state, last.to_state, last.actor_id) == (
        edge.trigger,
        edge.source,
        edge.dest,
        actor,
    )


@pytest.mark.parametrize(
    "edge", [pytest.param(e, id=f"{e.source}-{e.trigger}-{e.dest}") for e in TRANSITIONS]
)
def test_each_edge_refuses_every_other_role_and_changes_nothing(edge, service, journeys):
    journey = _arrive(journeys, edge)
    refused = set(ReviewRole) - (journey.regime.deciders if edge.trigger == Trigger.DECIDE else edge.roles)
    for role in sorted(refused):
        actor = _actor(journey, role)
        version = journey.version
        with pytest.raises(NotPermitted, match="Only the"):
            service.fire(journey.review_id, edge.trigger, actor, version, **_params(edge))
        assert journey.version == version
        assert service.get(journey.review_id, journey.cast.coordinator).review.state == edge.source


@pytest.mark.parametrize("state", [s for s in State if s not in (State.PAUSED,)])
def test_triggers_that_do_not_leave_a_state_are_refused_there(state, service, journeys):
    if state == State.WITHDRAWN:
        journey = journeys.to(State.SCOPING)
        journey.fire("withdraw", journey.cast.chair, reason="Error.")
    else:
        journey = journeys.to(state)
    for trigger in set(Trigger) - set(triggers_from(state)):
        version = journey.version
        with pytest.raises(TriggerRefused, match="is not possible while the review is at the stage"):
            service.fire(journey.review_id, trigger, journey.cast.chair, version, reason="x")
        assert journey.version == version


def test_final_states_leave_by_no_trigger():
    assert triggers_from(State.CLOSED) == () and triggers_from(State.WITHDRAWN) == ()


@pytest.mark.parametrize("state", ACTIVE_STATES)
def test_resume_returns_to_the_state_the_review_left(state, journeys):
    journey = journeys.to(state)
    journey.fire("pause", journey.cast.chair, reason="Family court proceedings.")
    assert journey.fire("resume", journey.cast.coordinator).state == state


def test_a_refused_trigger_says_every_unmet_guard_and_changes_nothing(service, people, sessions):
    journey = Journey(service, people).to(State.SCREENING)
    with sessions() as session:
        before = len(audit.entries_of(session, journey.review_id))
    version = journey.version
    with pytest.raises(TriggerRefused) as refused:
        service.fire(journey.review_id, "decide", journey.cast.partner, version, route="learning")
    assert len(refused.value.reasons) == 2
    assert "Record the rationale for the decision." in refused.value.reasons
    assert any("departs from the recommended route" in r for r in refused.value.reasons)
    assert journey.version == version
    with sessions() as session:
        assert len(audit.entries_of(session, journey.review_id)) == before


def test_analysis_guards_refuse_when_no_analysis_module_is_wired(service, people, analysis):
    journey = Journey(service, people).to(State.DATA_GATHERING)
    analysis.snapshot_value = None
    with pytest.raises(TriggerRefused, match="analysis facts for this review are not available"):
        journey.fire("begin_analysis", journey.cast.coordinator)


def test_panel_analysis_outstanding_blocks_draft_findings(service, people, analysis):
    journey = Journey(service, people).to(State.ANALYSIS)
    analysis.snapshot_value = AnalysisSnapshot(episodes=analysis.snapshot_value.episodes)
    analysis.panel_outstanding = True
    with pytest.raises(TriggerRefused) as refused:
        journey.fire("draft_findings", journey.cast.lead)
    assert sum("has not submitted their analysis" in r for r in refused.value.reasons) == 3


def test_a_non_member_cannot_learn_that_a_review_exists(service, people):
    journey = Journey(service, people).to(State.SCREENING)
    for outsider in (journey.cast.outsider, journey.cast.admin):
        with pytest.raises(NotFound):
            service.get(journey.review_id, outsider)
        with pytest.raises(NotFound):
            service.fire(journey.review_id, "decide", outsider, journey.version, route="none")

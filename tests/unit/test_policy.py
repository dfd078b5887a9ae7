"""The one policy table: trigger rows follow the transition table, and refusals say who and when."""

from __future__ import annotations

import pytest

from workflow import policy, regimes
from workflow.errors import NotAtThisStage, NotPermitted
from workflow.states import TRANSITIONS, ReviewRole, State, Trigger

_C, _L, _P, _G, _CH = (
    ReviewRole.COORDINATOR,
    ReviewRole.LEAD_REVIEWER,
    ReviewRole.PANEL_MEMBER,
    ReviewRole.CASE_GROUP,
    ReviewRole.CHAIR,
)


@pytest.mark.parametrize("trigger", list(Trigger))
def test_every_trigger_rule_is_the_transition_table(trigger: Trigger) -> None:
    edges = [e for e in TRANSITIONS if e.trigger == trigger]
    rule = policy.rule(trigger)
    assert rule.roles == frozenset().union(*(e.roles for e in edges))
    assert rule.stages == {e.source for e in edges}


def test_a_role_refusal_names_the_roles_that_may() -> None:
    assert policy.refusal({_P}, State.ANALYSIS, "write_episode") == (
        "Only the lead reviewer may write key practice episodes."
    )
    assert (
        policy.refusal({_G}, State.SCREENING, Trigger.DECIDE, regimes.current("wt2010"))
        == "Only the chair may record the route decision."
    )


def test_who_decides_the_route_is_the_regimes() -> None:
    """The chair under WT2010 and WT2023 version 1; the safeguarding partners under WT2023 version 2."""
    wt2010, v1, v2 = regimes.current("wt2010"), regimes.get("wt2023", 1), regimes.get("wt2023", 2)
    assert policy.permits({_CH}, State.SCREENING, Trigger.DECIDE, wt2010)
    assert policy.permits({_CH}, State.SCREENING, Trigger.DECIDE, v1)
    assert not policy.permits({_CH}, State.SCREENING, Trigger.DECIDE, v2)
    assert policy.permits({ReviewRole.SAFEGUARDING_PARTNER}, State.SCREENING, Trigger.DECIDE, v2)
    assert not policy.permits({ReviewRole.SAFEGUARDING_PARTNER}, State.SCREENING, Trigger.DECIDE, wt2010)
    assert policy.refusal({_CH}, State.SCREENING, Trigger.DECIDE, v2) == (
        "Only the safeguarding partner may record the route decision."
    )


def test_a_stage_refusal_lists_the_stages_that_allow_it() -> None:
    assert policy.refusal({_C}, State.ANALYSIS, "write_action") == (
        "You cannot record the board's actions while the review is at the stage 'Analysis' "
        "(possible at: Approved, Published)."
    )


def test_a_rule_with_its_own_words_uses_them() -> None:
    assert policy.refusal({_C}, State.SCOPING, "update_referral") == (
        "The referral can only be changed before the route is decided."
    )
    assert policy.refusal({_C}, State.CLOSED, "change_membership") == (
        "The review is closed; it can no longer change."
    )


def test_no_edit_of_the_analysis_is_possible_while_paused_or_final() -> None:
    analysis_edits = [a for a in policy.EDITS if a.startswith(("write_", "comment_", "acknowledge_"))]
    for action in analysis_edits:
        for state in (State.PAUSED, State.CLOSED, State.WITHDRAWN):
            assert not policy.permits(policy.rule(action).roles, state, action), (action, state)


def test_check_raises_the_role_refusal_before_the_stage_refusal() -> None:
    with pytest.raises(NotPermitted):
        policy.check({_P}, State.CLOSED, "write_finding")
    with pytest.raises(NotAtThisStage):
        policy.check({_L}, State.CLOSED, "write_finding")
    policy.check({_L}, State.FINDINGS, "write_finding")


def test_a_membership_change_is_possible_while_paused_but_not_once_closed() -> None:
    assert policy.permits({_C}, State.PAUSED, "change_membership")
    assert not policy.permits({_C}, State.WITHDRAWN, "change_membership")

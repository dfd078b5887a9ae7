"""Who may do what, at which stages: one table for every trigger and every edit of a review.

The services consult it before they change anything (`check`), the pages ask it what to show and why
something is greyed out (`refusal`), and the permission-matrix test reads it row by row. Trigger rows
are derived from the transition table (`workflow.states.TRANSITIONS`), so the two never disagree.

A rule names the review roles that may act and the stages at which they may. Some rules have a finer
condition that needs the object in hand (a panel member writes only their own agency's narrative; a
case group member comments only on their own conversation); the service checks that after the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workflow.errors import NotAtThisStage, NotPermitted
from workflow.regimes.base import Regime
from workflow.states import (
    ACTIVE_STATES,
    STATE_LABELS,
    TRANSITIONS,
    TRIGGER_LABELS,
    ReviewRole,
    State,
    Trigger,
)

_C, _L, _P, _G, _CH, _SP = (
    ReviewRole.COORDINATOR,
    ReviewRole.LEAD_REVIEWER,
    ReviewRole.PANEL_MEMBER,
    ReviewRole.CASE_GROUP,
    ReviewRole.CHAIR,
    ReviewRole.SAFEGUARDING_PARTNER,
)
REVIEW_TEAM = frozenset({_C, _L, _P, _CH})
EVERYONE = frozenset(ReviewRole)

ROLE_NAMES = {
    _C: "review coordinator",
    _L: "lead reviewer",
    _P: "panel member",
    _G: "case group member",
    _CH: "chair",
    _SP: "safeguarding partner",
}


@dataclass(frozen=True)
class Rule:
    roles: frozenset[ReviewRole]
    stages: frozenset[State]
    what: str  # a verb phrase for refusals: "Only the lead reviewer may <what>."
    when: str | None = None  # the refusal at another stage, when the stage list alone reads badly

    def stage_refusal(self, state: State) -> str:
        if self.when:
            return self.when.format(stage=STATE_LABELS[state].lower())
        allowed = ", ".join(STATE_LABELS[s] for s in sorted(self.stages, key=list(State).index))
        return (
            f"You cannot {self.what} while the review is at the stage '{STATE_LABELS[state]}' "
            f"(possible at: {allowed})."
        )


def _rule(roles: Iterable[ReviewRole], stages: Iterable[State], what: str, when: str | None = None) -> Rule:
    return Rule(frozenset(roles), frozenset(stages), what, when)


def roles_phrase(roles: Iterable[ReviewRole]) -> str:
    """'review coordinator', or 'chair or review coordinator', or 'a, b or c'."""
    names = sorted(ROLE_NAMES[r] for r in roles)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


_BEFORE_DECISION = (State.REFERRED, State.SCREENING)
_NOT_FINAL = (*ACTIVE_STATES, State.PUBLISHED, State.PAUSED)
_FINAL = "The review is {stage}; it can no longer change."
_GATHERING = (State.CASE_GROUP, State.DATA_GATHERING, State.ANALYSIS)
_ANALYSING = (State.DATA_GATHERING, State.ANALYSIS, State.FINDINGS)
_WRITING = (State.ANALYSIS, State.FINDINGS)
_RESPONDING = (State.APPROVED, State.PUBLISHED)
_OPEN = (*_GATHERING, State.FINDINGS, State.SIGN_OFF, State.APPROVED, State.PUBLISHED, State.SCOPING)
_BEFORE_APPROVAL = (State.SCOPING, *_GATHERING, State.FINDINGS, State.SIGN_OFF)
_BEFORE_PUBLICATION = (*_BEFORE_APPROVAL, State.APPROVED)
# Once the chair has approved, nothing they approved changes: the review is reopened for correction
# (`reopen_for_correction`, back to findings) and approved again. Only the board's words, written after
# the approval, go on changing at `approved`.
_CORRECTING = (State.FINDINGS, State.SIGN_OFF)


def _trigger_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for trigger in Trigger:
        edges = [edge for edge in TRANSITIONS if edge.trigger == trigger]
        rules[trigger.value] = _rule(
            frozenset().union(*(edge.roles for edge in edges)),
            {edge.source for edge in edges},
            TRIGGER_LABELS[trigger].lower(),
        )
    return rules


# Edits of the review itself (workflow.service) and of its analysis (findings.analysis).
EDITS: dict[str, Rule] = {
    "update_referral": _rule(
        {_C},
        _BEFORE_DECISION,
        "change the referral",
        "The referral can only be changed before the route is decided.",
    ),
    "record_criteria": _rule(
        {_C, _CH},
        _BEFORE_DECISION,
        "record the criteria check",
        "The criteria check can only change before the route is decided.",
    ),
    "set_scope": _rule(
        {_C}, {State.SCOPING}, "set the scope", "The scope can only be set at the scoping stage."
    ),
    "change_membership": _rule({_C}, _NOT_FINAL, "change the membership", _FINAL),
    "record_panel_exemption": _rule({_C}, _NOT_FINAL, "record a panel exemption", _FINAL),
    "set_publication_hold": _rule({_C, _CH}, _NOT_FINAL, "set or clear a publication hold", _FINAL),
    "record_notice": _rule({_C, _CH}, _NOT_FINAL, "record a notice", _FINAL),
    "write_narrative": _rule({_C, _P}, _GATHERING, "write an agency narrative"),
    "submit_narrative": _rule({_C, _P}, _GATHERING, "submit an agency narrative"),
    "return_narrative": _rule({_C, _L}, _GATHERING, "return a submitted narrative"),
    "record_narrative_exemption": _rule({_C}, _GATHERING, "record a narrative exemption"),
    "write_conversation": _rule({_L}, _ANALYSING, "record a conversation"),
    "comment_on_conversation": _rule({_L, _G}, _ANALYSING, "comment on a conversation"),
    "write_episode": _rule({_L}, _ANALYSING, "write key practice episodes"),
    "write_factor": _rule({_L}, _ANALYSING, "code contributory factors"),
    "write_panel_submission": _rule({_P}, (State.DATA_GATHERING, State.ANALYSIS), "write a panel analysis"),
    "waive_panel_submission": _rule({_C}, (State.DATA_GATHERING, State.ANALYSIS), "waive a panel analysis"),
    "write_good_practice": _rule({_C, _L, _P}, _ANALYSING, "record good practice"),
    "write_finding": _rule({_L}, _WRITING, "write findings"),
    "write_question": _rule({_L, _C, _CH}, _WRITING, "write questions for the board"),
    "comment_on_finding": _rule({_L, _P, _G}, _WRITING, "comment on a draft finding"),
    "record_board_response": _rule({_C, _CH}, _RESPONDING, "record the board's response"),
    "write_action": _rule({_C, _CH}, _RESPONDING, "record the board's actions"),
    "set_review_themes": _rule({_C, _L}, _OPEN, "tag the review with themes"),
    "acknowledge_warning": _rule({_L}, (*_ANALYSING, State.SIGN_OFF), "acknowledge a quality warning"),
    "write_report_texts": _rule(
        {_C, _L, _CH}, _BEFORE_APPROVAL, "write the case summary, the methodology note or the briefing"
    ),
    "write_board_texts": _rule(
        {_C, _L, _CH}, _BEFORE_PUBLICATION, "write the board's overall response or the partnership's name"
    ),
    "correct_for_publication": _rule({_C, _CH}, _CORRECTING, "correct a text for publication"),
    "correct_board_words": _rule(
        {_C, _CH}, (*_CORRECTING, State.APPROVED), "correct the board's words for publication"
    ),
    "change_register": _rule({_C, _CH}, _NOT_FINAL, "change the sealed identity register", _FINAL),
    # The statutory notices of WT2023 (workflow.statutory): the notification of the incident, the rapid
    # review sent to the national panel and the panel's response, all before the route is decided.
    "write_notification": _rule(
        {_C, _SP},
        _BEFORE_DECISION,
        "write the notification to the national panel",
        "The notification can only change before the route is decided.",
    ),
    "write_rapid_review": _rule(
        {_C, _SP},
        _BEFORE_DECISION,
        "write the rapid review",
        "The rapid review can only change before the route is decided.",
    ),
    "record_panel_response": _rule(
        {_C, _SP},
        _BEFORE_DECISION,
        "record the national panel's response",
        "The national panel's response can only be recorded before the route is decided.",
    ),
    # The family's involvement: what the report prints of it is fixed at approval; the day the draft
    # was shared with them comes after the sign-off, before publication.
    "write_family_involvement": _rule({_C, _L}, _BEFORE_APPROVAL, "record the family's involvement"),
    "record_draft_shared": _rule(
        {_C, _L}, _BEFORE_PUBLICATION, "record that the draft report was shared with the family"
    ),
    # A lead reviewer declares their own independence (the service checks it is their own).
    "declare_independence": _rule({_L}, _BEFORE_APPROVAL, "declare independence from the agencies involved"),
    "assess_quality": _rule({_C}, _BEFORE_PUBLICATION, "record the quality self-assessment"),
}

POLICY: dict[str, Rule] = _trigger_rules() | EDITS

# Who may read what. Panel submissions and conversations have a finer rule in their service.
READERS: dict[str, frozenset[ReviewRole]] = {
    "narratives": REVIEW_TEAM,
    "conversations": REVIEW_TEAM,  # and the case group member, their own
    "analysis": EVERYONE,  # episodes, factors, good practice, findings, warnings
    "board": EVERYONE,
    # the family's views and contacts: the review team, not the practitioners of the case group
    "family": REVIEW_TEAM,
    "independence": EVERYONE,
    "quality_assessment": REVIEW_TEAM,
    # the draft full report holds the narratives, which the case group does not see
    "draft_report": REVIEW_TEAM,
    # the register and the anonymisation check show real identifiers
    "register": frozenset({_C, _CH}),
    "anonymisation_check": frozenset({_C, _CH}),
    "export": frozenset({_C}),
    # the notification to the national panel and the rapid review (workflow.statutory)
    "statutory": frozenset({_C, _CH, _SP}),
}


def rule(action: str | Trigger) -> Rule:
    return POLICY[str(action)]


def roles_allowed(action: str | Trigger, regime: Regime | None = None) -> frozenset[ReviewRole]:
    """The roles that may take `action`; under `regime`, `decide` is its deciders' alone (the chair
    under WT2010, the safeguarding partners under WT2023 from version 2)."""
    if regime is not None and str(action) == Trigger.DECIDE:
        return regime.deciders
    return rule(action).roles


def role_refusal(
    roles: Iterable[ReviewRole], action: str | Trigger, regime: Regime | None = None
) -> str | None:
    """Why someone with `roles` may not take `action` at all, or None if their role may."""
    allowed = roles_allowed(action, regime)
    if frozenset(roles) & allowed:
        return None
    return f"Only the {roles_phrase(allowed)} may {rule(action).what}."


def stage_refusal(state: State | str, action: str | Trigger) -> str | None:
    """Why `action` is not possible at `state`, or None if it is. Rules list the stages they allow, so
    a final review takes no edit, and a paused one only the edits that list `paused`."""
    current = State(state)
    the_rule = rule(action)
    return None if current in the_rule.stages else the_rule.stage_refusal(current)


def refusal(
    roles: Iterable[ReviewRole], state: State | str, action: str | Trigger, regime: Regime | None = None
) -> str | None:
    """The first reason `action` is refused to someone with `roles` at `state` (role before stage), or
    None: what a page shows beside a greyed-out control."""
    return role_refusal(roles, action, regime) or stage_refusal(state, action)


def permits(
    roles: Iterable[ReviewRole], state: State | str, action: str | Trigger, regime: Regime | None = None
) -> bool:
    return refusal(roles, state, action, regime) is None


def check(roles: Iterable[ReviewRole], state: State | str, action: str | Trigger) -> None:
    """Raise `NotPermitted` for a role that may not, `NotAtThisStage` for a stage that does not allow."""
    by_role = role_refusal(roles, action)
    if by_role:
        raise NotPermitted(by_role)
    by_stage = stage_refusal(state, action)
    if by_stage:
        raise NotAtThisStage(str(action), by_stage)

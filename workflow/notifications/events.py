"""What is worth an email, and who gets it: pure functions of an audited change and the review's members.

A change tells the members whose role the policy table (`workflow.policy`) lets take the action it
now needs: after `open_screening` whoever may `decide`; after `submit_for_signoff` whoever may
`approve`; after `return_for_revision` whoever may `submit_for_signoff`; after a narrative is
returned, whoever may `submit_narrative` for that agency. Being added to a review tells the person
added. Nobody is told of their own change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from workflow import policy
from workflow.policy import ROLE_NAMES
from workflow.regimes.base import Regime
from workflow.states import ReviewRole, Trigger


class Kind(StrEnum):
    """The kinds of email; each has its templates, templates/emails/<kind>-{subject,body}.*"""

    ADDED = "added_to_review"
    ROUTE_DECISION = "route_decision_needed"
    SIGN_OFF = "sign_off_requested"
    RETURNED = "returned_with_comments"
    CORRECTIONS = "corrections_needed"
    DEADLINE_SOON = "deadline_soon"
    DEADLINE_OVERDUE = "deadline_overdue"
    ACTION_OVERDUE = "action_overdue"
    DIGEST = "digest"


@dataclass(frozen=True)
class Member:
    user_id: int
    role: ReviewRole
    agency: str | None = None


@dataclass(frozen=True)
class Audience:
    """Who is told: the members whose role may take `action` (a panel member only for `agency`, when
    given), and the review's coordinators when `coordinators` (they watch the deadlines); or just
    `user_id`."""

    action: str | None = None
    agency: str | None = None
    user_id: int | None = None
    coordinators: bool = False

    def pick(
        self, members: Iterable[Member], *, actor: int | None, regime: Regime | None = None
    ) -> list[int]:
        """The user ids told, each once, in the order of the members; never the actor. Under
        `regime`, the route decision is asked of its deciders (the chair, or the partners)."""
        allowed = policy.roles_allowed(self.action, regime) if self.action else frozenset()
        if self.coordinators:
            allowed |= {ReviewRole.COORDINATOR}
        chosen: dict[int, None] = {}
        for member in members:
            if member.user_id == actor:
                continue
            if self.user_id is not None:
                wanted = member.user_id == self.user_id
            else:
                wanted = member.role in allowed and not (
                    self.agency and member.role == ReviewRole.PANEL_MEMBER and member.agency != self.agency
                )
            if wanted:
                chosen[member.user_id] = None
        return list(chosen)


@dataclass(frozen=True)
class Event:
    kind: Kind
    audience: Audience
    context: Mapping[str, str] = field(default_factory=dict)


# A trigger -> what it now needs, and of whom: the members who may fire the trigger needed next.
NEEDED_AFTER: dict[Trigger, tuple[Kind, Trigger]] = {
    Trigger.OPEN_SCREENING: (Kind.ROUTE_DECISION, Trigger.DECIDE),
    Trigger.SUBMIT_FOR_SIGNOFF: (Kind.SIGN_OFF, Trigger.APPROVE),
    Trigger.RETURN_FOR_REVISION: (Kind.RETURNED, Trigger.SUBMIT_FOR_SIGNOFF),
}

# The audit actions that can cause an email: everything else is decided without a query.
CAUSES = frozenset({"add_member", "return_narrative", *NEEDED_AFTER})


def caused_by(action: str, params: Mapping[str, Any]) -> Event | None:
    """The email an audited change causes, if any. Only what may be said travels in the context:
    never a reason, a comment or any other text typed into the review."""
    if action not in CAUSES:
        return None
    if action == "add_member":
        role = ReviewRole(params["role"])
        return Event(Kind.ADDED, Audience(user_id=int(params["user_id"])), {"role": ROLE_NAMES[role]})
    if action == "return_narrative":
        agency = params.get("agency")
        audience = Audience(action="submit_narrative", agency=agency)
        return Event(Kind.CORRECTIONS, audience, {"agency": agency} if agency else {})
    kind, needed = NEEDED_AFTER[Trigger(action)]
    return Event(kind, Audience(action=needed.value))

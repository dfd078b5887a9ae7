"""Who is on a review: its members in their roles (and for which agency), and the recorded reason
why an agency in scope has no panel member.

Commands here are the JSON bodies of `api/routes/members.py` and what the members page builds from
its forms. Who may change the membership, and when, is `workflow.policy`'s `change_membership` and
`record_panel_exemption` rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import policy, regimes
from workflow.commands import Agency, Command, Email, Id, Reason, required
from workflow.edits import Edit, EditService
from workflow.errors import InvalidInput, NotFound
from workflow.models import Membership, Review, User
from workflow.policy import ROLE_NAMES
from workflow.service import ReviewDetail
from workflow.states import ReviewRole

AGENCY_ROLES = (ReviewRole.PANEL_MEMBER, ReviewRole.CASE_GROUP)
NO_PARTNER = (
    "Say which safeguarding partner this member represents: the local authority, the integrated care "
    "board or the chief officer of police (or that they are the lead or delegated partner)."
)


class AddMember(Command):
    email: Email
    role: ReviewRole
    agency: Agency | None = Field(default=None, description="Required for panel and case group members.")
    declared_interest: Reason | None = None


class RemoveMember(Command):
    membership_id: Id


class RecordPanelExemption(Command):
    """An empty reason clears the exemption."""

    agency: Annotated[Agency, required("Choose the agency.")]
    reason: Reason = ""


def active_user_by_email(
    session: Session, email: str | None, field: str, errors: dict[str, str]
) -> User | None:
    """The active user with this email address; otherwise None, with the problem in `errors`."""
    if email is None or not email.strip():
        return None
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        errors[field] = f"No active user has the email address '{email}'."
        return None
    return user


def join(
    edit: Edit, user: User, role: ReviewRole, *, agency: str | None, declared_interest: str | None
) -> Membership:
    """Make `user` a member of the edited review in `role`, audited as `add_member`."""
    membership = Membership(
        user_id=user.id, user=user, role=role.value, agency=agency, declared_interest=declared_interest
    )
    edit.review.memberships.append(membership)
    edit.session.flush()
    edit.audit("add_member", membership_id=membership.id, user_id=user.id, role=role.value, agency=agency)
    return membership


def vacancy(review: Review, action: str) -> str | None:
    """Why no one can take `action` yet: no member holds a role the policy allows for it (a new
    review has no chair until one is added), or None."""
    regime = regimes.get(review.regime_key, review.regime_version) if review.regime_key else None
    allowed = policy.roles_allowed(action, regime)
    if any(ReviewRole(m.role) in allowed for m in review.memberships):
        return None
    return f"No one is the {policy.roles_phrase(allowed)} of this review yet."


class MembershipService(EditService):
    def add(
        self, *, review_id: int, actor: int, expected_version: int | None, command: AddMember
    ) -> Membership:
        """Add a member by email, role and agency (coordinator)."""
        with self.editing(review_id, actor, expected_version, "change_membership") as edit:
            errors: dict[str, str] = {}
            user = active_user_by_email(edit.session, command.email, "email", errors)
            if user is None and "email" not in errors:
                errors["email"] = "Enter the email address of the person to add."
            if user and any(m.user_id == user.id and m.role == command.role for m in edit.review.memberships):
                errors["role"] = f"{user.name} is already a {ROLE_NAMES[command.role]} of this review."
            if command.role in AGENCY_ROLES and not command.agency:
                errors["agency"] = "Say which agency this panel or case group member is from."
            if command.role == ReviewRole.SAFEGUARDING_PARTNER and not command.agency:
                errors["agency"] = NO_PARTNER
            if errors or user is None:
                raise InvalidInput(errors)
            membership = join(
                edit,
                user,
                command.role,
                agency=command.agency or None,
                declared_interest=command.declared_interest or None,
            )
            return membership

    def remove(
        self, *, review_id: int, actor: int, expected_version: int | None, command: RemoveMember
    ) -> ReviewDetail:
        """Remove a membership (coordinator). A review keeps at least one coordinator."""
        with self.editing(review_id, actor, expected_version, "change_membership") as edit:
            review = edit.review
            membership = next((m for m in review.memberships if m.id == command.membership_id), None)
            if membership is None:
                raise NotFound(f"Membership {command.membership_id} is not part of this review.")
            coordinators = [m for m in review.memberships if m.role == ReviewRole.COORDINATOR]
            if membership.role == ReviewRole.COORDINATOR and len(coordinators) == 1:
                raise InvalidInput({"membership": "A review must keep at least one coordinator."})
            review.memberships.remove(membership)
            edit.audit(
                "remove_member",
                membership_id=command.membership_id,
                user_id=membership.user_id,
                role=membership.role,
            )
            return edit.detail()

    def record_panel_exemption(
        self,
        *,
        review_id: int,
        actor: int,
        expected_version: int | None,
        command: RecordPanelExemption,
    ) -> ReviewDetail:
        """Record why an agency in scope has no panel member (or clear it with an empty reason)."""
        with self.editing(review_id, actor, expected_version, "record_panel_exemption") as edit:
            review = edit.review
            if command.agency not in review.agencies_in_scope:
                raise InvalidInput({"agency": f"'{command.agency}' is not an agency in scope."})
            exemptions = dict(review.panel_exemptions)
            if command.reason:
                exemptions[command.agency] = command.reason
            else:
                exemptions.pop(command.agency, None)
            review.panel_exemptions = exemptions
            edit.audit("record_panel_exemption", command.reason or None, agency=command.agency)
            return edit.detail()


def sorted_members(memberships: Iterable[Membership]) -> list[Membership]:
    """Members in the order of their roles, then in the order they joined."""
    order = list(ReviewRole)
    return sorted(memberships, key=lambda m: (order.index(ReviewRole(m.role)), m.id))

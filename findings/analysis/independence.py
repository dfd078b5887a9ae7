"""The lead reviewers' independence: each lead reviewer declares, in their own words and with its day,
that they are independent of the agencies involved in the case. The declarations are shown on the
review's overview and printed in the full report's methodology (by number, never by name)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field
from sqlalchemy import select

from findings.analysis.base import AnalysisService, Context, check_version
from findings.analysis.models import IndependenceDeclaration
from workflow.commands import AnyDate, Command, Text, required
from workflow.errors import InvalidInput, NotPermitted
from workflow.models import Membership
from workflow.policy import READERS
from workflow.states import ReviewRole

FUTURE = "The day of the declaration cannot be in the future."


class DeclareIndependence(Command):
    statement: Annotated[Text, required("Say how you are independent of the agencies involved.")] = Field(
        description="In your words: your independence from the agencies involved in the case "
        "(printed in the full report: use pseudonyms only)."
    )
    declared_on: AnyDate = Field(description="The day of the declaration (not in the future).")


@dataclass(frozen=True)
class LeadReviewer:
    """A lead reviewer of the review and their declaration, if they have made one."""

    membership_id: int
    user_id: int
    name: str
    declaration: IndependenceDeclaration | None


class IndependenceService(AnalysisService):
    def declare(
        self, *, review_id: int, actor: int, expected_version: int | None, command: DeclareIndependence
    ) -> IndependenceDeclaration:
        """Make or change the actor's own declaration (a lead reviewer). Making it needs no version;
        changing it names the declaration's version."""
        if command.declared_on > self._today():
            raise InvalidInput({"declared_on": FUTURE})
        with self.change(review_id, actor, "declare_independence") as ctx:
            membership = _own_membership(ctx)
            declaration = _of(ctx, membership.id)
            if declaration is None:
                declaration = IndependenceDeclaration(
                    review_id=ctx.review.id,
                    membership_id=membership.id,
                    statement="",
                    declared_on=command.declared_on,
                )
                ctx.session.add(declaration)
            else:
                check_version(declaration, expected_version, "declaration of independence")
            declaration.statement = command.statement
            declaration.declared_on = command.declared_on
            ctx.session.flush()
            ctx.audit(
                "declare_independence",
                declaration_id=declaration.id,
                membership_id=membership.id,
                on=command.declared_on.isoformat(),
            )
            return declaration

    def mine(self, *, review_id: int, actor: int) -> IndependenceDeclaration | None:
        """The actor's own declaration, if they have made one."""
        with self.read(review_id, actor, READERS["independence"]) as ctx:
            own = [m for m in _leads(ctx) if m.user_id == actor]
            return _of(ctx, own[0].id) if own else None

    def list(self, *, review_id: int, actor: int) -> list[LeadReviewer]:
        """Every lead reviewer of the review, in the order they joined, with their declaration (every
        member)."""
        with self.read(review_id, actor, READERS["independence"]) as ctx:
            return lead_reviewers(ctx)


def lead_reviewers(ctx: Context) -> list[LeadReviewer]:
    declarations = {
        d.membership_id: d
        for d in ctx.session.scalars(
            select(IndependenceDeclaration).where(IndependenceDeclaration.review_id == ctx.review.id)
        )
    }
    return [LeadReviewer(m.id, m.user_id, m.user.name, declarations.get(m.id)) for m in _leads(ctx)]


def _leads(ctx: Context) -> list[Membership]:
    return sorted(
        (m for m in ctx.review.memberships if m.role == ReviewRole.LEAD_REVIEWER), key=lambda m: m.id
    )


def _own_membership(ctx: Context) -> Membership:
    """The actor's lead reviewer membership: a declaration is always one's own."""
    own = [m for m in _leads(ctx) if m.user_id == ctx.actor]
    if not own:
        raise NotPermitted("Only a lead reviewer may declare their independence.")
    return own[0]


def _of(ctx: Context, membership_id: int) -> IndependenceDeclaration | None:
    return ctx.session.scalar(
        select(IndependenceDeclaration).where(IndependenceDeclaration.membership_id == membership_id)
    )

"""The family's involvement in a review: each family member by pseudonym and relationship (never a
real name: the sealed register holds identities), when they were invited, the contacts with them,
whether they wish to take part, their views as heard, and when the draft report was shared with them
before publication.

The views are a text the full report prints, so they pass the anonymisation check and the quality
warnings with every other published text; the contacts' notes stay with the review team."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field
from sqlalchemy import select

from findings.analysis.base import AnalysisService, Context, Page, check_version, page_of
from findings.analysis.models import FamilyContact, FamilyMember
from workflow.commands import AnyDate, Command, Pseudonym, Text, required
from workflow.errors import InvalidInput
from workflow.policy import READERS

Wishes = Literal["not_yet_known", "taking_part", "declined"]
Means = Literal["meeting", "telephone", "video", "letter", "email", "other"]

WISH_LABELS = {
    "not_yet_known": "not yet known",
    "taking_part": "wishes to take part",
    "declined": "does not wish to take part",
}
MEANS_LABELS = {
    "meeting": "a meeting",
    "telephone": "a telephone call",
    "video": "a video call",
    "letter": "a letter",
    "email": "an email",
    "other": "another contact",
}
FUTURE = "The day cannot be in the future."
# What a field sent as null becomes (a date sent as null is cleared).
_CLEARED = {"views": "", "wishes": "not_yet_known"}
_PSEUDONYM = "Give the family member's pseudonym (never their real name)."
_RELATIONSHIP = "Say how they are related to the child (for example, mother)."


class AddFamilyMember(Command):
    pseudonym: Annotated[Pseudonym, required(_PSEUDONYM)] = Field(
        description="The name the review uses for them, e.g. 'Alice's mother' (never a real name)."
    )
    relationship: Annotated[Pseudonym, required(_RELATIONSHIP)] = Field(
        description="How they are related to the child: mother, father, grandmother, sibling, ..."
    )
    invited_on: AnyDate | None = Field(default=None, description="The day they were invited to take part.")
    wishes: Wishes = Field(default="not_yet_known", description="Whether they wish to take part.")
    views: Text = Field(default="", description="Their views as heard (printed in the full report).")


class ChangeFamilyMember(Command):
    """The fields sent are changed; the others are left as they are."""

    pseudonym: Annotated[Pseudonym, required(_PSEUDONYM)] | None = None
    relationship: Annotated[Pseudonym, required(_RELATIONSHIP)] | None = None
    invited_on: AnyDate | None = None
    wishes: Wishes | None = None
    views: Text | None = None


class AddFamilyContact(Command):
    on: AnyDate = Field(description="The day of the contact (not in the future).")
    means: Means = Field(description="How: meeting, telephone, video, letter, email or other.")
    note: Text = Field(default="", description="A note for the review team (not printed in the report).")


class ShareDraft(Command):
    on: AnyDate = Field(description="The day the draft report was shared with them (not in the future).")


class FamilyService(AnalysisService):
    def add(self, *, review_id: int, actor: int, command: AddFamilyMember) -> FamilyMember:
        """Record a family member invited to take part (coordinator or lead reviewer)."""
        self._not_future(invited_on=command.invited_on)
        with self.change(review_id, actor, "write_family_involvement") as ctx:
            member = FamilyMember(
                review_id=ctx.review.id,
                pseudonym=command.pseudonym,
                relationship_to_child=command.relationship,
                invited_on=command.invited_on,
                wishes=command.wishes,
                views=command.views,
                recorded_by=actor,
            )
            ctx.session.add(member)
            ctx.session.flush()
            ctx.audit("add_family_member", family_member_id=member.id)
            return _loaded(ctx, member)

    def update(
        self,
        *,
        review_id: int,
        actor: int,
        family_member_id: int,
        expected_version: int | None,
        command: ChangeFamilyMember,
    ) -> FamilyMember:
        sent = command.sent()
        for key in ("pseudonym", "relationship"):
            if key in sent and sent[key] is None:
                raise InvalidInput({key: _PSEUDONYM if key == "pseudonym" else _RELATIONSHIP})
        self._not_future(invited_on=sent.get("invited_on"))
        with self.change(review_id, actor, "write_family_involvement") as ctx:
            member = ctx.get(FamilyMember, family_member_id, "family member")
            check_version(member, expected_version, "family member")
            for key, value in sent.items():
                column = "relationship_to_child" if key == "relationship" else key
                setattr(member, column, _CLEARED.get(key) if value is None else value)
            ctx.session.flush()
            ctx.audit("update_family_member", family_member_id=member.id, fields=sorted(sent))
            return _loaded(ctx, member)

    def add_contact(
        self, *, review_id: int, actor: int, family_member_id: int, command: AddFamilyContact
    ) -> FamilyMember:
        """Record a contact with a family member; answers with the member and all their contacts."""
        self._not_future(on=command.on)
        with self.change(review_id, actor, "write_family_involvement") as ctx:
            member = ctx.get(FamilyMember, family_member_id, "family member")
            contact = FamilyContact(
                review_id=ctx.review.id,
                family_member_id=member.id,
                contacted_on=command.on,
                means=command.means,
                note=command.note,
                recorded_by=actor,
            )
            ctx.session.add(contact)
            ctx.session.flush()
            ctx.audit("add_family_contact", family_member_id=member.id, contact_id=contact.id)
            return _loaded(ctx, member)

    def share_draft(
        self,
        *,
        review_id: int,
        actor: int,
        family_member_id: int,
        expected_version: int | None,
        command: ShareDraft,
    ) -> FamilyMember:
        """Record the day the draft report was shared with a family member, before publication."""
        self._not_future(on=command.on)
        with self.change(review_id, actor, "record_draft_shared") as ctx:
            member = ctx.get(FamilyMember, family_member_id, "family member")
            check_version(member, expected_version, "family member")
            member.draft_shared_on = command.on
            ctx.session.flush()
            ctx.audit("share_draft_with_family", family_member_id=member.id, on=command.on.isoformat())
            return _loaded(ctx, member)

    def list(
        self, *, review_id: int, actor: int, limit: int | None = None, offset: int = 0
    ) -> Page[FamilyMember]:
        """The family members in the order they were recorded (the review team)."""
        with self.read(review_id, actor, READERS["family"]) as ctx:
            query = (
                select(FamilyMember).where(FamilyMember.review_id == ctx.review.id).order_by(FamilyMember.id)
            )
            return page_of(ctx.session, query, limit=limit, offset=offset)

    def get(self, *, review_id: int, actor: int, family_member_id: int) -> FamilyMember:
        with self.read(review_id, actor, READERS["family"]) as ctx:
            return _loaded(ctx, ctx.get(FamilyMember, family_member_id, "family member"))

    def _not_future(self, **days: date | None) -> None:
        today = self._today()
        late = {key: FUTURE for key, day in days.items() if day is not None and day > today}
        if late:
            raise InvalidInput(late)


def _loaded(ctx: Context, member: FamilyMember) -> FamilyMember:
    """The member with their contacts read in this transaction (the answer outlives the session)."""
    ctx.session.refresh(member, ["contacts"])
    return member

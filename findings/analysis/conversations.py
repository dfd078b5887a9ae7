"""Conversations with practitioners (not interviews), under the headings of DESIGN §2, and the
practitioner's comments on their own.

Who may see one is finer than the policy table: the review team sees every conversation, a case
group member only their own (another's is simply not found).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from sqlalchemy import select

from findings.analysis.base import AnalysisService, Context, Page, check_version, page_of
from findings.analysis.models import Conversation, ConversationComment
from workflow.commands import AnyDate, Command, Id, Text, required
from workflow.errors import InvalidInput, NotFound
from workflow.policy import EVERYONE, REVIEW_TEAM
from workflow.states import ReviewRole

CONVERSATION_HEADINGS: dict[str, str] = {
    "overview": "Overview of what happened and their part",
    "turning_points": "Turning points",
    "mindset": "Their mindset at the time (what they thought was going on, what was front of mind, "
    "competing demands, what they hoped to achieve, options they saw)",
    "contributory_factors": "Contributory factors as they see them",
    "went_well": "What went well and what enabled it",
    "queries": "Queries",
    "suggested_changes": "Suggested changes",
}


class AddConversation(Command):
    practitioner_id: Id = Field(description="The user id of a case group member of the review.")
    held_on: AnyDate | None = None
    overview: Text = Field(default="", description="Overview of what happened and their part.")
    turning_points: Text = ""
    mindset: Text = Field(
        default="",
        description="Their mindset at the time: what they thought was going on, what was front of mind, "
        "competing demands, what they hoped to achieve, options they saw.",
    )
    contributory_factors: Text = Field(default="", description="Contributory factors as they see them.")
    went_well: Text = Field(default="", description="What went well and what enabled it.")
    queries: Text = ""
    suggested_changes: Text = ""


class ChangeConversation(Command):
    """The headings sent are changed; the others are left as they are (null leaves one alone; a
    null `held_on` clears the day)."""

    held_on: AnyDate | None = None
    overview: Text | None = None
    turning_points: Text | None = None
    mindset: Text | None = None
    contributory_factors: Text | None = None
    went_well: Text | None = None
    queries: Text | None = None
    suggested_changes: Text | None = None


class AddComment(Command):
    text: Annotated[Text, required("Write your comment.")]


class ConversationService(AnalysisService):
    def add(self, *, review_id: int, actor: int, command: AddConversation) -> Conversation:
        """Record a conversation with a case group member (lead reviewer)."""
        with self.change(review_id, actor, "write_conversation") as ctx:
            practitioner = command.practitioner_id
            if not any(
                m.user_id == practitioner and m.role == ReviewRole.CASE_GROUP for m in ctx.review.memberships
            ):
                raise InvalidInput(
                    {"practitioner_id": "The practitioner must be a member of the case group."}
                )
            conversation = Conversation(
                review_id=ctx.review.id, author_id=actor, **command.model_dump(), comments=[]
            )
            ctx.session.add(conversation)
            ctx.session.flush()
            ctx.audit("add_conversation", conversation_id=conversation.id, practitioner_id=practitioner)
            return conversation

    def update(
        self,
        *,
        review_id: int,
        actor: int,
        conversation_id: int,
        expected_version: int | None,
        command: ChangeConversation,
    ) -> Conversation:
        """Change the headings sent (lead reviewer)."""
        with self.change(review_id, actor, "write_conversation") as ctx:
            conversation = ctx.get(Conversation, conversation_id, "conversation")
            check_version(conversation, expected_version, "conversation")
            sent = command.sent()
            for name, value in sent.items():
                if value is not None or name == "held_on":
                    setattr(conversation, name, value)
            ctx.audit("update_conversation", conversation_id=conversation.id, fields=sorted(sent))
            ctx.session.flush()
            return conversation

    def comment(
        self, *, review_id: int, actor: int, conversation_id: int, command: AddComment
    ) -> ConversationComment:
        """A practitioner comments on their own conversation (a lead reviewer may answer)."""
        with self.change(review_id, actor, "comment_on_conversation") as ctx:
            conversation = ctx.get(Conversation, conversation_id, "conversation")
            if ReviewRole.LEAD_REVIEWER not in ctx.roles and conversation.practitioner_id != actor:
                raise NotFound(f"Conversation {conversation_id} was not found in this review.")
            comment = ConversationComment(conversation_id=conversation.id, author_id=actor, text=command.text)
            conversation.comments.append(comment)
            ctx.session.flush()
            ctx.audit("comment_on_conversation", conversation_id=conversation.id, comment_id=comment.id)
            return comment

    def list(
        self, *, review_id: int, actor: int, limit: int | None = None, offset: int = 0
    ) -> Page[Conversation]:
        """The conversations the actor may see: all for the review team, their own for a practitioner."""
        with self.read(review_id, actor, EVERYONE) as ctx:
            query = select(Conversation).where(Conversation.review_id == ctx.review.id)
            if not ctx.roles & REVIEW_TEAM:
                query = query.where(Conversation.practitioner_id == actor)
            return page_of(ctx.session, query.order_by(Conversation.id), limit=limit, offset=offset)

    def get(self, *, review_id: int, actor: int, conversation_id: int) -> Conversation:
        with self.read(review_id, actor, EVERYONE) as ctx:
            conversation = ctx.get(Conversation, conversation_id, "conversation")
            if not _may_see(ctx, conversation):
                raise NotFound(f"Conversation {conversation_id} was not found in this review.")
            return conversation


def _may_see(ctx: Context, conversation: Conversation) -> bool:
    return bool(ctx.roles & REVIEW_TEAM) or (
        ReviewRole.CASE_GROUP in ctx.roles and conversation.practitioner_id == ctx.actor
    )

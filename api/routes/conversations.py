"""Conversations with practitioners (not interviews), under the headings of DESIGN §2, and the
practitioner's comments on their own."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, ReviewId, ServicesDep
from api.routes.answers import CHANGE, CREATE, READ, ConversationId, created, tagged
from api.schemas.narratives import CommentOut, ConversationList, ConversationOut
from findings.analysis.conversations import AddComment, AddConversation, ChangeConversation

router = APIRouter(tags=["conversations"])


@router.get("/reviews/{review_id}/conversations", response_model=ConversationList, responses=READ)
def list_conversations(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> ConversationList:
    """The conversations the caller may see: all of them for the review team, their own for a
    practitioner of the case group."""
    found = services.conversations.list(review_id=review_id, actor=caller.id, limit=limit, offset=offset)
    return ConversationList(items=[ConversationOut.of(c) for c in found.items], total=found.total)


@router.post(
    "/reviews/{review_id}/conversations",
    response_model=ConversationOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_conversation(
    review_id: ReviewId, body: AddConversation, services: ServicesDep, caller: CurrentUser, response: Response
) -> ConversationOut:
    """Record a conversation with a case group member (lead reviewer)."""
    conversation = services.conversations.add(review_id=review_id, actor=caller.id, command=body)
    created(response, f"/api/v1/reviews/{review_id}/conversations/{conversation.id}", conversation.version)
    return ConversationOut.of(conversation)


@router.get(
    "/reviews/{review_id}/conversations/{conversation_id}", response_model=ConversationOut, responses=READ
)
def get_conversation(
    review_id: ReviewId,
    conversation_id: ConversationId,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> ConversationOut:
    """One conversation with its comments (a practitioner sees only their own: 404 for others')."""
    conversation = services.conversations.get(
        review_id=review_id, actor=caller.id, conversation_id=conversation_id
    )
    tagged(response, conversation.version)
    return ConversationOut.of(conversation)


@router.patch(
    "/reviews/{review_id}/conversations/{conversation_id}", response_model=ConversationOut, responses=CHANGE
)
def update_conversation(
    review_id: ReviewId,
    conversation_id: ConversationId,
    body: ChangeConversation,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> ConversationOut:
    """Change the headings sent (lead reviewer)."""
    conversation = services.conversations.update(
        review_id=review_id,
        actor=caller.id,
        conversation_id=conversation_id,
        expected_version=version,
        command=body,
    )
    tagged(response, conversation.version)
    return ConversationOut.of(conversation)


@router.post(
    "/reviews/{review_id}/conversations/{conversation_id}/comments",
    response_model=CommentOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def comment_on_conversation(
    review_id: ReviewId,
    conversation_id: ConversationId,
    body: AddComment,
    services: ServicesDep,
    caller: CurrentUser,
) -> CommentOut:
    """The practitioner comments on their own conversation (a lead reviewer may answer). Comments
    are kept with their author and time."""
    comment = services.conversations.comment(
        review_id=review_id, actor=caller.id, conversation_id=conversation_id, command=body
    )
    return CommentOut.of(comment)

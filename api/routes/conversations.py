"""Conversations with practitioners (not interviews), under the headings of DESIGN §2, and the
practitioner's comments on their own."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, ReviewId, ServicesDep
from api.routes.answers import CHANGE, CREATE, READ, ConversationId, created, page, tagged
from api.schemas.narratives import (
    CommentIn,
    CommentOut,
    ConversationIn,
    ConversationList,
    ConversationOut,
    ConversationPatch,
)
from api.wiring import Services

router = APIRouter(tags=["conversations"])


def _answer(
    services: Services, review_id: int, actor: int, conversation_id: int, response: Response
) -> ConversationOut:
    conversation = services.findings.conversation(
        review_id=review_id, actor=actor, conversation_id=conversation_id
    )
    tagged(response, conversation.version)
    return ConversationOut.of(conversation)


@router.get("/reviews/{review_id}/conversations", response_model=ConversationList, responses=READ)
def list_conversations(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> ConversationList:
    """The conversations the caller may see: all of them for the review team, their own for a
    practitioner of the case group."""
    rows = services.findings.conversations(review_id=review_id, actor=caller.id)
    return ConversationList(items=[ConversationOut.of(c) for c in page(rows, limit, offset)], total=len(rows))


@router.post(
    "/reviews/{review_id}/conversations",
    response_model=ConversationOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_conversation(
    review_id: ReviewId, body: ConversationIn, services: ServicesDep, caller: CurrentUser, response: Response
) -> ConversationOut:
    """Record a conversation with a case group member (lead reviewer)."""
    conversation = services.findings.add_conversation(
        review_id=review_id, actor=caller.id, **body.model_dump()
    )
    created(response, f"/api/v1/reviews/{review_id}/conversations/{conversation.id}")
    return _answer(services, review_id, caller.id, conversation.id, response)


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
    return _answer(services, review_id, caller.id, conversation_id, response)


@router.patch(
    "/reviews/{review_id}/conversations/{conversation_id}", response_model=ConversationOut, responses=CHANGE
)
def update_conversation(
    review_id: ReviewId,
    conversation_id: ConversationId,
    body: ConversationPatch,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> ConversationOut:
    """Change the headings sent (lead reviewer)."""
    services.findings.update_conversation(
        review_id=review_id,
        actor=caller.id,
        conversation_id=conversation_id,
        expected_version=version,
        **body.model_dump(exclude_unset=True),
    )
    return _answer(services, review_id, caller.id, conversation_id, response)


@router.post(
    "/reviews/{review_id}/conversations/{conversation_id}/comments",
    response_model=CommentOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def comment_on_conversation(
    review_id: ReviewId,
    conversation_id: ConversationId,
    body: CommentIn,
    services: ServicesDep,
    caller: CurrentUser,
) -> CommentOut:
    """The practitioner comments on their own conversation (a lead reviewer may answer). Comments
    are kept with their author and time."""
    comment = services.findings.comment_on_conversation(
        review_id=review_id, actor=caller.id, conversation_id=conversation_id, text=body.text
    )
    return CommentOut.of(comment)

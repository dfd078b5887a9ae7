"""Pages of the conversations with practitioners: the list and the form to record one, one
conversation (to change it) and its comments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import Caller
from api.deps import ReviewId
from api.pages import forms
from api.pages.common import (
    CsrfChecked,
    Form,
    PageRoute,
    PageUser,
    ServicesDep,
    Submitted,
    attempt,
    date_fields,
    redirect,
    render,
)
from api.pages.views import may, member_names, review_context
from api.wiring import Services
from findings.analysis.conversations import (
    CONVERSATION_HEADINGS,
    AddComment,
    AddConversation,
    ChangeConversation,
)
from workflow.states import ReviewRole

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _conversations_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "conversations")
    review = context["review"]
    context.update(
        {
            "conversations": services.conversations.list(review_id=review_id, actor=user.id).items,
            "names": member_names(review),
            "practitioners": [
                (str(m.user_id), f"{m.user.name} ({m.agency})" if m.agency else m.user.name)
                for m in review.memberships
                if m.role == ReviewRole.CASE_GROUP
            ],
            "headings": CONVERSATION_HEADINGS,
            "may_write": may(context["roles"], review.state, "write_conversation"),
            "form": form or Form.of(),
        }
    )
    return render(request, "pages/conversations.html", context, status=status)


@router.get("/reviews/{review_id}/conversations")
def conversations(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _conversations_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/conversations", dependencies=[CsrfChecked])
def add_conversation(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    command = forms.command(form, AddConversation)
    if command is None:
        return _conversations_page(request, services, user, review_id, form, 422)
    result, status = attempt(
        form, lambda: services.conversations.add(review_id=review_id, actor=user.id, command=command)
    )
    if result is not None:
        return redirect(f"/reviews/{review_id}/conversations/{result.id}", flash="Conversation recorded.")
    return _conversations_page(request, services, user, review_id, form, status)


def _conversation_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    conversation_id: int,
    *,
    edit_form: Form | None = None,
    comment_form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "conversations")
    review = context["review"]
    conversation = services.conversations.get(
        review_id=review_id, actor=user.id, conversation_id=conversation_id
    )
    if edit_form is None:
        edit_form = Form.of(
            version=conversation.version,
            **{name: getattr(conversation, name) for name in CONVERSATION_HEADINGS},
            **date_fields("held_on", conversation.held_on),
        )
    elif edit_form.stale:
        edit_form.data["version"] = [str(conversation.version)]
    roles = context["roles"]
    context.update(
        {
            "conversation": conversation,
            "names": member_names(review),
            "headings": CONVERSATION_HEADINGS,
            "may_edit": may(roles, review.state, "write_conversation"),
            # Finer than the policy: a practitioner comments on their own conversation only.
            "may_comment": may(roles, review.state, "comment_on_conversation")
            and (ReviewRole.LEAD_REVIEWER in roles or conversation.practitioner_id == user.id),
            "edit_form": edit_form,
            "comment_form": comment_form or Form.of(),
        }
    )
    return render(request, "pages/conversation.html", context, status=status)


@router.get("/reviews/{review_id}/conversations/{conversation_id}")
def conversation(
    request: Request, review_id: ReviewId, conversation_id: ReviewId, services: ServicesDep, user: PageUser
) -> Response:
    return _conversation_page(request, services, user, review_id, conversation_id)


@router.post("/reviews/{review_id}/conversations/{conversation_id}", dependencies=[CsrfChecked])
def update_conversation(
    request: Request,
    review_id: ReviewId,
    conversation_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    command = forms.command(form, ChangeConversation)
    status = 422
    if command is not None:
        _, status = attempt(
            form,
            lambda: services.conversations.update(
                review_id=review_id,
                actor=user.id,
                conversation_id=conversation_id,
                expected_version=form.version(),
                command=command,
            ),
        )
    if not status:
        return redirect(f"/reviews/{review_id}/conversations/{conversation_id}", flash="Conversation saved.")
    return _conversation_page(
        request, services, user, review_id, conversation_id, edit_form=form, status=status
    )


@router.post("/reviews/{review_id}/conversations/{conversation_id}/comments", dependencies=[CsrfChecked])
def comment_on_conversation(
    request: Request,
    review_id: ReviewId,
    conversation_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    command = forms.command(form, AddComment)
    status = 422
    if command is not None:
        _, status = attempt(
            form,
            lambda: services.conversations.comment(
                review_id=review_id, actor=user.id, conversation_id=conversation_id, command=command
            ),
        )
    if not status:
        return redirect(f"/reviews/{review_id}/conversations/{conversation_id}", flash="Comment added.")
    return _conversation_page(
        request, services, user, review_id, conversation_id, comment_form=form, status=status
    )

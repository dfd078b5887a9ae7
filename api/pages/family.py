"""The family pages: the family members invited to take part (by pseudonym), and one member's
contacts, wishes, views and the day the draft report was shared with them."""

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
from api.pages.views import may, review_context
from api.wiring import Services
from findings.analysis.family import (
    MEANS_LABELS,
    WISH_LABELS,
    AddFamilyContact,
    AddFamilyMember,
    ChangeFamilyMember,
    ShareDraft,
)
from findings.analysis.models import FamilyMember

router = APIRouter(route_class=PageRoute, include_in_schema=False)
WISH_OPTIONS = list(WISH_LABELS.items())
MEANS_OPTIONS = [
    (key, label.removeprefix("a ").removeprefix("an ").capitalize()) for key, label in MEANS_LABELS.items()
]
# The member page has two dated forms: each reads its day from a field of its own.
CONTACT_NAMES = {"on": "contacted_on"}
SHARED_NAMES = {"on": "shared_on"}


def _page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "family")
    review = context["review"]
    context.update(
        {
            "members": services.family.list(review_id=review_id, actor=user.id).items,
            "wish_labels": WISH_LABELS,
            "wish_options": WISH_OPTIONS,
            "may_write": may(context["roles"], review.state, "write_family_involvement"),
            "form": form or Form.of(wishes="not_yet_known"),
            "warnings": services.warnings.list(
                review_id=review_id, actor=user.id, kind="family_member"
            ).items,
        }
    )
    return render(request, "pages/family.html", context, status=status)


def _member_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    member_id: int,
    *,
    edit_form: Form | None = None,
    contact_form: Form | None = None,
    shared_form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "family")
    review = context["review"]
    member = services.family.get(review_id=review_id, actor=user.id, family_member_id=member_id)
    edit_form = edit_form or _edit_form(member)
    shared_form = shared_form or Form.of(
        version=str(member.version), **date_fields("shared_on", member.draft_shared_on)
    )
    for form in (edit_form, shared_form):
        if form.stale:
            form.data["version"] = [str(member.version)]
    context.update(
        {
            "member": member,
            "wish_labels": WISH_LABELS,
            "wish_options": WISH_OPTIONS,
            "means_labels": MEANS_LABELS,
            "means_options": MEANS_OPTIONS,
            "may_write": may(context["roles"], review.state, "write_family_involvement"),
            "may_share": may(context["roles"], review.state, "record_draft_shared"),
            "edit_form": edit_form,
            "contact_form": contact_form or Form.of(),
            "shared_form": shared_form,
            "warnings": [
                w
                for w in services.warnings.list(
                    review_id=review_id, actor=user.id, kind="family_member"
                ).items
                if w.where.id == member.id
            ],
        }
    )
    return render(request, "pages/family_member.html", context, status=status)


def _edit_form(member: FamilyMember) -> Form:
    return Form.of(
        version=str(member.version),
        pseudonym=member.pseudonym,
        relationship=member.relationship_to_child,
        wishes=member.wishes,
        views=member.views,
        **date_fields("invited_on", member.invited_on),
    )


@router.get("/reviews/{review_id}/family")
def family(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _page(request, services, user, review_id)


@router.post("/reviews/{review_id}/family", dependencies=[CsrfChecked])
def add_family_member(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    added, status = forms.submit(
        form,
        AddFamilyMember,
        lambda command: services.family.add(review_id=review_id, actor=user.id, command=command),
    )
    if added is not None:
        return redirect(f"/reviews/{review_id}/family/{added.id}", flash=f"{added.pseudonym} recorded.")
    return _page(request, services, user, review_id, form, status)


@router.get("/reviews/{review_id}/family/{family_member_id}")
def family_member(
    request: Request, review_id: ReviewId, family_member_id: ReviewId, services: ServicesDep, user: PageUser
) -> Response:
    return _member_page(request, services, user, review_id, family_member_id)


@router.post("/reviews/{review_id}/family/{family_member_id}", dependencies=[CsrfChecked])
def update_family_member(
    request: Request,
    review_id: ReviewId,
    family_member_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    # The form shows every field, so saving it changes them all (an empty invitation day clears it).
    command = forms.command(form, ChangeFamilyMember)
    _, status = (
        attempt(
            form,
            lambda: services.family.update(
                review_id=review_id,
                actor=user.id,
                family_member_id=family_member_id,
                expected_version=form.version(),
                command=command,
            ),
        )
        if command is not None
        else (None, 422)
    )
    if not status:
        return redirect(f"/reviews/{review_id}/family/{family_member_id}", flash="Saved.")
    return _member_page(request, services, user, review_id, family_member_id, edit_form=form, status=status)


@router.post("/reviews/{review_id}/family/{family_member_id}/contacts", dependencies=[CsrfChecked])
def add_family_contact(
    request: Request,
    review_id: ReviewId,
    family_member_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    command = forms.command(
        form, AddFamilyContact, names=CONTACT_NAMES, missing={"on": "Enter the day of the contact."}
    )
    _, status = (
        attempt(
            form,
            lambda: services.family.add_contact(
                review_id=review_id, actor=user.id, family_member_id=family_member_id, command=command
            ),
            CONTACT_NAMES,
        )
        if command is not None
        else (None, 422)
    )
    if not status:
        return redirect(f"/reviews/{review_id}/family/{family_member_id}#contacts", flash="Contact recorded.")
    return _member_page(
        request, services, user, review_id, family_member_id, contact_form=form, status=status
    )


@router.post("/reviews/{review_id}/family/{family_member_id}/draft-shared", dependencies=[CsrfChecked])
def share_draft(
    request: Request,
    review_id: ReviewId,
    family_member_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    command = forms.command(
        form, ShareDraft, names=SHARED_NAMES, missing={"on": "Enter the day the draft was shared."}
    )
    _, status = (
        attempt(
            form,
            lambda: services.family.share_draft(
                review_id=review_id,
                actor=user.id,
                family_member_id=family_member_id,
                expected_version=form.version(),
                command=command,
            ),
            SHARED_NAMES,
        )
        if command is not None
        else (None, 422)
    )
    if not status:
        return redirect(f"/reviews/{review_id}/family/{family_member_id}#draft", flash="Recorded.")
    return _member_page(request, services, user, review_id, family_member_id, shared_form=form, status=status)

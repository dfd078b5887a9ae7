"""The members page: who is on the review in which role and for which agency, and why an agency in
scope has no panel member."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import Caller
from api.deps import MemberId, ReviewId
from api.pages import forms
from api.pages.common import (
    CsrfChecked,
    Form,
    PageRoute,
    PageUser,
    ServicesDep,
    Submitted,
    attempt,
    redirect,
    render,
)
from api.pages.views import review_context
from api.wiring import Services
from workflow import policy
from workflow.membership import AddMember, RecordPanelExemption, RemoveMember, sorted_members
from workflow.policy import ROLE_NAMES
from workflow.states import ReviewRole

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# The exemption form's fields have ids of their own: the add form has an `agency` and a `reason` too.
EXEMPTION_FIELDS = {"agency": "exemption-agency", "reason": "exemption-reason"}


def _members_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    *,
    add_form: Form | None = None,
    exemption_form: Form | None = None,
    status: int = 200,
    stale: bool = False,
) -> Response:
    context = review_context(services, user, review_id, "members")
    review = context["review"]
    panel_agencies = {m.agency for m in review.memberships if m.role == ReviewRole.PANEL_MEMBER}
    agencies = list(dict.fromkeys([*review.agencies_in_scope, *review.agencies_involved]))
    add_form = add_form or Form.of()
    exemption_form = exemption_form or Form.of()
    exemption_form.anchors.update(EXEMPTION_FIELDS)
    for form in (add_form, exemption_form):
        form.data["version"] = (
            [str(review.version)] if stale or "version" not in form.data else form.data["version"]
        )
    refusal = policy.refusal(context["roles"], review.state, "change_membership")
    exemption_refusal = policy.refusal(context["roles"], review.state, "record_panel_exemption")
    context.update(
        {
            "members": sorted_members(review.memberships),
            "add_form": add_form,
            "exemption_form": exemption_form,
            "roles_options": [(r.value, ROLE_NAMES[r].capitalize()) for r in ReviewRole],
            "agency_options": [(a, a) for a in agencies],
            "uncovered": [a for a in review.agencies_in_scope if a not in panel_agencies],
            "exemptions": dict(review.panel_exemptions),
            "editable": refusal is None,
            "refusal": refusal,
            "may_exempt": exemption_refusal is None,
            "stale": stale,
        }
    )
    return render(request, "pages/members.html", context, status=status)


@router.get("/reviews/{review_id}/members")
def members(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _members_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/members", dependencies=[CsrfChecked])
def add_member(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    form.anchors["agency"] = "agency"
    agency = form.value("agency").strip() or form.value("other_agency").strip()
    command = forms.command(
        form,
        AddMember,
        missing={
            "email": "Enter the email address of the person to add.",
            "role": "Choose their role in this review.",
        },
        agency=agency or None,
    )
    if command is None:
        return _members_page(request, services, user, review_id, add_form=form, status=422)
    _, status = attempt(
        form,
        lambda: services.membership.add(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=command
        ),
    )
    if not status:
        return redirect(
            f"/reviews/{review_id}/members",
            flash=f"{command.email} added as {ROLE_NAMES[command.role]}.",
        )
    return _members_page(request, services, user, review_id, add_form=form, status=status, stale=form.stale)


@router.post("/reviews/{review_id}/members/{membership_id}/remove", dependencies=[CsrfChecked])
def remove_member(
    request: Request,
    review_id: ReviewId,
    membership_id: MemberId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = attempt(
        form,
        lambda: services.membership.remove(
            review_id=review_id,
            actor=user.id,
            expected_version=form.version(),
            command=RemoveMember(membership_id=membership_id),
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/members", flash="Member removed.")
    return _members_page(request, services, user, review_id, add_form=form, status=status, stale=form.stale)


@router.post("/reviews/{review_id}/exemptions", dependencies=[CsrfChecked])
def panel_exemption(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    form.anchors.update(EXEMPTION_FIELDS)
    command = forms.command(form, RecordPanelExemption, missing={"agency": "Choose the agency."})
    if command is None:
        return _members_page(request, services, user, review_id, exemption_form=form, status=422)
    _, status = attempt(
        form,
        lambda: services.membership.record_panel_exemption(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=command
        ),
    )
    if not status:
        message = (
            f"Reason recorded: {command.agency} has no panel member."
            if command.reason
            else f"Reason for {command.agency} cleared."
        )
        return redirect(f"/reviews/{review_id}/members", flash=message)
    return _members_page(
        request, services, user, review_id, exemption_form=form, status=status, stale=form.stale
    )

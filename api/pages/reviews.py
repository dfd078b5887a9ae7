"""Pages of the review lifecycle: my reviews, the overview (stages, clocks, actions, the publication
hold and notices) and the trigger forms. The referral and the criteria check are in `referral.py`,
the scope in `scope.py`, the members in `members.py`, the audit log in `audit.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

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
    with_query,
)
from api.pages.views import (
    SIDE_TRIGGERS,
    TRIGGER_FIELDS,
    TRIGGER_PAGES,
    WAITING_ON,
    may,
    needs_action,
    next_deadline,
    review_context_of,
    stepper,
)
from api.wiring import Services
from findings.analysis.independence import DeclareIndependence, LeadReviewer
from workflow import policy
from workflow.errors import InvalidInput, StaleReview, TriggerRefused
from workflow.holds import ClearPublicationHold, SetPublicationHold
from workflow.membership import sorted_members, vacancy
from workflow.models import RapidReview, Review
from workflow.notices import RecordNotice, kinds_for
from workflow.policy import READERS, ROLE_NAMES
from workflow.referrals import ABUSE_OR_NEGLECT, INCIDENT_OUTCOMES
from workflow.service import ReviewDetail, TriggerOption
from workflow.states import STAGES, STATE_LABELS, TRIGGER_LABELS, Route, State, Trigger
from workflow.statutory import PANEL_RESPONSES

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 20


# ---- my reviews -------------------------------------------------------------------------------------


@router.get("/reviews")
def my_reviews(
    request: Request,
    services: ServicesDep,
    user: PageUser,
    stage: str = "",
    mine: str = "",
    page: int = Query(1, ge=1, le=10_000),
) -> Response:
    state = stage if stage in {s.value for s in State} else ""
    details, count = services.reviews.list_for(
        user.id,
        state=state or None,
        waiting_on=WAITING_ON if mine else None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    pages = max(1, (count + PAGE_SIZE - 1) // PAGE_SIZE)
    if page > pages:  # past the end: show the last page
        page = pages
        details, count = services.reviews.list_for(
            user.id,
            state=state or None,
            waiting_on=WAITING_ON if mine else None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    shown = [_row(d) for d in details]
    links = {
        "previous": with_query("/reviews", stage=state, mine=mine, page=page - 1) if page > 1 else None,
        "next": with_query("/reviews", stage=state, mine=mine, page=page + 1) if page < pages else None,
        "items": [
            {
                "number": n,
                "href": with_query("/reviews", stage=state, mine=mine, page=n),
                "current": n == page,
            }
            for n in range(1, pages + 1)
        ],
    }
    stages = [(s.value, STATE_LABELS[s]) for s in (*STAGES, State.PAUSED, State.WITHDRAWN)]
    return render(
        request,
        "pages/my_reviews.html",
        {
            "rows": shown,
            "count": count,
            "form": Form.of(stage=state, mine="yes" if mine else ""),
            "stages": stages,
            "page": page,
            "pages": pages,
            "links": links,
            "filtered": bool(state or mine),
        },
    )


def _row(detail: ReviewDetail) -> dict[str, Any]:
    review = detail.review
    return {
        "id": review.id,
        "child": review.child_pseudonym,
        "type": detail.review_type or "Route not decided yet",
        "state": review.state,
        "roles": sorted(ROLE_NAMES[r] for r in detail.roles),
        "deadline": next_deadline(detail.clocks),
        "overdue": [c for c in detail.clocks if c.overdue],
        "needs_action": needs_action(detail),
    }


# ---- the overview ----------------------------------------------------------------------------------


def _overview(
    request: Request,
    services: ServicesDep,
    user: PageUser,
    review_id: ReviewId,
    *,
    hold_form: Form | None = None,
    notice_form: Form | None = None,
    independence_form: Form | None = None,
    status: int = 200,
    stale: bool = False,
) -> Response:
    read = services.overview.overview(review_id=review_id, actor=user.id)
    detail, options, leads = read.detail, read.triggers, read.leads
    context = review_context_of(detail, "overview")
    forward = [o for o in options if o.trigger not in SIDE_TRIGGERS]
    side = [o for o in options if o.trigger in SIDE_TRIGGERS]
    review = detail.review
    hold_form = hold_form or Form.of()
    notice_form = notice_form or Form.of(kind="notification")
    own = next((lead for lead in leads if lead.user_id == user.id), None)
    independence_form = independence_form or _declaration_form(own)
    if stale:
        for form in (hold_form, notice_form):
            form.data["version"] = [str(review.version)]
    context.update(
        {
            "steps": stepper(detail),
            "clocks": detail.clocks,
            "allowed": [o for o in forward if o.allowed] + [o for o in side if o.allowed],
            "refused": [_staffed(o, review) for o in forward if not o.allowed],
            "refused_side": [_staffed(o, review) for o in side if not o.allowed],
            "needs_words": {t.value for t in TRIGGER_FIELDS},
            "trigger_pages": {t.value: page for t, page in TRIGGER_PAGES.items()},
            "members": sorted_members(review.memberships),
            "outcome": INCIDENT_OUTCOMES.get(review.incident_outcome or "", "Not recorded"),
            "abuse": ABUSE_OR_NEGLECT.get(review.abuse_or_neglect or "", "Not recorded"),
            "hold_form": hold_form,
            "notice_form": notice_form,
            "notice_kinds": kinds_for(detail.regime.report_notice_to),
            "leads": leads,
            "own_declaration": own,
            "may_declare": own is not None and may(detail.roles, review.state, "declare_independence"),
            "independence_form": independence_form,
            "hold_refusal": policy.refusal(detail.roles, review.state, "set_publication_hold"),
            "notice_refusal": policy.refusal(detail.roles, review.state, "record_notice"),
            "may_change_referral": may(detail.roles, review.state, "update_referral"),
            "stale": stale,
        }
    )
    return render(request, "pages/overview.html", context, status=status)


def _declaration_form(own: LeadReviewer | None) -> Form:
    """A lead reviewer's declaration form, with what they declared before."""
    declaration = own.declaration if own else None
    if declaration is None:
        return Form.of()
    return Form.of(
        statement=declaration.statement,
        version=str(declaration.version),
        **date_fields("declared_on", declaration.declared_on),
    )


def _staffed(option: TriggerOption, review: Review) -> TriggerOption:
    """A trigger no member's role may fire says so, and where to fix it, rather than only who may."""
    missing = vacancy(review, option.trigger)
    if missing is None:
        return option
    return replace(option, reasons=(f"{missing[:-1]}: add them on the members page.",))


@router.get("/reviews/{review_id}")
def overview(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _overview(request, services, user, review_id)


# ---- triggers --------------------------------------------------------------------------------------


def _trigger_page(
    request: Request,
    services: ServicesDep,
    user: PageUser,
    review_id: ReviewId,
    trigger: Trigger,
    form: Form,
    *,
    reasons: tuple[str, ...] = (),
    status: int = 200,
    stale: bool = False,
) -> Response:
    detail, options = services.reviews.get_with_triggers(review_id, user.id)
    context = review_context_of(detail, "overview")
    option = next((o for o in options if o.trigger == trigger), None)
    if stale:
        form.data["version"] = [str(detail.review.version)]
    recommendation = detail.recommendation
    routes = [
        (
            route.value,
            detail.regime.route_name(route),
            "Recommended by the criteria check" if recommendation and recommendation.route == route else "",
        )
        for route in Route
    ]
    context.update(
        {
            "trigger": trigger.value,
            "label": TRIGGER_LABELS[trigger],
            "option": option,
            "form": form,
            "reasons": reasons,
            "routes": routes,
            "recommendation": recommendation,
            "fields": TRIGGER_FIELDS.get(trigger, ()),
            "stale": stale,
            "panel_response": _panel_response(services, detail, trigger, user.id),
            "panel_responses": PANEL_RESPONSES,
        }
    )
    return render(request, "pages/trigger.html", context, status=status)


def _panel_response(
    services: Services, detail: ReviewDetail, trigger: Trigger, actor: int
) -> RapidReview | None:
    """What the partners decide informed by (WT2023 v2): the national panel's response to the rapid
    review, shown on the decision's page to whoever may read it."""
    if trigger != Trigger.DECIDE or not detail.regime.incidents or not detail.roles & READERS["statutory"]:
        return None
    rapid = services.statutory.record(review_id=detail.review.id, actor=actor).rapid_review
    return rapid if rapid.panel_response else None


def _trigger(value: str) -> Trigger:
    try:
        return Trigger(value)
    except ValueError:
        raise InvalidInput({"trigger": "There is no such action."}) from None


@router.get("/reviews/{review_id}/triggers/{trigger}")
def trigger_form(
    request: Request, review_id: ReviewId, trigger: str, services: ServicesDep, user: PageUser
) -> Response:
    chosen = _trigger(trigger)
    if chosen in TRIGGER_PAGES:
        return redirect(f"/reviews/{review_id}/{TRIGGER_PAGES[chosen]}")
    version = services.reviews.get(review_id, user.id).review.version
    return _trigger_page(request, services, user, review_id, chosen, Form.of(version=version))


@router.post("/reviews/{review_id}/triggers/{trigger}", dependencies=[CsrfChecked])
def fire_trigger(
    request: Request,
    review_id: ReviewId,
    trigger: str,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    chosen = _trigger(trigger)
    form = Form.of(submitted)
    params = {name: form.value(name) for name in TRIGGER_FIELDS.get(chosen, ()) if name in form.data}
    if chosen == Trigger.DECIDE and "route" not in params:
        params["route"] = ""
    try:
        review = services.reviews.fire(review_id, chosen, user.id, form.version(), **params)
    except TriggerRefused as refused:
        return _trigger_page(
            request, services, user, review_id, chosen, form, reasons=refused.reasons, status=409
        )
    except StaleReview:
        return _trigger_page(request, services, user, review_id, chosen, form, status=412, stale=True)
    return redirect(
        f"/reviews/{review_id}",
        flash=f"Done: {TRIGGER_LABELS[chosen].lower()}. The review is now at the stage "
        f"'{STATE_LABELS[State(review.state)]}'.",
    )


# ---- publication hold and notices ------------------------------------------------------------------


@router.post("/reviews/{review_id}/hold", dependencies=[CsrfChecked])
def publication_hold(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    held = form.value("held") == "yes"
    form.anchors["reason"] = form.anchors["held"] = "hold-reason"
    holds = services.holds
    change: Callable[..., ReviewDetail] | None = None
    if held:
        setting = forms.command(form, SetPublicationHold)
        change = partial(holds.set, command=setting) if setting else None
    else:
        clearing = forms.command(form, ClearPublicationHold)
        change = partial(holds.clear, command=clearing) if clearing else None
    if change is None:
        return _overview(request, services, user, review_id, hold_form=form, status=422)
    _, status = attempt(
        form, lambda: change(review_id=review_id, actor=user.id, expected_version=form.version())
    )
    if not status:
        return redirect(
            f"/reviews/{review_id}", flash="Publication hold set." if held else "Publication hold cleared."
        )
    return _overview(request, services, user, review_id, hold_form=form, status=status, stale=form.stale)


@router.post("/reviews/{review_id}/notices", dependencies=[CsrfChecked])
def record_notice(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    command = forms.command(
        form,
        RecordNotice,
        context={"today": services.notices.today()},
        missing={"kind": "Choose which notice was sent.", "on": "Enter the date the notice was sent."},
    )
    if command is None:
        return _overview(request, services, user, review_id, notice_form=form, status=422)
    _, status = attempt(
        form,
        lambda: services.notices.record(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=command
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}", flash="Notice recorded.")
    return _overview(request, services, user, review_id, notice_form=form, status=status, stale=form.stale)


# ---- the lead reviewers' independence ----------------------------------------------------------------


@router.post("/reviews/{review_id}/independence", dependencies=[CsrfChecked])
def declare_independence(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    form.anchors["declared_on"] = "declared_on"
    command = forms.command(
        form, DeclareIndependence, missing={"declared_on": "Enter the day of the declaration."}
    )
    if command is None:
        return _overview(request, services, user, review_id, independence_form=form, status=422)
    _, status = attempt(
        form,
        lambda: services.independence.declare(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=command
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}#independence", flash="Declaration of independence recorded.")
    if form.stale:  # what they typed is kept, against the declaration as it now stands
        current = services.independence.mine(review_id=review_id, actor=user.id)
        form.data["version"] = [str(current.version)] if current else []
    return _overview(
        request, services, user, review_id, independence_form=form, status=status, stale=form.stale
    )

"""Pages of the review lifecycle: my reviews, the referral, the overview (stages, clocks, actions),
trigger forms, the criteria check, scope, members and agencies, holds and notices, the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import MemberId, ReviewId
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
    COMMON_AGENCIES,
    SIDE_TRIGGERS,
    TRIGGER_FIELDS,
    WAITING_ON,
    may,
    needs_action,
    next_deadline,
    review_context,
    stepper,
)
from workflow import regimes
from workflow.errors import InvalidInput, StaleReview, TriggerRefused
from workflow.policy import ROLE_NAMES
from workflow.service import ABUSE_OR_NEGLECT, INCIDENT_OUTCOMES, ReviewDetail
from workflow.states import STAGES, STATE_LABELS, TRIGGER_LABELS, ReviewRole, Route, State, Trigger

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


# ---- the referral ----------------------------------------------------------------------------------


def _referral_context(services: ServicesDep, form: Form) -> dict[str, Any]:
    return {
        "form": form,
        "outcomes": list(INCIDENT_OUTCOMES.items()),
        "abuse": list(ABUSE_OR_NEGLECT.items()),
        "agencies": [(a, a) for a in COMMON_AGENCIES],
        "regimes": [(r.key, r.title) for r in map(regimes.current, regimes.keys())],
        "editing": False,
    }


@router.get("/reviews/new")
def new_referral(request: Request, services: ServicesDep, user: PageUser) -> Response:
    form = Form.of(regime=services.settings.default_regime)
    return render(request, "pages/referral.html", _referral_context(services, form))


def _agencies_from(form: Form) -> list[str]:
    return [*form.values("agencies"), *form.lines("other_agencies")]


@router.post("/reviews/new", dependencies=[CsrfChecked])
def log_referral(request: Request, services: ServicesDep, user: PageUser, submitted: Submitted) -> Response:
    form = Form.of(submitted)
    form.anchors["agencies_involved"] = "agencies"
    pseudonym = form.text("child_pseudonym", required="Give the child a pseudonym (never their real name).")
    outcome = form.choice("incident_outcome", INCIDENT_OUTCOMES, required="Say what happened to the child.")
    abuse = form.choice(
        "abuse_or_neglect", ABUSE_OR_NEGLECT, required="Say whether abuse or neglect is known."
    )
    aware = form.date("date_of_awareness", required="Enter the date the partnership became aware.")
    agencies = _agencies_from(form)
    if not agencies:
        form.fail("agencies", "Choose or name at least one agency involved with the child and family.")
    if form.ok:
        try:
            review = services.reviews.create_review(
                user.id,
                child_pseudonym=pseudonym,
                incident_outcome=outcome,
                abuse_or_neglect=abuse,
                date_of_awareness=aware,
                incident_summary=form.text("incident_summary"),
                agencies_involved=agencies,
                regime=form.value("regime") or None,
            )
        except InvalidInput as error:
            form.absorb(error, {"agencies_involved": "agencies"})
        else:
            return redirect(f"/reviews/{review.id}", flash=f"Referral logged: review {review.id}.")
    return render(request, "pages/referral.html", _referral_context(services, form), status=422)


def _edit_referral_page(
    request: Request,
    services: ServicesDep,
    user: PageUser,
    review_id: int,
    form: Form | None = None,
    *,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "overview")
    review = context["review"]
    if ReviewRole.COORDINATOR not in context["roles"] or review.state not in (
        State.REFERRED,
        State.SCREENING,
    ):
        raise TriggerRefused(
            "update_referral", ["The referral can be changed by the coordinator until the route is decided."]
        )
    if form is None:
        form = Form.of(
            version=review.version,
            child_pseudonym=review.child_pseudonym,
            incident_outcome=review.incident_outcome or "",
            abuse_or_neglect=review.abuse_or_neglect or "",
            incident_summary=review.incident_summary,
            agencies=[a for a in review.agencies_involved if a in COMMON_AGENCIES],
            other_agencies="\n".join(a for a in review.agencies_involved if a not in COMMON_AGENCIES),
            **date_fields("date_of_awareness", review.date_of_awareness),
        )
    elif form.stale:
        form.data["version"] = [str(review.version)]
    context.update(_referral_context(services, form))
    context["editing"] = True
    return render(request, "pages/referral.html", context, status=status)


@router.get("/reviews/{review_id}/referral")
def edit_referral(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _edit_referral_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/referral", dependencies=[CsrfChecked])
def save_referral(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    form.anchors["agencies_involved"] = "agencies"
    fields = {
        "child_pseudonym": form.text(
            "child_pseudonym", required="Give the child a pseudonym (never their real name)."
        ),
        "incident_outcome": form.choice(
            "incident_outcome", INCIDENT_OUTCOMES, required="Say what happened to the child."
        ),
        "abuse_or_neglect": form.choice(
            "abuse_or_neglect", ABUSE_OR_NEGLECT, required="Say whether abuse or neglect is known."
        ),
        "date_of_awareness": form.date(
            "date_of_awareness", required="Enter the date the partnership became aware."
        ),
        "incident_summary": form.text("incident_summary"),
        "agencies_involved": _agencies_from(form),
    }
    if not fields["agencies_involved"]:
        form.fail("agencies", "Choose or name at least one agency involved with the child and family.")
    _, status = attempt(
        form,
        lambda: services.reviews.update_referral(review_id, user.id, form.version(), **fields),
        {"agencies_involved": "agencies"},
    )
    if not status:
        return redirect(f"/reviews/{review_id}", flash="Referral changed.")
    return _edit_referral_page(request, services, user, review_id, form, status=status)


# ---- the overview ----------------------------------------------------------------------------------


def _overview(
    request: Request,
    services: ServicesDep,
    user: PageUser,
    review_id: ReviewId,
    *,
    hold_form: Form | None = None,
    notice_form: Form | None = None,
    status: int = 200,
    stale: bool = False,
) -> Response:
    context = review_context(services, user, review_id, "overview")
    detail: ReviewDetail = context["detail"]
    options = services.reviews.allowed_triggers(review_id, user.id)
    forward = [o for o in options if o.trigger not in SIDE_TRIGGERS]
    side = [o for o in options if o.trigger in SIDE_TRIGGERS]
    review = detail.review
    hold_form = hold_form or Form.of()
    notice_form = notice_form or Form.of(kind="notification")
    if stale:
        for form in (hold_form, notice_form):
            form.data["version"] = [str(review.version)]
    context.update(
        {
            "steps": stepper(detail),
            "clocks": detail.clocks,
            "allowed": [o for o in forward if o.allowed] + [o for o in side if o.allowed],
            "refused": [o for o in forward if not o.allowed],
            "refused_side": [o for o in side if not o.allowed],
            "needs_words": {t.value for t in TRIGGER_FIELDS},
            "members": sorted(
                review.memberships, key=lambda m: (list(ReviewRole).index(ReviewRole(m.role)), m.id)
            ),
            "outcome": INCIDENT_OUTCOMES.get(review.incident_outcome or "", "Not recorded"),
            "abuse": ABUSE_OR_NEGLECT.get(review.abuse_or_neglect or "", "Not recorded"),
            "hold_form": hold_form,
            "notice_form": notice_form,
            "may_hold": bool(detail.roles & {ReviewRole.COORDINATOR, ReviewRole.CHAIR})
            and not context["final"],
            "stale": stale,
        }
    )
    return render(request, "pages/overview.html", context, status=status)


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
    context = review_context(services, user, review_id, "overview")
    detail: ReviewDetail = context["detail"]
    option = next(
        (o for o in services.reviews.allowed_triggers(review_id, user.id) if o.trigger == trigger), None
    )
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
        }
    )
    return render(request, "pages/trigger.html", context, status=status)


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
    form.anchors["reason"] = "hold-reason"
    reason = form.text("reason", required="Give the reason for setting or clearing the hold.")
    if form.ok:
        try:
            services.reviews.set_publication_hold(
                review_id, user.id, form.version(), held=held, reason=reason
            )
        except InvalidInput as error:
            form.absorb(error)
        except StaleReview:
            return _overview(request, services, user, review_id, hold_form=form, status=412, stale=True)
        else:
            return redirect(
                f"/reviews/{review_id}",
                flash="Publication hold set." if held else "Publication hold cleared.",
            )
    return _overview(request, services, user, review_id, hold_form=form, status=422)


@router.post("/reviews/{review_id}/notices", dependencies=[CsrfChecked])
def record_notice(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    kind = form.choice("kind", ("notification", "panel_notice"), required="Choose which notice was sent.")
    on = form.date("on", required="Enter the date the notice was sent.")
    if form.ok and kind and on:
        try:
            services.reviews.record_notice(review_id, user.id, form.version(), kind=kind, on=on)
        except InvalidInput as error:
            form.absorb(error)
        except StaleReview:
            return _overview(request, services, user, review_id, notice_form=form, status=412, stale=True)
        else:
            return redirect(f"/reviews/{review_id}", flash="Notice recorded.")
    return _overview(request, services, user, review_id, notice_form=form, status=422)


# ---- criteria check --------------------------------------------------------------------------------


def _answers(detail: ReviewDetail, form: Form) -> dict[str, str]:
    answers: dict[str, str] = {}
    for question in detail.regime.questions:
        value = form.value(question.key)
        if value in {code for code, _ in question.options}:
            answers[question.key] = value
    return answers


def _criteria_page(
    request: Request,
    services: ServicesDep,
    user: PageUser,
    review_id: ReviewId,
    form: Form | None = None,
    *,
    status: int = 200,
    stale: bool = False,
) -> Response:
    context = review_context(services, user, review_id, "criteria")
    detail: ReviewDetail = context["detail"]
    review = detail.review
    if form is None:
        form = Form.of(version=review.version, **dict(review.criteria_answers))
    if stale:
        form.data["version"] = [str(review.version)]
    answers = _answers(detail, form)
    context.update(
        {
            "form": form,
            "questions": detail.regime.questions,
            "recommendation": detail.regime.recommend(answers),
            "unanswered": len(detail.regime.unanswered(answers)),
            "editable": bool(detail.roles & {ReviewRole.COORDINATOR, ReviewRole.CHAIR})
            and review.state in (State.REFERRED, State.SCREENING),
            "stale": stale,
        }
    )
    return render(request, "pages/criteria.html", context, status=status)


@router.get("/reviews/{review_id}/criteria")
def criteria(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _criteria_page(request, services, user, review_id)


@router.get("/reviews/{review_id}/criteria/recommendation")
def criteria_recommendation(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser
) -> Response:
    """The recommended route for the answers in the query (for the criteria page's script)."""
    detail = services.reviews.get(review_id, user.id)
    answers = _answers(detail, Form.of(dict(request.query_params)))
    return render(
        request,
        "pages/_recommendation.html",
        {
            "recommendation": detail.regime.recommend(answers),
            "unanswered": len(detail.regime.unanswered(answers)),
            "detail": detail,
        },
    )


@router.post("/reviews/{review_id}/criteria", dependencies=[CsrfChecked])
def save_criteria(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    if form.value("action") == "preview":
        return _criteria_page(request, services, user, review_id, form)
    detail = services.reviews.get(review_id, user.id)
    answers = _answers(detail, form)
    if not answers:
        form.fail(detail.regime.questions[0].key, "Answer at least one question before you save.")
        return _criteria_page(request, services, user, review_id, form, status=422)
    try:
        services.reviews.record_criteria(review_id, user.id, form.version(), answers)
    except StaleReview:
        return _criteria_page(request, services, user, review_id, form, status=412, stale=True)
    except InvalidInput as error:
        form.absorb(error)
        return _criteria_page(request, services, user, review_id, form, status=422)
    return redirect(f"/reviews/{review_id}/criteria", flash="Criteria check saved.")


# ---- scope -----------------------------------------------------------------------------------------


def _scope_page(
    request: Request,
    services: ServicesDep,
    user: PageUser,
    review_id: ReviewId,
    form: Form | None = None,
    *,
    themes_form: Form | None = None,
    status: int = 200,
    stale: bool = False,
) -> Response:
    context = review_context(services, user, review_id, "scope")
    review = context["review"]
    themes = services.findings.review_themes(review_id=review_id, actor=user.id)
    vocabulary = services.findings.vocabulary(actor=user.id)
    if form is None:
        form = Form.of(
            version=review.version,
            research_questions="\n".join(review.research_questions),
            agencies=review.agencies_in_scope,
            other_agencies="\n".join(
                a for a in review.agencies_in_scope if a not in review.agencies_involved
            ),
            **date_fields("period_start", review.period_start),
            **date_fields("period_end", review.period_end),
        )
    if stale:
        form.data["version"] = [str(review.version)]
    context.update(
        {
            "form": form,
            "agencies": [(a, a) for a in review.agencies_involved],
            "editable": ReviewRole.COORDINATOR in context["roles"] and review.state == State.SCOPING,
            "stale": stale,
            "themes": [vocabulary.get(t, t) for t in themes],
            "themes_form": themes_form or Form.of(themes=themes),
            "theme_options": sorted(vocabulary.items(), key=lambda kv: kv[1]),
            "may_tag": may(context["roles"], review.state, "set_review_themes"),
        }
    )
    return render(request, "pages/scope.html", context, status=status)


@router.post("/reviews/{review_id}/themes", dependencies=[CsrfChecked])
def review_themes(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    _, status = attempt(
        form,
        lambda: services.findings.set_review_themes(
            review_id=review_id, actor=user.id, themes=form.values("themes")
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/scope#themes", flash="Themes saved.")
    return _scope_page(request, services, user, review_id, themes_form=form, status=status)


@router.get("/reviews/{review_id}/scope")
def scope(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _scope_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/scope", dependencies=[CsrfChecked])
def save_scope(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    questions = form.lines("research_questions")
    agencies = _agencies_from(form)
    start = form.date("period_start")
    end = form.date("period_end")
    if form.ok:
        try:
            services.reviews.set_scope(
                review_id,
                user.id,
                form.version(),
                research_questions=questions,
                agencies_in_scope=agencies,
                period_start=start,
                period_end=end,
            )
        except StaleReview:
            return _scope_page(request, services, user, review_id, form, status=412, stale=True)
        except InvalidInput as error:
            form.absorb(error, {"agencies_in_scope": "agencies"})
        else:
            return redirect(f"/reviews/{review_id}/scope", flash="Scope saved.")
    return _scope_page(request, services, user, review_id, form, status=422)


# ---- members and agencies --------------------------------------------------------------------------


def _members_page(
    request: Request,
    services: ServicesDep,
    user: PageUser,
    review_id: ReviewId,
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
    for form in (add_form, exemption_form):
        form.data["version"] = (
            [str(review.version)] if stale or "version" not in form.data else form.data["version"]
        )
    context.update(
        {
            "members": sorted(
                review.memberships, key=lambda m: (list(ReviewRole).index(ReviewRole(m.role)), m.id)
            ),
            "add_form": add_form,
            "exemption_form": exemption_form,
            "roles_options": [(r.value, ROLE_NAMES[r].capitalize()) for r in ReviewRole],
            "agency_options": [(a, a) for a in agencies],
            "uncovered": [a for a in review.agencies_in_scope if a not in panel_agencies],
            "exemptions": dict(review.panel_exemptions),
            "editable": ReviewRole.COORDINATOR in context["roles"] and not context["final"],
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
    email = form.text("email", required="Enter the email address of the person to add.")
    role = form.choice("role", [r.value for r in ReviewRole], required="Choose their role in this review.")
    agency = form.text("agency") or form.text("other_agency")
    form.anchors["agency"] = "agency"
    if form.ok and role:
        try:
            services.reviews.add_member(
                review_id,
                user.id,
                form.version(),
                email=email,
                role=role,
                agency=agency or None,
                declared_interest=form.text("declared_interest") or None,
            )
        except StaleReview:
            return _members_page(request, services, user, review_id, add_form=form, status=412, stale=True)
        except InvalidInput as error:
            form.absorb(error)
        else:
            return redirect(
                f"/reviews/{review_id}/members",
                flash=f"{email} added as {ROLE_NAMES[ReviewRole(role)]}.",
            )
    return _members_page(request, services, user, review_id, add_form=form, status=422)


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
    try:
        services.reviews.remove_member(review_id, user.id, form.version(), membership_id)
    except StaleReview:
        return _members_page(request, services, user, review_id, status=412, stale=True)
    except InvalidInput as error:
        form.absorb(error)
        return _members_page(request, services, user, review_id, add_form=form, status=422)
    return redirect(f"/reviews/{review_id}/members", flash="Member removed.")


@router.post("/reviews/{review_id}/exemptions", dependencies=[CsrfChecked])
def panel_exemption(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    agency = form.text("agency", required="Choose the agency.")
    form.anchors["reason"] = "exemption-reason"
    reason = form.text("reason")
    if form.ok:
        try:
            services.reviews.record_panel_exemption(
                review_id, user.id, form.version(), agency=agency, reason=reason
            )
        except StaleReview:
            return _members_page(
                request, services, user, review_id, exemption_form=form, status=412, stale=True
            )
        except InvalidInput as error:
            form.absorb(error)
        else:
            message = (
                f"Reason recorded: {agency} has no panel member."
                if reason
                else f"Reason for {agency} cleared."
            )
            return redirect(f"/reviews/{review_id}/members", flash=message)
    return _members_page(request, services, user, review_id, exemption_form=form, status=422)


# ---- audit log -------------------------------------------------------------------------------------


@router.get("/reviews/{review_id}/audit")
def audit_log(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    context = review_context(services, user, review_id, "audit")
    entries = list(reversed(services.reviews.audit_log(review_id, user.id)))
    report = services.reviews.verify_audit(review_id, user.id)
    context.update({"entries": entries, "report": report, "today": date.today()})
    return render(request, "pages/audit.html", context)

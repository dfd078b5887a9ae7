"""Pages of the review's record: logging a referral (who chairs the review is asked there too),
changing it until the route is decided, and the criteria check."""

from __future__ import annotations

from typing import Any

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
from api.pages.views import COMMON_AGENCIES, review_context
from api.wiring import Services
from workflow import policy, regimes
from workflow.referrals import (
    ABUSE_OR_NEGLECT,
    INCIDENT_OUTCOMES,
    ChangeReferral,
    CompleteReferral,
    RecordCriteria,
)
from workflow.service import ReviewDetail

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# The referral form's fields, by the command's field they carry (the rest have the command's names).
REFERRAL_FIELDS = {
    "incident.abuse_or_neglect": "abuse_or_neglect",
    "incident.date_of_awareness": "date_of_awareness",
    "agencies_involved": "agencies",
}
NO_CHAIR_YET = "Not yet: add the chair on the members page"


def _agencies_from(form: Form) -> list[str]:
    return [*form.values("agencies"), *form.lines("other_agencies")]


def _referral_context(services: Services, form: Form) -> dict[str, Any]:
    return {
        "form": form,
        "outcomes": list(INCIDENT_OUTCOMES.items()),
        "abuse": list(ABUSE_OR_NEGLECT.items()),
        "agencies": [(a, a) for a in COMMON_AGENCIES],
        "regimes": [(r.key, r.title) for r in map(regimes.current, regimes.keys())],
        "chairs": [(u.email, u.name) for u in services.referrals.chairs()] + [("", NO_CHAIR_YET)],
        "editing": False,
    }


def _new_referral_page(request: Request, services: Services, form: Form, status: int = 200) -> Response:
    return render(request, "pages/referral.html", _referral_context(services, form), status=status)


@router.get("/reviews/new")
def new_referral(request: Request, services: ServicesDep, user: PageUser) -> Response:
    return _new_referral_page(
        request, services, Form.of(regime=services.settings.default_regime, chair_email="")
    )


@router.post("/reviews/new", dependencies=[CsrfChecked])
def log_referral(request: Request, services: ServicesDep, user: PageUser, submitted: Submitted) -> Response:
    form = Form.of(submitted)
    form.anchors["agencies"] = "agencies"
    command = forms.command(
        form,
        CompleteReferral,
        names=REFERRAL_FIELDS,
        context={"today": services.referrals.today()},
        agencies_involved=_agencies_from(form),
    )
    if command is None:
        return _new_referral_page(request, services, form, 422)
    logged, status = attempt(
        form, lambda: services.referrals.log(actor=user.id, command=command), REFERRAL_FIELDS
    )
    if logged is None:
        return _new_referral_page(request, services, form, status)
    review_id = logged.detail.review.id
    return redirect(
        f"/reviews/{review_id}", flash=" ".join((f"Referral logged: review {review_id}.", *logged.warnings))
    )


def _edit_referral_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    form: Form | None = None,
    *,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "overview")
    review = context["review"]
    policy.check(context["roles"], review.state, "update_referral")
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
    form.anchors["agencies"] = "agencies"
    command = forms.command(
        form,
        ChangeReferral,
        names=REFERRAL_FIELDS,
        context={"today": services.referrals.today()},
        agencies_involved=_agencies_from(form),
    )
    if command is None:
        return _edit_referral_page(request, services, user, review_id, form, status=422)
    _, status = attempt(
        form,
        lambda: services.referrals.change(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=command
        ),
        REFERRAL_FIELDS,
    )
    if not status:
        return redirect(f"/reviews/{review_id}", flash="Referral changed.")
    return _edit_referral_page(request, services, user, review_id, form, status=status)


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
    services: Services,
    user: Caller,
    review_id: int,
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
    refusal = policy.refusal(detail.roles, review.state, "record_criteria")
    context.update(
        {
            "form": form,
            "questions": detail.regime.questions,
            "recommendation": detail.regime.recommend(answers),
            "unanswered": len(detail.regime.unanswered(answers)),
            "editable": refusal is None,
            "refusal": refusal,
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
    command = forms.command(form, RecordCriteria, answers=answers)
    if command is None:
        return _criteria_page(request, services, user, review_id, form, status=422)
    _, status = attempt(
        form,
        lambda: services.referrals.record_criteria(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=command
        ),
    )
    if status:
        return _criteria_page(request, services, user, review_id, form, status=status, stale=form.stale)
    return redirect(f"/reviews/{review_id}/criteria", flash="Criteria check saved.")

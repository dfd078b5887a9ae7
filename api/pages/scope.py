"""The scope page: terms of reference (research questions, agencies in scope, the period under
review) and the review's themes."""

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
from api.pages.views import review_context
from api.wiring import Services
from findings.analysis.themes import SetReviewThemes
from workflow import policy
from workflow.referrals import SetScope

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _scope_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    form: Form | None = None,
    *,
    themes_form: Form | None = None,
    status: int = 200,
    stale: bool = False,
) -> Response:
    context = review_context(services, user, review_id, "scope")
    review = context["review"]
    themes = services.themes.of_review(review_id=review_id, actor=user.id)
    vocabulary = services.themes.vocabulary(actor=user.id)
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
    refusal = policy.refusal(context["roles"], review.state, "set_scope")
    themes_refusal = policy.refusal(context["roles"], review.state, "set_review_themes")
    context.update(
        {
            "form": form,
            "agencies": [(a, a) for a in review.agencies_involved],
            "editable": refusal is None,
            "refusal": refusal,
            "stale": stale,
            "themes": [vocabulary.get(t, t) for t in themes],
            "themes_form": themes_form or Form.of(themes=themes),
            "theme_options": sorted(vocabulary.items(), key=lambda kv: kv[1]),
            "may_tag": themes_refusal is None,
            "themes_refusal": themes_refusal,
        }
    )
    return render(request, "pages/scope.html", context, status=status)


@router.post("/reviews/{review_id}/themes", dependencies=[CsrfChecked])
def review_themes(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    _, status = forms.submit(
        form,
        SetReviewThemes,
        lambda command: services.themes.set_for_review(review_id=review_id, actor=user.id, command=command),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/scope#review-themes", flash="Themes saved.")
    return _scope_page(request, services, user, review_id, themes_form=form, status=status)


@router.get("/reviews/{review_id}/scope")
def scope(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _scope_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/scope", dependencies=[CsrfChecked])
def save_scope(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    form.anchors["agencies"] = "agencies"
    command = forms.command(
        form,
        SetScope,
        names={"agencies_in_scope": "agencies"},
        research_questions=form.lines("research_questions"),
        agencies_in_scope=[*form.values("agencies"), *form.lines("other_agencies")],
    )
    if command is None:
        return _scope_page(request, services, user, review_id, form, status=422)
    _, status = attempt(
        form,
        lambda: services.referrals.set_scope(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=command
        ),
        {"agencies_in_scope": "agencies"},
    )
    if not status:
        return redirect(f"/reviews/{review_id}/scope", flash="Scope saved.")
    return _scope_page(request, services, user, review_id, form, status=status, stale=form.stale)

"""The quality self-assessment page: every quality marker with what the review's data suggests,
and the coordinator's assessment of each (met, partly met, not met, with a comment), prefilled from
the data where it can say."""

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
    redirect,
    render,
)
from api.pages.views import may, review_context
from api.wiring import Services
from findings.analysis.markers import BY_KEY, RATING_LABELS, MarkerKey
from findings.analysis.self_assessment import AssessMarker, MarkerView

router = APIRouter(route_class=PageRoute, include_in_schema=False)
RATING_OPTIONS = list(RATING_LABELS.items())


def _names(key: str) -> dict[str, str]:
    """Each marker's form reads its fields under names of its own (one page, many forms)."""
    return {"rating": f"{key}-rating", "comment": f"{key}-comment"}


def _form(view: MarkerView) -> Form:
    """A marker's form: the assessment as recorded, else the rating the data suggests."""
    key, row = view.marker.key, view.assessment
    if row is not None:
        return Form.of(
            **{f"{key}-rating": row.rating, f"{key}-comment": row.comment, "version": str(row.version)}
        )
    return Form.of(**({f"{key}-rating": view.suggestion.rating} if view.suggestion else {}))


def _page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    submitted: tuple[str, Form] | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "quality")
    review = context["review"]
    views = services.self_assessment.list(review_id=review_id, actor=user.id)
    marker_forms = {view.marker.key: _form(view) for view in views}
    if submitted:
        key, form = submitted
        if form.stale:
            current = next(v for v in views if v.marker.key == key).assessment
            form.data["version"] = [str(current.version)] if current else []
        marker_forms[key] = form
    context.update(
        {
            "views": views,
            "marker_forms": marker_forms,
            "rating_labels": RATING_LABELS,
            "rating_options": RATING_OPTIONS,
            "assessed": sum(1 for v in views if v.assessment),
            "may_assess": may(context["roles"], review.state, "assess_quality"),
            "warnings": services.warnings.list(
                review_id=review_id, actor=user.id, kind="quality_marker"
            ).items,
        }
    )
    return render(request, "pages/self_assessment.html", context, status=status)


@router.get("/reviews/{review_id}/quality")
def self_assessment(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _page(request, services, user, review_id)


@router.post("/reviews/{review_id}/quality/{marker}", dependencies=[CsrfChecked])
def assess_marker(
    request: Request,
    review_id: ReviewId,
    marker: MarkerKey,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    names = _names(marker)
    command = forms.command(
        form, AssessMarker, names=names, missing={"rating": "Choose met, partly met or not met."}
    )
    _, status = (
        attempt(
            form,
            lambda: services.self_assessment.assess(
                review_id=review_id,
                actor=user.id,
                marker=marker,
                expected_version=form.version(),
                command=command,
            ),
            names,
        )
        if command is not None
        else (None, 422)
    )
    if not status:
        title = BY_KEY[marker].title
        return redirect(f"/reviews/{review_id}/quality#marker-{marker}", flash=f"Assessment saved: {title}.")
    return _page(request, services, user, review_id, (marker, form), status)

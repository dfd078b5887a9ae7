"""The good practice page: what went well and what enabled it."""

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
    redirect,
    render,
)
from api.pages.views import may, member_names, review_context
from api.wiring import Services
from findings.analysis.good_practice import AddGoodPractice

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "good_practice")
    review = context["review"]
    episodes = services.episodes.list(review_id=review_id, actor=user.id).items
    context.update(
        {
            "items": services.good_practice.list(review_id=review_id, actor=user.id).items,
            "episodes": {e.id: e for e in episodes},
            "episode_options": [(str(e.id), f"Episode {e.number}: {e.title}") for e in episodes],
            "agency_options": [(a, a) for a in review.agencies_in_scope or review.agencies_involved],
            "names": member_names(review),
            "may_write": may(context["roles"], review.state, "write_good_practice"),
            "form": form or Form.of(),
            "warnings": services.warnings.list(
                review_id=review_id, actor=user.id, kind="good_practice"
            ).items,
        }
    )
    return render(request, "pages/good_practice.html", context, status=status)


@router.get("/reviews/{review_id}/good-practice")
def good_practice(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _page(request, services, user, review_id)


@router.post("/reviews/{review_id}/good-practice", dependencies=[CsrfChecked])
def add_good_practice(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    _, status = forms.submit(
        form,
        AddGoodPractice,
        lambda command: services.good_practice.add(review_id=review_id, actor=user.id, command=command),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/good-practice", flash="Good practice recorded.")
    return _page(request, services, user, review_id, form, status)

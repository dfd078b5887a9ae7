"""The contributory factors page: the list, coding a factor under a framework, changing one and
deleting one (after a confirmation)."""

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
from findings.analysis import frameworks
from findings.analysis.factors import AddFactor, ChangeFactor
from findings.analysis.models import Factor

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# The page picks level and category in one list ("level/category"); the service's errors about
# either are shown on it.
CODE = {"level": "code", "category": "code"}


def _codes(framework: str) -> list[tuple[str, str]]:
    found = frameworks.get(framework) or frameworks.FRAMEWORKS[frameworks.DEFAULT_FRAMEWORK]
    return [
        (
            f"{level.key}/{c.key}",
            f"{level.label}: {c.label}" + (" (individual level)" if c.individual_level else ""),
        )
        for level in found.levels
        for c in level.categories
    ]


def _filled(factor: Factor) -> Form:
    return Form.of(
        version=factor.version,
        framework=factor.framework,
        code=f"{factor.level}/{factor.category}",
        description=factor.description,
        evidence=factor.evidence,
        episode_ids=[str(e.id) for e in factor.episodes],
    )


def _page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    *,
    factor_id: int | None = None,
    form: Form | None = None,
    framework: str | None = None,
    deleting: bool = False,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "factors")
    review = context["review"]
    factor = None
    if factor_id is not None:
        factor = services.factors.get(review_id=review_id, actor=user.id, factor_id=factor_id)
        if form is None:
            form = _filled(factor)
        elif form.stale:
            form.data["version"] = [str(factor.version)]
    form = form or Form.of(framework=framework or frameworks.DEFAULT_FRAMEWORK)
    if framework and framework in frameworks.FRAMEWORKS:
        form.data["framework"] = [framework]
    chosen = (
        form.value("framework")
        if form.value("framework") in frameworks.FRAMEWORKS
        else frameworks.DEFAULT_FRAMEWORK
    )
    context.update(
        {
            "factors": services.factors.list(review_id=review_id, actor=user.id).items,
            "factor": factor,
            "deleting": deleting and factor is not None,
            "form": form,
            "frameworks": [(f.key, f.label) for f in frameworks.FRAMEWORKS.values()],
            "codes": _codes(chosen),
            "label": frameworks.category_label,
            "framework_label": {f.key: f.label for f in frameworks.FRAMEWORKS.values()},
            "episode_options": [
                (str(e.id), f"Episode {e.number}: {e.title}")
                for e in services.episodes.list(review_id=review_id, actor=user.id).items
            ],
            "may_write": may(context["roles"], review.state, "write_factor"),
            "individual": frameworks.is_individual_level,
        }
    )
    return render(request, "pages/factors.html", context, status=status)


def _command(form: Form) -> AddFactor | None:
    """The whole factor as the form has it: the framework, then the level and category chosen
    together as one code."""
    code = form.value("code")
    if "/" not in code:
        form.fail("code", "Choose the level and category of the factor.")
    level, _, category = code.partition("/")
    return forms.command(
        form,
        AddFactor,
        framework=form.value("framework") or frameworks.DEFAULT_FRAMEWORK,
        level=level,
        category=category,
    )


@router.get("/reviews/{review_id}/factors")
def factors(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, framework: str = ""
) -> Response:
    return _page(request, services, user, review_id, framework=framework or None)


@router.get("/reviews/{review_id}/factors/{factor_id}")
def factor(
    request: Request,
    review_id: ReviewId,
    factor_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    framework: str = "",
) -> Response:
    return _page(request, services, user, review_id, factor_id=factor_id, framework=framework or None)


@router.post("/reviews/{review_id}/factors", dependencies=[CsrfChecked])
def add_factor(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    command = _command(form)
    if command is None:
        return _page(request, services, user, review_id, form=form, status=422)
    _, status = attempt(
        form, lambda: services.factors.add(review_id=review_id, actor=user.id, command=command), CODE
    )
    if not status:
        return redirect(f"/reviews/{review_id}/factors", flash="Factor added.")
    return _page(request, services, user, review_id, form=form, status=status)


@router.post("/reviews/{review_id}/factors/{factor_id}", dependencies=[CsrfChecked])
def update_factor(
    request: Request,
    review_id: ReviewId,
    factor_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    whole = _command(form)
    if whole is None:
        return _page(request, services, user, review_id, factor_id=factor_id, form=form, status=422)
    # The form shows every field of the factor, so saving it changes them all.
    command = ChangeFactor.model_validate(whole.model_dump())
    _, status = attempt(
        form,
        lambda: services.factors.update(
            review_id=review_id,
            actor=user.id,
            factor_id=factor_id,
            expected_version=form.version(),
            command=command,
        ),
        CODE,
    )
    if not status:
        return redirect(f"/reviews/{review_id}/factors", flash="Factor saved.")
    return _page(request, services, user, review_id, factor_id=factor_id, form=form, status=status)


@router.get("/reviews/{review_id}/factors/{factor_id}/delete")
def confirm_delete_factor(
    request: Request, review_id: ReviewId, factor_id: ReviewId, services: ServicesDep, user: PageUser
) -> Response:
    return _page(request, services, user, review_id, factor_id=factor_id, deleting=True)


@router.post("/reviews/{review_id}/factors/{factor_id}/delete", dependencies=[CsrfChecked])
def delete_factor(
    request: Request,
    review_id: ReviewId,
    factor_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = attempt(
        form,
        lambda: services.factors.delete(
            review_id=review_id, actor=user.id, factor_id=factor_id, expected_version=form.version()
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/factors", flash="Factor deleted.")
    return _page(
        request, services, user, review_id, factor_id=factor_id, form=form, deleting=True, status=status
    )

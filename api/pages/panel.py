"""The panel analyses page: a panel member's own analysis (save a draft, submit), the analyses the
person may read, and the coordinator's waiver."""

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
from api.pages.views import may, member_names, review_context
from api.wiring import Services
from findings.analysis.models import PanelSubmission
from findings.analysis.panel import SavePanelAnalysis, WaivePanelAnalysis
from workflow.states import ReviewRole

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    *,
    form: Form | None = None,
    waive_form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "panel")
    review = context["review"]
    roles = context["roles"]
    submissions = services.panel.list(review_id=review_id, actor=user.id).items
    episodes = services.episodes.list(review_id=review_id, actor=user.id).items
    mine = next((s for s in submissions if s.author_id == user.id and s.status != "waived"), None)
    if form is None:
        form = Form.of(
            version=mine.version if mine else "",
            appraisal=mine.appraisal if mine else "",
            **{f"note_{e.id}": (mine.episode_notes.get(str(e.id), "") if mine else "") for e in episodes},
        )
    elif form.stale and mine:
        form.data["version"] = [str(mine.version)]
    panel = [m for m in review.memberships if m.role == ReviewRole.PANEL_MEMBER]
    context.update(
        {
            "submissions": submissions,
            "mine": mine,
            "episodes": episodes,
            "names": member_names(review),
            "panel": panel,
            "by_membership": {s.membership_id: s for s in submissions},
            "is_panel": ReviewRole.PANEL_MEMBER in roles,
            "may_write": may(roles, review.state, "write_panel_submission")
            and (mine is None or mine.status == "draft"),
            "may_waive": may(roles, review.state, "waive_panel_submission"),
            "form": form,
            "waive_form": waive_form or Form.of(),
            "agency_of": {m.id: m.agency for m in panel},
        }
    )
    return render(request, "pages/panel.html", context, status=status)


@router.get("/reviews/{review_id}/panel")
def panel(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _page(request, services, user, review_id)


@router.post("/reviews/{review_id}/panel", dependencies=[CsrfChecked])
def save_panel(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    notes = {
        int(name.removeprefix("note_")): form.value(name)
        for name in form.data
        if name.startswith("note_") and name.removeprefix("note_").isdigit() and form.text(name)
    }
    # The page has the appraisal and the notes; proposed factors (from the API) are left alone.
    command = forms.command(
        form, SavePanelAnalysis, only=set(), appraisal=form.value("appraisal"), episode_notes=notes
    )
    if command is None:
        return _page(request, services, user, review_id, form=form, status=422)
    submit = form.value("action") == "submit"

    def change() -> PanelSubmission:
        saved = services.panel.save(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=command
        )
        if submit:
            return services.panel.submit(review_id=review_id, actor=user.id, expected_version=saved.version)
        return saved

    _, status = attempt(form, change)
    if not status:
        return redirect(
            f"/reviews/{review_id}/panel",
            flash="Your panel analysis is submitted." if submit else "Your draft panel analysis is saved.",
        )
    return _page(request, services, user, review_id, form=form, status=status)


@router.post("/reviews/{review_id}/panel/waive", dependencies=[CsrfChecked])
def waive_panel(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    form.anchors["reason"] = "waive-reason"
    if not form.value("membership_id").isdigit():
        form.fail("membership_id", "Choose the panel member.")
    _, status = forms.submit(
        form,
        WaivePanelAnalysis,
        lambda command: services.panel.waive(review_id=review_id, actor=user.id, command=command),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/panel", flash="The panel analysis is waived.")
    return _page(request, services, user, review_id, waive_form=form, status=status)

"""The statutory notices of a serious incident under WT2023 (from version 2): the notification to the
national panel (`/notification`: what its form asks, then the day it was sent) and the rapid review
with the panel's response (`/rapid-review`), each with its document as HTML, PDF or Word (DOCX).
Under a regime without them (WT2010, WT2023 version 1) the pages say so and offer nothing to fill in."""

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
from api.pages.views import review_context
from api.wiring import Services
from findings.publication.render import Format
from findings.publication.statutory import StatutoryDocument, render_statutory
from workflow import policy
from workflow.errors import NotFound
from workflow.statutory import (
    AGE_BANDS,
    CRITERIA_MET,
    NATIONAL_REVIEW,
    PANEL_RESPONSES,
    SEXES,
    STATUS,
    RecordPanelResponse,
    SendNotification,
    SendRapidReview,
    StatutoryRecord,
    WriteNotification,
    WriteRapidReview,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FORMATS = {"html": Format.HTML, "pdf": Format.PDF, "docx": Format.DOCX}
NOTIFICATION_TEXTS = ("ethnicity", "area", "other_children", "circumstances", "immediate_actions")
RAPID_REVIEW_TEXTS = (
    "facts",
    "immediate_action",
    "agencies_involvement",
    "learning",
    "lcspr_reasons",
    "national_review_reasons",
)


def _page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    section: str,
    forms_given: dict[str, Form],
    *,
    status: int = 200,
    stale: bool = False,
) -> Response:
    context = review_context(services, user, review_id, section)
    detail = context["detail"]
    review = detail.review
    available = bool(detail.regime.incidents)
    record = services.statutory.record(review_id=review_id, actor=user.id) if available else None
    action = "write_notification" if section == "notification" else "write_rapid_review"
    refusal = policy.refusal(detail.roles, review.state, action)
    response_refusal = policy.refusal(detail.roles, review.state, "record_panel_response")
    starting = _starting_forms(record, review.version) if record else {}
    for name, form in starting.items():
        given = forms_given.get(name)
        if given is not None and stale:
            given.data["version"] = [str(review.version)]
        context[name] = given or form
    context.update(
        {
            "available": available,
            "record": record,
            "stale": stale,
            "editable": refusal is None,
            "refusal": refusal,
            "may_record_response": response_refusal is None,
            "response_refusal": response_refusal,
            "clock": next((c for c in detail.clocks if c.key == section.replace("-", "_")), None),
            "age_bands": list(AGE_BANDS.items()),
            "sexes": list(SEXES.items()),
            "statuses": list(STATUS.items()),
            "criteria_met": list(CRITERIA_MET.items()),
            "national_review": list(NATIONAL_REVIEW.items()),
            "panel_responses": list(PANEL_RESPONSES.items()),
            "agencies": [(a, a) for a in review.agencies_involved],
        }
    )
    template = "pages/notification.html" if section == "notification" else "pages/rapid_review.html"
    return render(request, template, context, status=status)


def _starting_forms(record: StatutoryRecord, version: int) -> dict[str, Form]:
    n, r = record.notification, record.rapid_review
    return {
        "form": Form.of(
            version=version,
            age_band=n.age_band or "",
            sex=n.sex or "",
            ethnicity=n.ethnicity,
            area=n.area,
            known_to=[a for a in n.known_to if a in record.detail.review.agencies_involved],
            other_agencies="\n".join(
                a for a in n.known_to if a not in record.detail.review.agencies_involved
            ),
            child_protection_plan=n.child_protection_plan or "",
            looked_after=n.looked_after or "",
            other_children=n.other_children,
            circumstances=n.circumstances,
            immediate_actions=n.immediate_actions,
            **date_fields("incident_date", n.incident_date),
        )
        if n.sent_on is None
        else Form.of(version=version),
        "rapid_form": Form.of(
            version=version,
            facts=r.facts,
            immediate_action=r.immediate_action,
            agencies_involvement=r.agencies_involvement,
            learning=r.learning,
            lcspr_criteria_met=r.lcspr_criteria_met or "",
            lcspr_reasons=r.lcspr_reasons,
            national_review=r.national_review or "",
            national_review_reasons=r.national_review_reasons,
        ),
        "send_form": Form.of(version=version),
        "response_form": Form.of(
            version=version,
            response=r.panel_response or "",
            reasons=r.panel_response_reasons,
            **date_fields("on", r.panel_response_on),
        ),
    }


def _saved(review_id: int, section: str, flash: str) -> Response:
    return redirect(f"/reviews/{review_id}/{section}", flash=flash)


# ---- the notification ------------------------------------------------------------------------------


@router.get("/reviews/{review_id}/notification")
def notification(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _page(request, services, user, review_id, "notification", {})


@router.post("/reviews/{review_id}/notification", dependencies=[CsrfChecked])
def save_notification(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    form.anchors["known_to"] = "known_to"
    for name in NOTIFICATION_TEXTS:
        form.data.setdefault(name, [""])
    command = forms.command(
        form,
        WriteNotification,
        context={"today": services.statutory.today()},
        known_to=[*form.values("known_to"), *form.lines("other_agencies")],
    )
    return _change(
        request,
        services,
        user,
        review_id,
        "notification",
        "form",
        form,
        command,
        lambda c: services.statutory.write_notification(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=c
        ),
        "Notification saved.",
    )


@router.post("/reviews/{review_id}/notification/sent", dependencies=[CsrfChecked])
def send_notification(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    command = forms.command(form, SendNotification, context={"today": services.statutory.today()})
    return _change(
        request,
        services,
        user,
        review_id,
        "notification",
        "send_form",
        form,
        command,
        lambda c: services.statutory.send_notification(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=c
        ),
        "Notification recorded as sent.",
        renames={"notification": "on"},
    )


# ---- the rapid review ------------------------------------------------------------------------------


@router.get("/reviews/{review_id}/rapid-review")
def rapid_review(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _page(request, services, user, review_id, "rapid-review", {})


@router.post("/reviews/{review_id}/rapid-review", dependencies=[CsrfChecked])
def save_rapid_review(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    for name in RAPID_REVIEW_TEXTS:
        form.data.setdefault(name, [""])
    command = forms.command(form, WriteRapidReview)
    return _change(
        request,
        services,
        user,
        review_id,
        "rapid-review",
        "rapid_form",
        form,
        command,
        lambda c: services.statutory.write_rapid_review(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=c
        ),
        "Rapid review saved.",
        renames={"rapid_review": "facts"},
    )


@router.post("/reviews/{review_id}/rapid-review/sent", dependencies=[CsrfChecked])
def send_rapid_review(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    command = forms.command(form, SendRapidReview, context={"today": services.statutory.today()})
    return _change(
        request,
        services,
        user,
        review_id,
        "rapid-review",
        "send_form",
        form,
        command,
        lambda c: services.statutory.send_rapid_review(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=c
        ),
        "Rapid review recorded as sent to the national panel.",
        renames={"rapid_review": "on"},
    )


@router.post("/reviews/{review_id}/rapid-review/panel-response", dependencies=[CsrfChecked])
def record_panel_response(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    form.data.setdefault("reasons", [""])
    command = forms.command(form, RecordPanelResponse, context={"today": services.statutory.today()})
    return _change(
        request,
        services,
        user,
        review_id,
        "rapid-review",
        "response_form",
        form,
        command,
        lambda c: services.statutory.record_panel_response(
            review_id=review_id, actor=user.id, expected_version=form.version(), command=c
        ),
        "The national panel's response is recorded.",
    )


def _change(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    section: str,
    name: str,
    form: Form,
    command: Any,
    change: Any,
    flash: str,
    renames: dict[str, str] | None = None,
) -> Response:
    if command is None:
        return _page(request, services, user, review_id, section, {name: form}, status=422)
    _, status = attempt(form, lambda: change(command), renames)
    if not status:
        return _saved(review_id, section, flash)
    return _page(request, services, user, review_id, section, {name: form}, status=status, stale=form.stale)


# ---- the documents ---------------------------------------------------------------------------------


@router.get("/reviews/{review_id}/statutory/{document}")
def statutory_document(
    request: Request,
    review_id: ReviewId,
    document: str,
    services: ServicesDep,
    user: PageUser,
    format: str = "pdf",
) -> Response:
    """The notification or the rapid review report as a download."""
    if document not in {d.value for d in StatutoryDocument} or format not in FORMATS:
        raise NotFound("There is no such document.")
    record = services.statutory.record(review_id=review_id, actor=user.id)
    rendered = render_statutory(StatutoryDocument(document), record, FORMATS[format])
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={"Content-Disposition": f'attachment; filename="{review_id}-{rendered.filename}"'},
    )

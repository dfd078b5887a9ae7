"""Pages of the analysis: agency narratives (entry form and CSV upload), the merged chronology and
conversations. Episodes, factors, panel analyses and good practice have their own modules."""

from __future__ import annotations

from datetime import time
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import Caller
from api.deps import ReviewId
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
    uploaded_file,
)
from api.pages.views import may, member_names, review_context
from api.wiring import Services
from findings.analysis.chronology import COLUMNS, CsvImportError
from findings.analysis.service import CONVERSATION_HEADINGS
from workflow.errors import InvalidInput, NotFound
from workflow.states import ReviewRole

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# ---- narratives --------------------------------------------------------------------------------------


@router.get("/reviews/{review_id}/narratives")
def narratives(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    context = review_context(services, user, review_id, "narratives")
    overview = services.findings.narratives(review_id=review_id, actor=user.id)
    review = context["review"]
    own = {m.agency for m in review.memberships if m.user_id == user.id and m.role == ReviewRole.PANEL_MEMBER}
    context.update(
        {
            "columns": overview.columns,
            "own": own,
            "may_exempt": may(context["roles"], review.state, "record_narrative_exemption"),
            "form": Form.of(),
        }
    )
    return render(request, "pages/narratives.html", context)


@router.post("/reviews/{review_id}/narratives/exemption", dependencies=[CsrfChecked])
def narrative_exemption(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    agency = form.text("agency", required="Choose the agency.")
    _, status = attempt(
        form,
        lambda: services.findings.record_narrative_exemption(
            review_id=review_id, actor=user.id, agency=agency, reason=form.text("reason")
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/narratives", flash=f"Exemption for {agency} recorded.")
    return redirect(
        f"/reviews/{review_id}/narratives", flash="Nothing changed: " + "; ".join(form.errors.values())
    )


def _narrative_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    agency: str,
    *,
    entry_form: Form | None = None,
    upload_form: Form | None = None,
    return_form: Form | None = None,
    problems: list[Any] | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "narratives")
    review = context["review"]
    agencies = list(dict.fromkeys([*review.agencies_in_scope, *review.agencies_involved]))
    if agency not in agencies:
        raise NotFound(f"{agency} is not an agency of this review.")
    try:
        narrative = services.findings.narrative(review_id=review_id, actor=user.id, agency=agency)
    except NotFound:
        narrative = None
    own = any(
        m.user_id == user.id and m.role == ReviewRole.PANEL_MEMBER and m.agency == agency
        for m in review.memberships
    )
    writer = (own or ReviewRole.COORDINATOR in context["roles"]) and may(
        context["roles"], review.state, "write_narrative"
    )
    editable = writer and (narrative is None or narrative.status != "submitted")
    context.update(
        {
            "agency": agency,
            "narrative": narrative,
            "entries": sorted(
                narrative.entries, key=lambda e: (e.occurred_on, e.occurred_at or time.min, e.id)
            )
            if narrative
            else [],
            "editable": editable,
            "may_submit": writer and narrative is not None and narrative.status != "submitted",
            "may_return": narrative is not None
            and narrative.status == "submitted"
            and may(context["roles"], review.state, "return_narrative"),
            "other_agencies": [(a, a) for a in agencies if a != agency],
            "entry_form": entry_form or Form.of(),
            "upload_form": upload_form or Form.of(),
            "return_form": return_form or Form.of(),
            "problems": problems or [],
            "columns": COLUMNS,
        }
    )
    return render(request, "pages/narrative.html", context, status=status)


@router.get("/reviews/{review_id}/narratives/{agency}")
def narrative(
    request: Request, review_id: ReviewId, agency: str, services: ServicesDep, user: PageUser
) -> Response:
    return _narrative_page(request, services, user, review_id, agency)


def _time(form: Form, name: str) -> time | None:
    value = form.text(name)
    if not value:
        return None
    try:
        hours, minutes = value.split(":")[:2]
        return time(int(hours), int(minutes))
    except ValueError:
        form.fail(name, "Enter the time as HH:MM (24-hour), for example 09:30, or leave it empty.")
        return None


@router.post("/reviews/{review_id}/narratives/{agency}/entries", dependencies=[CsrfChecked])
def add_entry(
    request: Request,
    review_id: ReviewId,
    agency: str,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    occurred_on = form.date("occurred_on", required="Enter the date it happened.")
    occurred_at = _time(form, "occurred_at")
    what = form.text("what_happened", required="Say what happened, in the agency's words.")
    _, status = attempt(
        form,
        lambda: services.findings.add_entry(
            review_id=review_id,
            actor=user.id,
            agency=agency,
            occurred_on=occurred_on,  # type: ignore[arg-type]
            occurred_at=occurred_at,
            what_happened=what,
            source_record=form.text("source_record"),
            aware=dict.fromkeys(form.values("aware")),
            significant=form.value("significant") == "yes",
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/narratives/{_q(agency)}", flash="Entry added.")
    return _narrative_page(request, services, user, review_id, agency, entry_form=form, status=status)


@router.post("/reviews/{review_id}/narratives/{agency}/entries/{entry_id}/delete", dependencies=[CsrfChecked])
def delete_entry(
    request: Request,
    review_id: ReviewId,
    agency: str,
    entry_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = attempt(
        form,
        lambda: services.findings.delete_entry(
            review_id=review_id, actor=user.id, entry_id=entry_id, expected_version=form.version()
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/narratives/{_q(agency)}", flash="Entry deleted.")
    return _narrative_page(request, services, user, review_id, agency, entry_form=form, status=status)


@router.post("/reviews/{review_id}/narratives/{agency}/upload", dependencies=[CsrfChecked])
async def upload_narrative(
    request: Request,
    review_id: ReviewId,
    agency: str,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    data = await uploaded_file(submitted, "csv_file")
    form.anchors["csv_file"] = "csv_file"
    if data is None:
        form.fail("csv_file", "Choose a CSV file to upload.")
        return _narrative_page(request, services, user, review_id, agency, upload_form=form, status=422)
    problems: list[Any] = []

    def change() -> Any:
        try:
            return services.findings.import_csv(
                review_id=review_id,
                actor=user.id,
                agency=agency,
                data=data,
                replace=form.value("replace") == "yes",
            )
        except CsvImportError as error:
            problems.extend(error.problems)
            raise InvalidInput(
                {
                    "csv_file": f"The file was not imported: {len(error.problems)} problem(s) to fix. "
                    "Nothing was saved."
                }
            ) from None

    result, status = attempt(form, change)
    if result is None:
        return _narrative_page(
            request, services, user, review_id, agency, upload_form=form, problems=problems, status=status
        )
    return redirect(
        f"/reviews/{review_id}/narratives/{_q(agency)}",
        flash=f"{result.imported} entries imported"
        + (f", {result.replaced} replaced." if result.replaced else "."),
    )


@router.post("/reviews/{review_id}/narratives/{agency}/submit", dependencies=[CsrfChecked])
def submit_narrative(
    request: Request,
    review_id: ReviewId,
    agency: str,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = attempt(
        form,
        lambda: services.findings.submit_narrative(
            review_id=review_id, actor=user.id, agency=agency, expected_version=form.version()
        ),
    )
    if not status:
        return redirect(
            f"/reviews/{review_id}/narratives/{_q(agency)}", flash=f"{agency}'s narrative is submitted."
        )
    return _narrative_page(request, services, user, review_id, agency, entry_form=form, status=status)


@router.post("/reviews/{review_id}/narratives/{agency}/return", dependencies=[CsrfChecked])
def return_narrative(
    request: Request,
    review_id: ReviewId,
    agency: str,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    reason = form.text("reason", required="Say what the agency needs to change.")
    _, status = attempt(
        form,
        lambda: services.findings.return_narrative(
            review_id=review_id, actor=user.id, agency=agency, reason=reason, expected_version=form.version()
        ),
    )
    if not status:
        return redirect(
            f"/reviews/{review_id}/narratives/{_q(agency)}", flash=f"{agency}'s narrative is returned."
        )
    return _narrative_page(request, services, user, review_id, agency, return_form=form, status=status)


def _q(agency: str) -> str:
    return quote(agency, safe="")


# ---- merged chronology --------------------------------------------------------------------------------


@router.get("/reviews/{review_id}/chronology")
def chronology(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, view: str = "side"
) -> Response:
    context = review_context(services, user, review_id, "chronology")
    overview = services.findings.narratives(review_id=review_id, actor=user.id)
    view = view if view in ("side", "merged", "sharing") else "side"
    context.update(
        {
            "view": view,
            "columns": overview.columns,
            "days": overview.days,
            "sharing": services.findings.information_sharing(review_id=review_id, actor=user.id)
            if view == "sharing"
            else None,
        }
    )
    return render(request, "pages/chronology.html", context)


# ---- conversations -----------------------------------------------------------------------------------


def _conversations_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "conversations")
    review = context["review"]
    context.update(
        {
            "conversations": services.findings.conversations(review_id=review_id, actor=user.id),
            "names": member_names(review),
            "practitioners": [
                (str(m.user_id), f"{m.user.name} ({m.agency})" if m.agency else m.user.name)
                for m in review.memberships
                if m.role == ReviewRole.CASE_GROUP
            ],
            "headings": CONVERSATION_HEADINGS,
            "may_write": may(context["roles"], review.state, "write_conversation"),
            "form": form or Form.of(),
        }
    )
    return render(request, "pages/conversations.html", context, status=status)


@router.get("/reviews/{review_id}/conversations")
def conversations(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _conversations_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/conversations", dependencies=[CsrfChecked])
def add_conversation(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    practitioner = form.value("practitioner_id")
    if not practitioner.isdigit():
        form.fail("practitioner_id", "Choose the practitioner the conversation was with.")
    held_on = form.date("held_on")
    result, status = attempt(
        form,
        lambda: services.findings.add_conversation(
            review_id=review_id,
            actor=user.id,
            practitioner_id=int(practitioner),
            held_on=held_on,
            **{name: form.text(name) for name in CONVERSATION_HEADINGS},
        ),
    )
    if result is not None:
        return redirect(f"/reviews/{review_id}/conversations/{result.id}", flash="Conversation recorded.")
    return _conversations_page(request, services, user, review_id, form, status)


def _conversation_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    conversation_id: int,
    *,
    edit_form: Form | None = None,
    comment_form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "conversations")
    review = context["review"]
    conversation = services.findings.conversation(
        review_id=review_id, actor=user.id, conversation_id=conversation_id
    )
    if edit_form is None:
        edit_form = Form.of(
            version=conversation.version,
            **{name: getattr(conversation, name) for name in CONVERSATION_HEADINGS},
            **date_fields("held_on", conversation.held_on),
        )
    elif edit_form.stale:
        edit_form.data["version"] = [str(conversation.version)]
    roles = context["roles"]
    context.update(
        {
            "conversation": conversation,
            "names": member_names(review),
            "headings": CONVERSATION_HEADINGS,
            "may_edit": may(roles, review.state, "write_conversation"),
            "may_comment": may(roles, review.state, "comment_on_conversation")
            and (ReviewRole.LEAD_REVIEWER in roles or conversation.practitioner_id == user.id),
            "edit_form": edit_form,
            "comment_form": comment_form or Form.of(),
        }
    )
    return render(request, "pages/conversation.html", context, status=status)


@router.get("/reviews/{review_id}/conversations/{conversation_id}")
def conversation(
    request: Request, review_id: ReviewId, conversation_id: ReviewId, services: ServicesDep, user: PageUser
) -> Response:
    return _conversation_page(request, services, user, review_id, conversation_id)


@router.post("/reviews/{review_id}/conversations/{conversation_id}", dependencies=[CsrfChecked])
def update_conversation(
    request: Request,
    review_id: ReviewId,
    conversation_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    held_on = form.date("held_on")
    _, status = attempt(
        form,
        lambda: services.findings.update_conversation(
            review_id=review_id,
            actor=user.id,
            conversation_id=conversation_id,
            expected_version=form.version(),
            held_on=held_on,
            **{name: form.text(name) for name in CONVERSATION_HEADINGS},
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/conversations/{conversation_id}", flash="Conversation saved.")
    return _conversation_page(
        request, services, user, review_id, conversation_id, edit_form=form, status=status
    )


@router.post("/reviews/{review_id}/conversations/{conversation_id}/comments", dependencies=[CsrfChecked])
def comment_on_conversation(
    request: Request,
    review_id: ReviewId,
    conversation_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    text = form.text("text", required="Write your comment.")
    _, status = attempt(
        form,
        lambda: services.findings.comment_on_conversation(
            review_id=review_id, actor=user.id, conversation_id=conversation_id, text=text
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/conversations/{conversation_id}", flash="Comment added.")
    return _conversation_page(
        request, services, user, review_id, conversation_id, comment_form=form, status=status
    )

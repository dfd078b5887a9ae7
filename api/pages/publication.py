"""The publication page: the words written for the reports, the anonymisation check (coordinator and
chair; reading it is audited, as it shows the real words it found) with each hit linked to the record
and field it stands in, what stands between the review and publication, and the page of one correction
(a text or printed date changed in place, then the check runs again)."""

from __future__ import annotations

from datetime import date

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
)
from api.pages.corrections import needs_reopening, record_page, shown_hits
from api.pages.views import review_context
from api.wiring import Services
from findings.analysis.warnings import Kind
from findings.publication.corrections import DATE_FIELDS, correction_action
from findings.publication.service import HitPlace
from workflow import policy
from workflow.errors import InvalidInput, NotPermitted
from workflow.policy import READERS
from workflow.states import State, Trigger

router = APIRouter(route_class=PageRoute, include_in_schema=False)

TEXTS = {
    "partnership": "The partnership's name on the documents",
    "case_summary": "The case in brief",
    "methodology_note": "A note on the methodology",
    "board_response": "The board's overall response",
}
# The policy action that writes each text: the chair approves the case summary and the methodology note
# with the report; the partnership's name and the board's overall response may change after that.
TEXT_ACTIONS = {
    "partnership": "write_board_texts",
    "case_summary": "write_report_texts",
    "methodology_note": "write_report_texts",
    "board_response": "write_board_texts",
}
PUBLICATION_TRIGGERS = (Trigger.PUBLISH, Trigger.DECLINE_PUBLICATION)
# The quality warnings of the texts that exist only for the reports (the others stand by their record).
REPORT_KINDS: tuple[Kind, ...] = ("report_text", "briefing", "research_question", "referral")


def _publication_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    *,
    form: Form | None = None,
    check: bool = False,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "publication")
    review = context["review"]
    roles = context["roles"]
    if not roles & (policy.rule("write_report_texts").roles | READERS["anonymisation_check"]):
        raise NotPermitted("Only the coordinator, the lead reviewers and the chair prepare the publication.")
    texts = services.reports.texts(review_id=review_id, actor=user.id)
    if form is None:
        form = Form.of(version=texts.version, **{name: getattr(texts, name) for name in TEXTS})
    elif form.stale:
        form.data["version"] = [str(texts.version)]
    options = services.reviews.allowed_triggers(review_id, user.id, check_anonymisation=True)
    with services.sessions() as session:
        register_problem = services.publishing.register_problem(session, review_id)
    result = services.reports.anonymisation(review_id=review_id, actor=user.id) if check else None
    hits = shown_hits(context["review_url"], result, roles, State(review.state)) if result else ()
    writable = {name: policy.permits(roles, review.state, action) for name, action in TEXT_ACTIONS.items()}
    context.update(
        {
            "register_problem": register_problem,
            "form": form,
            "texts": TEXTS,
            "writable": writable,
            "may_write": any(writable.values()),
            "may_check": bool(roles & READERS["anonymisation_check"]),
            "check": result,
            "hits": hits,
            "reopen": next(
                (o for o in options if o.trigger == Trigger.REOPEN_FOR_CORRECTION and needs_reopening(hits)),
                None,
            ),
            "options": [o for o in options if o.trigger in PUBLICATION_TRIGGERS],
            "warnings": services.warnings.list(review_id=review_id, actor=user.id, kinds=REPORT_KINDS).items,
        }
    )
    return render(request, "pages/publication.html", context, status=status)


@router.get("/reviews/{review_id}/publication")
def publication(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, check: str = ""
) -> Response:
    return _publication_page(request, services, user, review_id, check=bool(check))


@router.post("/reviews/{review_id}/publication/texts", dependencies=[CsrfChecked])
def write_texts(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    _, status = attempt(
        form,
        lambda: services.reports.write_texts(
            review_id=review_id,
            actor=user.id,
            expected_version=form.version(),
            **{name: form.text(name) for name in TEXTS if name in form.data},
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/publication", flash="The words of the reports are saved.")
    return _publication_page(request, services, user, review_id, form=form, status=status)


# ---- the page of one correction --------------------------------------------------------------------


def _source(value: str) -> tuple[str, int, str]:
    """`kind:id:field`, as the publication page links to it."""
    kind, _, rest = value.partition(":")
    object_id, _, field = rest.partition(":")
    if not (kind and field and object_id.isdigit() and len(object_id) < 10):
        raise InvalidInput({"source": "Open the correction from a hit on the publication page."})
    return kind, int(object_id), field


def _correction_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    source: str,
    *,
    form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "publication")
    review = context["review"]
    kind, object_id, field = _source(source)
    view = services.reports.correction(
        review_id=review_id, actor=user.id, kind=kind, object_id=object_id, field=field
    )
    current = date.fromisoformat(view.value) if view.is_date and view.value else None
    if form is None:
        form = Form.of(
            version=view.version, **(date_fields("value", current) if view.is_date else {"value": view.value})
        )
    elif form.stale:
        form.data["version"] = [str(view.version)]
    place = HitPlace(kind, object_id, field, view.where, "", view.owner, True)
    page = record_page(place)
    context.update(
        {
            "form": form,
            "correction": view,
            "current": current,
            "source": source,
            "record_url": page.url(context["review_url"], place) if page else None,
            "refusal": policy.refusal(context["roles"], review.state, correction_action(kind, field)),
            "approved": review.state == State.APPROVED,
        }
    )
    return render(request, "pages/correction.html", context, status=status)


@router.get("/reviews/{review_id}/publication/corrections/{source}")
def correction(
    request: Request, review_id: ReviewId, source: str, services: ServicesDep, user: PageUser
) -> Response:
    """One text (or printed date) where the anonymisation check found an identifier, to correct in
    place: `source` is `kind:id:field`, as each hit on the publication page links to it."""
    return _correction_page(request, services, user, review_id, source)


@router.post("/reviews/{review_id}/publication/correction", dependencies=[CsrfChecked])
def correct(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    source = form.value("source")
    kind, object_id, field = _source(source)
    is_date = field in DATE_FIELDS
    if is_date:
        on = form.date("value", required="Enter the date as it should be printed.")
        value = on.isoformat() if on else ""
    else:
        value = form.text("value")
    _, status = attempt(
        form,
        lambda: services.reports.correct(
            review_id=review_id,
            actor=user.id,
            expected_version=form.version(),
            kind=kind,
            object_id=object_id,
            field=field,
            value=value,
        ),
    )
    if not status:
        return redirect(
            f"/reviews/{review_id}/publication?check=1#check",
            flash="Corrected. The anonymisation check has run again on the report as it stands.",
        )
    return _correction_page(request, services, user, review_id, source, form=form, status=status)

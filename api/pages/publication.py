"""The publication page: the words written for the reports, the anonymisation check (coordinator and
chair; reading it is audited, as it shows the real words it found), and what stands between the
review and publication."""

from __future__ import annotations

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
    redirect,
    render,
)
from api.pages.views import review_context
from api.wiring import Services
from findings.analysis.warnings import Kind
from workflow import policy
from workflow.errors import NotPermitted
from workflow.policy import READERS
from workflow.states import Trigger

router = APIRouter(route_class=PageRoute, include_in_schema=False)

TEXTS = {
    "partnership": "The partnership's name on the documents",
    "case_summary": "The case in brief",
    "methodology_note": "A note on the methodology",
    "board_response": "The board's overall response",
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
    context.update(
        {
            "register_problem": register_problem,
            "form": form,
            "texts": TEXTS,
            "may_write": policy.permits(roles, review.state, "write_report_texts"),
            "may_check": bool(roles & READERS["anonymisation_check"]),
            "check": services.reports.anonymisation(review_id=review_id, actor=user.id) if check else None,
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
            **{name: form.text(name) for name in TEXTS},
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/publication", flash="The words of the reports are saved.")
    return _publication_page(request, services, user, review_id, form=form, status=status)

"""Pages of the findings: the findings editor with its quality warnings beside the text (and their
acknowledgement), evidence, questions for the board and case group comments. The board's response
is in `api.pages.board`, the draft report in `api.pages.report`."""

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
    redirect,
    render,
    safe_next,
)
from api.pages.views import may, review_context, review_context_of
from api.wiring import Services
from findings.analysis import quality, wording
from findings.analysis.findings import (
    AddEvidence,
    AddFinding,
    AddQuestion,
    ChangeFinding,
    CommentOnFinding,
)
from findings.analysis.vocabulary import FINDING_CATEGORIES
from findings.analysis.warnings import AcknowledgeWarning
from findings.learning.suggestions import Suggestion
from workflow.commands import MAX_ID
from workflow.states import ReviewRole

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FINDING_TEXTS = ("statement", "context", "how_it_showed", "why_it_matters")
TEXT_LABELS = {
    "statement": "Statement of the pattern",
    "context": "Context",
    "how_it_showed": "How it showed in this case",
    "why_it_matters": "Why it matters",
}
EVIDENCE_KINDS = {
    "typicality": "Case group or review team knowledge of how typical it is",
    "audit": "Audit",
    "data": "Data",
    "other_reviews": "Other reviews",
    "research": "Research",
}


def _names(review: Any) -> dict[int, str]:
    return {m.user_id: m.user.name for m in review.memberships}


def _category_options() -> list[tuple[str, str]]:
    return [(key, label) for key, label in FINDING_CATEGORIES.items()]


# ---- findings list and editor ------------------------------------------------------------------------


def _findings_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    form: Form | None = None,
    status: int = 200,
) -> Response:
    detail, summaries = services.finding.summaries(review_id=review_id, actor=user.id)
    context = review_context_of(detail, "findings")
    review = detail.review
    context.update(
        {
            "findings": summaries,
            "categories": FINDING_CATEGORIES,
            "warning_count": sum(f.warnings.open for f in summaries),
            "may_write": may(context["roles"], review.state, "write_finding"),
            "form": form or Form.of(),
            "category_options": _category_options(),
        }
    )
    return render(request, "pages/findings.html", context, status=status)


@router.get("/reviews/{review_id}/findings")
def findings_list(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _findings_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/findings", dependencies=[CsrfChecked])
def add_finding(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    command = forms.command(form, AddFinding, only={"title", "category"})
    if command is None:
        return _findings_page(request, services, user, review_id, form, 422)
    result, status = attempt(
        form, lambda: services.finding.add(review_id=review_id, actor=user.id, command=command).finding
    )
    if result is not None:
        return redirect(
            f"/reviews/{review_id}/findings/{result.id}", flash=f"Finding {result.number} drafted."
        )
    return _findings_page(request, services, user, review_id, form, status)


def _finding_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    finding_id: int,
    *,
    form: Form | None = None,
    evidence_form: Form | None = None,
    question_form: Form | None = None,
    comment_form: Form | None = None,
    suggestion_form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "findings")
    review = context["review"]
    roles = context["roles"]
    view = services.finding.view(review_id=review_id, actor=user.id, finding_id=finding_id)
    finding = view.finding
    if form is None:
        form = Form.of(
            version=finding.version,
            title=finding.title,
            category=finding.category or "",
            themes=finding.themes,
            episode_ids=[str(e.id) for e in finding.episodes],
            status=finding.status,
            **{name: getattr(finding, name) for name in FINDING_TEXTS},
        )
    elif form.stale:
        form.data["version"] = [str(finding.version)]
    vocabulary = services.themes.vocabulary(actor=user.id)
    episodes = services.episodes.list(review_id=review_id, actor=user.id).items
    context.update(
        {
            "finding": finding,
            "form": form,
            "evidence_form": evidence_form or Form.of(),
            "question_form": question_form or Form.of(),
            "comment_form": comment_form or Form.of(),
            "warnings": view.warnings,
            "may_write": may(roles, review.state, "write_finding"),
            "may_question": may(roles, review.state, "write_question"),
            "may_comment": may(roles, review.state, "comment_on_finding") and finding.status == "draft",
            "may_ack": may(roles, review.state, "acknowledge_warning"),
            "back": f"/reviews/{review_id}/findings/{finding_id}",
            "names": _names(review),
            "category_options": _category_options(),
            "categories": FINDING_CATEGORIES,
            "theme_options": sorted(vocabulary.items(), key=lambda kv: kv[1]),
            "themes": vocabulary,
            "episode_options": [(str(e.id), f"Episode {e.number}: {e.title}") for e in episodes],
            "evidence_kinds": list(EVIDENCE_KINDS.items()),
            "evidence_labels": EVIDENCE_KINDS,
            "text_labels": TEXT_LABELS,
            "is_case_group_only": not (roles - {ReviewRole.CASE_GROUP}),
            "suggestions": services.suggestions.suggestions(
                review_id=review_id, actor=user.id, finding_id=finding_id
            ),
            "suggestion_form": suggestion_form or Form.of(),
        }
    )
    return render(request, "pages/finding.html", context, status=status)


@router.get("/reviews/{review_id}/findings/{finding_id}")
def finding(
    request: Request, review_id: ReviewId, finding_id: ReviewId, services: ServicesDep, user: PageUser
) -> Response:
    return _finding_page(request, services, user, review_id, finding_id)


@router.post("/reviews/{review_id}/findings/{finding_id}", dependencies=[CsrfChecked])
def update_finding(
    request: Request,
    review_id: ReviewId,
    finding_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = forms.submit(
        form,
        ChangeFinding,
        lambda command: services.finding.update(
            review_id=review_id,
            actor=user.id,
            finding_id=finding_id,
            expected_version=form.version(),
            command=command,
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/findings/{finding_id}", flash="Finding saved.")
    return _finding_page(request, services, user, review_id, finding_id, form=form, status=status)


@router.post("/reviews/{review_id}/findings/{finding_id}/evidence", dependencies=[CsrfChecked])
def add_evidence(
    request: Request,
    review_id: ReviewId,
    finding_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = forms.submit(
        form,
        AddEvidence,
        lambda command: services.finding.add_evidence(
            review_id=review_id,
            actor=user.id,
            finding_id=finding_id,
            expected_version=form.version(),
            command=command,
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/findings/{finding_id}#evidence", flash="Evidence added.")
    return _finding_page(request, services, user, review_id, finding_id, evidence_form=form, status=status)


@router.post("/reviews/{review_id}/findings/{finding_id}/evidence/suggested", dependencies=[CsrfChecked])
def add_suggested_evidence(
    request: Request,
    review_id: ReviewId,
    finding_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    """Add a suggestion from other reviews as evidence ("other reviews", with its reference)."""
    form = Form.of(submitted)
    form.anchors["entry_id"] = "suggestions"
    entry_id = form.value("entry_id")
    if not entry_id.isdigit() or not 0 < int(entry_id) <= MAX_ID:
        form.fail("entry_id", "Choose a suggestion to add.")
        return _finding_page(request, services, user, review_id, finding_id, suggestion_form=form, status=422)

    def change() -> Suggestion:
        found = services.suggestions.evidence(
            review_id=review_id, actor=user.id, finding_id=finding_id, entry_id=int(entry_id)
        )
        services.finding.add_evidence(
            review_id=review_id,
            actor=user.id,
            finding_id=finding_id,
            expected_version=form.version(),
            command=found.evidence(),
            source=f"repository:{found.kind}:{found.entry_id}",
        )
        return found

    found, status = attempt(form, change)
    if found is None:
        return _finding_page(
            request, services, user, review_id, finding_id, suggestion_form=form, status=status
        )
    return redirect(
        f"/reviews/{review_id}/findings/{finding_id}#evidence",
        flash=f"Evidence added from other reviews: {found.reference}",
    )


@router.post("/reviews/{review_id}/findings/{finding_id}/questions", dependencies=[CsrfChecked])
def add_question(
    request: Request,
    review_id: ReviewId,
    finding_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    form.anchors["text"] = "question-text"
    _, status = forms.submit(
        form,
        AddQuestion,
        lambda command: services.finding.add_question(
            review_id=review_id,
            actor=user.id,
            finding_id=finding_id,
            expected_version=form.version(),
            command=command,
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/findings/{finding_id}#questions", flash="Question added.")
    return _finding_page(request, services, user, review_id, finding_id, question_form=form, status=status)


@router.post(
    "/reviews/{review_id}/findings/{finding_id}/evidence/{evidence_id}/remove", dependencies=[CsrfChecked]
)
def remove_evidence(
    request: Request,
    review_id: ReviewId,
    finding_id: ReviewId,
    evidence_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = attempt(
        form,
        lambda: services.finding.remove_evidence(
            review_id=review_id,
            actor=user.id,
            finding_id=finding_id,
            expected_version=form.version(),
            evidence_id=evidence_id,
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/findings/{finding_id}#evidence", flash="Evidence removed.")
    return _finding_page(request, services, user, review_id, finding_id, evidence_form=form, status=status)


@router.post(
    "/reviews/{review_id}/findings/{finding_id}/questions/{question_id}/remove", dependencies=[CsrfChecked]
)
def remove_question(
    request: Request,
    review_id: ReviewId,
    finding_id: ReviewId,
    question_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = attempt(
        form,
        lambda: services.finding.remove_question(
            review_id=review_id,
            actor=user.id,
            finding_id=finding_id,
            expected_version=form.version(),
            question_id=question_id,
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/findings/{finding_id}#questions", flash="Question removed.")
    return _finding_page(request, services, user, review_id, finding_id, question_form=form, status=status)


@router.post("/reviews/{review_id}/findings/{finding_id}/comments", dependencies=[CsrfChecked])
def comment_on_finding(
    request: Request,
    review_id: ReviewId,
    finding_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    form.anchors["text"] = "comment-text"
    _, status = forms.submit(
        form,
        CommentOnFinding,
        lambda command: services.finding.comment(
            review_id=review_id, actor=user.id, finding_id=finding_id, command=command
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/findings/{finding_id}#comments", flash="Comment added.")
    return _finding_page(request, services, user, review_id, finding_id, comment_form=form, status=status)


@router.post("/reviews/{review_id}/warnings/acknowledge", dependencies=[CsrfChecked])
def acknowledge_warning(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    back = safe_next(form.value("back"))
    if not back.startswith(f"/reviews/{review_id}/"):
        back = f"/reviews/{review_id}/findings"
    _, status = forms.submit(
        form,
        AcknowledgeWarning,
        lambda command: services.warnings.acknowledge(
            review_id=review_id, actor=user.id, fingerprint=form.value("fingerprint"), command=command
        ),
    )
    if not status:
        return redirect(back, flash="Warning acknowledged. The reason is kept in the audit log.")
    return redirect(back, flash="Not acknowledged: " + " ".join(form.errors.values()))


@router.post("/reviews/{review_id}/findings/{finding_id}/check", dependencies=[CsrfChecked])
def check_finding_text(
    request: Request,
    review_id: ReviewId,
    finding_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    """The quality warnings of the text as it is being typed (for the editor's script): names of
    people and blame or hindsight language. Saving runs every check."""
    context = review_context(services, user, review_id, "findings")
    finding = services.finding.get(review_id=review_id, actor=user.id, finding_id=finding_id)
    form = Form.of(submitted)
    names = wording.Names([m.user.name for m in context["review"].memberships])
    label = f"Finding {finding.number} '{form.value('title') or finding.title}'"
    found: list[quality.QualityWarning] = []
    for field in ("title", *FINDING_TEXTS):
        where = quality.Where("finding", 0, label, field)
        text = form.value(field)
        found += quality.person_named(text, names, where) + quality.blame_language(text, where)
    return render(
        request,
        "pages/_warnings.html",
        {"warnings": found, "may_ack": False, "review_url": f"/reviews/{review_id}", "back": ""},
    )

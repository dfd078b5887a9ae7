"""Pages of the findings: the findings editor with its quality warnings beside the text (and their
acknowledgement), evidence, questions for the board, case group comments, the board's response and
actions, and the draft report the chair signs off."""

from __future__ import annotations

from typing import Any

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
    safe_next,
)
from api.pages.views import may, review_context
from api.wiring import Services
from findings.analysis import frameworks, quality
from findings.analysis.models import ACTION_STATUSES
from findings.analysis.vocabulary import BUILT_IN_THEMES, FINDING_CATEGORIES
from findings.publication.render import DocumentKind, Format, filename
from workflow.errors import NotFound
from workflow.policy import READERS
from workflow.states import ReviewRole, State

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
ACTION_LABELS = {"planned": "Planned", "in_progress": "In progress", "done": "Done", "verified": "Verified"}


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
    context = review_context(services, user, review_id, "findings")
    review = context["review"]
    findings = services.findings.findings(review_id=review_id, actor=user.id)
    warnings = services.findings.warnings(review_id=review_id, actor=user.id)
    blocking: dict[int, int] = {}
    for w in warnings:
        if w.blocks and w.where.kind in ("finding", "question"):
            fid = w.where.id if w.where.kind == "finding" else _finding_of_question(findings, w.where.id)
            blocking[fid] = blocking.get(fid, 0) + 1
    context.update(
        {
            "findings": findings,
            "categories": FINDING_CATEGORIES,
            "blocking": blocking,
            "warning_count": sum(1 for w in warnings if not w.acknowledged),
            "may_write": may(context["roles"], review.state, "write_finding"),
            "form": form or Form.of(),
            "category_options": _category_options(),
        }
    )
    return render(request, "pages/findings.html", context, status=status)


def _finding_of_question(findings: list[Any], question_id: int) -> int:
    for finding in findings:
        if any(q.id == question_id for q in finding.questions):
            return int(finding.id)
    return 0


@router.get("/reviews/{review_id}/findings")
def findings_list(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _findings_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/findings", dependencies=[CsrfChecked])
def add_finding(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    title = form.text("title", required="Give the finding a short title.")
    category = form.value("category") or None
    result, status = attempt(
        form,
        lambda: services.findings.add_finding(
            review_id=review_id, actor=user.id, title=title, category=category
        ),
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
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "findings")
    review = context["review"]
    roles = context["roles"]
    finding = services.findings.finding(review_id=review_id, actor=user.id, finding_id=finding_id)
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
    question_ids = {q.id for q in finding.questions}
    warnings = [
        w
        for w in services.findings.warnings(review_id=review_id, actor=user.id)
        if (w.where.kind == "finding" and w.where.id == finding.id)
        or (w.where.kind == "question" and w.where.id in question_ids)
    ]
    vocabulary = services.findings.vocabulary(actor=user.id)
    episodes = services.episodes.list(review_id=review_id, actor=user.id).items
    context.update(
        {
            "finding": finding,
            "form": form,
            "evidence_form": evidence_form or Form.of(),
            "question_form": question_form or Form.of(),
            "comment_form": comment_form or Form.of(),
            "warnings": warnings,
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
    title = form.text("title", required="Give the finding a short title.")
    fields = {
        "title": title,
        "category": form.value("category") or None,
        "themes": form.values("themes"),
        "episode_ids": form.ints("episode_ids"),
        "status": form.value("status") or "draft",
        **{name: form.text(name) for name in FINDING_TEXTS},
    }
    _, status = attempt(
        form,
        lambda: services.findings.update_finding(
            review_id=review_id,
            actor=user.id,
            finding_id=finding_id,
            expected_version=form.version(),
            **fields,
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
    kind = form.choice("kind", EVIDENCE_KINDS, required="Choose the kind of evidence.")
    summary = form.text("summary", required="Say what the evidence shows.")
    reference = form.text("reference", required="Give its reference, so a reader can find it.")
    _, status = attempt(
        form,
        lambda: services.findings.add_evidence(
            review_id=review_id,
            actor=user.id,
            finding_id=finding_id,
            expected_version=form.version(),
            kind=kind or "",
            summary=summary,
            reference=reference,
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/findings/{finding_id}#evidence", flash="Evidence added.")
    return _finding_page(request, services, user, review_id, finding_id, evidence_form=form, status=status)


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
    text = form.text("text", required="Write the question for the board.")
    _, status = attempt(
        form,
        lambda: services.findings.add_question(
            review_id=review_id,
            actor=user.id,
            finding_id=finding_id,
            expected_version=form.version(),
            text=text,
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
        lambda: services.findings.remove_evidence(
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
        lambda: services.findings.update_question(
            review_id=review_id,
            actor=user.id,
            finding_id=finding_id,
            expected_version=form.version(),
            question_id=question_id,
            text=None,
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
    text = form.text("text", required="Write your comment.")
    _, status = attempt(
        form,
        lambda: services.findings.comment_on_finding(
            review_id=review_id, actor=user.id, finding_id=finding_id, text=text
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
    reason = form.text("reason", required="Say why the wording is right as it is.")
    _, status = attempt(
        form,
        lambda: services.findings.acknowledge_warning(
            review_id=review_id, actor=user.id, fingerprint=form.value("fingerprint"), reason=reason
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
    finding = services.findings.finding(review_id=review_id, actor=user.id, finding_id=finding_id)
    form = Form.of(submitted)
    names = quality.Names([m.user.name for m in context["review"].memberships])
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


# ---- board response and actions -------------------------------------------------------------------------


def _board_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    *,
    response_form: Form | None = None,
    action_form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "board")
    review = context["review"]
    findings = services.findings.findings(review_id=review_id, actor=user.id)
    context.update(
        {
            "findings": findings,
            "actions": services.findings.actions(review_id=review_id, actor=user.id),
            "may_respond": may(context["roles"], review.state, "record_board_response"),
            "may_act": may(context["roles"], review.state, "write_action"),
            "response_form": response_form or Form.of(),
            "action_form": action_form or Form.of(status="planned"),
            "status_options": [(s, ACTION_LABELS[s]) for s in ACTION_STATUSES],
            "status_labels": ACTION_LABELS,
            "finding_options": [(str(f.id), f"Finding {f.number}: {f.title}") for f in findings],
            "agency_options": [(a, a) for a in review.agencies_in_scope or review.agencies_involved],
        }
    )
    return render(request, "pages/board.html", context, status=status)


@router.get("/reviews/{review_id}/board")
def board(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _board_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/board/responses", dependencies=[CsrfChecked])
def record_response(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    finding_id = form.value("finding_id")
    name = f"response_{finding_id}"
    form.anchors[name] = name
    response = form.text(name)
    if not response:
        form.fail(name, "Write the board's response to this finding.")
    _, status = attempt(
        form,
        lambda: services.findings.record_board_response(
            review_id=review_id,
            actor=user.id,
            finding_id=int(finding_id),
            response=response,
            expected_version=form.version(),
        ),
        {"response": name},
    )
    if not status:
        return redirect(f"/reviews/{review_id}/board", flash="The board's response is recorded.")
    return _board_page(request, services, user, review_id, response_form=form, status=status)


def _action_fields(form: Form) -> dict[str, Any]:
    finding = form.value("finding_id")
    return {
        "description": form.text("description"),
        "owner_agency": form.text("owner_agency") or None,
        "due_on": form.date("due_on"),
        "status": form.value("status") or "planned",
        "evidence_of_impact": form.text("evidence_of_impact"),
        "finding_id": int(finding) if finding.isdigit() else None,
    }


@router.post("/reviews/{review_id}/board/actions", dependencies=[CsrfChecked])
def add_action(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    title = form.text("title", required="Say what the action is.")
    fields = _action_fields(form)
    _, status = attempt(
        form, lambda: services.findings.add_action(review_id=review_id, actor=user.id, title=title, **fields)
    )
    if not status:
        return redirect(f"/reviews/{review_id}/board", flash="Action recorded.")
    return _board_page(request, services, user, review_id, action_form=form, status=status)


@router.post("/reviews/{review_id}/board/actions/{action_id}", dependencies=[CsrfChecked])
def update_action(
    request: Request,
    review_id: ReviewId,
    action_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = attempt(
        form,
        lambda: services.findings.update_action(
            review_id=review_id,
            actor=user.id,
            action_id=action_id,
            expected_version=form.version(),
            status=form.value("status"),
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/board", flash="Action updated.")
    return _board_page(request, services, user, review_id, action_form=form, status=status)


# ---- the draft report and the chair's sign-off ----------------------------------------------------------


DOCUMENTS = {"full": DocumentKind.FULL, "practitioner": DocumentKind.PRACTITIONER}
FORMATS = {"html": Format.HTML, "pdf": Format.PDF, "md": Format.MARKDOWN}


@router.get("/reviews/{review_id}/documents/{kind}")
def document(
    request: Request,
    review_id: ReviewId,
    kind: str,
    services: ServicesDep,
    user: PageUser,
    format: str = "pdf",
) -> Response:
    """The review report or the practitioner briefing as a download: the draft as the analysis
    stands, or, once published, exactly what was published (the report service decides)."""
    if kind not in DOCUMENTS or format not in FORMATS:
        raise NotFound("There is no such document.")
    rendered = services.reports.document(
        review_id=review_id, actor=user.id, kind=DOCUMENTS[kind], fmt=FORMATS[format]
    )
    name = filename(DOCUMENTS[kind], FORMATS[format], review_id)
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/reviews/{review_id}/report")
def report(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    context = review_context(services, user, review_id, "report")
    review = context["review"]
    findings = services.findings.findings(review_id=review_id, actor=user.id)
    grouped = [
        (key, label, [f for f in findings if f.category == key]) for key, label in FINDING_CATEGORIES.items()
    ]
    uncategorised = [f for f in findings if f.category not in FINDING_CATEGORIES]
    context.update(
        {
            "episodes": services.episodes.list(review_id=review_id, actor=user.id).items,
            "groups": [g for g in grouped if g[2]]
            + ([("none", "Not yet categorised", uncategorised)] if uncategorised else []),
            "good_practice": services.good_practice.list(review_id=review_id, actor=user.id).items,
            "factor_label": frameworks.category_label,
            "valence_labels": {
                "good": "Good practice",
                "problematic": "Problematic practice",
                "mixed": "Mixed",
            },
            "evidence_labels": EVIDENCE_KINDS,
            "themes": BUILT_IN_THEMES | services.findings.vocabulary(actor=user.id),
            "at_sign_off": review.state == State.SIGN_OFF,
            "may_read_draft": bool(context["roles"] & READERS["draft_report"]),
            "is_chair": ReviewRole.CHAIR in context["roles"],
            "form": Form.of(),
        }
    )
    return render(request, "pages/report.html", context)

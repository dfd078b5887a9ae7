"""The chair's sign-off page: everything the chair approves, in one place, and the one place they
approve from. Every quality warning with how it stands (blocking or advisory; open or acknowledged, by
whom, when and why), the anonymisation check (coordinator and chair: reading it is audited), the
statutory clocks, and each finding with its questions for the board; then the decision. Approving
names what it accepts: the form lists the acknowledged warnings and the approval's audit row records
them (`workflow.guards`); any change since the page was read (a new acknowledgement, a register
entry) makes the approval stale, so the chair never approves what they did not see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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
    redirect,
    render,
)
from api.pages.corrections import shown_hits
from api.pages.views import review_context
from api.wiring import Services
from findings.analysis import quality
from findings.analysis.models import Finding
from findings.analysis.vocabulary import FINDING_CATEGORIES
from workflow.errors import StaleReview, TriggerRefused
from workflow.models import AuditEntry
from workflow.policy import READERS
from workflow.states import STATE_LABELS, ReviewRole, State, Trigger

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Where a warning's object is written, by kind (a question is written on its finding's page).
WARNING_PAGES = {"episode": "episodes/{id}", "factor": "factors/{id}", "finding": "findings/{id}"}


def _finding_of(findings: Iterable[Finding]) -> dict[tuple[str, int], int]:
    """(kind, id) of a finding's parts (its questions, its evidence) -> the finding's id."""
    out: dict[tuple[str, int], int] = {}
    for f in findings:
        out[("finding", f.id)] = f.id
        out |= {("question", q.id): f.id for q in f.questions}
        out |= {("board_question", q.id): f.id for q in f.questions}
        out |= {("evidence", e.id): f.id for e in f.evidence}
    return out


def warning_link(base: str, warning: quality.QualityWarning, finding_of: dict[tuple[str, int], int]) -> str:
    kind, object_id = warning.where.kind, warning.where.id
    if kind == "question":  # written on its finding's page
        object_id = finding_of.get((kind, object_id), 0)
        kind = "finding"
    page = WARNING_PAGES.get(kind)
    return f"{base}/{page.format(id=object_id)}" if page and object_id else f"{base}/findings"


def _approval(entries: Sequence[AuditEntry]) -> AuditEntry | None:
    """The approval the review stands on (the newest `approve`), if any."""
    return next((e for e in reversed(entries) if e.action == Trigger.APPROVE.value), None)


def _sign_off_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    *,
    run_check: bool = False,
    reasons: Sequence[str] = (),
    form: Form | None = None,
    status: int = 200,
    stale: bool = False,
) -> Response:
    context = review_context(services, user, review_id, "sign_off")
    review, roles = context["review"], context["roles"]
    at_sign_off = review.state == State.SIGN_OFF
    is_chair = ReviewRole.CHAIR in roles
    warnings = services.warnings.list(review_id=review_id, actor=user.id).items
    findings = services.finding.list(review_id=review_id, actor=user.id).items
    may_check = bool(roles & READERS["anonymisation_check"])
    check = (
        services.reports.anonymisation(review_id=review_id, actor=user.id)
        if may_check and (at_sign_off or run_check)
        else None
    )
    option = next(
        (o for o in services.reviews.allowed_triggers(review_id, user.id) if o.trigger == Trigger.APPROVE),
        None,
    )
    approved = review.state in {State.APPROVED, State.PUBLISHED, State.CLOSED}
    approval = _approval(services.reviews.audit_log(review_id, user.id)) if approved else None
    base = context["review_url"]
    finding_of = _finding_of(findings)
    context.update(
        {
            "at_sign_off": at_sign_off,
            "is_chair": is_chair,
            "decides": at_sign_off and is_chair,
            "warnings": warnings,
            "blocking": [w for w in warnings if w.blocks],
            "acknowledged": [w for w in warnings if w.acknowledged],
            "open_advisory": [w for w in warnings if not w.blocks and not w.acknowledged],
            "warning_link": {w.fingerprint: warning_link(base, w, finding_of) for w in warnings},
            "warnings_of": _warnings_by_finding(warnings, finding_of),
            "findings": findings,
            "categories": FINDING_CATEGORIES,
            "may_check": may_check,
            "check": check,
            "hits": shown_hits(base, check, roles, review.state) if check else (),
            "clocks": context["detail"].clocks,
            "option": option,
            "reasons": reasons,
            "approval": approval,
            "approved_label": STATE_LABELS[State.APPROVED],
            "form": form or Form.of(),
            "stale": stale,
        }
    )
    return render(request, "pages/sign_off.html", context, status=status)


def _warnings_by_finding(
    warnings: Iterable[quality.QualityWarning], finding_of: dict[tuple[str, int], int]
) -> dict[int, list[quality.QualityWarning]]:
    out: dict[int, list[quality.QualityWarning]] = {}
    for w in warnings:
        finding_id = finding_of.get((w.where.kind, w.where.id))
        if finding_id is not None:
            out.setdefault(finding_id, []).append(w)
    return out


@router.get("/reviews/{review_id}/sign-off")
def sign_off(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, check: str = ""
) -> Response:
    return _sign_off_page(request, services, user, review_id, run_check=bool(check))


@router.post("/reviews/{review_id}/sign-off/approve", dependencies=[CsrfChecked])
def approve(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    """The chair approves the report as the page showed it (the version it was read at)."""
    form = Form.of(submitted)
    try:
        services.reviews.fire(review_id, Trigger.APPROVE, user.id, form.version())
    except TriggerRefused as refused:
        return _sign_off_page(request, services, user, review_id, reasons=refused.reasons, status=409)
    except StaleReview:
        return _sign_off_page(request, services, user, review_id, status=412, stale=True)
    return redirect(
        f"/reviews/{review_id}/sign-off",
        flash="Done: the report is approved. The review is now at the stage "
        f"'{STATE_LABELS[State.APPROVED]}'; the audit log records the acknowledged warnings you accepted.",
    )

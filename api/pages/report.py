"""The draft report page (what the chair signs off: the chair approves or returns it from the sign-off
page, `api.pages.signoff`) and the review's documents as downloads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ReviewId
from api.pages.common import PageRoute, PageUser, ServicesDep, render
from api.pages.findings import EVIDENCE_KINDS
from api.pages.views import review_context
from findings.analysis import frameworks
from findings.analysis.vocabulary import FINDING_CATEGORIES
from findings.publication.render import DocumentKind, Format, filename
from workflow.errors import NotFound
from workflow.policy import READERS
from workflow.states import ReviewRole, State

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DOCUMENTS = {"full": DocumentKind.FULL, "practitioner": DocumentKind.PRACTITIONER}
FORMATS = {"html": Format.HTML, "pdf": Format.PDF, "md": Format.MARKDOWN, "docx": Format.DOCX}


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
    findings = services.finding.list(review_id=review_id, actor=user.id).items
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
            "themes": services.themes.vocabulary(actor=user.id),
            "at_sign_off": review.state == State.SIGN_OFF,
            "may_read_draft": bool(context["roles"] & READERS["draft_report"]),
            "is_chair": ReviewRole.CHAIR in context["roles"],
        }
    )
    return render(request, "pages/report.html", context)

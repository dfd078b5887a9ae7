"""The audit log page: every change of the review, newest first, whether the chain holds, and for an
imported review its provenance (the log its file carried) and whether that holds."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ReviewId
from api.pages.common import PageRoute, PageUser, ServicesDep, render
from api.pages.views import review_context

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/reviews/{review_id}/audit")
def audit_log(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    context = review_context(services, user, review_id, "audit")
    entries = list(reversed(services.reviews.audit_log(review_id, user.id)))
    report = services.reviews.verify_audit(review_id, user.id)
    provenance = services.exports.provenance(review_id=review_id, actor=user.id)
    context.update({"entries": entries, "report": report, "provenance": provenance, "today": date.today()})
    return render(request, "pages/audit.html", context)

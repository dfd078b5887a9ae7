"""Published reviews: any signed-in user may list them and download their frozen documents (they are
public once published). A review's drafts and its anonymisation check are on its publication page."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ReviewId
from api.pages.common import PageRoute, PageUser, ServicesDep, render
from api.routes.reports import download
from findings.publication.render import DocumentKind, Format, filename

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/published")
def published(request: Request, services: ServicesDep, user: PageUser) -> Response:
    return render(request, "pages/published.html", {"items": services.reports.published(actor=user.id)})


@router.get("/published/{review_id}/{kind}/{fmt}")
def published_document(
    review_id: ReviewId,
    kind: Literal["full", "summary", "practitioner"],
    fmt: Literal["html", "pdf", "md", "docx"],
    services: ServicesDep,
    user: PageUser,
) -> Response:
    document = services.reports.published_document(
        actor=user.id, review_id=review_id, kind=DocumentKind(kind), fmt=Format(fmt)
    )
    return download(document, filename(DocumentKind(kind), Format(fmt)))

"""Pages for published documents (any signed-in user: they are public once published), a review's
draft documents (its members), and the anonymisation check (coordinator and chair)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ReviewId
from api.pages.common import PageRoute, PageUser, ServicesDep, render
from api.routes.reports import download
from findings.render import DocumentKind, Format, filename

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FORMATS = ("html", "pdf", "md")


@router.get("/published")
def published(request: Request, services: ServicesDep, user: PageUser) -> Response:
    return render(request, "pages/published.html", {"items": services.reports.published(actor=user.id)})


@router.get("/published/{review_id}/{kind}/{fmt}")
def published_document(
    review_id: ReviewId,
    kind: Literal["full", "summary", "practitioner"],
    fmt: Literal["html", "pdf", "md"],
    services: ServicesDep,
    user: PageUser,
) -> Response:
    document = services.reports.published_document(
        actor=user.id, review_id=review_id, kind=DocumentKind(kind), fmt=Format(fmt)
    )
    return download(document, filename(DocumentKind(kind), Format(fmt)))


@router.get("/reviews/{review_id}/documents/{kind}/{fmt}")
def draft_document(
    review_id: ReviewId,
    kind: Literal["full", "practitioner"],
    fmt: Literal["html", "pdf", "md"],
    services: ServicesDep,
    user: PageUser,
) -> Response:
    document = services.reports.document(
        review_id=review_id, actor=user.id, kind=DocumentKind(kind), fmt=Format(fmt)
    )
    return download(document, filename(DocumentKind(kind), Format(fmt)))


@router.get("/reviews/{review_id}/anonymisation")
def anonymisation(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    check = services.reports.anonymisation(review_id=review_id, actor=user.id)
    return render(
        request, "pages/anonymisation.html", {"review_id": review_id, "check": check, "formats": FORMATS}
    )

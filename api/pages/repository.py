"""The learning repository's page: search across every review the reader may see, with filters, a
page of results at a time, the words found marked (`findings.learning.repository`). A GET form, so
every search has an address."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.pages import forms
from api.pages.common import Form, PageRoute, PageUser, ServicesDep, attempt, render
from api.pages.learning import pagination
from findings.learning.repository import SearchFilters
from findings.learning.visibility import ROUTE_LABELS, regime_labels

router = APIRouter(route_class=PageRoute, include_in_schema=False)

RESULTS_PAGE = 20
FILTERS = ("q", "kind", "category", "theme", "factor", "regime", "route", "agency", "year")


@router.get("/repository")
def repository(
    request: Request, services: ServicesDep, user: PageUser, page: int = Query(1, ge=1, le=10_000)
) -> Response:
    form = Form.of(request.query_params)
    filters = forms.command(form, SearchFilters)
    searched = filters is not None and filters.active
    found, status = attempt(
        form,
        lambda: services.repository.search(
            actor=user.id, filters=filters, limit=RESULTS_PAGE, offset=(page - 1) * RESULTS_PAGE
        ),
    )
    choices = services.repository.choices(actor=user.id)
    query = {name: form.value(name) for name in FILTERS if form.value(name)}
    total = found.total if found else 0
    pages = max(1, -(-total // RESULTS_PAGE))
    return render(
        request,
        "pages/repository.html",
        {
            "form": form,
            "found": found,
            "searched": searched,
            "page": page,
            "pages": pages,
            "links": pagination("/repository", query, page, pages),
            "kinds": list(choices.kinds),
            "categories": list(choices.categories),
            "themes": list(choices.themes),
            "factors": list(choices.factors),
            "years": [(str(y), str(y)) for y in choices.years],
            "regimes": list(regime_labels().items()),
            "routes": list(ROUTE_LABELS.items()),
        },
        status=status or 200,
    )

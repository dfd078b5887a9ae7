"""Pages across reviews (DESIGN §6): trends (charts and their tables, each as a CSV download), the
board's actions across reviews (filtered, a page at a time, and as a CSV download), the board
briefing built from a selection and the partners' yearly report. What each shows is what the reader may see
(`findings.learning.visibility`); the filters are GET forms, so every view has an address."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.pages import forms
from api.pages.charts import Chart, stacked_bars
from api.pages.common import Form, PageRoute, PageUser, ServicesDep, attempt, render, with_query
from api.routes.reports import download
from api.wiring import Services
from findings.analysis.models import ACTION_STATUSES
from findings.learning.actions import ActionFilters
from findings.learning.selection import MAX_REVIEWS, Selection
from findings.learning.spreadsheet import MEDIA_TYPE, csv_text
from findings.learning.trends import TABLES, Trends, YearTable, csv_rows
from findings.learning.visibility import ROUTE_LABELS, ReviewFilters, regime_labels
from findings.learning.yearly import YearlyPeriod, YearlyReport
from findings.learning.yearly import filename as yearly_filename
from findings.publication.assemble import ACTION_STATUS_LABELS
from findings.publication.render import Format
from workflow.commands import Command
from workflow.errors import InvalidInput

router = APIRouter(route_class=PageRoute, include_in_schema=False)

C = TypeVar("C", bound=Command)
DocumentFormat = Literal["pdf", "html", "docx"]
DOCUMENT_FORMATS: tuple[DocumentFormat, ...] = ("pdf", "html", "docx")
ACTIONS_PAGE = 25


def _filters(request: Request, kind: type[C]) -> tuple[Form, C | None]:
    """The filters in the page's address as a command (None, with the problems in the form, when a
    filter cannot be read)."""
    form = Form.of(request.query_params)
    return form, forms.command(form, kind)


def _query(form: Form, *names: str) -> dict[str, str]:
    """The filters as they were given, for links that keep them (date inputs keep their parts)."""
    kept: dict[str, str] = {}
    for name in names:
        for key in (name, f"{name}-day", f"{name}-month", f"{name}-year"):
            if form.value(key):
                kept[key] = form.value(key)
    return kept


def _csv(rows: list[list[Any]], name: str) -> Response:
    return Response(
        csv_text(rows),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _downloads(path: str, query: Mapping[str, str]) -> dict[str, str]:
    """The addresses of a document made from the page's filters, in each format."""
    return {fmt: with_query(path, **query, format=fmt) for fmt in DOCUMENT_FORMATS}


def _options(values: Mapping[str, str]) -> list[tuple[str, str]]:
    return list(values.items())


REVIEW_FILTERS = ("year_from", "year_to", "regime", "route")


# ---- trends ------------------------------------------------------------------------------------------


def _chart(table: YearTable) -> Chart | None:
    rows = [(row.label, row.counts) for row in table.rows]
    return stacked_bars(f"chart-{table.key}", table.title, rows, [str(y) for y in table.years], table.unit)


def _charts(found: Trends) -> dict[str, Chart | None]:
    return {table.key: _chart(table) for table in (found.categories, found.themes, found.factors)}


@router.get("/trends")
def trends(request: Request, services: ServicesDep, user: PageUser) -> Response:
    form, filters = _filters(request, ReviewFilters)
    found, status = attempt(form, lambda: services.trends.trends(actor=user.id, filters=filters))
    years = found.years_available if found else services.trends.years(actor=user.id)
    query = _query(form, *REVIEW_FILTERS)
    return render(
        request,
        "pages/trends.html",
        {
            "form": form,
            "trends": found,
            "charts": _charts(found) if found else {},
            "years": [(str(y), str(y)) for y in years],
            "regimes": _options(regime_labels()),
            "routes": _options(ROUTE_LABELS),
            "filtered": bool(query),
            "csv": {key: with_query(f"/trends/{key}.csv", **query) for key in TABLES},
        },
        status=status or 200,
    )


@router.get("/trends/{table}.csv")
def trends_csv(
    request: Request,
    table: Literal["categories", "themes", "categories-themes", "factors"],
    services: ServicesDep,
    user: PageUser,
) -> Response:
    form, filters = _filters(request, ReviewFilters)
    if filters is None:
        raise InvalidInput(form.errors)
    found = services.trends.trends(actor=user.id, filters=filters)
    return _csv(csv_rows(found.table(table)), f"trends-{table}.csv")


# ---- actions across reviews --------------------------------------------------------------------------

ACTION_FILTERS = ("agency", "status", "overdue", "review_id", "due_from", "due_to")


@router.get("/actions")
def actions(
    request: Request,
    services: ServicesDep,
    user: PageUser,
    page: int = Query(1, ge=1, le=10_000),
) -> Response:
    form, filters = _filters(request, ActionFilters)
    found, status = attempt(
        form,
        lambda: services.actions.lines(
            actor=user.id, filters=filters, limit=ACTIONS_PAGE, offset=(page - 1) * ACTIONS_PAGE
        ),
    )
    for name in ("due_from", "due_to"):
        form.anchors.setdefault(name, f"{name}-day")
    query = _query(form, *ACTION_FILTERS)
    total = found.total if found else 0
    pages = max(1, -(-total // ACTIONS_PAGE))
    choices = services.actions.choices(actor=user.id)
    return render(
        request,
        "pages/actions.html",
        {
            "form": form,
            "found": found,
            "page": page,
            "pages": pages,
            "links": pagination("/actions", query, page, pages),
            "filtered": bool(query),
            "csv": with_query("/actions.csv", **query),
            "agencies": [(a, a) for a in choices.agencies],
            "reviews": [(str(rid), label) for rid, label in choices.reviews],
            "statuses": [(s, ACTION_STATUS_LABELS[s].capitalize()) for s in ACTION_STATUSES],
        },
        status=status or 200,
    )


@router.get("/actions.csv")
def actions_csv(request: Request, services: ServicesDep, user: PageUser) -> Response:
    form, filters = _filters(request, ActionFilters)
    if filters is None:
        raise InvalidInput(form.errors)
    return _csv(services.actions.csv_rows(actor=user.id, filters=filters), "actions.csv")


def pagination(path: str, query: Mapping[str, str], page: int, pages: int) -> dict[str, Any]:
    return {
        "previous": {"href": with_query(path, **query, page=page - 1)} if page > 1 else None,
        "next": {"href": with_query(path, **query, page=page + 1)} if page < pages else None,
        "items": [
            {"number": n, "href": with_query(path, **query, page=n), "current": n == page}
            for n in range(1, pages + 1)
        ],
    }


# ---- the board briefing built from a selection -------------------------------------------------------

SELECTION_FILTERS = ("theme", "year_from", "year_to", "route", "published_only")
DOCUMENT = "/briefings/selection/document"


@router.get("/briefings/selection")
def selection(request: Request, services: ServicesDep, user: PageUser) -> Response:
    choices = services.selections.choices(actor=user.id)  # NotPermitted for all but coordinators, chairs
    form, chosen = _filters(request, Selection)
    found, status = attempt(
        form, lambda: services.selections.reviews(actor=user.id, selection=chosen or Selection())
    )
    query = _query(form, *SELECTION_FILTERS)
    return render(
        request,
        "pages/selection.html",
        {
            "form": form,
            "found": found,
            "themes": _options(choices.themes),
            "years": [(str(y), str(y)) for y in choices.years],
            "routes": _options(ROUTE_LABELS),
            "filtered": bool(query),
            "too_many": found is not None and len(found) > MAX_REVIEWS,
            "max_reviews": MAX_REVIEWS,
            "download": _downloads("/briefings/selection/document", query),
        },
        status=status or 200,
    )


@router.get("/briefings/selection/document")
def selection_document(
    request: Request,
    services: ServicesDep,
    user: PageUser,
    format: DocumentFormat = "pdf",
) -> Response:
    form, chosen = _filters(request, Selection)
    if chosen is None:
        raise InvalidInput(form.errors)
    document = services.selections.briefing(actor=user.id, selection=chosen, fmt=Format(format))
    return download(document, f"board-briefing-selection.{format}")


# ---- the partners' yearly report ---------------------------------------------------------------------

YEARLY_FIELDS = ("start", "end")


def _date_parts(name: str, day: date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def _yearly_form(request: Request, services: Services) -> tuple[Form, YearlyPeriod | None]:
    """The period in the page's address, or the last financial year when none is given."""
    if not any(key.startswith(YEARLY_FIELDS) for key in request.query_params):
        default = services.yearly.default_period()
        form = Form.of(_date_parts("start", default.start) | _date_parts("end", default.end))
        return form, default
    return _filters(request, YearlyPeriod)


@router.get("/yearly-report")
def yearly_report(request: Request, services: ServicesDep, user: PageUser) -> Response:
    form, period = _yearly_form(request, services)

    def made() -> YearlyReport:
        assert period is not None  # forms.command answers None only with the problems in the form
        return services.yearly.report(actor=user.id, period=period)

    report, status = attempt(form, made)
    query = _query(form, *YEARLY_FIELDS)
    return render(
        request,
        "pages/yearly.html",
        {
            "form": form,
            "report": report,
            "download": _downloads("/yearly-report/document", query),
        },
        status=status or 200,
    )


@router.get("/yearly-report/document")
def yearly_document(
    request: Request, services: ServicesDep, user: PageUser, format: DocumentFormat = "pdf"
) -> Response:
    form, period = _yearly_form(request, services)
    if period is None:
        raise InvalidInput(form.errors)
    document = services.yearly.document(actor=user.id, period=period, fmt=Format(format))
    return download(document, yearly_filename(period, Format(format)))

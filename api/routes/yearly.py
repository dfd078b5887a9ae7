"""The safeguarding partners' yearly report (coordinators and chairs): what the reviews the caller may
see did in a period, as JSON or as a document (HTML, PDF, Word)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import ValidationError

from api.deps import CurrentUser, ServicesDep
from api.errors import documented
from api.routes.reports import DOCUMENT_RESPONSES, download
from api.schemas.reports import YearlyReportOut
from api.wiring import Services
from findings.learning.yearly import YearlyPeriod, filename
from findings.publication.render import Format
from workflow.commands import invalid_input

router = APIRouter(tags=["reports"])

Start = Annotated[
    date | None,
    Query(description="The first day (YYYY-MM-DD). Default: the last 1 April to 31 March to have ended."),
]
End = Annotated[date | None, Query(description="The last day (YYYY-MM-DD), on or after the first.")]


def _period(services: Services, start: date | None, end: date | None) -> YearlyPeriod:
    """The period asked for; a day not given is the default period's (the last financial year)."""
    default = services.yearly.default_period()
    try:
        return YearlyPeriod(start=start or default.start, end=end or default.end)
    except ValidationError as error:  # a day outside the years a review can have
        raise invalid_input(error) from None


@router.get("/yearly-report", response_model=YearlyReportOut, responses=documented(401, 403, 422))
def yearly_report(
    services: ServicesDep, caller: CurrentUser, start: Start = None, end: End = None
) -> YearlyReportOut:
    """The reviews started, decided, completed and published in the period, the themes of their
    findings and the progress of their actions (coordinators and chairs; 403 for others)."""
    return YearlyReportOut.of(services.yearly.report(actor=caller.id, period=_period(services, start, end)))


@router.get(
    "/yearly-report/document", response_class=Response, responses={**DOCUMENT_RESPONSES, **documented(403)}
)
def yearly_document(
    services: ServicesDep,
    caller: CurrentUser,
    start: Start = None,
    end: End = None,
    fmt: Annotated[
        Literal["html", "pdf", "docx"], Query(alias="format", description="html, pdf or docx (Word).")
    ] = "html",
) -> Response:
    """The yearly report as a document to send to the partners."""
    period = _period(services, start, end)
    document = services.yearly.document(actor=caller.id, period=period, fmt=Format(fmt))
    return download(document, filename(period, Format(fmt)))

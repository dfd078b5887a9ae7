"""The learning repository's pages: search across every review the reader may see, with filters, a
page of results at a time, the words found marked (`findings.learning.repository`), a GET form so
every search has an address; and the catalogue of reviews published elsewhere, with its CSV upload
for coordinators and chairs (`findings.learning.catalogue`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.auth import Caller
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
    uploaded_file,
)
from api.pages.learning import pagination
from api.wiring import Services
from findings.analysis.chronology import CsvImportError
from findings.analysis.themes import vocabulary_of
from findings.learning.catalogue import COLUMNS, CatalogueImport
from findings.learning.repository import SearchFilters
from findings.learning.visibility import ROUTE_LABELS, regime_labels
from workflow.commands import MAX_ID
from workflow.errors import InvalidInput

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


# ---- reviews published elsewhere -----------------------------------------------------------------

EXTERNAL_PAGE = 50


def _external_page(
    request: Request,
    services: Services,
    user: Caller,
    page: int,
    *,
    upload_form: Form | None = None,
    problems: CsvImportError | None = None,
    status: int = 200,
) -> Response:
    found = services.catalogue.list(actor=user.id, limit=EXTERNAL_PAGE, offset=(page - 1) * EXTERNAL_PAGE)
    pages = max(1, -(-found.total // EXTERNAL_PAGE))
    with services.reviews.session(read_only=True) as session:
        themes = vocabulary_of(session)
    return render(
        request,
        "pages/external_reviews.html",
        {
            "found": found,
            "page": page,
            "pages": pages,
            "links": pagination("/repository/external", {}, page, pages),
            "themes": themes,
            "keeper": services.catalogue.may_keep(actor=user.id),
            "upload_form": upload_form or Form(),
            "problems": problems.problems if problems else (),
            "more_problems": problems.more if problems else 0,
            "columns": COLUMNS,
        },
        status=status,
    )


@router.get("/repository/external")
def external_reviews(
    request: Request, services: ServicesDep, user: PageUser, page: int = Query(1, ge=1, le=10_000)
) -> Response:
    return _external_page(request, services, user, page)


@router.post("/repository/external/upload", dependencies=[CsrfChecked])
async def upload_external_reviews(
    request: Request, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    form.anchors["csv_file"] = "csv_file"
    data = await uploaded_file(submitted, "csv_file")
    if data is None:
        form.fail("csv_file", "Choose a CSV file to upload.")
        return _external_page(request, services, user, 1, upload_form=form, status=422)
    refused: list[CsvImportError] = []

    def change() -> CatalogueImport:
        try:
            return services.catalogue.import_csv(actor=user.id, data=data)
        except CsvImportError as error:
            refused.append(error)
            count = len(error.problems) + error.more
            raise InvalidInput(
                {"csv_file": f"The file was not imported: {count} problem(s) to fix. Nothing was saved."}
            ) from None

    result, status = attempt(form, change)
    if result is None:
        problems = refused[0] if refused else None
        return _external_page(request, services, user, 1, upload_form=form, problems=problems, status=status)
    return redirect(
        "/repository/external",
        flash=f"{result.added} new review(s) published elsewhere imported, {result.updated} updated.",
    )


@router.post("/repository/external/{external_id}/remove", dependencies=[CsrfChecked])
def remove_external_review(
    external_id: Annotated[int, Path(ge=1, le=MAX_ID)], services: ServicesDep, user: PageUser
) -> Response:
    found = services.catalogue.get(actor=user.id, external_id=external_id)
    services.catalogue.remove(actor=user.id, external_id=external_id)
    return redirect("/repository/external", flash=f"“{found.title}” was taken out of the catalogue.")

"""The learning repository over HTTP: full-text search across every review the caller may see
(`findings.learning.repository`), and the catalogue of reviews published elsewhere
(`findings.learning.catalogue`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile, status
from pydantic import ValidationError

from api.deps import CurrentUser, Limit, Offset, ServicesDep
from api.errors import documented
from api.routes.narratives import CSV_TYPES, MAX_UPLOAD_BYTES
from api.schemas.repository import (
    CatalogueImportOut,
    ExternalReviewList,
    ExternalReviewOut,
    HitOut,
    SearchResults,
)
from findings.analysis.findings import Category
from findings.learning.repository import EntryKind, SearchFilters
from findings.learning.visibility import RegimeKey, ReviewRoute
from workflow.commands import MAX_ID, invalid_input
from workflow.errors import InvalidInput

router = APIRouter(tags=["learning repository"])


@router.get("/repository", response_model=SearchResults, responses=documented(401, 422))
def search_repository(
    services: ServicesDep,
    caller: CurrentUser,
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            description='Words to find: "a phrase" in quotes, OR between two, -word to leave out.',
        ),
    ] = None,
    kind: Annotated[EntryKind | None, Query(description="Only this kind of entry.")] = None,
    category: Annotated[Category | None, Query(description="The finding category.")] = None,
    theme: Annotated[str | None, Query(max_length=100, description="A theme key.")] = None,
    factor: Annotated[
        str | None, Query(max_length=200, description="A factor category as framework/level/category.")
    ] = None,
    regime: Annotated[RegimeKey | None, Query(description="wt2010 or wt2023.")] = None,
    route: Annotated[ReviewRoute | None, Query(description="statutory or learning.")] = None,
    agency: Annotated[
        str | None, Query(max_length=200, description="An agency (case does not matter).")
    ] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100, description="The review's year.")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> SearchResults:
    """Findings, questions for the board, board responses, episodes, factors and published reports of
    the reviews you are a member of (drafts included) and of every published review, and reviews
    published elsewhere: best match first when `q` is given, else the newest first. An admin finds
    only what is in the reviews they are a member of."""
    given = {
        "q": q,
        "kind": kind,
        "category": category,
        "theme": theme,
        "factor": factor,
        "regime": regime,
        "route": route,
        "agency": agency,
        "year": year,
    }
    try:
        filters = SearchFilters.model_validate(given)
    except ValidationError as error:
        raise invalid_input(error) from None
    found = services.repository.search(actor=caller.id, filters=filters, limit=limit, offset=offset)
    return SearchResults(items=[HitOut.of(hit) for hit in found.items], total=found.total)


# ---- reviews published elsewhere -----------------------------------------------------------------

ExternalId = Annotated[int, Path(ge=1, le=MAX_ID, description="The id of the review published elsewhere.")]


@router.get("/external-reviews", response_model=ExternalReviewList, responses=documented(401, 422))
def list_external_reviews(
    services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> ExternalReviewList:
    """The catalogue of reviews published elsewhere, newest first (an admin: none)."""
    found = services.catalogue.list(actor=caller.id, limit=limit, offset=offset)
    return ExternalReviewList(items=[ExternalReviewOut.of(r) for r in found.items], total=found.total)


@router.post(
    "/external-reviews/import",
    response_model=CatalogueImportOut,
    responses=documented(401, 403, 422),
)
def import_external_reviews(
    file: Annotated[
        UploadFile, File(description="The catalogue as CSV (UTF-8; see docs/learning-repository.md).")
    ],
    services: ServicesDep,
    caller: CurrentUser,
) -> CatalogueImportOut:
    """Import a catalogue of reviews published elsewhere (coordinators and chairs; multipart, field
    `file`): columns title, partnership, year, themes (keys or names, separated by `;`),
    learning_summary, link. All or nothing: a file with any bad row is refused (422) with every
    problem in `errors`, keyed `line N, column`. A link already in the catalogue updates that review."""
    content_type = (file.content_type or "").split(";")[0].strip().lower()
    if content_type not in CSV_TYPES:
        raise InvalidInput({"file": "Upload the catalogue as a CSV file (text/csv)."})
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput({"file": f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."})
    result = services.catalogue.import_csv(actor=caller.id, data=data)
    return CatalogueImportOut(added=result.added, updated=result.updated)


@router.get(
    "/external-reviews/{external_id}", response_model=ExternalReviewOut, responses=documented(401, 404, 422)
)
def get_external_review(
    external_id: ExternalId, services: ServicesDep, caller: CurrentUser
) -> ExternalReviewOut:
    """One review published elsewhere."""
    return ExternalReviewOut.of(services.catalogue.get(actor=caller.id, external_id=external_id))


@router.delete(
    "/external-reviews/{external_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=documented(401, 403, 404, 422),
)
def remove_external_review(external_id: ExternalId, services: ServicesDep, caller: CurrentUser) -> Response:
    """Take a review out of the catalogue, and out of the repository (coordinators and chairs)."""
    services.catalogue.remove(actor=caller.id, external_id=external_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

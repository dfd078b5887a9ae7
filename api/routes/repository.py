"""The learning repository over HTTP: full-text search across every review the caller may see
(`findings.learning.repository`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import ValidationError

from api.deps import CurrentUser, Limit, Offset, ServicesDep
from api.errors import documented
from api.schemas.repository import HitOut, SearchResults
from findings.analysis.findings import Category
from findings.learning.repository import EntryKind, SearchFilters
from findings.learning.visibility import RegimeKey, ReviewRoute
from workflow.commands import invalid_input

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

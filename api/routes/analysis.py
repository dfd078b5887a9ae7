"""The analysis of a review over HTTP (issue 4): narratives, conversations, episodes, factors, panel
analyses, good practice, findings, the board's response and actions, themes and quality warnings.
Thin routes over the analysis services (`findings/analysis/<aggregate>.py`), with the conventions of
the rest of the API."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

from api.routes import (
    PREFIX,
    board,
    conversations,
    episodes,
    factors,
    family,
    findings,
    good_practice,
    lens,
    narratives,
    panel,
    themes,
    warnings,
)

MODULES = (
    narratives,
    conversations,
    episodes,
    factors,
    panel,
    good_practice,
    family,
    findings,
    board,
    themes,
    warnings,
    lens,
)


def analysis_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    for module in MODULES:
        router.include_router(module.router)
    return router


def analysis_routes() -> set[tuple[str, str]]:
    """(method, path) of every analysis route, as the app declares it."""
    return {
        (method, PREFIX + route.path)
        for module in MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }

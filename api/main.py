"""The FastAPI application: the JSON API under /api/v1, its docs, health, security headers and logs.

`create_app` is the app factory: `tunnelview serve` gives uvicorn the import string
`api.main:create_app` (with `factory=True`), so every worker process builds its own app, services and
database pool from the settings in its environment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy import text
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import background, errors, memory
from api.middleware import RequestLog, SecurityHeaders, ServerErrors
from api.pages import pages_router
from api.routes import PREFIX, api_router, notifications, published, register, reports, yearly
from api.routes.analysis import analysis_router
from api.wiring import Services, get_services
from workflow import migrate


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]


class Liveness(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    database: Literal["ok", "unreachable"]
    migrations: Literal["at_head", "not_at_head", "unknown"]


STATIC = Path(__file__).parent / "static"
# The threads a worker runs its (sync) routes in at once: anyio's default is 40, but a request works
# with one of the database pool's 15 connections (SQLAlchemy's default: 5 and 10 overflow), so threads
# beyond 15 would only wait for a connection, each holding its stack and its own malloc arena.
REQUEST_THREADS = 15
SWAGGER_UI = "/static/swagger-ui"  # vendored (scripts/vendor_swagger_ui.py): /docs works offline

DOCS_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Tunnelview API</title>
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""

DESCRIPTION = """The JSON API of Tunnelview. Sign in at `POST /api/v1/auth/token` and send the token as
`Authorization: Bearer <token>`. You see only reviews you are a member of. Every change to a review
needs `If-Match` with the review's ETag. Errors are RFC 9457 problem details. See docs/api.md."""


def operation_id(route: APIRoute) -> str:
    """An operation's id is its route function's name (`fire_trigger`), unique across the API (a test
    checks it), so generated clients read as names."""
    return route.name


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """A worker's start and stop: limit its request threads, start background work (an outbox sender,
    a reminder loop, giving freed memory back: api/memory.py) before the `yield`, stop it after. The
    worker's database pool is closed last."""
    services: Services = app.state.services
    threads = anyio.to_thread.current_default_thread_limiter()
    threads.total_tokens = REQUEST_THREADS
    with memory.releasing(busy=lambda: threads.borrowed_tokens > 0):
        async with background.lifespan(app):
            yield
    services.engine.dispose()


def create_app(services: Services | None = None) -> FastAPI:
    services = services or get_services()
    services.settings.check_safe_to_serve()
    app = FastAPI(
        title="Tunnelview",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
    )
    app.state.services = services
    errors.install(app)
    app.include_router(api_router())
    app.include_router(analysis_router())
    for publication in (reports, register, published, yearly):  # reports, the register, publications
        app.include_router(publication.router, prefix=PREFIX)
    app.include_router(notifications.feed_router)  # at its secret address, outside /api/v1
    app.include_router(pages_router())
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(ServerErrors)  # innermost: its 500 still gets the headers and the log line
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog)
    proxies = services.settings.trusted_proxy_networks()
    if proxies:  # outermost: the log, the login lock and HSTS see the client's address and scheme
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    install_health(app, services)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            app.openapi_schema = problems_as_problem_json(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def install_health(app: FastAPI, services: Services) -> None:
    """Liveness (`/livez`: the process answers), readiness (`/readyz`: the database answers and its
    migrations are at this code's head, so a new version waits for `tunnelview db upgrade`) and the
    older `/healthz` (the database answers)."""
    expected = migrate.heads()

    @app.get("/livez", tags=["operations"], response_model=Liveness)
    def livez() -> Liveness:
        """Liveness: the worker answers. Touches nothing else, so a slow database never restarts it."""
        return Liveness(status="ok")

    @app.get(
        "/readyz",
        tags=["operations"],
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "Not ready: the database or its migrations."}},
    )
    def readyz() -> Readiness | JSONResponse:
        """Readiness: the database answers and is migrated to the revision this code expects."""
        try:
            with services.engine.connect() as connection:
                at = migrate.current(connection)
        except Exception:
            return _not_ready(Readiness(status="not_ready", database="unreachable", migrations="unknown"))
        if at != expected:
            return _not_ready(Readiness(status="not_ready", database="ok", migrations="not_at_head"))
        return Readiness(status="ready", database="ok", migrations="at_head")

    @app.get(
        "/healthz",
        tags=["operations"],
        response_model=Health,
        responses={503: {"model": Health, "description": "The database cannot be reached."}},
    )
    def healthz() -> Health | JSONResponse:
        """The database answers (kept for existing monitors; /readyz also checks the migrations)."""
        try:
            with services.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            down = Health(status="unavailable", database="unreachable")
            return JSONResponse(down.model_dump(), status_code=503)
        return Health(status="ok", database="ok")


def _not_ready(readiness: Readiness) -> JSONResponse:
    return JSONResponse(readiness.model_dump(), status_code=503)


def problems_as_problem_json(schema: dict[str, Any]) -> dict[str, Any]:
    """Every error answer is `application/problem+json` with the Problem schema (FastAPI would say
    `application/json`, and its own 422 schema)."""
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status.startswith("4"):
                    response["content"] = {errors.PROBLEM_MEDIA_TYPE: problem}
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema

"""The FastAPI application: the JSON API under /api/v1, its docs, health, security headers and logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy import text

from api import background, errors
from api.middleware import RequestLog, SecurityHeaders, ServerErrors
from api.pages import pages_router
from api.routes import PREFIX, api_router, notifications, published, register, reports
from api.routes.analysis import analysis_router
from api.wiring import Services, get_services


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]


STATIC = Path(__file__).parent / "static"
SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"

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
        lifespan=background.lifespan,
    )
    app.state.services = services
    errors.install(app)
    app.include_router(api_router())
    app.include_router(analysis_router())
    for publication in (reports, register, published):  # reports, the sealed register, publications
        app.include_router(publication.router, prefix=PREFIX)
    app.include_router(notifications.feed_router)  # at its secret address, outside /api/v1
    app.include_router(pages_router())
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(ServerErrors)  # innermost: its 500 still gets the headers and the log line
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog)

    @app.get(
        "/healthz",
        tags=["operations"],
        response_model=Health,
        responses={503: {"model": Health, "description": "The database cannot be reached."}},
    )
    def healthz() -> Health | JSONResponse:
        """Liveness and database reachability."""
        try:
            with services.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            down = Health(status="unavailable", database="unreachable")
            return JSONResponse(down.model_dump(), status_code=503)
        return Health(status="ok", database="ok")

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

"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.wiring import Services, get_services


def create_app(services: Services | None = None) -> FastAPI:
    services = services or get_services()
    services.settings.check_safe_to_serve()
    app = FastAPI(title="Tunnelview", version="0.1.0")
    app.state.services = services

    @app.get("/healthz", tags=["operations"])
    def healthz() -> JSONResponse:
        """Liveness and database reachability."""
        try:
            with services.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return app

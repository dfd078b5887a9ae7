"""ASGI middleware: security headers on every answer, and one line per request in the log.

Pure ASGI (no BaseHTTPMiddleware), so answers stream through untouched apart from their headers.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem

# No inline script or style anywhere, nothing from another origin, no framing.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# The API docs page too: Swagger UI is served from /static/swagger-ui (vendored), started by docs.js.
# Public, unchanging answers that a cache may keep; everything else (review data above all) is no-store.
CACHEABLE_PREFIXES = ("/static/",)
CACHEABLE_PATHS = frozenset({"/openapi.json", "/docs"})

HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = STRICT_CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                if https:
                    headers["Strict-Transport-Security"] = HSTS
                if path not in CACHEABLE_PATHS and not path.startswith(CACHEABLE_PREFIXES):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ServerErrors:
    """Innermost: an unexpected exception becomes a 500 problem here, inside the other middleware, so
    even that answer carries the security headers and is logged. The exception is logged, never sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            error_log.exception("Unexpected error answering %s %s", scope["method"], scope["path"])
            if started:
                raise
            response = problem(500, "internal-error", "Internal error", "Something went wrong on our side.")
            await response(scope, receive, send)


error_log = logging.getLogger("tunnelview.errors")
access_log = logging.getLogger("tunnelview.access")


class RequestLog:
    """One line per request: method, path, status, duration and user id (as the record's `request`,
    which api.logs writes as JSON fields). Never the query string, headers or bodies, so no review text,
    name or token reaches the log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before answering

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            state: dict[str, Any] = scope.get("state") or {}
            request = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": state.get("user_id"),
            }
            user = f" user {request['user_id']}" if request["user_id"] is not None else ""
            access_log.info(
                "%s %s %s %s ms%s",
                scope["method"],
                scope["path"],
                status,
                request["duration_ms"],
                user,
                extra={"request": request},
            )

"""Every error answer of the API, in one place: RFC 9457 problem details (`application/problem+json`).

Domain errors (`workflow.errors`) and the API's own problems (authentication, preconditions,
sign-in limits, invalid requests) map to a status, a stable `type` and a `title` here and nowhere
else. Bodies carry `reasons` for a refused trigger and `errors` (field -> what to fix) for invalid
input. Nothing a client sends is ever echoed back in an error, and nothing a client can send
produces a 500 (an unexpected error becomes a 500 problem in `api.middleware.ServerErrors`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from api.auth import LoginLocked, LoginRefused, PasswordSignInOff
from api.schemas.problem import Problem
from findings.errors import StaleObject
from workflow.errors import DomainError, InvalidInput, NotFound, NotPermitted, StaleReview, TriggerRefused

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:tunnelview:problem:"


class ApiProblem(Exception):
    """A problem the API itself detects (not a domain error)."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.kind = kind
        self.title = title or HTTPStatus(status).phrase
        self.detail = detail
        self.headers = dict(headers or {})
        super().__init__(detail)


def not_authenticated(detail: str = "Sign in first: send 'Authorization: Bearer <token>'.") -> ApiProblem:
    return ApiProblem(
        401, "not-authenticated", detail, title="Not authenticated", headers={"WWW-Authenticate": "Bearer"}
    )


def precondition_required(what: str = "the review") -> ApiProblem:
    return ApiProblem(
        428,
        "if-match-required",
        f'Send the ETag of {what} in an If-Match header (for example If-Match: "3"), '
        "so a change never overwrites someone else's.",
        title="If-Match required",
    )


def precondition_failed(detail: str) -> ApiProblem:
    return ApiProblem(412, "stale", detail, title="The review has changed")


# Domain error -> (status, type, title). Subclasses are looked up through their bases.
DOMAIN_PROBLEMS: dict[type[DomainError], tuple[int, str, str]] = {
    NotFound: (404, "not-found", "Not found"),
    NotPermitted: (403, "not-permitted", "Not permitted"),
    StaleReview: (412, "stale", "The review has changed"),
    TriggerRefused: (409, "trigger-refused", "Refused"),
    InvalidInput: (422, "invalid-input", "Invalid input"),
}


DESCRIPTIONS = {
    401: "Not authenticated: no token, or it has expired or been revoked, or the account is inactive.",
    403: "Authenticated, but your role may not do this.",
    404: "Not found, or you are not a member of this review (the two are never told apart).",
    409: "A trigger or change was refused: `reasons` lists every unmet condition.",
    412: "If-Match names a version that is no longer current: reload and try again.",
    422: "The request is not valid: `errors` names each field and what to fix.",
    428: "A change needs an If-Match header with the ETag of what it changes.",
    429: "Too many failed sign-ins: wait for the time given in Retry-After.",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the problems a route can answer (all `application/problem+json`)."""
    return {status: {"model": Problem, "description": DESCRIPTIONS[status]} for status in statuses}


def problem(
    status: int,
    kind: str,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    reasons: Sequence[str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"type": TYPE_PREFIX + kind, "title": title, "status": status, "detail": detail}
    if reasons is not None:
        body["reasons"] = list(reasons)
    if errors is not None:
        body["errors"] = dict(errors)
    # ASCII-escaped, so no character can fail to encode.
    content = json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return Response(content, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE)


def domain_problem(error: DomainError) -> Response:
    for cls in type(error).__mro__:
        if cls in DOMAIN_PROBLEMS:
            status, kind, title = DOMAIN_PROBLEMS[cls]
            break
    else:
        status, kind, title = 400, "bad-request", "Bad request"
    if isinstance(error, StaleObject):
        title = f"The {error.kind} has changed"
    if isinstance(error, TriggerRefused):
        return problem(status, kind, title, str(error), reasons=error.reasons)
    if isinstance(error, InvalidInput):
        detail = "Some fields are not valid: " + ", ".join(error.errors) + "."
        return problem(status, kind, title, detail, errors=error.errors)
    return problem(status, kind, title, str(error))


def _field(loc: Sequence[str | int]) -> str:
    """`("body", "incident", "outcome")` -> `incident.outcome`; `("query", "limit")` -> `limit`."""
    parts = [str(part) for part in loc]
    if len(parts) > 1 and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_problem(error: RequestValidationError) -> Response:
    errors: dict[str, str] = {}
    for item in error.errors():
        field = _field(item.get("loc", ()))
        message = str(item.get("msg", "Invalid value."))  # never item["input"]: it may be a password
        errors[field] = f"{errors[field]} {message}" if field in errors else message
    detail = "Some fields are not valid: " + ", ".join(errors) + "."
    return problem(422, "invalid-input", "Invalid input", detail, errors=errors)


def install(app: FastAPI) -> None:
    """Register the one mapping on `app`."""

    @app.exception_handler(DomainError)
    def _domain(_request: Request, error: DomainError) -> Response:
        return domain_problem(error)

    @app.exception_handler(ApiProblem)
    def _api(_request: Request, error: ApiProblem) -> Response:
        return problem(error.status, error.kind, error.title, error.detail, headers=error.headers)

    @app.exception_handler(LoginRefused)
    def _refused(_request: Request, error: LoginRefused) -> Response:
        return problem(
            401, "login-refused", "Sign-in refused", str(error), headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception_handler(PasswordSignInOff)
    def _passwords_off(_request: Request, error: PasswordSignInOff) -> Response:
        return problem(403, "password-sign-in-off", "Password sign-in is turned off", str(error))

    @app.exception_handler(LoginLocked)
    def _locked(_request: Request, error: LoginLocked) -> Response:
        minutes = (error.retry_after_seconds + 59) // 60
        return problem(
            429,
            "login-locked",
            "Too many failed sign-ins",
            f"Too many failed sign-ins for this account or from this address. Try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}.",
            headers={"Retry-After": str(error.retry_after_seconds)},
        )

    @app.exception_handler(RequestValidationError)
    def _invalid(_request: Request, error: RequestValidationError) -> Response:
        return validation_problem(error)

    @app.exception_handler(StarletteHTTPException)
    def _http(_request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 400:  # the framework could not parse the body (e.g. not UTF-8)
            detail = error.detail if isinstance(error.detail, str) else "The body cannot be read."
            return problem(422, "invalid-input", "Invalid input", detail, errors={"body": detail})
        phrase = HTTPStatus(error.status_code).phrase
        detail = error.detail if isinstance(error.detail, str) else phrase
        kind = phrase.lower().replace(" ", "-").replace("'", "")
        return problem(error.status_code, kind, phrase, detail, headers=error.headers)

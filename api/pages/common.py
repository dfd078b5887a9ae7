"""What every page route shares: who is signed in, CSRF, the submitted form, rendering, redirects
with a one-time message, and the friendly error pages (403, 404, 409, 412, 422).

Page routes are thin: parse the form, call a service, render or redirect (303 after every POST).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, unquote, urlencode

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.datastructures import FormData, UploadFile

from api.auth import SESSION_COOKIE, Caller, csrf_token
from api.deps import ServicesDep, require_csrf, session_user
from api.errors import ApiProblem
from api.pages.templating import environment
from api.wiring import Services
from workflow.errors import DomainError, InvalidInput, NotFound, NotPermitted, StaleReview, TriggerRefused

T = TypeVar("T")

FLASH_COOKIE = "tunnelview_flash"
PRESESSION_COOKIE = "tunnelview_presession"  # carries the sign-in form's CSRF token before a session exists


class SignInRequired(Exception):
    """The page needs a signed-in person."""


# ---- who is asking -----------------------------------------------------------------------------------
# `async def`: they read only the request (see api.deps.get_services).


async def optional_user(
    request: Request, caller: Annotated[Caller | None, Depends(session_user)]
) -> Caller | None:
    request.state.page_user = caller
    return caller


async def page_user(caller: Annotated[Caller | None, Depends(optional_user)]) -> Caller:
    if caller is None:
        raise SignInRequired()
    return caller


MaybeUser = Annotated[Caller | None, Depends(optional_user)]
PageUser = Annotated[Caller, Depends(page_user)]


async def admin_page_user(caller: PageUser) -> Caller:
    if caller.global_role != "admin":
        raise NotPermitted("Only an admin may manage user accounts.")
    return caller


AdminPageUser = Annotated[Caller, Depends(admin_page_user)]


async def submitted_form(request: Request) -> FormData:
    """The submitted form (parsed once; `require_csrf` reads the same parse)."""
    return await request.form(max_part_size=2 * 1024 * 1024)


# Every POST page route depends on this, so no state-changing page request works without its CSRF token.
CsrfChecked = Depends(require_csrf)
Submitted = Annotated[FormData, Depends(submitted_form)]


# ---- forms ---------------------------------------------------------------------------------------------


@dataclass
class Form:
    """A form's values (as typed, so a refused or stale form comes back filled in) and its errors."""

    data: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    anchors: dict[str, str] = field(default_factory=dict)  # error key -> id of the field it is about
    stale: bool = False  # someone else changed the review (or the object) first

    @classmethod
    def of(cls, submitted: FormData | Mapping[str, Any] | None = None, /, **defaults: Any) -> Form:
        """From a submitted form, or from the values a page starts with."""
        data: dict[str, list[str]] = {}
        for name, value in defaults.items():
            data[name] = _as_list(value)
        if isinstance(submitted, FormData):
            for name in submitted:
                values = [v for v in submitted.getlist(name) if isinstance(v, str)]
                if values or name not in data:
                    data[name] = values
        elif submitted:
            for name, value in submitted.items():
                data[name] = _as_list(value)
        data.pop("csrf_token", None)
        return cls(data)

    def value(self, name: str) -> str:
        values = self.data.get(name) or [""]
        return values[0]

    def values(self, name: str) -> list[str]:
        return [v for v in self.data.get(name, []) if v != ""]

    def has(self, name: str, value: str) -> bool:
        return value in self.data.get(name, [])

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def absorb(self, error: InvalidInput, renames: Mapping[str, str] | None = None) -> None:
        """Take a service's field errors, under the form's own field names."""
        for key, message in error.errors.items():
            self.fail((renames or {}).get(key, key), message)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_list(self) -> list[dict[str, str]]:
        return [
            {"text": message, "href": "#" + self.anchors.get(key, _field_id(key))}
            for key, message in self.errors.items()
        ]

    # ---- parsing typed values --------------------------------------------------------------------

    def text(self, name: str, *, required: str | None = None) -> str:
        value = self.value(name).strip()
        if required and not value:
            self.fail(name, required)
        return value

    def lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.value(name).splitlines() if line.strip()]

    def date(self, name: str, *, required: str | None = None) -> date | None:
        """A GOV.UK date input: fields `<name>-day`, `<name>-month`, `<name>-year`."""
        parts = [self.value(f"{name}-{part}").strip() for part in ("day", "month", "year")]
        self.anchors.setdefault(name, f"{name}-day")
        if not any(parts):
            if required:
                self.fail(name, required)
            return None
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            self.fail(name, "Enter a real date, for example 27 3 2026.")
            return None
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.fail(name, "Enter a real date, for example 27 3 2026.")
            return None

    def choice(self, name: str, options: Iterable[str], *, required: str | None = None) -> str | None:
        value = self.value(name)
        if value == "":
            if required:
                self.fail(name, required)
            return None
        if value not in set(options):
            self.fail(name, "Choose one of the options.")
            return None
        return value

    def ints(self, name: str) -> list[int]:
        out = []
        for value in self.values(name):
            if value.isdigit() and len(value) < 10:
                out.append(int(value))
            else:
                self.fail(name, "Choose from the list.")
        return out

    def version(self, name: str = "version") -> int | None:
        value = self.value(name)
        return int(value) if value.isdigit() and len(value) < 10 else None


def attempt(
    form: Form, change: Callable[[], T], renames: Mapping[str, str] | None = None
) -> tuple[T | None, int]:
    """Make a change with a form's input: (result, 0) when done; otherwise (None, status) with the
    reasons in the form (422 invalid, 409 refused at this stage, 412 someone else changed it first)."""
    if not form.ok:
        return None, 422
    try:
        return change(), 0
    except StaleReview:
        form.stale = True
        return None, 412
    except TriggerRefused as refused:
        for reason in refused.reasons:
            form.fail("form", reason)
        form.anchors.setdefault("form", "main-content")
        return None, 409
    except InvalidInput as error:
        form.absorb(error, renames)
        return None, 422


def date_fields(name: str, value: date | None) -> dict[str, str]:
    """The three fields of a GOV.UK date input for a stored date."""
    if value is None:
        return {}
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["yes"] if value else []
    return [str(value)]


_ID_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _field_id(key: str) -> str:
    return _ID_SAFE.sub("-", key).strip("-") or "main-content"


async def uploaded_file(form: FormData, name: str) -> bytes | None:
    upload = form.get(name)
    if isinstance(upload, UploadFile) and upload.filename:
        return await upload.read()
    return None


# ---- rendering -----------------------------------------------------------------------------------------


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def csrf_for(request: Request) -> str:
    services = services_of(request)
    token = request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRESESSION_COOKIE) or ""
    return csrf_token(services.settings.secret_key.get_secret_value(), token) if token else ""


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    flash = request.cookies.get(FLASH_COOKIE)
    values = {
        "user": getattr(request.state, "page_user", None),
        "csrf": csrf_for(request),
        "path": request.url.path,
        "flash": unquote(flash)[:300] if flash else None,
        **(context or {}),
    }
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(url: str, *, flash: str | None = None) -> RedirectResponse:
    """Redirect after a POST (303), with a one-time message for the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(FLASH_COOKIE, quote(flash), max_age=120, path="/", httponly=True, samesite="lax")
    return response


def with_query(path: str, **params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}
    return f"{path}?{urlencode(kept)}" if kept else path


def safe_next(value: str | None) -> str:
    """Only a path on this site (never `//elsewhere` or `https://elsewhere`)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/reviews"


# ---- friendly error pages ------------------------------------------------------------------------------


def error_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    *,
    reasons: Sequence[str] = (),
    back: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "pages/error.html",
        {"status": status, "title": title, "message": message, "reasons": list(reasons), "back": back},
        status=status,
    )


def _review_url(request: Request) -> str | None:
    review_id = request.path_params.get("review_id")
    return f"/reviews/{review_id}" if review_id is not None else None


def page_error(request: Request, error: Exception) -> Response:
    if isinstance(error, SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(with_query("/sign-in", next=target), status_code=303)
    if isinstance(error, ApiProblem) and error.kind == "csrf":
        return error_page(
            request,
            403,
            "This form has expired",
            "The form was not sent from an open Tunnelview page, or your session has changed since it "
            "was opened. Nothing was saved. Go back, reload the page and try again.",
            back=_review_url(request),
        )
    if isinstance(error, RequestValidationError | NotFound):
        return error_page(
            request,
            404,
            "Page not found",
            "There is no such page, or it is part of a review you are not a member of. Reviews are shown "
            "only to their members.",
            back="/reviews",
        )
    if isinstance(error, NotPermitted):
        return error_page(
            request,
            403,
            "You cannot do this",
            f"{error} Ask the review coordinator if you think you should.",
            back=_review_url(request),
        )
    if isinstance(error, StaleReview):
        return error_page(
            request,
            412,
            "Someone else changed this review",
            "The review changed while you were working on it, so your change was not saved. Open the "
            "review again to see what changed, then make your change again.",
            back=_review_url(request),
        )
    if isinstance(error, TriggerRefused):
        return error_page(
            request,
            409,
            "This cannot be done yet",
            "The change was refused, and nothing was saved, because:",
            reasons=error.reasons,
            back=_review_url(request),
        )
    if isinstance(error, InvalidInput):
        return error_page(
            request,
            422,
            "Some of what was sent cannot be accepted",
            "Nothing was saved.",
            reasons=list(error.errors.values()),
            back=_review_url(request),
        )
    raise error


class PageRoute(APIRoute):
    """A page route: the domain's errors become friendly HTML pages instead of problem details."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except (SignInRequired, ApiProblem, RequestValidationError, DomainError) as error:
                if isinstance(error, ApiProblem) and error.kind != "csrf":
                    raise
                return page_error(request, error)

        return page_handler


__all__ = [
    "AdminPageUser",
    "CsrfChecked",
    "Form",
    "MaybeUser",
    "PageRoute",
    "PageUser",
    "ServicesDep",
    "Submitted",
    "date_fields",
    "error_page",
    "redirect",
    "render",
]

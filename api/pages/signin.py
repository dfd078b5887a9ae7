"""Signing in and out of the pages: a session cookie, and a CSRF token on the sign-in form too (tied
to a short-lived pre-session cookie, since there is no session yet). With single sign-on configured
(api/sign_on.py), "Sign in with <provider>" leads to the provider and back to the callback here; with
password sign-in turned off, the page shows only that button and the form's POST is refused."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import (
    SESSION_COOKIE,
    LoginLocked,
    LoginRefused,
    PasswordSignInOff,
    clear_session_cookie,
    csrf_valid,
    set_session_cookie,
)
from api.pages.common import (
    PRESESSION_COOKIE,
    CsrfChecked,
    Form,
    MaybeUser,
    PageRoute,
    ServicesDep,
    Submitted,
    redirect,
    render,
    safe_next,
    with_query,
)
from api.sign_on import CALLBACK_PATH, PENDING_SECONDS, SIGN_ON_COOKIE, START_PATH, SignOnFailed
from api.wiring import Services
from workflow.errors import NotFound
from workflow.sign_on import SignOnRefused

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _sign_in_page(
    request: Request,
    form: Form,
    *,
    status: int = 200,
    locked: str | None = None,
    renew: bool = False,
    sign_on_failed: str | None = None,
) -> Response:
    """The sign-in form. Its CSRF token comes from a pre-session cookie, made here when missing."""
    fresh = None
    if renew or not (request.cookies.get(PRESESSION_COOKIE) or request.cookies.get(SESSION_COOKIE)):
        fresh = "ps_" + secrets.token_urlsafe(24)
        request.cookies.pop(SESSION_COOKIE, None)
        request.cookies[PRESESSION_COOKIE] = fresh  # the form's CSRF token is made from it
    services: Services = request.app.state.services
    sign_on = services.sign_on
    context = {
        "form": form,
        "locked": locked,
        "sign_on_failed": sign_on_failed,
        "passwords": services.auth.passwords,
        "provider": sign_on.provider if sign_on else None,
        "sign_on_url": with_query(START_PATH, next=form.value("next")) if sign_on else None,
    }
    response = render(request, "pages/sign_in.html", context, status=status)
    if fresh:
        response.set_cookie(
            PRESESSION_COOKIE,
            fresh,
            max_age=3600,
            path="/",
            httponly=True,
            secure=_secure(request),
            samesite="lax",
        )
    return response


@router.get("/sign-in")
def sign_in_page(request: Request, user: MaybeUser, next: str = "/reviews") -> Response:
    if user is not None:
        return redirect(safe_next(next))
    return _sign_in_page(request, Form.of(next=safe_next(next)))


@router.post("/sign-in")
def sign_in(request: Request, services: ServicesDep, submitted: Submitted) -> Response:
    form = Form.of(submitted)
    if not services.auth.passwords:
        return _passwords_off(request, form)
    token = request.cookies.get(PRESESSION_COOKIE) or request.cookies.get(SESSION_COOKIE) or ""
    submitted_token = submitted.get("csrf_token")
    submitted_csrf = submitted_token if isinstance(submitted_token, str) else None
    if not token or not csrf_valid(services.settings.secret_key.get_secret_value(), token, submitted_csrf):
        form.data.pop("password", None)
        form.fail("email", "The sign-in form had expired. Enter your email address and password again.")
        return _sign_in_page(request, form, status=403, renew=True)
    email = form.text("email", required="Enter your email address.")
    password = form.value("password")
    if not password:
        form.fail("password", "Enter your password.")
    if not form.ok:
        return _sign_in_page(request, form, status=422)
    address = request.client.host if request.client else "unknown"
    try:
        issued = services.auth.login(email, password, address=address, kind="session")
    except PasswordSignInOff:
        return _passwords_off(request, form)
    except LoginRefused:
        form.fail("email", "The email address or password is not right.")
        return _sign_in_page(request, form, status=401)
    except LoginLocked as locked:
        minutes = (locked.retry_after_seconds + 59) // 60
        message = (
            "This account is locked for now because of too many failed sign-ins. Try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}, or ask an admin if you have forgotten "
            "your password."
        )
        return _sign_in_page(request, form, status=429, locked=message)
    response = redirect(safe_next(form.value("next")))
    set_session_cookie(response, issued, secure=_secure(request))
    response.delete_cookie(PRESESSION_COOKIE, path="/")
    return response


def _passwords_off(request: Request, form: Form) -> Response:
    form.data.pop("password", None)
    return _sign_in_page(
        request,
        Form.of(next=form.value("next")),
        status=403,
        sign_on_failed="Signing in with a password is turned off here. Use the button below.",
    )


# ---- single sign-on --------------------------------------------------------------------------------


@router.get(START_PATH)
def sign_on_start(request: Request, services: ServicesDep, next: str = "/reviews") -> Response:
    """Off to the provider, with this sign-in's state, nonce and PKCE verifier sealed in a cookie."""
    if services.sign_on is None:
        raise NotFound("Single sign-on is not set up here.")
    form = Form.of(next=safe_next(next))
    try:
        started = services.sign_on.start(safe_next(next))
    except SignOnFailed as failed:
        return _sign_in_page(request, form, status=failed.status, sign_on_failed=str(failed))
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(
        SIGN_ON_COOKIE,
        started.cookie,
        max_age=PENDING_SECONDS,
        path=START_PATH,
        httponly=True,
        secure=_secure(request),
        samesite="lax",  # sent on the provider's redirect back (a top-level GET), never on a cross-site POST
    )
    return response


@router.get(CALLBACK_PATH)
def sign_on_callback(request: Request, services: ServicesDep) -> Response:
    """The provider's answer: checked, matched to an account (audited), and a session for it."""
    if services.sign_on is None:
        raise NotFound("Single sign-on is not set up here.")
    try:
        completed = services.sign_on.finish(request.cookies.get(SIGN_ON_COOKIE), request.query_params)
        user = services.accounts.sign_on(completed.identity, services.sign_on.rules)
    except (SignOnFailed, SignOnRefused) as failed:
        status = failed.status if isinstance(failed, SignOnFailed) else 403
        response = _sign_in_page(request, Form.of(), status=status, sign_on_failed=str(failed))
    else:
        response = redirect(safe_next(completed.next))
        set_session_cookie(response, services.auth.issue(user.id, "session"), secure=_secure(request))
        response.delete_cookie(PRESESSION_COOKIE, path="/")
    response.delete_cookie(SIGN_ON_COOKIE, path=START_PATH)  # used once, whatever happened
    return response


@router.post("/sign-out", dependencies=[CsrfChecked])
def sign_out(request: Request, services: ServicesDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        services.auth.revoke(token)
    response = redirect("/sign-in", flash="You have signed out.")
    clear_session_cookie(response, secure=_secure(request))
    return response


@router.get("/")
def home(user: MaybeUser) -> Response:
    return redirect("/reviews" if user else "/sign-in")

"""Dependencies, as `Annotated` aliases so a route's signature reads like a sentence:
`def fire(review_id: ReviewId, caller: CurrentUser, version: IfMatch, services: ServicesDep)`."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer

from api.auth import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, Caller, csrf_valid
from api.errors import ApiProblem, not_authenticated, precondition_failed, precondition_required
from api.schemas.common import MAX_ID
from api.wiring import Services
from workflow.errors import NotPermitted

TOKEN_URL = "/api/v1/auth/token"


# A dependency that reads only the request is `async def`: FastAPI runs a plain `def` one in a worker
# thread, a hop to the thread pool and back for each (the ones that read the database stay `def`).
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


async def bearer_token(token: Annotated[str | None, Depends(_bearer)]) -> str:
    if not token:
        raise not_authenticated()
    return token


BearerToken = Annotated[str, Depends(bearer_token)]


def current_user(request: Request, services: ServicesDep, token: BearerToken) -> Caller:
    caller = services.auth.authenticate(token, kind="api")
    if caller is None:
        raise not_authenticated(
            "The token is not valid: it has expired or been revoked, or the account is inactive."
        )
    request.state.user_id = caller.id  # for the request log
    return caller


CurrentUser = Annotated[Caller, Depends(current_user)]


async def admin_user(caller: CurrentUser) -> Caller:
    if caller.global_role != "admin":
        raise NotPermitted("Only an admin may manage user accounts.")
    return caller


AdminUser = Annotated[Caller, Depends(admin_user)]

_ETAG = re.compile(r'\s*"(\d{1,10})"\s*')


def etag(version: int) -> str:
    return f'"{version}"'


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=100,
            description='The ETag of the review the change was made against, e.g. "3". '
            "Required on every change: 428 without it, 412 when the review has changed since.",
        ),
    ] = None,
) -> int:
    """The version named by `If-Match`: 428 when it is missing, 412 when it names no version."""
    return _version(if_match, "the review")


def _version(if_match: str | None, what: str) -> int:
    if if_match is None or not if_match.strip():
        raise precondition_required(what)
    match = _ETAG.fullmatch(if_match)
    if match is None:
        raise precondition_failed(
            f'If-Match does not name a version of {what}: send its ETag, for example "3".'
        )
    return int(match.group(1))


IfMatch = Annotated[int, Depends(expected_version)]


async def object_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=100,
            description='The ETag of the object the change was made against, e.g. "3". '
            "Required on every change to an existing object: 428 without it, 412 when the object "
            "has changed since.",
        ),
    ] = None,
) -> int:
    """The version of an object (episode, finding, ...) named by `If-Match`: 428 when it is missing,
    412 when it names no version. Same rules as for a review."""
    return _version(if_match, "what you change")


async def optional_object_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=100,
            description='The ETag of the object the change was made against, e.g. "3". Not needed '
            "when the object does not exist yet (this request creates it); required (428) once it "
            "does, and 412 when it has changed since.",
        ),
    ] = None,
) -> int | None:
    """`If-Match` for a PUT that creates its object when it is missing: None when absent (the route
    answers 428 if the object turns out to exist), 412 when it names no version."""
    if if_match is None or not if_match.strip():
        return None
    return _version(if_match, "what you change")


ObjectVersion = Annotated[int, Depends(object_version)]
OptionalObjectVersion = Annotated[int | None, Depends(optional_object_version)]

ReviewId = Annotated[int, Path(ge=1, le=MAX_ID, description="The review's id.")]
MemberId = Annotated[int, Path(ge=1, le=MAX_ID, description="The membership's id (from the members list).")]
UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="The user's id.")]
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="The object's id.")]
Limit = Annotated[int, Query(ge=1, le=100, description="At most this many items.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Skip this many items.")]


# ---- for the web pages: the session cookie and CSRF --------------------------------------------------


def session_user(request: Request, services: ServicesDep) -> Caller | None:
    """The signed-in user of a page request (from the session cookie), or None."""
    token = request.cookies.get(SESSION_COOKIE)
    caller = services.auth.authenticate(token, kind="session") if token else None
    if caller is not None:
        request.state.user_id = caller.id
    return caller


SessionUser = Annotated[Caller | None, Depends(session_user)]


async def require_csrf(request: Request, services: ServicesDep) -> None:
    """Refuse (403) a state-changing page request whose CSRF token (form field `csrf_token` or header
    `X-CSRF-Token`) does not belong to its session."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    session_token = request.cookies.get(SESSION_COOKIE)
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and "form" in request.headers.get("content-type", ""):
        value = (await request.form()).get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not session_token or not csrf_valid(
        services.settings.secret_key.get_secret_value(), session_token, submitted
    ):
        raise ApiProblem(
            403, "csrf", "The form has expired or did not come from this site. Reload the page and try again."
        )

"""Sign-in (OAuth2 password form -> bearer token), sign-out, and who the caller is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status

from api.deps import BearerToken, CurrentUser, ServicesDep
from api.errors import documented
from api.schemas.auth import MembershipOut, MeOut, TokenOut
from api.schemas.common import Email, Password
from workflow import people
from workflow.states import ReviewRole

router = APIRouter(tags=["authentication"])


@router.post("/auth/token", response_model=TokenOut, responses=documented(401, 403, 422, 429))
def sign_in(
    request: Request,
    services: ServicesDep,
    username: Annotated[Email, Form(description="The account's email address.")],
    password: Annotated[Password, Form()],
    grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
) -> TokenOut:
    """Exchange an email address and password for a bearer token (OAuth2 password flow).

    A wrong email and a wrong password get the same answer. After 5 failures in 15 minutes for an
    account, or from an address, sign-in is locked for 15 minutes (429 with Retry-After). Where password
    sign-in is turned off (single sign-on only), 403."""
    address = request.client.host if request.client else "unknown"
    issued = services.auth.login(username, password, address=address)
    return TokenOut(access_token=issued.token, expires_in=issued.expires_in)


@router.delete(
    "/auth/token",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=documented(401),
)
def sign_out(services: ServicesDep, caller: CurrentUser, token: BearerToken) -> Response:
    """Revoke the token this request was made with."""
    services.auth.revoke(token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=MeOut, responses=documented(401))
def me(services: ServicesDep, caller: CurrentUser) -> MeOut:
    """The caller, their global role and their review memberships."""
    with services.sessions() as session:
        memberships = people.memberships_of(session, caller.id)
        return MeOut(
            id=caller.id,
            email=caller.email,
            name=caller.name,
            global_role=caller.global_role,
            memberships=[
                MembershipOut(review_id=m.review_id, role=ReviewRole(m.role), agency=m.agency)
                for m in memberships
            ],
        )

"""User accounts (admins only). Admins manage accounts; they see no review unless made a member.
Every change goes through `workflow.accounts.AccountService`, which audits it."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import AdminUser, Limit, Offset, ServicesDep, UserId
from api.errors import documented
from api.schemas.users import AccountAuditList, PasswordReset, UserIn, UserList, UserOut, UserPatch
from workflow import people

router = APIRouter(tags=["users"])


@router.get("/users", response_model=UserList, responses=documented(401, 403, 422))
def list_users(services: ServicesDep, admin: AdminUser, limit: Limit = 50, offset: Offset = 0) -> UserList:
    """Every account."""
    with services.sessions() as session:
        users, total = people.list_users(session, limit=limit, offset=offset)
        return UserList(items=[UserOut.of(u) for u in users], total=total)


@router.post(
    "/users", response_model=UserOut, status_code=status.HTTP_201_CREATED, responses=documented(401, 403, 422)
)
def create_user(body: UserIn, services: ServicesDep, admin: AdminUser, response: Response) -> UserOut:
    """Create an account with a password (at least 10 characters)."""
    user = services.accounts.create(
        admin.id, email=body.email, name=body.name, role=body.role, password=body.password
    )
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return UserOut.of(user)


@router.patch("/users/{user_id}", response_model=UserOut, responses=documented(401, 403, 404, 422))
def update_user(user_id: UserId, body: UserPatch, services: ServicesDep, admin: AdminUser) -> UserOut:
    """Deactivate or reactivate an account, change its global role or name. Deactivating revokes
    every token and session of the account at once. An admin cannot demote or deactivate themselves."""
    user = services.accounts.update(admin.id, user_id, active=body.active, role=body.role, name=body.name)
    return UserOut.of(user)


@router.put(
    "/users/{user_id}/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(401, 403, 404, 422),
)
def reset_password(user_id: UserId, body: PasswordReset, services: ServicesDep, admin: AdminUser) -> Response:
    """Set a new password (at least 10 characters); every token and session of the account stops working."""
    services.accounts.reset_password(admin.id, user_id, password=body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/account-audit", response_model=AccountAuditList, responses=documented(401, 403, 422))
def account_audit(
    services: ServicesDep, admin: AdminUser, limit: Limit = 50, offset: Offset = 0
) -> AccountAuditList:
    """The accounts log, newest first, and whether its hash chain verifies."""
    entries, total = services.accounts.log(limit=limit, offset=offset)
    return AccountAuditList.of(entries, total, services.accounts.verify())

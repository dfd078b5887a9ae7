"""User accounts (admins only). Admins manage accounts; they see no review unless made a member."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.exc import IntegrityError

from api.deps import AdminUser, Limit, Offset, ServicesDep, UserId
from api.errors import documented
from api.passwords import hash_password, password_problem
from api.schemas.users import UserIn, UserList, UserOut, UserPatch
from workflow import people
from workflow.errors import InvalidInput

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
    problem = password_problem(body.password)
    if problem:
        raise InvalidInput({"password": problem})
    with services.sessions() as session:
        try:
            user = people.create_user(
                session,
                email=body.email,
                name=body.name,
                role=body.role,
                password_hash=hash_password(body.password),
            )
            session.commit()
        except IntegrityError:  # the same email created at the same moment
            raise InvalidInput({"email": "A user with this email address already exists."}) from None
        response.headers["Location"] = f"/api/v1/users/{user.id}"
        return UserOut.of(user)


@router.patch("/users/{user_id}", response_model=UserOut, responses=documented(401, 403, 404, 422))
def update_user(user_id: UserId, body: UserPatch, services: ServicesDep, admin: AdminUser) -> UserOut:
    """Deactivate or reactivate an account, change its global role or name. Deactivating revokes
    every token and session of the account at once."""
    if user_id == admin.id and (body.active is False or body.role not in (None, "admin")):
        raise InvalidInput(
            {"active" if body.active is False else "role": "You cannot demote or deactivate yourself."}
        )
    with services.sessions() as session:
        user = people.update_user(session, user_id, active=body.active, role=body.role, name=body.name)
        if body.active is False:
            services.auth.revoke_all(session, user_id)
        session.commit()
        return UserOut.of(user)

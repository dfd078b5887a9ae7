"""Pages for admins (user accounts) and for everyone (the workflow diagram)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import Caller
from api.deps import UserId
from api.pages.common import (
    AdminPageUser,
    CsrfChecked,
    Form,
    MaybeUser,
    PageRoute,
    ServicesDep,
    Submitted,
    redirect,
    render,
)
from api.wiring import Services
from workflow import people
from workflow.errors import InvalidInput
from workflow.machine import mermaid
from workflow.policy import ROLE_NAMES
from workflow.states import STATE_LABELS, TRANSITIONS, TRIGGER_LABELS, Trigger

router = APIRouter(route_class=PageRoute, include_in_schema=False)

GLOBAL_ROLE_LABELS = {
    "admin": "Admin: manages accounts, sees no review unless a member",
    "coordinator": "Review coordinator: logs referrals",
    "chair": "Chair",
    "member": "Member: lead reviewer, panel or case group member, by review",
}


def _users_page(
    request: Request, services: Services, admin: Caller, form: Form | None = None, status: int = 200
) -> Response:
    with services.sessions() as session:
        users, _ = people.list_users(session, limit=10_000)
    return render(
        request,
        "pages/users.html",
        {
            "users": users,
            "form": form or Form.of(role="member"),
            "roles": list(GLOBAL_ROLE_LABELS.items()),
            "role_labels": {k: v.split(":")[0] for k, v in GLOBAL_ROLE_LABELS.items()},
        },
        status=status,
    )


@router.get("/users")
def users(request: Request, services: ServicesDep, admin: AdminPageUser) -> Response:
    return _users_page(request, services, admin)


@router.post("/users", dependencies=[CsrfChecked])
def create_user(
    request: Request, services: ServicesDep, admin: AdminPageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    email = form.text("email", required="Enter their email address.")
    name = form.text("name", required="Enter their name.")
    role = form.choice("role", GLOBAL_ROLE_LABELS, required="Choose their role.")
    password = form.value("password")
    form.data.pop("password", None)  # never sent back
    try:  # the service checks everything again and says every problem at once
        services.accounts.create(admin.id, email=email, name=name, role=role or "", password=password)
    except InvalidInput as error:
        form.absorb(error)
        return _users_page(request, services, admin, form, status=422)
    return redirect("/users", flash=f"Account created for {name}.")


@router.post("/users/{user_id}", dependencies=[CsrfChecked])
def update_user(
    request: Request, user_id: UserId, services: ServicesDep, admin: AdminPageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    action = form.value("action")
    role = (form.value("role") or None) if action == "role" else None
    active = {"deactivate": False, "reactivate": True}.get(action)
    try:
        name = services.accounts.update(admin.id, user_id, active=active, role=role).name
    except InvalidInput as error:
        return redirect("/users", flash="Nothing changed. " + " ".join(error.errors.values()))
    message = {
        "deactivate": f"{name}'s account is deactivated and signed out everywhere.",
        "reactivate": f"{name}'s account is active again.",
    }.get(action, f"{name}'s role is changed.")
    return redirect("/users", flash=message)


@router.get("/workflow")
def workflow(request: Request, user: MaybeUser) -> Response:
    rows = []
    seen = set()
    for edge in TRANSITIONS:
        if edge.trigger in (Trigger.PAUSE, Trigger.RESUME, Trigger.WITHDRAW):
            continue
        key = (edge.trigger, edge.source, edge.dest)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "from": STATE_LABELS[edge.source],
                "to": STATE_LABELS[edge.dest],
                "action": TRIGGER_LABELS[edge.trigger],
                "who": sorted(ROLE_NAMES[r] for r in edge.roles),
                "summary": edge.summary,
            }
        )
    return render(request, "pages/workflow.html", {"diagram": mermaid(), "rows": rows})

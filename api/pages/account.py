"""The signed-in person's own account page: how their emails reach them, and their calendar feed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import Caller
from api.pages.common import CsrfChecked, Form, PageRoute, PageUser, ServicesDep, Submitted, redirect, render
from api.pages.forms import submit
from api.wiring import Services
from workflow.notifications.service import SetDelivery

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE = "/account/notifications"
DELIVERIES = [
    ("immediately", "Immediately", "One email for each thing that needs you, when it happens."),
    ("daily", "In a daily digest", "One email a day, once the day is over, with everything of that day."),
    ("off", "Off", "No emails. You still see everything in Tunnelview."),
]


def _page(
    request: Request,
    services: Services,
    user: Caller,
    form: Form | None = None,
    *,
    calendar_url: str | None = None,
    status: int = 200,
) -> Response:
    preferences = services.notifications.preferences(actor=user.id)
    return render(
        request,
        "pages/notifications.html",
        {
            "form": form or Form.of(delivery=preferences.delivery.value),
            "deliveries": DELIVERIES,
            "calendar_since": preferences.calendar_since,
            "calendar_url": calendar_url,
        },
        status=status,
    )


@router.get(PAGE)
def notifications(request: Request, services: ServicesDep, user: PageUser) -> Response:
    return _page(request, services, user)


@router.post(PAGE, dependencies=[CsrfChecked])
def set_delivery(request: Request, services: ServicesDep, user: PageUser, submitted: Submitted) -> Response:
    form = Form.of(submitted)
    done, status = submit(
        form, SetDelivery, lambda c: services.notifications.set_delivery(actor=user.id, command=c)
    )
    if done is None:
        return _page(request, services, user, form, status=status)
    return redirect(PAGE, flash="Your email choice is saved.")


@router.post(PAGE + "/calendar", dependencies=[CsrfChecked])
def new_calendar(request: Request, services: ServicesDep, user: PageUser) -> Response:
    # The address is shown in this answer and never again (only its hash is kept): no redirect, so
    # the secret travels in no cookie and no URL of ours.
    url = services.notifications.new_calendar(actor=user.id)
    return _page(request, services, user, calendar_url=url)


@router.post(PAGE + "/calendar/revoke", dependencies=[CsrfChecked])
def revoke_calendar(services: ServicesDep, user: PageUser) -> Response:
    services.notifications.revoke_calendar(actor=user.id)
    return redirect(PAGE, flash="Your calendar address is revoked: it shows nothing any more.")

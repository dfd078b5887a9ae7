"""The caller's own notifications (how emails reach them; their calendar feed), and the feed itself,
read at its secret address by a calendar application (no sign-in: the token is the key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import CurrentUser, ServicesDep
from api.errors import documented
from api.schemas.notifications import CalendarOut, NotificationsOut
from workflow.notifications.service import SetDelivery

router = APIRouter(tags=["notifications"])
feed_router = APIRouter(tags=["notifications"])


@router.get("/me/notifications", response_model=NotificationsOut, responses=documented(401))
def notifications(services: ServicesDep, caller: CurrentUser) -> NotificationsOut:
    """How the caller gets emails, and whether their calendar feed is on."""
    return NotificationsOut.of(services.notifications.preferences(actor=caller.id))


@router.put("/me/notifications", response_model=NotificationsOut, responses=documented(401, 422))
def set_notifications(body: SetDelivery, services: ServicesDep, caller: CurrentUser) -> NotificationsOut:
    """Choose how emails reach you: immediately, in a daily digest, or off."""
    return NotificationsOut.of(services.notifications.set_delivery(actor=caller.id, command=body))


@router.post(
    "/me/calendar",
    response_model=CalendarOut,
    status_code=status.HTTP_201_CREATED,
    responses=documented(401),
)
def new_calendar(services: ServicesDep, caller: CurrentUser) -> CalendarOut:
    """Make a new secret address of your calendar of statutory deadlines; the one before stops working."""
    return CalendarOut(url=services.notifications.new_calendar(actor=caller.id))


@router.delete(
    "/me/calendar", status_code=status.HTTP_204_NO_CONTENT, response_class=Response, responses=documented(401)
)
def revoke_calendar(services: ServicesDep, caller: CurrentUser) -> Response:
    """Revoke your calendar feed's address: it answers 404 from now on."""
    services.notifications.revoke_calendar(actor=caller.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@feed_router.get(
    "/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "The feed."}, **documented(404, 422)},
)
def calendar_feed(
    services: ServicesDep,
    token: Annotated[str, Query(min_length=20, max_length=100, description="The feed's secret token.")],
) -> Response:
    """The statutory deadlines of the feed's owner, as iCalendar (RFC 5545): pseudonyms and dates only."""
    return Response(services.notifications.calendar(token), media_type="text/calendar; charset=utf-8")

"""Work the server does beside answering requests: the notification loop (reminders and the outbox),
when `TUNNELVIEW_NOTIFICATIONS_LOOP` is set. `lifespan` is the application's lifespan, so every app
`create_app` builds, in every server worker, starts the loop on startup and stops it on shutdown."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.wiring import Services

log = logging.getLogger("tunnelview.notifications")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    services: Services = app.state.services
    if not services.settings.notifications_loop:
        yield
        return
    if not services.settings.smtp_host:
        log.warning("TUNNELVIEW_SMTP_HOST is not set: reminders are queued but no email is sent")
    loop = services.notification_loop()
    loop.start()
    try:
        yield
    finally:
        loop.stop()

"""The JSON API under /api/v1. Routes are thin: parse, call a service, shape the answer."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import audit, auth, members, notifications, repository, reviews, statutory, triggers, users

PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    for module in (auth, reviews, statutory, members, triggers, audit, users, notifications, repository):
        router.include_router(module.router)
    return router

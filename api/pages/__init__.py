"""The server-rendered web pages (Jinja2 + GOV.UK Frontend). Routes are thin: parse the form, call a
service, render or redirect. See docs/pages.md for who can do what where."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import (
    admin,
    board,
    conversations,
    episodes,
    factors,
    findings,
    good_practice,
    narratives,
    panel,
    publication,
    published,
    report,
    reviews,
    signin,
)


def pages_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    modules = (
        signin,
        reviews,
        narratives,
        conversations,
        episodes,
        factors,
        panel,
        good_practice,
        findings,
        board,
        report,
        publication,
        published,
        admin,
    )
    for module in modules:
        router.include_router(module.router)
    return router

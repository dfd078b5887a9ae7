"""The server-rendered web pages (Jinja2 + GOV.UK Frontend). Routes are thin: parse the form, call a
service, render or redirect. See docs/pages.md for who can do what where."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import (
    admin,
    analysis,
    board,
    findings,
    good_practice,
    publication,
    published,
    report,
    reviews,
    signin,
)


def pages_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for module in (
        signin,
        reviews,
        analysis,
        good_practice,
        findings,
        board,
        report,
        publication,
        published,
        admin,
    ):
        router.include_router(module.router)
    return router

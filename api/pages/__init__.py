"""The server-rendered web pages (Jinja2 + GOV.UK Frontend). Routes are thin: parse the form, call a
service, render or redirect. See docs/pages.md for who can do what where."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import (
    account,
    admin,
    audit,
    board,
    conversations,
    episodes,
    factors,
    family,
    findings,
    good_practice,
    learning,
    members,
    narratives,
    panel,
    publication,
    published,
    referral,
    register,
    report,
    repository,
    reviews,
    scope,
    self_assessment,
    signin,
    signoff,
    statutory,
)


def pages_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    lifecycle = (
        referral,
        reviews,
        statutory,
        scope,
        members,
        audit,
    )  # `/reviews/new` before `/reviews/{review_id}`
    analysis = (narratives, conversations, episodes, factors, panel, good_practice, family)
    outputs = (findings, board, report, signoff, publication, register, published, self_assessment)
    across = (learning, repository)  # trends, actions, briefings and the repository across reviews
    for module in (signin, *lifecycle, *analysis, *outputs, *across, admin, account):
        router.include_router(module.router)
    return router

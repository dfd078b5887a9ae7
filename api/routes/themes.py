"""Themes (DESIGN §6): the vocabulary (built in, and the partnership's own additions) and the
themes a review carries. A finding's themes change with the finding."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, ReviewId, ServicesDep
from api.errors import documented
from api.routes.answers import CREATE, READ
from api.schemas.findings import ReviewThemesOut, ThemeList, ThemeOut
from findings.analysis.themes import AddTheme, SetReviewThemes
from findings.analysis.vocabulary import BUILT_IN_THEMES

router = APIRouter(tags=["themes"])


@router.get("/themes", response_model=ThemeList, responses=documented(401))
def vocabulary(services: ServicesDep, caller: CurrentUser) -> ThemeList:
    """Every theme a review or finding can carry."""
    themes = services.themes.vocabulary(actor=caller.id)
    items = [ThemeOut(key=k, label=v, built_in=k in BUILT_IN_THEMES) for k, v in themes.items()]
    return ThemeList(items=items, total=len(items))


@router.post(
    "/themes",
    response_model=ThemeOut,
    status_code=status.HTTP_201_CREATED,
    responses=documented(401, 403, 422),
)
def add_theme(body: AddTheme, services: ServicesDep, caller: CurrentUser, response: Response) -> ThemeOut:
    """Add a theme to the partnership's vocabulary (a coordinator or chair)."""
    theme = services.themes.add(actor=caller.id, command=body)
    response.headers["Location"] = "/api/v1/themes"
    return ThemeOut(key=theme.key, label=theme.label, built_in=False)


@router.get("/reviews/{review_id}/themes", response_model=ReviewThemesOut, responses=READ)
def review_themes(review_id: ReviewId, services: ServicesDep, caller: CurrentUser) -> ReviewThemesOut:
    """The themes the review as a whole is tagged with (every member)."""
    return ReviewThemesOut(themes=services.themes.of_review(review_id=review_id, actor=caller.id))


@router.put("/reviews/{review_id}/themes", response_model=ReviewThemesOut, responses=CREATE)
def set_review_themes(
    review_id: ReviewId, body: SetReviewThemes, services: ServicesDep, caller: CurrentUser
) -> ReviewThemesOut:
    """Tag the review with themes, replacing its tags (lead reviewer or coordinator)."""
    return ReviewThemesOut(
        themes=services.themes.set_for_review(review_id=review_id, actor=caller.id, command=body)
    )

"""Good practice: what went well and what enabled it (first-class, not an afterthought)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, ReviewId, ServicesDep
from api.routes.answers import CHANGE, CREATE, READ, GoodPracticeId, created, page, tagged
from api.schemas.analysis import GoodPracticeIn, GoodPracticeList, GoodPracticeOut, GoodPracticePatch
from api.wiring import Services
from workflow.errors import NotFound

router = APIRouter(tags=["good practice"])


def _answer(
    services: Services, review_id: int, actor: int, item_id: int, response: Response
) -> GoodPracticeOut:
    item = next(
        (g for g in services.findings.good_practice(review_id=review_id, actor=actor) if g.id == item_id),
        None,
    )
    if item is None:
        raise NotFound(f"Good practice entry {item_id} was not found in this review.")
    tagged(response, item.version)
    return GoodPracticeOut.of(item)


@router.get("/reviews/{review_id}/good-practice", response_model=GoodPracticeList, responses=READ)
def list_good_practice(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> GoodPracticeList:
    """What went well in this case and what enabled it (every member)."""
    items = services.findings.good_practice(review_id=review_id, actor=caller.id)
    return GoodPracticeList(
        items=[GoodPracticeOut.of(g) for g in page(items, limit, offset)], total=len(items)
    )


@router.post(
    "/reviews/{review_id}/good-practice",
    response_model=GoodPracticeOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_good_practice(
    review_id: ReviewId, body: GoodPracticeIn, services: ServicesDep, caller: CurrentUser, response: Response
) -> GoodPracticeOut:
    """Record good practice (any member of the review team but the chair)."""
    item = services.findings.add_good_practice(review_id=review_id, actor=caller.id, **body.model_dump())
    created(response, f"/api/v1/reviews/{review_id}/good-practice/{item.id}")
    return _answer(services, review_id, caller.id, item.id, response)


@router.get(
    "/reviews/{review_id}/good-practice/{good_practice_id}", response_model=GoodPracticeOut, responses=READ
)
def get_good_practice(
    review_id: ReviewId,
    good_practice_id: GoodPracticeId,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> GoodPracticeOut:
    """One good practice entry."""
    return _answer(services, review_id, caller.id, good_practice_id, response)


@router.patch(
    "/reviews/{review_id}/good-practice/{good_practice_id}", response_model=GoodPracticeOut, responses=CHANGE
)
def update_good_practice(
    review_id: ReviewId,
    good_practice_id: GoodPracticeId,
    body: GoodPracticePatch,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> GoodPracticeOut:
    """Change the fields sent."""
    services.findings.update_good_practice(
        review_id=review_id,
        actor=caller.id,
        good_practice_id=good_practice_id,
        expected_version=version,
        **body.model_dump(exclude_unset=True),
    )
    return _answer(services, review_id, caller.id, good_practice_id, response)

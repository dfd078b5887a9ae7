"""Good practice: what went well and what enabled it (first-class, not an afterthought)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, ReviewId, ServicesDep
from api.routes.answers import CHANGE, CREATE, READ, GoodPracticeId, created, tagged
from api.schemas.analysis import GoodPracticeList, GoodPracticeOut
from findings.analysis.good_practice import AddGoodPractice, ChangeGoodPractice

router = APIRouter(tags=["good practice"])


@router.get("/reviews/{review_id}/good-practice", response_model=GoodPracticeList, responses=READ)
def list_good_practice(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> GoodPracticeList:
    """What went well in this case and what enabled it (every member)."""
    found = services.good_practice.list(review_id=review_id, actor=caller.id, limit=limit, offset=offset)
    return GoodPracticeList(items=[GoodPracticeOut.of(g) for g in found.items], total=found.total)


@router.post(
    "/reviews/{review_id}/good-practice",
    response_model=GoodPracticeOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_good_practice(
    review_id: ReviewId,
    body: AddGoodPractice,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> GoodPracticeOut:
    """Record good practice (any member of the review team but the chair)."""
    item = services.good_practice.add(review_id=review_id, actor=caller.id, command=body)
    created(response, f"/api/v1/reviews/{review_id}/good-practice/{item.id}")
    tagged(response, item.version)
    return GoodPracticeOut.of(item)


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
    item = services.good_practice.get(review_id=review_id, actor=caller.id, good_practice_id=good_practice_id)
    tagged(response, item.version)
    return GoodPracticeOut.of(item)


@router.patch(
    "/reviews/{review_id}/good-practice/{good_practice_id}", response_model=GoodPracticeOut, responses=CHANGE
)
def update_good_practice(
    review_id: ReviewId,
    good_practice_id: GoodPracticeId,
    body: ChangeGoodPractice,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> GoodPracticeOut:
    """Change the fields sent."""
    item = services.good_practice.update(
        review_id=review_id,
        actor=caller.id,
        good_practice_id=good_practice_id,
        expected_version=version,
        command=body,
    )
    tagged(response, item.version)
    return GoodPracticeOut.of(item)

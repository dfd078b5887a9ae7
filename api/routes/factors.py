"""Contributory factors, coded under a framework (DESIGN §5.3), and the frameworks themselves."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, ReviewId, ServicesDep
from api.errors import documented
from api.routes.answers import (
    CHANGE,
    CREATE,
    READ,
    FactorId,
    created,
    fields_as_sent,
    page,
    tagged,
    warnings_by_object,
)
from api.schemas.analysis import (
    AdoptionIn,
    FactorIn,
    FactorList,
    FactorOut,
    FactorPatch,
    FrameworkList,
    FrameworkOut,
)
from api.wiring import Services
from findings.analysis import frameworks
from workflow.errors import NotFound

router = APIRouter(tags=["factors"])


def _answer(services: Services, review_id: int, actor: int, factor_id: int, response: Response) -> FactorOut:
    factor = next(
        (f for f in services.findings.factors(review_id=review_id, actor=actor) if f.id == factor_id), None
    )
    if factor is None:
        raise NotFound(f"Factor {factor_id} was not found in this review.")
    tagged(response, factor.version)
    return FactorOut.of(factor, warnings_by_object(services, review_id, actor))


@router.get("/factor-frameworks", response_model=FrameworkList, responses=documented(401))
def list_frameworks(caller: CurrentUser) -> FrameworkList:
    """The contributory factor frameworks: their levels and categories, each category saying
    whether it sits at the individual level (a problematic episode explained only by those is
    refused at `draft_findings`)."""
    items = [FrameworkOut.of(f) for f in frameworks.FRAMEWORKS.values()]
    return FrameworkList(items=items, total=len(items))


@router.get("/reviews/{review_id}/factors", response_model=FactorList, responses=READ)
def list_factors(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> FactorList:
    """The review's contributory factors, each with its warnings (every member)."""
    factors = services.findings.factors(review_id=review_id, actor=caller.id)
    warnings = warnings_by_object(services, review_id, caller.id)
    return FactorList(
        items=[FactorOut.of(f, warnings) for f in page(factors, limit, offset)], total=len(factors)
    )


@router.post(
    "/reviews/{review_id}/factors",
    response_model=FactorOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_factor(
    review_id: ReviewId, body: FactorIn, services: ServicesDep, caller: CurrentUser, response: Response
) -> FactorOut:
    """Code a contributory factor and the episodes it explains (lead reviewer)."""
    factor = services.findings.add_factor(review_id=review_id, actor=caller.id, **body.model_dump())
    created(response, f"/api/v1/reviews/{review_id}/factors/{factor.id}")
    return _answer(services, review_id, caller.id, factor.id, response)


@router.post(
    "/reviews/{review_id}/factors/adoptions",
    response_model=FactorOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def adopt_factor(
    review_id: ReviewId, body: AdoptionIn, services: ServicesDep, caller: CurrentUser, response: Response
) -> FactorOut:
    """Adopt a factor a panel member proposed in their submitted analysis (lead reviewer)."""
    factor = services.findings.adopt_proposed_factor(
        review_id=review_id, actor=caller.id, submission_id=body.submission_id, index=body.index
    )
    created(response, f"/api/v1/reviews/{review_id}/factors/{factor.id}")
    return _answer(services, review_id, caller.id, factor.id, response)


@router.get("/reviews/{review_id}/factors/{factor_id}", response_model=FactorOut, responses=READ)
def get_factor(
    review_id: ReviewId, factor_id: FactorId, services: ServicesDep, caller: CurrentUser, response: Response
) -> FactorOut:
    """One factor and its warnings."""
    return _answer(services, review_id, caller.id, factor_id, response)


@router.patch("/reviews/{review_id}/factors/{factor_id}", response_model=FactorOut, responses=CHANGE)
def update_factor(
    review_id: ReviewId,
    factor_id: FactorId,
    body: FactorPatch,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FactorOut:
    """Change the fields sent (lead reviewer); `episode_ids` replaces the links."""
    with fields_as_sent():
        services.findings.update_factor(
            review_id=review_id,
            actor=caller.id,
            factor_id=factor_id,
            expected_version=version,
            **body.model_dump(exclude_unset=True),
        )
    return _answer(services, review_id, caller.id, factor_id, response)


@router.delete(
    "/reviews/{review_id}/factors/{factor_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=CHANGE,
)
def delete_factor(
    review_id: ReviewId,
    factor_id: FactorId,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
) -> Response:
    """Delete a factor (lead reviewer)."""
    services.findings.delete_factor(
        review_id=review_id, actor=caller.id, factor_id=factor_id, expected_version=version
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)

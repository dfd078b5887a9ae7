"""Contributory factors, coded under a framework (DESIGN §5.3), and the frameworks themselves."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, ReviewId, ServicesDep
from api.errors import documented
from api.routes.answers import CHANGE, CREATE, READ, FactorId, created, tagged, warnings_by_object
from api.schemas.analysis import FactorList, FactorOut, FrameworkList, FrameworkOut
from api.wiring import Services
from findings.analysis import frameworks
from findings.analysis.factors import AddFactor, AdoptProposedFactor, ChangeFactor
from findings.analysis.models import Factor

router = APIRouter(tags=["factors"])


def _answer(services: Services, review_id: int, actor: int, factor: Factor, response: Response) -> FactorOut:
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
    found = services.factors.list(review_id=review_id, actor=caller.id, limit=limit, offset=offset)
    warnings = warnings_by_object(services, review_id, caller.id)
    return FactorList(items=[FactorOut.of(f, warnings) for f in found.items], total=found.total)


@router.post(
    "/reviews/{review_id}/factors",
    response_model=FactorOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_factor(
    review_id: ReviewId, body: AddFactor, services: ServicesDep, caller: CurrentUser, response: Response
) -> FactorOut:
    """Code a contributory factor and the episodes it explains (lead reviewer)."""
    factor = services.factors.add(review_id=review_id, actor=caller.id, command=body)
    created(response, f"/api/v1/reviews/{review_id}/factors/{factor.id}")
    return _answer(services, review_id, caller.id, factor, response)


@router.post(
    "/reviews/{review_id}/factors/adoptions",
    response_model=FactorOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def adopt_factor(
    review_id: ReviewId,
    body: AdoptProposedFactor,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> FactorOut:
    """Adopt a factor a panel member proposed in their submitted analysis (lead reviewer)."""
    factor = services.factors.adopt(review_id=review_id, actor=caller.id, command=body)
    created(response, f"/api/v1/reviews/{review_id}/factors/{factor.id}")
    return _answer(services, review_id, caller.id, factor, response)


@router.get("/reviews/{review_id}/factors/{factor_id}", response_model=FactorOut, responses=READ)
def get_factor(
    review_id: ReviewId, factor_id: FactorId, services: ServicesDep, caller: CurrentUser, response: Response
) -> FactorOut:
    """One factor and its warnings."""
    factor = services.factors.get(review_id=review_id, actor=caller.id, factor_id=factor_id)
    return _answer(services, review_id, caller.id, factor, response)


@router.patch("/reviews/{review_id}/factors/{factor_id}", response_model=FactorOut, responses=CHANGE)
def update_factor(
    review_id: ReviewId,
    factor_id: FactorId,
    body: ChangeFactor,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FactorOut:
    """Change the fields sent (lead reviewer); `episode_ids` replaces the links."""
    factor = services.factors.update(
        review_id=review_id, actor=caller.id, factor_id=factor_id, expected_version=version, command=body
    )
    return _answer(services, review_id, caller.id, factor, response)


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
    services.factors.delete(
        review_id=review_id, actor=caller.id, factor_id=factor_id, expected_version=version
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)

"""The family's involvement (family members by pseudonym, contacts, views, the draft shared), the
lead reviewers' declarations of independence and the quality self-assessment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, OptionalObjectVersion, ReviewId, ServicesDep
from api.routes.answers import CHANGE, CREATE, READ, created, must_name_version, object_id, tagged
from api.schemas.family import (
    AssessmentOut,
    DeclarationOut,
    FamilyList,
    FamilyMemberOut,
    IndependenceList,
    LeadReviewerOut,
    MarkerOut,
    SelfAssessmentOut,
)
from findings.analysis.family import AddFamilyContact, AddFamilyMember, ChangeFamilyMember, ShareDraft
from findings.analysis.independence import DeclareIndependence
from findings.analysis.markers import MarkerKey
from findings.analysis.self_assessment import AssessMarker

router = APIRouter(tags=["family"])
FamilyMemberId = Annotated[int, object_id("family member")]
MEMBER = "/reviews/{review_id}/family/{family_member_id}"


@router.get("/reviews/{review_id}/family", response_model=FamilyList, responses=READ)
def list_family(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> FamilyList:
    """The family members invited to take part, with their contacts and views (the review team)."""
    found = services.family.list(review_id=review_id, actor=caller.id, limit=limit, offset=offset)
    return FamilyList(items=[FamilyMemberOut.of(m) for m in found.items], total=found.total)


@router.post(
    "/reviews/{review_id}/family",
    response_model=FamilyMemberOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_family_member(
    review_id: ReviewId, body: AddFamilyMember, services: ServicesDep, caller: CurrentUser, response: Response
) -> FamilyMemberOut:
    """Record a family member, by pseudonym and relationship (coordinator or lead reviewer)."""
    member = services.family.add(review_id=review_id, actor=caller.id, command=body)
    created(response, f"/api/v1/reviews/{review_id}/family/{member.id}", member.version)
    return FamilyMemberOut.of(member)


@router.get(MEMBER, response_model=FamilyMemberOut, responses=READ)
def get_family_member(
    review_id: ReviewId,
    family_member_id: FamilyMemberId,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> FamilyMemberOut:
    """One family member with their contacts."""
    member = services.family.get(review_id=review_id, actor=caller.id, family_member_id=family_member_id)
    tagged(response, member.version)
    return FamilyMemberOut.of(member)


@router.patch(MEMBER, response_model=FamilyMemberOut, responses=CHANGE)
def update_family_member(
    review_id: ReviewId,
    family_member_id: FamilyMemberId,
    body: ChangeFamilyMember,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FamilyMemberOut:
    """Change the fields sent (their invitation, wishes, views)."""
    member = services.family.update(
        review_id=review_id,
        actor=caller.id,
        family_member_id=family_member_id,
        expected_version=version,
        command=body,
    )
    tagged(response, member.version)
    return FamilyMemberOut.of(member)


@router.post(
    f"{MEMBER}/contacts",
    response_model=FamilyMemberOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_family_contact(
    review_id: ReviewId,
    family_member_id: FamilyMemberId,
    body: AddFamilyContact,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> FamilyMemberOut:
    """Record a contact with the family member; answers with the member and every contact."""
    member = services.family.add_contact(
        review_id=review_id, actor=caller.id, family_member_id=family_member_id, command=body
    )
    tagged(response, member.version)
    return FamilyMemberOut.of(member)


@router.post(f"{MEMBER}/draft-shared", response_model=FamilyMemberOut, responses=CHANGE)
def share_draft(
    review_id: ReviewId,
    family_member_id: FamilyMemberId,
    body: ShareDraft,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FamilyMemberOut:
    """Record the day the draft report was shared with them (before publication)."""
    member = services.family.share_draft(
        review_id=review_id,
        actor=caller.id,
        family_member_id=family_member_id,
        expected_version=version,
        command=body,
    )
    tagged(response, member.version)
    return FamilyMemberOut.of(member)


@router.get("/reviews/{review_id}/independence", response_model=IndependenceList, responses=READ)
def list_independence(review_id: ReviewId, services: ServicesDep, caller: CurrentUser) -> IndependenceList:
    """Every lead reviewer and their declaration of independence, if made (every member)."""
    leads = services.independence.list(review_id=review_id, actor=caller.id)
    return IndependenceList(items=[LeadReviewerOut.of(lead) for lead in leads])


@router.put(
    "/reviews/{review_id}/independence/mine",
    response_model=DeclarationOut,
    responses={**CHANGE, 201: {"model": DeclarationOut, "description": "The declaration was made."}},
)
def declare_independence(
    review_id: ReviewId,
    body: DeclareIndependence,
    services: ServicesDep,
    caller: CurrentUser,
    version: OptionalObjectVersion,
    response: Response,
) -> DeclarationOut:
    """The caller's own declaration of independence from the agencies involved (a lead reviewer).
    The first makes it (201, no If-Match); after that, send its ETag to change it."""
    own = services.independence.mine(review_id=review_id, actor=caller.id)
    must_name_version(own is not None, version, "your declaration of independence")
    declaration = services.independence.declare(
        review_id=review_id, actor=caller.id, expected_version=version if own else None, command=body
    )
    if own is None:
        response.status_code = status.HTTP_201_CREATED
    tagged(response, declaration.version)
    return DeclarationOut.of(declaration)


@router.get("/reviews/{review_id}/quality", response_model=SelfAssessmentOut, responses=READ)
def self_assessment(review_id: ReviewId, services: ServicesDep, caller: CurrentUser) -> SelfAssessmentOut:
    """Every quality marker with what the review's data suggests and the coordinator's assessment
    (the review team)."""
    views = services.self_assessment.list(review_id=review_id, actor=caller.id)
    items = [MarkerOut.of(view) for view in views]
    return SelfAssessmentOut(items=items, assessed=sum(1 for v in views if v.assessment), total=len(items))


@router.put(
    "/reviews/{review_id}/quality/{marker}",
    response_model=AssessmentOut,
    responses={**CHANGE, 201: {"model": AssessmentOut, "description": "The marker was assessed."}},
)
def assess_marker(
    review_id: ReviewId,
    marker: MarkerKey,
    body: AssessMarker,
    services: ServicesDep,
    caller: CurrentUser,
    version: OptionalObjectVersion,
    response: Response,
) -> AssessmentOut:
    """The coordinator's assessment against one marker: met, partly or not_met, with a comment. The
    first needs no If-Match (201); a change sends the assessment's ETag."""
    current = services.self_assessment.assessment(review_id=review_id, actor=caller.id, marker=marker)
    must_name_version(current is not None, version, "the assessment of this marker")
    row = services.self_assessment.assess(
        review_id=review_id,
        actor=caller.id,
        marker=marker,
        expected_version=version if current else None,
        command=body,
    )
    if current is None:
        response.status_code = status.HTTP_201_CREATED
    tagged(response, row.version)
    return AssessmentOut.of(row)

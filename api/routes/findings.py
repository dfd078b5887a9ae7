"""Findings about the system (DESIGN §5.4): their fields and order, evidence that they are not a
quirk of this case, questions for the board, the case group's comments, and their status."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, ReviewId, ServicesDep
from api.routes.answers import (
    CHANGE,
    CREATE,
    READ,
    EvidenceId,
    FindingId,
    QuestionId,
    created,
    page,
    tagged,
    warnings_by_object,
)
from api.schemas.findings import (
    EvidenceIn,
    FindingIn,
    FindingList,
    FindingOut,
    FindingPatch,
    MoveIn,
    QuestionIn,
)
from api.schemas.narratives import CommentIn, CommentOut
from api.wiring import Services

router = APIRouter(tags=["findings"])


def _answer(
    services: Services, review_id: int, actor: int, finding_id: int, response: Response
) -> FindingOut:
    finding = services.findings.finding(review_id=review_id, actor=actor, finding_id=finding_id)
    tagged(response, finding.version)
    return FindingOut.of(finding, warnings_by_object(services, review_id, actor))


def _list(
    services: Services, review_id: int, actor: int, limit: int | None = None, offset: int = 0
) -> FindingList:
    findings = services.findings.findings(review_id=review_id, actor=actor)
    warnings = warnings_by_object(services, review_id, actor)
    shown = page(findings, limit or len(findings), offset)
    return FindingList(items=[FindingOut.of(f, warnings) for f in shown], total=len(findings))


@router.get("/reviews/{review_id}/findings", response_model=FindingList, responses=READ)
def list_findings(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> FindingList:
    """The findings in number order, with evidence, questions, comments, the board's response and
    warnings (every member)."""
    return _list(services, review_id, caller.id, limit, offset)


@router.post(
    "/reviews/{review_id}/findings",
    response_model=FindingOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_finding(
    review_id: ReviewId, body: FindingIn, services: ServicesDep, caller: CurrentUser, response: Response
) -> FindingOut:
    """Draft a finding (lead reviewer); it is numbered after the last one."""
    finding = services.findings.add_finding(review_id=review_id, actor=caller.id, **body.model_dump())
    created(response, f"/api/v1/reviews/{review_id}/findings/{finding.id}")
    return _answer(services, review_id, caller.id, finding.id, response)


@router.get("/reviews/{review_id}/findings/{finding_id}", response_model=FindingOut, responses=READ)
def get_finding(
    review_id: ReviewId, finding_id: FindingId, services: ServicesDep, caller: CurrentUser, response: Response
) -> FindingOut:
    """One finding, everything hung on it, and its warnings."""
    return _answer(services, review_id, caller.id, finding_id, response)


@router.patch("/reviews/{review_id}/findings/{finding_id}", response_model=FindingOut, responses=CHANGE)
def update_finding(
    review_id: ReviewId,
    finding_id: FindingId,
    body: FindingPatch,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FindingOut:
    """Change the fields sent (lead reviewer): text, category, themes, linked episodes, or the
    status (draft / agreed)."""
    services.findings.update_finding(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        expected_version=version,
        **body.model_dump(exclude_unset=True),
    )
    return _answer(services, review_id, caller.id, finding_id, response)


@router.delete(
    "/reviews/{review_id}/findings/{finding_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=CHANGE,
)
def delete_finding(
    review_id: ReviewId,
    finding_id: FindingId,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
) -> Response:
    """Delete a finding (lead reviewer); the ones after it move up a number."""
    services.findings.delete_finding(
        review_id=review_id, actor=caller.id, finding_id=finding_id, expected_version=version
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/reviews/{review_id}/findings/{finding_id}/move", response_model=FindingList, responses=CHANGE)
def move_finding(
    review_id: ReviewId,
    finding_id: FindingId,
    body: MoveIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
) -> FindingList:
    """Move a finding to another number (lead reviewer); the others renumber around it. The answer
    is every finding in its new order."""
    services.findings.move_finding(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        expected_version=version,
        to_number=body.to_number,
    )
    return _list(services, review_id, caller.id)


@router.post(
    "/reviews/{review_id}/findings/{finding_id}/evidence", response_model=FindingOut, responses=CHANGE
)
def add_evidence(
    review_id: ReviewId,
    finding_id: FindingId,
    body: EvidenceIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FindingOut:
    """Add evidence that the finding is not a quirk of this case, with its reference (lead
    reviewer). If-Match is the finding's ETag."""
    services.findings.add_evidence(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        expected_version=version,
        **body.model_dump(),
    )
    return _answer(services, review_id, caller.id, finding_id, response)


@router.delete(
    "/reviews/{review_id}/findings/{finding_id}/evidence/{evidence_id}",
    response_model=FindingOut,
    responses=CHANGE,
)
def remove_evidence(
    review_id: ReviewId,
    finding_id: FindingId,
    evidence_id: EvidenceId,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FindingOut:
    """Remove one piece of evidence (lead reviewer). If-Match is the finding's ETag."""
    services.findings.remove_evidence(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        expected_version=version,
        evidence_id=evidence_id,
    )
    return _answer(services, review_id, caller.id, finding_id, response)


@router.post(
    "/reviews/{review_id}/findings/{finding_id}/questions", response_model=FindingOut, responses=CHANGE
)
def add_question(
    review_id: ReviewId,
    finding_id: FindingId,
    body: QuestionIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FindingOut:
    """Add a question for the board (lead reviewer, coordinator, chair). If-Match is the finding's ETag."""
    services.findings.add_question(
        review_id=review_id, actor=caller.id, finding_id=finding_id, expected_version=version, text=body.text
    )
    return _answer(services, review_id, caller.id, finding_id, response)


@router.patch(
    "/reviews/{review_id}/findings/{finding_id}/questions/{question_id}",
    response_model=FindingOut,
    responses=CHANGE,
)
def update_question(
    review_id: ReviewId,
    finding_id: FindingId,
    question_id: QuestionId,
    body: QuestionIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FindingOut:
    """Change a question for the board. If-Match is the finding's ETag."""
    services.findings.update_question(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        expected_version=version,
        question_id=question_id,
        text=body.text,
    )
    return _answer(services, review_id, caller.id, finding_id, response)


@router.delete(
    "/reviews/{review_id}/findings/{finding_id}/questions/{question_id}",
    response_model=FindingOut,
    responses=CHANGE,
)
def remove_question(
    review_id: ReviewId,
    finding_id: FindingId,
    question_id: QuestionId,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FindingOut:
    """Remove a question for the board; the others renumber. If-Match is the finding's ETag."""
    services.findings.update_question(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        expected_version=version,
        question_id=question_id,
        text=None,
    )
    return _answer(services, review_id, caller.id, finding_id, response)


@router.post(
    "/reviews/{review_id}/findings/{finding_id}/comments",
    response_model=CommentOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def comment_on_finding(
    review_id: ReviewId, finding_id: FindingId, body: CommentIn, services: ServicesDep, caller: CurrentUser
) -> CommentOut:
    """Comment on a draft finding (case group, panel members, lead reviewer): does it ring true?
    Comments are kept with their author and time."""
    comment = services.findings.comment_on_finding(
        review_id=review_id, actor=caller.id, finding_id=finding_id, text=body.text
    )
    return CommentOut.of(comment)

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
    tagged,
)
from api.schemas.findings import FindingList, FindingOut
from api.schemas.narratives import CommentOut
from api.schemas.repository import SuggestionList, SuggestionOut, TakeSuggestion
from findings.analysis.findings import (
    AddEvidence,
    AddFinding,
    AddQuestion,
    ChangeFinding,
    ChangeQuestion,
    CommentOnFinding,
    FindingView,
    MoveFinding,
)

router = APIRouter(tags=["findings"])


def _answer(view: FindingView, response: Response) -> FindingOut:
    tagged(response, view.finding.version)
    return FindingOut.of(view)


@router.get("/reviews/{review_id}/findings", response_model=FindingList, responses=READ)
def list_findings(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> FindingList:
    """The findings in number order, with evidence, questions, comments, the board's response and
    warnings (every member)."""
    found = services.finding.views(review_id=review_id, actor=caller.id, limit=limit, offset=offset)
    return FindingList(items=[FindingOut.of(v) for v in found.items], total=found.total)


@router.post(
    "/reviews/{review_id}/findings",
    response_model=FindingOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_finding(
    review_id: ReviewId, body: AddFinding, services: ServicesDep, caller: CurrentUser, response: Response
) -> FindingOut:
    """Draft a finding (lead reviewer); it is numbered after the last one."""
    view = services.finding.add(review_id=review_id, actor=caller.id, command=body)
    created(response, f"/api/v1/reviews/{review_id}/findings/{view.finding.id}")
    return _answer(view, response)


@router.get("/reviews/{review_id}/findings/{finding_id}", response_model=FindingOut, responses=READ)
def get_finding(
    review_id: ReviewId, finding_id: FindingId, services: ServicesDep, caller: CurrentUser, response: Response
) -> FindingOut:
    """One finding, everything hung on it, and its warnings."""
    return _answer(
        services.finding.view(review_id=review_id, actor=caller.id, finding_id=finding_id), response
    )


@router.patch("/reviews/{review_id}/findings/{finding_id}", response_model=FindingOut, responses=CHANGE)
def update_finding(
    review_id: ReviewId,
    finding_id: FindingId,
    body: ChangeFinding,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FindingOut:
    """Change the fields sent (lead reviewer): text, category, themes, linked episodes, or the
    status (draft / agreed)."""
    view = services.finding.update(
        review_id=review_id, actor=caller.id, finding_id=finding_id, expected_version=version, command=body
    )
    return _answer(view, response)


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
    services.finding.delete(
        review_id=review_id, actor=caller.id, finding_id=finding_id, expected_version=version
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/reviews/{review_id}/findings/{finding_id}/move", response_model=FindingList, responses=CHANGE)
def move_finding(
    review_id: ReviewId,
    finding_id: FindingId,
    body: MoveFinding,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
) -> FindingList:
    """Move a finding to another number (lead reviewer); the others renumber around it. The answer
    is every finding in its new order."""
    views = services.finding.move(
        review_id=review_id, actor=caller.id, finding_id=finding_id, expected_version=version, command=body
    )
    return FindingList(items=[FindingOut.of(v) for v in views], total=len(views))


@router.post(
    "/reviews/{review_id}/findings/{finding_id}/evidence", response_model=FindingOut, responses=CHANGE
)
def add_evidence(
    review_id: ReviewId,
    finding_id: FindingId,
    body: AddEvidence,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FindingOut:
    """Add evidence that the finding is not a quirk of this case, with its reference (lead
    reviewer). If-Match is the finding's ETag."""
    view = services.finding.add_evidence(
        review_id=review_id, actor=caller.id, finding_id=finding_id, expected_version=version, command=body
    )
    return _answer(view, response)


@router.get(
    "/reviews/{review_id}/findings/{finding_id}/suggestions", response_model=SuggestionList, responses=READ
)
def suggest_evidence(
    review_id: ReviewId, finding_id: FindingId, services: ServicesDep, caller: CurrentUser
) -> SuggestionList:
    """ "Not a quirk": earlier findings of other reviews you may see and reviews published elsewhere
    with the same category, a theme in common or similar wording, best first, each with why, the
    summary and reference it would add as evidence, and `added` when it already is (every member)."""
    found = services.suggestions.suggestions(review_id=review_id, actor=caller.id, finding_id=finding_id)
    return SuggestionList(items=[SuggestionOut.of(s) for s in found])


@router.post(
    "/reviews/{review_id}/findings/{finding_id}/evidence/suggested",
    response_model=FindingOut,
    responses=CHANGE,
)
def add_suggested_evidence(
    review_id: ReviewId,
    finding_id: FindingId,
    body: TakeSuggestion,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FindingOut:
    """Add one suggestion (its `entry_id`) as evidence of the kind "other reviews", with the summary
    and reference the suggestion gives (lead reviewer; audited with the entry). If-Match is the
    finding's ETag; an entry you may not see, or not a finding of another review or a review published
    elsewhere, is 404."""
    found = services.suggestions.evidence(
        review_id=review_id, actor=caller.id, finding_id=finding_id, entry_id=body.entry_id
    )
    view = services.finding.add_evidence(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        expected_version=version,
        command=found.evidence(),
        source=f"repository:{found.kind}:{found.entry_id}",
    )
    return _answer(view, response)


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
    view = services.finding.remove_evidence(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        expected_version=version,
        evidence_id=evidence_id,
    )
    return _answer(view, response)


@router.post(
    "/reviews/{review_id}/findings/{finding_id}/questions", response_model=FindingOut, responses=CHANGE
)
def add_question(
    review_id: ReviewId,
    finding_id: FindingId,
    body: AddQuestion,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FindingOut:
    """Add a question for the board (lead reviewer, coordinator, chair). If-Match is the finding's ETag."""
    view = services.finding.add_question(
        review_id=review_id, actor=caller.id, finding_id=finding_id, expected_version=version, command=body
    )
    return _answer(view, response)


@router.patch(
    "/reviews/{review_id}/findings/{finding_id}/questions/{question_id}",
    response_model=FindingOut,
    responses=CHANGE,
)
def update_question(
    review_id: ReviewId,
    finding_id: FindingId,
    question_id: QuestionId,
    body: ChangeQuestion,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> FindingOut:
    """Change a question for the board. If-Match is the finding's ETag."""
    view = services.finding.update_question(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        expected_version=version,
        question_id=question_id,
        command=body,
    )
    return _answer(view, response)


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
    view = services.finding.remove_question(
        review_id=review_id,
        actor=caller.id,
        finding_id=finding_id,
        expected_version=version,
        question_id=question_id,
    )
    return _answer(view, response)


@router.post(
    "/reviews/{review_id}/findings/{finding_id}/comments",
    response_model=CommentOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def comment_on_finding(
    review_id: ReviewId,
    finding_id: FindingId,
    body: CommentOnFinding,
    services: ServicesDep,
    caller: CurrentUser,
) -> CommentOut:
    """Comment on a draft finding (case group, panel members, lead reviewer): does it ring true?
    Comments are kept with their author and time."""
    comment = services.finding.comment(
        review_id=review_id, actor=caller.id, finding_id=finding_id, command=body
    )
    return CommentOut.of(comment)

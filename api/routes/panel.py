"""Panel analyses: each panel member's own appraisal of the episodes and proposed factors, private
to its author and the lead reviewers until submitted; the coordinator may waive one."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, OptionalObjectVersion, ReviewId, ServicesDep
from api.routes.answers import (
    CHANGE,
    CREATE,
    READ,
    SubmissionId,
    created,
    fields_as_sent,
    must_name_version,
    tagged,
)
from api.schemas.analysis import PanelSubmissionList, PanelSubmissionOut
from findings.analysis.models import PanelSubmission
from findings.analysis.panel import SavePanelAnalysis, WaivePanelAnalysis

router = APIRouter(tags=["panel analyses"])


def _answer(submission: PanelSubmission, response: Response) -> PanelSubmissionOut:
    tagged(response, submission.version)
    return PanelSubmissionOut.of(submission)


@router.get("/reviews/{review_id}/panel-submissions", response_model=PanelSubmissionList, responses=READ)
def list_submissions(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> PanelSubmissionList:
    """The panel analyses the caller may read: their own and, for a lead reviewer, every draft;
    for the review team, those submitted or waived. The case group sees none."""
    found = services.panel.list(review_id=review_id, actor=caller.id, limit=limit, offset=offset)
    return PanelSubmissionList(items=[PanelSubmissionOut.of(s) for s in found.items], total=found.total)


@router.put(
    "/reviews/{review_id}/panel-submissions/mine",
    response_model=PanelSubmissionOut,
    responses={**CHANGE, 201: {"model": PanelSubmissionOut, "description": "The draft was created."}},
)
def save_own_submission(
    review_id: ReviewId,
    body: SavePanelAnalysis,
    services: ServicesDep,
    caller: CurrentUser,
    version: OptionalObjectVersion,
    response: Response,
) -> PanelSubmissionOut:
    """Write the caller's own draft analysis (a panel member): their appraisal, a note per episode
    and proposed factors; only the fields sent change. The first save creates it (201, no If-Match);
    after that, send its ETag."""
    own = services.panel.mine(review_id=review_id, actor=caller.id)
    must_name_version(own is not None, version, "your panel analysis")
    with fields_as_sent():
        submission = services.panel.save(
            review_id=review_id,
            actor=caller.id,
            expected_version=version if own is not None else None,
            command=body,
        )
    if own is None:
        response.status_code = status.HTTP_201_CREATED
        created(response, f"/api/v1/reviews/{review_id}/panel-submissions/{submission.id}")
    return _answer(submission, response)


@router.post(
    "/reviews/{review_id}/panel-submissions/mine/submission",
    response_model=PanelSubmissionOut,
    responses=CHANGE,
)
def submit_own_submission(
    review_id: ReviewId,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> PanelSubmissionOut:
    """Submit the caller's analysis: from now on the review team can read it, and it can no longer change."""
    submission = services.panel.submit(review_id=review_id, actor=caller.id, expected_version=version)
    return _answer(submission, response)


@router.post(
    "/reviews/{review_id}/panel-submissions/waivers", response_model=PanelSubmissionOut, responses=CREATE
)
def waive_submission(
    review_id: ReviewId,
    body: WaivePanelAnalysis,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> PanelSubmissionOut:
    """Waive a panel member's analysis, with the reason (coordinator; audited)."""
    submission = services.panel.waive(review_id=review_id, actor=caller.id, command=body)
    return _answer(submission, response)


@router.get(
    "/reviews/{review_id}/panel-submissions/{submission_id}",
    response_model=PanelSubmissionOut,
    responses=READ,
)
def get_submission(
    review_id: ReviewId,
    submission_id: SubmissionId,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> PanelSubmissionOut:
    """One panel analysis; a draft is 404 to everyone but its author and the lead reviewers."""
    submission = services.panel.get(review_id=review_id, actor=caller.id, submission_id=submission_id)
    return _answer(submission, response)

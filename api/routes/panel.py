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
    page,
    tagged,
)
from api.schemas.analysis import PanelSubmissionIn, PanelSubmissionList, PanelSubmissionOut, WaiverIn
from api.wiring import Services
from findings.analysis.models import PanelSubmission

router = APIRouter(tags=["panel analyses"])


def _own(services: Services, review_id: int, actor: int) -> PanelSubmission | None:
    return next(
        (
            s
            for s in services.findings.panel_submissions(review_id=review_id, actor=actor)
            if s.author_id == actor
        ),
        None,
    )


def _answer(
    services: Services, review_id: int, actor: int, submission_id: int, response: Response
) -> PanelSubmissionOut:
    submission = services.findings.panel_submission(
        review_id=review_id, actor=actor, submission_id=submission_id
    )
    tagged(response, submission.version)
    return PanelSubmissionOut.of(submission)


@router.get("/reviews/{review_id}/panel-submissions", response_model=PanelSubmissionList, responses=READ)
def list_submissions(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> PanelSubmissionList:
    """The panel analyses the caller may read: their own and, for a lead reviewer, every draft;
    for the review team, those submitted or waived. The case group sees none."""
    rows = services.findings.panel_submissions(review_id=review_id, actor=caller.id)
    return PanelSubmissionList(
        items=[PanelSubmissionOut.of(s) for s in page(rows, limit, offset)], total=len(rows)
    )


@router.put(
    "/reviews/{review_id}/panel-submissions/mine",
    response_model=PanelSubmissionOut,
    responses={**CHANGE, 201: {"model": PanelSubmissionOut, "description": "The draft was created."}},
)
def save_own_submission(
    review_id: ReviewId,
    body: PanelSubmissionIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: OptionalObjectVersion,
    response: Response,
) -> PanelSubmissionOut:
    """Write the caller's own draft analysis (a panel member): their appraisal, a note per episode
    and proposed factors; only the fields sent change. The first save creates it (201, no If-Match);
    after that, send its ETag."""
    own = _own(services, review_id, caller.id)
    must_name_version(own is not None, version, "your panel analysis")
    with fields_as_sent():
        submission = services.findings.save_panel_submission(
            review_id=review_id,
            actor=caller.id,
            expected_version=version if own is not None else None,
            **body.model_dump(exclude_unset=True, mode="python"),
        )
    if own is None:
        response.status_code = status.HTTP_201_CREATED
        created(response, f"/api/v1/reviews/{review_id}/panel-submissions/{submission.id}")
    return _answer(services, review_id, caller.id, submission.id, response)


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
    submission = services.findings.submit_panel_submission(
        review_id=review_id, actor=caller.id, expected_version=version
    )
    return _answer(services, review_id, caller.id, submission.id, response)


@router.post(
    "/reviews/{review_id}/panel-submissions/waivers", response_model=PanelSubmissionOut, responses=CREATE
)
def waive_submission(
    review_id: ReviewId, body: WaiverIn, services: ServicesDep, caller: CurrentUser, response: Response
) -> PanelSubmissionOut:
    """Waive a panel member's analysis, with the reason (coordinator; audited)."""
    submission = services.findings.waive_panel_submission(
        review_id=review_id, actor=caller.id, membership_id=body.membership_id, reason=body.reason
    )
    return _answer(services, review_id, caller.id, submission.id, response)


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
    return _answer(services, review_id, caller.id, submission_id, response)

"""The systems lens for any text: the wording warnings of a draft written elsewhere
(docs/quality-warnings.md)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentUser, ServicesDep
from api.errors import documented
from api.schemas.analysis import LensOut, LensWarningOut
from findings.analysis.lens import CheckText

router = APIRouter(tags=["quality warnings"])


@router.post("/lens", response_model=LensOut, responses=documented(401, 404, 422))
def lens(body: CheckText, services: ServicesDep, caller: CurrentUser) -> LensOut:
    """Check any text through the systems lens, as a team checks a draft written elsewhere.
    `kind` is statement (a finding's statement of the pattern), question (a question for the
    board) or narrative. The answer lists the wording warnings: blame or hindsight language, and
    for a question a training or procedure reminder. With `review_id`, a person named too: the
    review's members and (except for the case group) its sealed register; a review you are not a
    member of is 404. Nothing is saved: an empty `warnings` means none were found."""
    found = services.lens.check(actor=caller.id, command=body)
    return LensOut(
        kind=found.kind,
        review_id=found.review_id,
        names_checked=found.names_checked,
        register_problem=found.register_problem,
        warnings=[LensWarningOut.of(w) for w in found.warnings],
    )

"""The sealed identity register of a review: the real identifiers and their pseudonyms. Only the
review's coordinator and chair (404 for non-members, 403 for other roles); every read and change is
audited; values are sealed at rest (docs/sealed-register.md). The bodies are the register service's
commands, as the register page builds them from its form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api.deps import CurrentUser, IfMatch, Offset, ReviewId, ServicesDep, etag
from api.errors import documented
from api.schemas.common import MAX_ID
from api.schemas.reports import EntryChangedOut, RegisterOut
from findings.publication.register import AddRegisterEntry, ChangeRegisterEntry, RemoveRegisterEntry

router = APIRouter(tags=["sealed register"])

EntryId = Annotated[int, Path(ge=1, le=MAX_ID, description="The register entry's id.")]
AtMost = Annotated[int | None, Query(ge=1, le=1000, description="At most this many entries (else all).")]
CHANGES = documented(401, 403, 404, 409, 412, 422, 428)


def _changed(response: Response, entry_id: int, version: int) -> EntryChangedOut:
    response.headers["ETag"] = etag(version)
    return EntryChangedOut(entry_id=entry_id, version=version)


@router.get(
    "/reviews/{review_id}/register", response_model=RegisterOut, responses=documented(401, 403, 404, 422)
)
def read_register(
    review_id: ReviewId,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
    limit: AtMost = None,
    offset: Offset = 0,
) -> RegisterOut:
    """The register, opened, in the order the entries were made; `total` counts them all (coordinator
    and chair; audited with the ids of the entries shown, without raising the review's version)."""
    view = services.register.read(review_id=review_id, actor=caller.id, limit=limit, offset=offset)
    response.headers["ETag"] = etag(view.version)
    return RegisterOut.of(view)


@router.post(
    "/reviews/{review_id}/register",
    response_model=EntryChangedOut,
    status_code=status.HTTP_201_CREATED,
    responses=CHANGES,
)
def add_register_entry(
    review_id: ReviewId,
    body: AddRegisterEntry,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> EntryChangedOut:
    """Add a real identifier with its pseudonym (coordinator and chair)."""
    changed = services.register.add(
        review_id=review_id, actor=caller.id, expected_version=version, command=body
    )
    response.headers["Location"] = f"/api/v1/reviews/{review_id}/register/{changed.entry_id}"
    return _changed(response, changed.entry_id, changed.version)


@router.patch("/reviews/{review_id}/register/{entry_id}", response_model=EntryChangedOut, responses=CHANGES)
def change_register_entry(
    review_id: ReviewId,
    entry_id: EntryId,
    body: ChangeRegisterEntry,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> EntryChangedOut:
    """Change the fields sent (coordinator and chair); the audit row names which, never their values."""
    changed = services.register.update(
        review_id=review_id, actor=caller.id, entry_id=entry_id, expected_version=version, command=body
    )
    return _changed(response, changed.entry_id, changed.version)


@router.delete("/reviews/{review_id}/register/{entry_id}", response_model=EntryChangedOut, responses=CHANGES)
def remove_register_entry(
    review_id: ReviewId,
    entry_id: EntryId,
    body: RemoveRegisterEntry,
    services: ServicesDep,
    caller: CurrentUser,
    version: IfMatch,
    response: Response,
) -> EntryChangedOut:
    """Remove an identifier, with the reason (coordinator and chair)."""
    changed = services.register.remove(
        review_id=review_id, actor=caller.id, entry_id=entry_id, expected_version=version, command=body
    )
    return _changed(response, changed.entry_id, changed.version)

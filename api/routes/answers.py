"""What the analysis routes share: the problems they document, ETags of objects, pages of lists,
the review's warnings by object, and request field names in the service's errors."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Annotated, TypeVar

from fastapi import Path, Response

from api.deps import etag
from api.errors import documented, precondition_required
from api.schemas.analysis import WarningIndex, index_warnings
from api.schemas.common import MAX_ID
from api.wiring import Services
from workflow.errors import InvalidInput

T = TypeVar("T")

# A member who may read (403 for a role that may not, 404 for everyone else).
READ = documented(401, 403, 404, 422)
# A creation: no If-Match (nothing to be stale against); 409 when the stage does not allow it,
# 412 when a concurrent writer won the race for the same thing.
CREATE = documented(401, 403, 404, 409, 412, 422)
# A change to an existing object: If-Match with the object's ETag.
CHANGE = documented(401, 403, 404, 409, 412, 422, 428)

Agency = Annotated[
    str, Path(min_length=1, max_length=200, description="The agency, as in the review's scope.")
]


def object_id(what: str) -> object:
    return Path(ge=1, le=MAX_ID, description=f"The {what}'s id.")


EpisodeId = Annotated[int, object_id("episode")]
FactorId = Annotated[int, object_id("factor")]
EntryId = Annotated[int, object_id("narrative entry")]
ConversationId = Annotated[int, object_id("conversation")]
SubmissionId = Annotated[int, object_id("panel analysis")]
GoodPracticeId = Annotated[int, object_id("good practice entry")]
FindingId = Annotated[int, object_id("finding")]
EvidenceId = Annotated[int, object_id("evidence")]
QuestionId = Annotated[int, object_id("question")]
ActionId = Annotated[int, object_id("action")]


def tagged(response: Response, version: int) -> None:
    """The answer carries the object's version as its ETag."""
    response.headers["ETag"] = etag(version)


def created(response: Response, location: str, version: int | None = None) -> None:
    response.headers["Location"] = location
    if version is not None:
        tagged(response, version)


def page(items: Sequence[T], limit: int, offset: int) -> list[T]:
    return list(items[offset : offset + limit])


def must_name_version(exists: bool, version: int | None, what: str) -> None:
    """A PUT that creates its object needs no If-Match; once the object exists it does (428)."""
    if exists and version is None:
        raise precondition_required(what)


def warnings_by_object(services: Services, review_id: int, actor: int) -> WarningIndex:
    return index_warnings(services.warnings.list(review_id=review_id, actor=actor).items)


_INDEX = re.compile(r"\[(\w+)\]")


@contextmanager
def fields_as_sent(names: Mapping[str, str] | None = None) -> Iterator[None]:
    """Name the fields of the service's InvalidInput the way the request does: `proposed_factors[0].level`
    -> `proposed_factors.0.level`, and any renamed field (`agencies_aware` -> `aware`)."""
    try:
        yield
    except InvalidInput as error:
        renamed: dict[str, str] = {}
        for key, message in error.errors.items():
            key = _INDEX.sub(r".\1", (names or {}).get(key, key))
            renamed[key] = f"{renamed[key]} {message}" if key in renamed else message
        raise InvalidInput(renamed) from None

"""Agency narratives: dated entries (typed or imported from CSV), submitting and returning a
narrative, exemptions, the views side by side and merged, and the information-sharing map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, ReviewId, ServicesDep
from api.routes.answers import CHANGE, CREATE, READ, Agency, EntryId, created, fields_as_sent, page, tagged
from api.schemas.narratives import (
    ColumnList,
    ColumnOut,
    DayList,
    DayOut,
    EntryIn,
    EntryOut,
    EntryPatch,
    ImportOut,
    NarrativeOut,
    ReasonIn,
    SharingMapOut,
)
from api.wiring import Services
from findings.analysis import chronology as narr
from workflow.errors import InvalidInput, NotFound

router = APIRouter(tags=["narratives"])

# The service checks an entry with the CSV's column names; the request calls it `aware`.
ENTRY_FIELDS = {"agencies_aware": "aware"}
# Accepted types of the uploaded file's part (spreadsheets and browsers label CSV in several ways).
CSV_TYPES = {
    "text/csv",
    "application/csv",
    "text/plain",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "",
}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _entry(services: Services, review_id: int, actor: int, entry_id: int) -> narr.EntryView:
    overview = services.findings.narratives(review_id=review_id, actor=actor)
    for column in overview.columns:
        for entry in column.entries:
            if entry.id == entry_id:
                return entry
    raise NotFound(f"Narrative entry {entry_id} was not found in this review.")


def _narrative(
    services: Services, review_id: int, actor: int, agency: str, response: Response
) -> NarrativeOut:
    """The narrative as it is now, with its ETag."""
    narrative = services.findings.narrative(review_id=review_id, actor=actor, agency=agency)
    tagged(response, narrative.version)
    return NarrativeOut.of(narrative)


@router.get("/reviews/{review_id}/narratives", response_model=ColumnList, responses=READ)
def side_by_side(review_id: ReviewId, services: ServicesDep, caller: CurrentUser) -> ColumnList:
    """Every agency's narrative side by side (the review team): one column per agency in scope
    (status draft, submitted, returned, exempt or missing), entries in date order."""
    overview = services.findings.narratives(review_id=review_id, actor=caller.id)
    return ColumnList(items=[ColumnOut.of(c) for c in overview.columns], total=len(overview.columns))


@router.get("/reviews/{review_id}/narratives/merged", response_model=DayList, responses=READ)
def merged(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> DayList:
    """All narratives merged in date order, a day at a time; where several agencies recorded the
    same day, every account stays (`several_accounts`)."""
    days = services.findings.narratives(review_id=review_id, actor=caller.id).days
    return DayList(items=[DayOut.of(d) for d in page(days, limit, offset)], total=len(days))


@router.get("/reviews/{review_id}/narratives/{agency}", response_model=NarrativeOut, responses=READ)
def get_narrative(
    review_id: ReviewId, agency: Agency, services: ServicesDep, caller: CurrentUser, response: Response
) -> NarrativeOut:
    """One agency's narrative with its entries; its ETag is what submitting or returning it needs."""
    return _narrative(services, review_id, caller.id, agency, response)


@router.post(
    "/reviews/{review_id}/narratives/{agency}/entries",
    response_model=EntryOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_entry(
    review_id: ReviewId,
    agency: Agency,
    body: EntryIn,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> EntryOut:
    """Add a dated entry (the agency's panel member, or the coordinator) to a draft or returned
    narrative; the narrative is created with its first entry."""
    with fields_as_sent(ENTRY_FIELDS):
        entry = services.findings.add_entry(
            review_id=review_id, actor=caller.id, agency=agency, **body.model_dump()
        )
    created(response, f"/api/v1/reviews/{review_id}/narrative-entries/{entry.id}", entry.version)
    return EntryOut.of(entry, agency.strip())


@router.get("/reviews/{review_id}/narrative-entries/{entry_id}", response_model=EntryOut, responses=READ)
def get_entry(
    review_id: ReviewId, entry_id: EntryId, services: ServicesDep, caller: CurrentUser, response: Response
) -> EntryOut:
    """One narrative entry, with its ETag."""
    entry = _entry(services, review_id, caller.id, entry_id)
    tagged(response, entry.version)
    return EntryOut.of(entry)


@router.patch("/reviews/{review_id}/narrative-entries/{entry_id}", response_model=EntryOut, responses=CHANGE)
def update_entry(
    review_id: ReviewId,
    entry_id: EntryId,
    body: EntryPatch,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> EntryOut:
    """Change the fields sent of an entry of a draft or returned narrative."""
    with fields_as_sent(ENTRY_FIELDS):
        entry = services.findings.update_entry(
            review_id=review_id,
            actor=caller.id,
            entry_id=entry_id,
            expected_version=version,
            **body.model_dump(exclude_unset=True),
        )
    tagged(response, entry.version)
    return EntryOut.of(entry, entry.narrative.agency)


@router.delete(
    "/reviews/{review_id}/narrative-entries/{entry_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=CHANGE,
)
def delete_entry(
    review_id: ReviewId, entry_id: EntryId, services: ServicesDep, caller: CurrentUser, version: ObjectVersion
) -> Response:
    """Delete an entry of a draft or returned narrative."""
    services.findings.delete_entry(
        review_id=review_id, actor=caller.id, entry_id=entry_id, expected_version=version
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/reviews/{review_id}/narratives/{agency}/import",
    response_model=ImportOut,
    responses=CREATE,
)
def import_csv(
    review_id: ReviewId,
    agency: Agency,
    file: Annotated[UploadFile, File(description="The narrative as CSV (UTF-8, see docs/narrative-csv.md).")],
    services: ServicesDep,
    caller: CurrentUser,
    replace: Annotated[bool, Form(description="Replace the narrative's entries instead of adding.")] = False,
) -> ImportOut:
    """Import entries from a CSV file (multipart upload, field `file`). All or nothing: a file with
    any bad row is refused (422) with every problem in `errors`, keyed `line N, column`, and
    nothing of it is saved."""
    content_type = (file.content_type or "").split(";")[0].strip().lower()
    if content_type not in CSV_TYPES:
        raise InvalidInput({"file": "Upload the narrative as a CSV file (text/csv)."})
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput({"file": f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."})
    result = services.findings.import_csv(
        review_id=review_id, actor=caller.id, agency=agency, data=data, replace=replace
    )
    return ImportOut.of(result)


@router.post(
    "/reviews/{review_id}/narratives/{agency}/submission", response_model=NarrativeOut, responses=CHANGE
)
def submit_narrative(
    review_id: ReviewId,
    agency: Agency,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> NarrativeOut:
    """Submit the agency's narrative (its panel member, or the coordinator): it becomes read-only
    until it is returned."""
    services.findings.submit_narrative(
        review_id=review_id, actor=caller.id, agency=agency, expected_version=version
    )
    return _narrative(services, review_id, caller.id, agency, response)


@router.post("/reviews/{review_id}/narratives/{agency}/return", response_model=NarrativeOut, responses=CHANGE)
def return_narrative(
    review_id: ReviewId,
    agency: Agency,
    body: ReasonIn,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> NarrativeOut:
    """Return a submitted narrative for changes (lead reviewer or coordinator), with the reason."""
    services.findings.return_narrative(
        review_id=review_id, actor=caller.id, agency=agency, reason=body.reason, expected_version=version
    )
    return _narrative(services, review_id, caller.id, agency, response)


@router.put(
    "/reviews/{review_id}/narratives/{agency}/exemption", response_model=NarrativeOut, responses=CREATE
)
def record_exemption(
    review_id: ReviewId,
    agency: Agency,
    body: ReasonIn,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> NarrativeOut:
    """Record why the agency need not submit a narrative (coordinator); it stands in for one at
    `begin_analysis`."""
    if not body.reason.strip():
        raise InvalidInput({"reason": "Say why this agency need not submit a narrative."})
    services.findings.record_narrative_exemption(
        review_id=review_id, actor=caller.id, agency=agency, reason=body.reason
    )
    return _narrative(services, review_id, caller.id, agency, response)


@router.delete(
    "/reviews/{review_id}/narratives/{agency}/exemption", response_model=NarrativeOut, responses=CREATE
)
def clear_exemption(
    review_id: ReviewId, agency: Agency, services: ServicesDep, caller: CurrentUser, response: Response
) -> NarrativeOut:
    """Clear the agency's exemption (coordinator)."""
    services.findings.record_narrative_exemption(
        review_id=review_id, actor=caller.id, agency=agency, reason=""
    )
    return _narrative(services, review_id, caller.id, agency, response)


@router.get("/reviews/{review_id}/information-sharing", response_model=SharingMapOut, responses=READ)
def information_sharing(review_id: ReviewId, services: ServicesDep, caller: CurrentUser) -> SharingMapOut:
    """For each narrative entry marked significant: which agencies knew of it and from when, as a
    grid (a row per entry, a cell per agency; `how` is recorded, at_the_time, later or not_known)."""
    return SharingMapOut.of(services.findings.information_sharing(review_id=review_id, actor=caller.id))

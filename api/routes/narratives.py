"""Agency narratives: dated entries (typed or imported from CSV), submitting and returning a
narrative, exemptions, the views side by side and merged, and the information-sharing map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, ReviewId, ServicesDep
from api.routes.answers import CHANGE, CREATE, READ, Agency, EntryId, created, page, tagged
from api.schemas.narratives import (
    ColumnList,
    ColumnOut,
    DayList,
    DayOut,
    EntryOut,
    ImportOut,
    NarrativeOut,
    SharingMapOut,
)
from findings.analysis.models import AgencyNarrative
from findings.analysis.narratives import (
    AddEntry,
    ChangeEntry,
    ExemptNarrative,
    ImportNarrative,
    ReturnNarrative,
)
from workflow.errors import InvalidInput

router = APIRouter(tags=["narratives"])

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


def _answer(narrative: AgencyNarrative, response: Response) -> NarrativeOut:
    """The narrative as the change left it, with its ETag."""
    tagged(response, narrative.version)
    return NarrativeOut.of(narrative)


@router.get("/reviews/{review_id}/narratives", response_model=ColumnList, responses=READ)
def side_by_side(review_id: ReviewId, services: ServicesDep, caller: CurrentUser) -> ColumnList:
    """Every agency's narrative side by side (the review team): one column per agency in scope
    (status draft, submitted, returned, exempt or missing), entries in date order."""
    overview = services.narratives.overview(review_id=review_id, actor=caller.id)
    return ColumnList(items=[ColumnOut.of(c) for c in overview.columns], total=len(overview.columns))


@router.get("/reviews/{review_id}/narratives/merged", response_model=DayList, responses=READ)
def merged(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> DayList:
    """All narratives merged in date order, a day at a time; where several agencies recorded the
    same day, every account stays (`several_accounts`)."""
    days = services.narratives.overview(review_id=review_id, actor=caller.id).days
    return DayList(items=[DayOut.of(d) for d in page(days, limit, offset)], total=len(days))


@router.get("/reviews/{review_id}/narratives/{agency}", response_model=NarrativeOut, responses=READ)
def get_narrative(
    review_id: ReviewId, agency: Agency, services: ServicesDep, caller: CurrentUser, response: Response
) -> NarrativeOut:
    """One agency's narrative with its entries; its ETag is what submitting or returning it needs."""
    narrative = services.narratives.get(review_id=review_id, actor=caller.id, agency=agency)
    return _answer(narrative, response)


@router.post(
    "/reviews/{review_id}/narratives/{agency}/entries",
    response_model=EntryOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_entry(
    review_id: ReviewId,
    agency: Agency,
    body: AddEntry,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> EntryOut:
    """Add a dated entry (the agency's panel member, or the coordinator) to a draft or returned
    narrative; the narrative is created with its first entry."""
    entry = services.narratives.add_entry(review_id=review_id, actor=caller.id, agency=agency, command=body)
    created(response, f"/api/v1/reviews/{review_id}/narrative-entries/{entry.id}", entry.version)
    return EntryOut.of(entry, agency.strip())


@router.get("/reviews/{review_id}/narrative-entries/{entry_id}", response_model=EntryOut, responses=READ)
def get_entry(
    review_id: ReviewId, entry_id: EntryId, services: ServicesDep, caller: CurrentUser, response: Response
) -> EntryOut:
    """One narrative entry, with its ETag."""
    entry = services.narratives.get_entry(review_id=review_id, actor=caller.id, entry_id=entry_id)
    tagged(response, entry.version)
    return EntryOut.of(entry)


@router.patch("/reviews/{review_id}/narrative-entries/{entry_id}", response_model=EntryOut, responses=CHANGE)
def update_entry(
    review_id: ReviewId,
    entry_id: EntryId,
    body: ChangeEntry,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> EntryOut:
    """Change the fields sent of an entry of a draft or returned narrative."""
    entry = services.narratives.update_entry(
        review_id=review_id, actor=caller.id, entry_id=entry_id, expected_version=version, command=body
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
    services.narratives.delete_entry(
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
    result = services.narratives.import_csv(
        review_id=review_id,
        actor=caller.id,
        agency=agency,
        command=ImportNarrative(data=data, replace=replace),
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
    narrative = services.narratives.submit(
        review_id=review_id, actor=caller.id, agency=agency, expected_version=version
    )
    return _answer(narrative, response)


@router.post("/reviews/{review_id}/narratives/{agency}/return", response_model=NarrativeOut, responses=CHANGE)
def return_narrative(
    review_id: ReviewId,
    agency: Agency,
    body: ReturnNarrative,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> NarrativeOut:
    """Return a submitted narrative for changes (lead reviewer or coordinator), with the reason."""
    narrative = services.narratives.return_for_changes(
        review_id=review_id, actor=caller.id, agency=agency, expected_version=version, command=body
    )
    return _answer(narrative, response)


@router.put(
    "/reviews/{review_id}/narratives/{agency}/exemption", response_model=NarrativeOut, responses=CREATE
)
def record_exemption(
    review_id: ReviewId,
    agency: Agency,
    body: ExemptNarrative,
    services: ServicesDep,
    caller: CurrentUser,
    response: Response,
) -> NarrativeOut:
    """Record why the agency need not submit a narrative (coordinator); it stands in for one at
    `begin_analysis`."""
    narrative = services.narratives.record_exemption(
        review_id=review_id, actor=caller.id, agency=agency, command=body
    )
    return _answer(narrative, response)


@router.delete(
    "/reviews/{review_id}/narratives/{agency}/exemption", response_model=NarrativeOut, responses=CREATE
)
def clear_exemption(
    review_id: ReviewId, agency: Agency, services: ServicesDep, caller: CurrentUser, response: Response
) -> NarrativeOut:
    """Clear the agency's exemption (coordinator)."""
    narrative = services.narratives.clear_exemption(review_id=review_id, actor=caller.id, agency=agency)
    return _answer(narrative, response)


@router.get("/reviews/{review_id}/information-sharing", response_model=SharingMapOut, responses=READ)
def information_sharing(review_id: ReviewId, services: ServicesDep, caller: CurrentUser) -> SharingMapOut:
    """For each narrative entry marked significant: which agencies knew of it and from when, as a
    grid (a row per entry, a cell per agency; `how` is recorded, at_the_time, later or not_known)."""
    return SharingMapOut.of(services.narratives.information_sharing(review_id=review_id, actor=caller.id))

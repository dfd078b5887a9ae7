"""Pages of the agency narratives: every agency's status (and exemptions), one agency's narrative
with its entry form (to add an entry or change one), the CSV upload, submitting and returning, and
the merged chronology."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import Caller
from api.deps import ReviewId
from api.pages import forms
from api.pages.common import (
    CsrfChecked,
    Form,
    PageRoute,
    PageUser,
    ServicesDep,
    Submitted,
    attempt,
    date_fields,
    redirect,
    render,
    uploaded_file,
)
from api.pages.views import may, review_context, review_context_of
from api.wiring import Services
from findings.analysis.chronology import COLUMNS, CsvImportError, EntryView
from findings.analysis.models import AgencyNarrative, NarrativeEntry
from findings.analysis.narratives import (
    AddEntry,
    ChangeEntry,
    ExemptNarrative,
    ImportNarrative,
    ImportResult,
    ReturnNarrative,
    time_of_day,
)
from workflow.errors import InvalidInput, NotFound
from workflow.states import ReviewRole

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/reviews/{review_id}/narratives")
def narratives(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    detail, columns = services.narratives.statuses(review_id=review_id, actor=user.id)
    context = review_context_of(detail, "narratives")
    review = detail.review
    own = {m.agency for m in review.memberships if m.user_id == user.id and m.role == ReviewRole.PANEL_MEMBER}
    context.update(
        {
            "columns": columns,
            "own": own,
            "may_exempt": may(context["roles"], review.state, "record_narrative_exemption"),
            "form": Form.of(),
        }
    )
    return render(request, "pages/narratives.html", context)


@router.post("/reviews/{review_id}/narratives/exemption", dependencies=[CsrfChecked])
def narrative_exemption(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    """Record an agency's exemption with its reason; an empty reason clears it."""
    form = Form.of(submitted)
    agency = form.text("agency", required="Choose the agency.")
    command = forms.command(form, ExemptNarrative) if form.text("reason") else None

    def change() -> AgencyNarrative:
        if command is None:
            return services.narratives.clear_exemption(review_id=review_id, actor=user.id, agency=agency)
        return services.narratives.record_exemption(
            review_id=review_id, actor=user.id, agency=agency, command=command
        )

    _, status = attempt(form, change)
    if not status:
        return redirect(f"/reviews/{review_id}/narratives", flash=f"Exemption for {agency} recorded.")
    return redirect(
        f"/reviews/{review_id}/narratives", flash="Nothing changed: " + "; ".join(form.errors.values())
    )


def _narrative_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    agency: str,
    *,
    entry_form: Form | None = None,
    editing: int | None = None,
    upload_form: Form | None = None,
    return_form: Form | None = None,
    problems: CsvImportError | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "narratives")
    review = context["review"]
    agencies = list(dict.fromkeys([*review.agencies_in_scope, *review.agencies_involved]))
    if agency not in agencies:
        raise NotFound(f"{agency} is not an agency of this review.")
    try:
        narrative = services.narratives.get(review_id=review_id, actor=user.id, agency=agency)
    except NotFound:
        narrative = None
    own = any(
        m.user_id == user.id and m.role == ReviewRole.PANEL_MEMBER and m.agency == agency
        for m in review.memberships
    )
    writer = (own or ReviewRole.COORDINATOR in context["roles"]) and may(
        context["roles"], review.state, "write_narrative"
    )
    editable = writer and (narrative is None or narrative.status != "submitted")
    entries = sorted(narrative.entries, key=_in_date_order) if narrative else []
    entry = _entry_to_edit(entries, editing) if editable else None
    if entry is not None:
        entry_form = _filled(entry, entry_form)
    context.update(
        {
            "agency": agency,
            "narrative": narrative,
            "entries": entries,
            "editable": editable,
            "editing": entry,
            "may_submit": writer and narrative is not None and narrative.status != "submitted",
            "may_return": narrative is not None
            and narrative.status == "submitted"
            and may(context["roles"], review.state, "return_narrative"),
            "other_agencies": [(a, a) for a in agencies if a != agency],
            "warnings": [
                w
                for w in services.warnings.list(
                    review_id=review_id, actor=user.id, kind="narrative_entry"
                ).items
                if w.where.within == agency
            ],
            "entry_form": entry_form or Form.of(),
            "upload_form": upload_form or Form.of(),
            "return_form": return_form or Form.of(),
            "problems": list(problems.problems) if problems else [],
            "more_problems": problems.more if problems else 0,
            "columns": COLUMNS,
        }
    )
    return render(request, "pages/narrative.html", context, status=status)


def _in_date_order(entry: NarrativeEntry) -> tuple[date, time, int]:
    return (entry.occurred_on, entry.occurred_at or time.min, entry.id)


def _entry_to_edit(entries: list[NarrativeEntry], entry_id: int | None) -> NarrativeEntry | None:
    if entry_id is None:
        return None
    found = next((e for e in entries if e.id == entry_id), None)
    if found is None:
        raise NotFound(f"Narrative entry {entry_id} was not found in this narrative.")
    return found


def _filled(entry: NarrativeEntry, form: Form | None) -> Form:
    """The entry's form: as stored, or as typed (with the entry's current version if it was stale)."""
    if form is None:
        return Form.of(
            version=entry.version,
            occurred_at=time_of_day(entry.occurred_at) or "",
            what_happened=entry.what_happened,
            source_record=entry.source_record,
            aware=list(entry.aware),
            significant=entry.significant,
            **date_fields("occurred_on", entry.occurred_on),
        )
    if form.stale:
        form.data["version"] = [str(entry.version)]
    return form


@router.get("/reviews/{review_id}/narratives/{agency}")
def narrative(
    request: Request,
    review_id: ReviewId,
    agency: str,
    services: ServicesDep,
    user: PageUser,
    edit: ReviewId | None = None,
) -> Response:
    """The agency's narrative; `?edit=<entry id>` opens that entry in the entry form."""
    return _narrative_page(request, services, user, review_id, agency, editing=edit)


def _aware(form: Form, entry: EntryView | None = None) -> dict[str, str | None]:
    """The agencies ticked as aware. One that learned of the entry later than it happened keeps the
    day it learned; the others knew at the time (of the entry's date as sent)."""
    later = {a: on for a, on in entry.aware.items() if on != entry.occurred_on.isoformat()} if entry else {}
    return {agency: later.get(agency) for agency in form.values("aware")}


@router.post("/reviews/{review_id}/narratives/{agency}/entries", dependencies=[CsrfChecked])
def add_entry(
    request: Request,
    review_id: ReviewId,
    agency: str,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = forms.submit(
        form,
        AddEntry,
        lambda command: services.narratives.add_entry(
            review_id=review_id, actor=user.id, agency=agency, command=command
        ),
        aware=_aware(form),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/narratives/{_q(agency)}", flash="Entry added.")
    return _narrative_page(request, services, user, review_id, agency, entry_form=form, status=status)


@router.post("/reviews/{review_id}/narratives/{agency}/entries/{entry_id}", dependencies=[CsrfChecked])
def update_entry(
    request: Request,
    review_id: ReviewId,
    agency: str,
    entry_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    entry = services.narratives.get_entry(review_id=review_id, actor=user.id, entry_id=entry_id)
    command = forms.command(form, ChangeEntry, aware=_aware(form, entry))
    status = 422
    if command is not None:
        _, status = attempt(
            form,
            lambda: services.narratives.update_entry(
                review_id=review_id,
                actor=user.id,
                entry_id=entry_id,
                expected_version=form.version(),
                command=command,
            ),
        )
    if not status:
        return redirect(f"/reviews/{review_id}/narratives/{_q(agency)}", flash="Entry saved.")
    return _narrative_page(
        request, services, user, review_id, agency, entry_form=form, editing=entry_id, status=status
    )


@router.post("/reviews/{review_id}/narratives/{agency}/entries/{entry_id}/delete", dependencies=[CsrfChecked])
def delete_entry(
    request: Request,
    review_id: ReviewId,
    agency: str,
    entry_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = attempt(
        form,
        lambda: services.narratives.delete_entry(
            review_id=review_id, actor=user.id, entry_id=entry_id, expected_version=form.version()
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/narratives/{_q(agency)}", flash="Entry deleted.")
    return _narrative_page(request, services, user, review_id, agency, entry_form=form, status=status)


@router.post("/reviews/{review_id}/narratives/{agency}/upload", dependencies=[CsrfChecked])
async def upload_narrative(
    request: Request,
    review_id: ReviewId,
    agency: str,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    data = await uploaded_file(submitted, "csv_file")
    form.anchors["csv_file"] = "csv_file"
    if data is None:
        form.fail("csv_file", "Choose a CSV file to upload.")
        return _narrative_page(request, services, user, review_id, agency, upload_form=form, status=422)
    command = ImportNarrative(data=data, replace=form.value("replace") == "yes")
    refused: list[CsvImportError] = []

    def change() -> ImportResult:
        try:
            return services.narratives.import_csv(
                review_id=review_id, actor=user.id, agency=agency, command=command
            )
        except CsvImportError as error:
            refused.append(error)
            raise InvalidInput({"csv_file": _not_imported(error)}) from None

    result, status = attempt(form, change)
    if result is None:
        return _narrative_page(
            request,
            services,
            user,
            review_id,
            agency,
            upload_form=form,
            problems=refused[0] if refused else None,
            status=status,
        )
    return redirect(
        f"/reviews/{review_id}/narratives/{_q(agency)}",
        flash=f"{result.imported} entries imported"
        + (f", {result.replaced} replaced." if result.replaced else "."),
    )


def _not_imported(error: CsvImportError) -> str:
    count = len(error.problems) + error.more
    return f"The file was not imported: {count} problem(s) to fix. Nothing was saved."


@router.post("/reviews/{review_id}/narratives/{agency}/submit", dependencies=[CsrfChecked])
def submit_narrative(
    request: Request,
    review_id: ReviewId,
    agency: str,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = attempt(
        form,
        lambda: services.narratives.submit(
            review_id=review_id, actor=user.id, agency=agency, expected_version=form.version()
        ),
    )
    if not status:
        return redirect(
            f"/reviews/{review_id}/narratives/{_q(agency)}", flash=f"{agency}'s narrative is submitted."
        )
    return _narrative_page(request, services, user, review_id, agency, entry_form=form, status=status)


@router.post("/reviews/{review_id}/narratives/{agency}/return", dependencies=[CsrfChecked])
def return_narrative(
    request: Request,
    review_id: ReviewId,
    agency: str,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = forms.submit(
        form,
        ReturnNarrative,
        lambda command: services.narratives.return_for_changes(
            review_id=review_id,
            actor=user.id,
            agency=agency,
            expected_version=form.version(),
            command=command,
        ),
    )
    if not status:
        return redirect(
            f"/reviews/{review_id}/narratives/{_q(agency)}", flash=f"{agency}'s narrative is returned."
        )
    return _narrative_page(request, services, user, review_id, agency, return_form=form, status=status)


def _q(agency: str) -> str:
    return quote(agency, safe="")


# ---- merged chronology --------------------------------------------------------------------------------


@router.get("/reviews/{review_id}/chronology")
def chronology(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, view: str = "side"
) -> Response:
    context = review_context(services, user, review_id, "chronology")
    overview = services.narratives.overview(review_id=review_id, actor=user.id)
    view = view if view in ("side", "merged", "sharing") else "side"
    sharing: Any = None
    if view == "sharing":
        sharing = services.narratives.information_sharing(review_id=review_id, actor=user.id)
    context.update({"view": view, "columns": overview.columns, "days": overview.days, "sharing": sharing})
    return render(request, "pages/chronology.html", context)

"""Pages of the analysis: agency narratives (entry form and CSV upload), the merged chronology,
conversations, key practice episodes, contributory factors, panel analyses and good practice."""

from __future__ import annotations

from datetime import time
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import Caller
from api.deps import ReviewId
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
from api.pages.views import may, member_names, review_context
from api.wiring import Services
from findings.analysis import frameworks
from findings.analysis.chronology import COLUMNS, CsvImportError
from findings.analysis.models import VALENCES
from findings.analysis.service import CONVERSATION_HEADINGS
from workflow.errors import InvalidInput, NotFound
from workflow.states import ReviewRole

router = APIRouter(route_class=PageRoute, include_in_schema=False)

VALENCE_LABELS = {"good": "Good practice", "problematic": "Problematic practice", "mixed": "Mixed"}


# ---- narratives --------------------------------------------------------------------------------------


@router.get("/reviews/{review_id}/narratives")
def narratives(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    context = review_context(services, user, review_id, "narratives")
    overview = services.findings.narratives(review_id=review_id, actor=user.id)
    review = context["review"]
    own = {m.agency for m in review.memberships if m.user_id == user.id and m.role == ReviewRole.PANEL_MEMBER}
    context.update(
        {
            "columns": overview.columns,
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
    form = Form.of(submitted)
    agency = form.text("agency", required="Choose the agency.")
    _, status = attempt(
        form,
        lambda: services.findings.record_narrative_exemption(
            review_id=review_id, actor=user.id, agency=agency, reason=form.text("reason")
        ),
    )
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
    upload_form: Form | None = None,
    return_form: Form | None = None,
    problems: list[Any] | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "narratives")
    review = context["review"]
    agencies = list(dict.fromkeys([*review.agencies_in_scope, *review.agencies_involved]))
    if agency not in agencies:
        raise NotFound(f"{agency} is not an agency of this review.")
    try:
        narrative = services.findings.narrative(review_id=review_id, actor=user.id, agency=agency)
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
    context.update(
        {
            "agency": agency,
            "narrative": narrative,
            "entries": sorted(
                narrative.entries, key=lambda e: (e.occurred_on, e.occurred_at or time.min, e.id)
            )
            if narrative
            else [],
            "editable": editable,
            "may_submit": writer and narrative is not None and narrative.status != "submitted",
            "may_return": narrative is not None
            and narrative.status == "submitted"
            and may(context["roles"], review.state, "return_narrative"),
            "other_agencies": [(a, a) for a in agencies if a != agency],
            "entry_form": entry_form or Form.of(),
            "upload_form": upload_form or Form.of(),
            "return_form": return_form or Form.of(),
            "problems": problems or [],
            "columns": COLUMNS,
        }
    )
    return render(request, "pages/narrative.html", context, status=status)


@router.get("/reviews/{review_id}/narratives/{agency}")
def narrative(
    request: Request, review_id: ReviewId, agency: str, services: ServicesDep, user: PageUser
) -> Response:
    return _narrative_page(request, services, user, review_id, agency)


def _time(form: Form, name: str) -> time | None:
    value = form.text(name)
    if not value:
        return None
    try:
        hours, minutes = value.split(":")[:2]
        return time(int(hours), int(minutes))
    except ValueError:
        form.fail(name, "Enter the time as HH:MM (24-hour), for example 09:30, or leave it empty.")
        return None


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
    occurred_on = form.date("occurred_on", required="Enter the date it happened.")
    occurred_at = _time(form, "occurred_at")
    what = form.text("what_happened", required="Say what happened, in the agency's words.")
    _, status = attempt(
        form,
        lambda: services.findings.add_entry(
            review_id=review_id,
            actor=user.id,
            agency=agency,
            occurred_on=occurred_on,  # type: ignore[arg-type]
            occurred_at=occurred_at,
            what_happened=what,
            source_record=form.text("source_record"),
            aware=dict.fromkeys(form.values("aware")),
            significant=form.value("significant") == "yes",
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/narratives/{_q(agency)}", flash="Entry added.")
    return _narrative_page(request, services, user, review_id, agency, entry_form=form, status=status)


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
        lambda: services.findings.delete_entry(
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
    problems: list[Any] = []

    def change() -> Any:
        try:
            return services.findings.import_csv(
                review_id=review_id,
                actor=user.id,
                agency=agency,
                data=data,
                replace=form.value("replace") == "yes",
            )
        except CsvImportError as error:
            problems.extend(error.problems)
            raise InvalidInput(
                {
                    "csv_file": f"The file was not imported: {len(error.problems)} problem(s) to fix. "
                    "Nothing was saved."
                }
            ) from None

    result, status = attempt(form, change)
    if result is None:
        return _narrative_page(
            request, services, user, review_id, agency, upload_form=form, problems=problems, status=status
        )
    return redirect(
        f"/reviews/{review_id}/narratives/{_q(agency)}",
        flash=f"{result.imported} entries imported"
        + (f", {result.replaced} replaced." if result.replaced else "."),
    )


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
        lambda: services.findings.submit_narrative(
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
    reason = form.text("reason", required="Say what the agency needs to change.")
    _, status = attempt(
        form,
        lambda: services.findings.return_narrative(
            review_id=review_id, actor=user.id, agency=agency, reason=reason, expected_version=form.version()
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
    overview = services.findings.narratives(review_id=review_id, actor=user.id)
    view = view if view in ("side", "merged", "sharing") else "side"
    context.update(
        {
            "view": view,
            "columns": overview.columns,
            "days": overview.days,
            "sharing": services.findings.information_sharing(review_id=review_id, actor=user.id)
            if view == "sharing"
            else None,
        }
    )
    return render(request, "pages/chronology.html", context)


# ---- conversations -----------------------------------------------------------------------------------


def _conversations_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "conversations")
    review = context["review"]
    context.update(
        {
            "conversations": services.findings.conversations(review_id=review_id, actor=user.id),
            "names": member_names(review),
            "practitioners": [
                (str(m.user_id), f"{m.user.name} ({m.agency})" if m.agency else m.user.name)
                for m in review.memberships
                if m.role == ReviewRole.CASE_GROUP
            ],
            "headings": CONVERSATION_HEADINGS,
            "may_write": may(context["roles"], review.state, "write_conversation"),
            "form": form or Form.of(),
        }
    )
    return render(request, "pages/conversations.html", context, status=status)


@router.get("/reviews/{review_id}/conversations")
def conversations(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _conversations_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/conversations", dependencies=[CsrfChecked])
def add_conversation(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    practitioner = form.value("practitioner_id")
    if not practitioner.isdigit():
        form.fail("practitioner_id", "Choose the practitioner the conversation was with.")
    held_on = form.date("held_on")
    result, status = attempt(
        form,
        lambda: services.findings.add_conversation(
            review_id=review_id,
            actor=user.id,
            practitioner_id=int(practitioner),
            held_on=held_on,
            **{name: form.text(name) for name in CONVERSATION_HEADINGS},
        ),
    )
    if result is not None:
        return redirect(f"/reviews/{review_id}/conversations/{result.id}", flash="Conversation recorded.")
    return _conversations_page(request, services, user, review_id, form, status)


def _conversation_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    conversation_id: int,
    *,
    edit_form: Form | None = None,
    comment_form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "conversations")
    review = context["review"]
    conversation = services.findings.conversation(
        review_id=review_id, actor=user.id, conversation_id=conversation_id
    )
    if edit_form is None:
        edit_form = Form.of(
            version=conversation.version,
            **{name: getattr(conversation, name) for name in CONVERSATION_HEADINGS},
            **date_fields("held_on", conversation.held_on),
        )
    elif edit_form.stale:
        edit_form.data["version"] = [str(conversation.version)]
    roles = context["roles"]
    context.update(
        {
            "conversation": conversation,
            "names": member_names(review),
            "headings": CONVERSATION_HEADINGS,
            "may_edit": may(roles, review.state, "write_conversation"),
            "may_comment": may(roles, review.state, "comment_on_conversation")
            and (ReviewRole.LEAD_REVIEWER in roles or conversation.practitioner_id == user.id),
            "edit_form": edit_form,
            "comment_form": comment_form or Form.of(),
        }
    )
    return render(request, "pages/conversation.html", context, status=status)


@router.get("/reviews/{review_id}/conversations/{conversation_id}")
def conversation(
    request: Request, review_id: ReviewId, conversation_id: ReviewId, services: ServicesDep, user: PageUser
) -> Response:
    return _conversation_page(request, services, user, review_id, conversation_id)


@router.post("/reviews/{review_id}/conversations/{conversation_id}", dependencies=[CsrfChecked])
def update_conversation(
    request: Request,
    review_id: ReviewId,
    conversation_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    held_on = form.date("held_on")
    _, status = attempt(
        form,
        lambda: services.findings.update_conversation(
            review_id=review_id,
            actor=user.id,
            conversation_id=conversation_id,
            expected_version=form.version(),
            held_on=held_on,
            **{name: form.text(name) for name in CONVERSATION_HEADINGS},
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/conversations/{conversation_id}", flash="Conversation saved.")
    return _conversation_page(
        request, services, user, review_id, conversation_id, edit_form=form, status=status
    )


@router.post("/reviews/{review_id}/conversations/{conversation_id}/comments", dependencies=[CsrfChecked])
def comment_on_conversation(
    request: Request,
    review_id: ReviewId,
    conversation_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    text = form.text("text", required="Write your comment.")
    _, status = attempt(
        form,
        lambda: services.findings.comment_on_conversation(
            review_id=review_id, actor=user.id, conversation_id=conversation_id, text=text
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/conversations/{conversation_id}", flash="Comment added.")
    return _conversation_page(
        request, services, user, review_id, conversation_id, comment_form=form, status=status
    )


# ---- key practice episodes ---------------------------------------------------------------------------

EPISODE_TEXTS = ("what_happened", "view_from_tunnel", "appraisal", "appraisal_reference", "explanation")


def _episode_choices(
    services: Services, user: Caller, review_id: int, roles: frozenset[ReviewRole]
) -> dict[str, Any]:
    """Narrative entries and conversations an episode can rest on (those the person may see)."""
    entries: list[tuple[str, str]] = []
    if roles & {ReviewRole.COORDINATOR, ReviewRole.LEAD_REVIEWER, ReviewRole.PANEL_MEMBER, ReviewRole.CHAIR}:
        overview = services.findings.narratives(review_id=review_id, actor=user.id)
        for day in overview.days:
            for e in day.entries:
                text = e.what_happened if len(e.what_happened) <= 90 else e.what_happened[:87] + "..."
                entries.append((str(e.id), f"{e.occurred_on:%d/%m/%Y} {e.agency}: {text}"))
    conversations = [
        (str(c.id), f"Conversation {c.id}" + (f" of {c.held_on:%d/%m/%Y}" if c.held_on else ""))
        for c in services.findings.conversations(review_id=review_id, actor=user.id)
    ]
    return {"entry_options": entries, "conversation_options": conversations}


def _episodes_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    *,
    episode_id: int | None = None,
    form: Form | None = None,
    status: int = 200,
    new: bool = False,
) -> Response:
    context = review_context(services, user, review_id, "episodes")
    review = context["review"]
    roles = context["roles"]
    episodes = services.findings.episodes(review_id=review_id, actor=user.id)
    episode = None
    if episode_id is not None:
        episode = next((e for e in episodes if e.id == episode_id), None)
        if episode is None:
            raise NotFound(f"Episode {episode_id} was not found in this review.")
        if form is None:
            form = Form.of(
                version=episode.version,
                title=episode.title,
                valence=episode.valence,
                agencies=episode.agencies,
                entry_ids=[str(e.id) for e in episode.entries],
                conversation_ids=[str(c.id) for c in episode.conversations],
                **{name: getattr(episode, name) for name in EPISODE_TEXTS},
                **date_fields("period_start", episode.period_start),
                **date_fields("period_end", episode.period_end),
            )
        elif form.stale:
            form.data["version"] = [str(episode.version)]
    editing = new or episode is not None
    context.update(
        {
            "episodes": episodes,
            "episode": episode,
            "editing": editing,
            "may_write": may(roles, review.state, "write_episode"),
            "form": form or Form.of(),
            "valences": [(v, VALENCE_LABELS[v]) for v in VALENCES],
            "valence_labels": VALENCE_LABELS,
            "agency_options": [(a, a) for a in review.agencies_in_scope or review.agencies_involved],
            "warnings": services.warnings.list(review_id=review_id, actor=user.id, kind="episode").items,
            **(_episode_choices(services, user, review_id, roles) if editing else {}),
        }
    )
    return render(request, "pages/episodes.html", context, status=status)


@router.get("/reviews/{review_id}/episodes")
def episodes(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _episodes_page(request, services, user, review_id)


@router.get("/reviews/{review_id}/episodes/new")
def new_episode(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _episodes_page(request, services, user, review_id, new=True)


@router.get("/reviews/{review_id}/episodes/{episode_id}")
def episode(
    request: Request, review_id: ReviewId, episode_id: ReviewId, services: ServicesDep, user: PageUser
) -> Response:
    return _episodes_page(request, services, user, review_id, episode_id=episode_id)


def _episode_fields(form: Form) -> dict[str, Any]:
    return {
        "period_start": form.date("period_start"),
        "period_end": form.date("period_end"),
        "agencies": form.values("agencies"),
        "entry_ids": form.ints("entry_ids"),
        "conversation_ids": form.ints("conversation_ids"),
        **{name: form.text(name) for name in EPISODE_TEXTS},
    }


@router.post("/reviews/{review_id}/episodes/new", dependencies=[CsrfChecked])
def add_episode(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    title = form.text("title", required="Give the episode a short title.")
    valence = form.choice(
        "valence", VALENCES, required="Say whether it was good, problematic or mixed practice."
    )
    fields = _episode_fields(form)
    result, status = attempt(
        form,
        lambda: services.findings.add_episode(
            review_id=review_id, actor=user.id, title=title, valence=valence or "", **fields
        ),
    )
    if result is not None:
        return redirect(f"/reviews/{review_id}/episodes/{result.id}", flash=f"Episode {result.number} added.")
    return _episodes_page(request, services, user, review_id, form=form, status=status, new=True)


@router.post("/reviews/{review_id}/episodes/{episode_id}", dependencies=[CsrfChecked])
def update_episode(
    request: Request,
    review_id: ReviewId,
    episode_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    title = form.text("title", required="Give the episode a short title.")
    valence = form.choice(
        "valence", VALENCES, required="Say whether it was good, problematic or mixed practice."
    )
    fields = _episode_fields(form)
    _, status = attempt(
        form,
        lambda: services.findings.update_episode(
            review_id=review_id,
            actor=user.id,
            episode_id=episode_id,
            expected_version=form.version(),
            title=title,
            valence=valence,
            **fields,
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/episodes/{episode_id}", flash="Episode saved.")
    return _episodes_page(request, services, user, review_id, episode_id=episode_id, form=form, status=status)


# ---- contributory factors ----------------------------------------------------------------------------


def _codes(framework: str) -> list[tuple[str, str]]:
    found = frameworks.get(framework) or frameworks.FRAMEWORKS[frameworks.DEFAULT_FRAMEWORK]
    return [
        (
            f"{level.key}/{c.key}",
            f"{level.label}: {c.label}" + (" (individual level)" if c.individual_level else ""),
        )
        for level in found.levels
        for c in level.categories
    ]


def _factors_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    *,
    factor_id: int | None = None,
    form: Form | None = None,
    framework: str | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "factors")
    review = context["review"]
    factors = services.findings.factors(review_id=review_id, actor=user.id)
    factor = None
    if factor_id is not None:
        factor = next((f for f in factors if f.id == factor_id), None)
        if factor is None:
            raise NotFound(f"Factor {factor_id} was not found in this review.")
        if form is None:
            form = Form.of(
                version=factor.version,
                framework=factor.framework,
                code=f"{factor.level}/{factor.category}",
                description=factor.description,
                evidence=factor.evidence,
                episode_ids=[str(e.id) for e in factor.episodes],
            )
        elif form.stale:
            form.data["version"] = [str(factor.version)]
    form = form or Form.of(framework=framework or frameworks.DEFAULT_FRAMEWORK)
    if framework and framework in frameworks.FRAMEWORKS:
        form.data["framework"] = [framework]
    chosen = (
        form.value("framework")
        if form.value("framework") in frameworks.FRAMEWORKS
        else frameworks.DEFAULT_FRAMEWORK
    )
    context.update(
        {
            "factors": factors,
            "factor": factor,
            "form": form,
            "frameworks": [(f.key, f.label) for f in frameworks.FRAMEWORKS.values()],
            "codes": _codes(chosen),
            "label": frameworks.category_label,
            "framework_label": {f.key: f.label for f in frameworks.FRAMEWORKS.values()},
            "episode_options": [
                (str(e.id), f"Episode {e.number}: {e.title}")
                for e in services.findings.episodes(review_id=review_id, actor=user.id)
            ],
            "may_write": may(context["roles"], review.state, "write_factor"),
            "individual": frameworks.is_individual_level,
        }
    )
    return render(request, "pages/factors.html", context, status=status)


@router.get("/reviews/{review_id}/factors")
def factors(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, framework: str = ""
) -> Response:
    return _factors_page(request, services, user, review_id, framework=framework or None)


@router.get("/reviews/{review_id}/factors/{factor_id}")
def factor(
    request: Request,
    review_id: ReviewId,
    factor_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    framework: str = "",
) -> Response:
    return _factors_page(request, services, user, review_id, factor_id=factor_id, framework=framework or None)


def _factor_code(form: Form) -> tuple[str, str, str]:
    framework = form.value("framework") or frameworks.DEFAULT_FRAMEWORK
    code = form.value("code")
    if "/" not in code:
        form.fail("code", "Choose the level and category of the factor.")
        return framework, "", ""
    level, category = code.split("/", 1)
    return framework, level, category


@router.post("/reviews/{review_id}/factors", dependencies=[CsrfChecked])
def add_factor(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    framework, level, category = _factor_code(form)
    description = form.text(
        "description", required="Describe the factor: what condition made the practice more or less likely?"
    )
    episode_ids = form.ints("episode_ids")
    _, status = attempt(
        form,
        lambda: services.findings.add_factor(
            review_id=review_id,
            actor=user.id,
            framework=framework,
            level=level,
            category=category,
            description=description,
            evidence=form.text("evidence"),
            episode_ids=episode_ids,
        ),
        {"level": "code", "category": "code"},
    )
    if not status:
        return redirect(f"/reviews/{review_id}/factors", flash="Factor added.")
    return _factors_page(request, services, user, review_id, form=form, status=status)


@router.post("/reviews/{review_id}/factors/{factor_id}", dependencies=[CsrfChecked])
def update_factor(
    request: Request,
    review_id: ReviewId,
    factor_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    framework, level, category = _factor_code(form)
    _, status = attempt(
        form,
        lambda: services.findings.update_factor(
            review_id=review_id,
            actor=user.id,
            factor_id=factor_id,
            expected_version=form.version(),
            framework=framework,
            level=level,
            category=category,
            description=form.text("description"),
            evidence=form.text("evidence"),
            episode_ids=form.ints("episode_ids"),
        ),
        {"level": "code", "category": "code"},
    )
    if not status:
        return redirect(f"/reviews/{review_id}/factors", flash="Factor saved.")
    return _factors_page(request, services, user, review_id, factor_id=factor_id, form=form, status=status)


# ---- panel analyses ----------------------------------------------------------------------------------


def _panel_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    *,
    form: Form | None = None,
    waive_form: Form | None = None,
    status: int = 200,
) -> Response:
    context = review_context(services, user, review_id, "panel")
    review = context["review"]
    roles = context["roles"]
    submissions = services.findings.panel_submissions(review_id=review_id, actor=user.id)
    episodes = services.findings.episodes(review_id=review_id, actor=user.id)
    mine = next((s for s in submissions if s.author_id == user.id and s.status != "waived"), None)
    if form is None:
        form = Form.of(
            version=mine.version if mine else "",
            appraisal=mine.appraisal if mine else "",
            **{f"note_{e.id}": (mine.episode_notes.get(str(e.id), "") if mine else "") for e in episodes},
        )
    elif form.stale and mine:
        form.data["version"] = [str(mine.version)]
    by_membership = {s.membership_id: s for s in submissions}
    panel = [m for m in review.memberships if m.role == ReviewRole.PANEL_MEMBER]
    context.update(
        {
            "submissions": submissions,
            "mine": mine,
            "episodes": episodes,
            "names": member_names(review),
            "panel": panel,
            "by_membership": by_membership,
            "is_panel": ReviewRole.PANEL_MEMBER in roles,
            "may_write": may(roles, review.state, "write_panel_submission")
            and (mine is None or mine.status == "draft"),
            "may_waive": may(roles, review.state, "waive_panel_submission"),
            "form": form,
            "waive_form": waive_form or Form.of(),
            "agency_of": {m.id: m.agency for m in panel},
        }
    )
    return render(request, "pages/panel.html", context, status=status)


@router.get("/reviews/{review_id}/panel")
def panel(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _panel_page(request, services, user, review_id)


@router.post("/reviews/{review_id}/panel", dependencies=[CsrfChecked])
def save_panel(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    notes = {
        int(name.removeprefix("note_")): form.text(name)
        for name in form.data
        if name.startswith("note_") and name.removeprefix("note_").isdigit() and form.text(name)
    }
    submit = form.value("action") == "submit"

    def change() -> Any:
        saved = services.findings.save_panel_submission(
            review_id=review_id,
            actor=user.id,
            expected_version=form.version(),
            appraisal=form.text("appraisal"),
            episode_notes=notes,
        )
        if submit:
            return services.findings.submit_panel_submission(
                review_id=review_id, actor=user.id, expected_version=saved.version
            )
        return saved

    _, status = attempt(form, change)
    if not status:
        return redirect(
            f"/reviews/{review_id}/panel",
            flash="Your panel analysis is submitted." if submit else "Your draft panel analysis is saved.",
        )
    return _panel_page(request, services, user, review_id, form=form, status=status)


@router.post("/reviews/{review_id}/panel/waive", dependencies=[CsrfChecked])
def waive_panel(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    membership = form.value("membership_id")
    if not membership.isdigit():
        form.fail("membership_id", "Choose the panel member.")
    reason = form.text("reason", required="Give the reason for waiving their analysis.")
    form.anchors["reason"] = "waive-reason"
    _, status = attempt(
        form,
        lambda: services.findings.waive_panel_submission(
            review_id=review_id, actor=user.id, membership_id=int(membership), reason=reason
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/panel", flash="The panel analysis is waived.")
    return _panel_page(request, services, user, review_id, waive_form=form, status=status)

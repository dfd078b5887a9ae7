"""Pages of the analysis: key practice episodes, contributory factors and panel analyses (the
narratives and the chronology are in `api.pages.narratives`, conversations in
`api.pages.conversations`)."""

from __future__ import annotations

from typing import Any

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
)
from api.pages.views import may, member_names, review_context
from api.wiring import Services
from findings.analysis import frameworks
from findings.analysis.models import VALENCES
from workflow.errors import NotFound
from workflow.states import ReviewRole

router = APIRouter(route_class=PageRoute, include_in_schema=False)

VALENCE_LABELS = {"good": "Good practice", "problematic": "Problematic practice", "mixed": "Mixed"}


# ---- key practice episodes ---------------------------------------------------------------------------

EPISODE_TEXTS = ("what_happened", "view_from_tunnel", "appraisal", "appraisal_reference", "explanation")


def _episode_choices(
    services: Services, user: Caller, review_id: int, roles: frozenset[ReviewRole]
) -> dict[str, Any]:
    """Narrative entries and conversations an episode can rest on (those the person may see)."""
    entries: list[tuple[str, str]] = []
    if roles & {ReviewRole.COORDINATOR, ReviewRole.LEAD_REVIEWER, ReviewRole.PANEL_MEMBER, ReviewRole.CHAIR}:
        overview = services.narratives.overview(review_id=review_id, actor=user.id)
        for day in overview.days:
            for e in day.entries:
                text = e.what_happened if len(e.what_happened) <= 90 else e.what_happened[:87] + "..."
                entries.append((str(e.id), f"{e.occurred_on:%d/%m/%Y} {e.agency}: {text}"))
    conversations = [
        (str(c.id), f"Conversation {c.id}" + (f" of {c.held_on:%d/%m/%Y}" if c.held_on else ""))
        for c in services.conversations.list(review_id=review_id, actor=user.id).items
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
            "warnings": services.findings.warnings(review_id=review_id, actor=user.id, kind="episode"),
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

"""The key practice episodes page: the list, a new episode, and one episode's form."""

from __future__ import annotations

from typing import Any

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
)
from api.pages.views import may, review_context
from api.wiring import Services
from findings.analysis.episodes import TEXTS, AddEpisode, ChangeEpisode
from findings.analysis.models import VALENCES, Episode
from workflow.states import ReviewRole

router = APIRouter(route_class=PageRoute, include_in_schema=False)

VALENCE_LABELS = {"good": "Good practice", "problematic": "Problematic practice", "mixed": "Mixed"}


def _choices(
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


def _filled(episode: Episode) -> Form:
    return Form.of(
        version=episode.version,
        title=episode.title,
        valence=episode.valence,
        agencies=episode.agencies,
        entry_ids=[str(e.id) for e in episode.entries],
        conversation_ids=[str(c.id) for c in episode.conversations],
        **{name: getattr(episode, name) for name in TEXTS},
        **date_fields("period_start", episode.period_start),
        **date_fields("period_end", episode.period_end),
    )


def _page(
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
    episodes = services.episodes.list(review_id=review_id, actor=user.id).items
    episode = None
    if episode_id is not None:
        episode = services.episodes.get(review_id=review_id, actor=user.id, episode_id=episode_id)
        if form is None:
            form = _filled(episode)
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
            **(_choices(services, user, review_id, roles) if editing else {}),
        }
    )
    return render(request, "pages/episodes.html", context, status=status)


def _command(form: Form) -> AddEpisode | None:
    """The whole episode as the form has it (an unchosen valence is sent as empty, so the page
    says what to choose)."""
    return forms.command(form, AddEpisode, valence=form.value("valence"))


@router.get("/reviews/{review_id}/episodes")
def episodes(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _page(request, services, user, review_id)


@router.get("/reviews/{review_id}/episodes/new")
def new_episode(request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser) -> Response:
    return _page(request, services, user, review_id, new=True)


@router.get("/reviews/{review_id}/episodes/{episode_id}")
def episode(
    request: Request, review_id: ReviewId, episode_id: ReviewId, services: ServicesDep, user: PageUser
) -> Response:
    return _page(request, services, user, review_id, episode_id=episode_id)


@router.post("/reviews/{review_id}/episodes/new", dependencies=[CsrfChecked])
def add_episode(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    command = _command(form)
    if command is None:
        return _page(request, services, user, review_id, form=form, status=422, new=True)
    result, status = attempt(
        form, lambda: services.episodes.add(review_id=review_id, actor=user.id, command=command)
    )
    if result is not None:
        return redirect(f"/reviews/{review_id}/episodes/{result.id}", flash=f"Episode {result.number} added.")
    return _page(request, services, user, review_id, form=form, status=status, new=True)


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
    whole = _command(form)
    if whole is None:
        return _page(request, services, user, review_id, episode_id=episode_id, form=form, status=422)
    # The form shows every field of the episode, so saving it changes them all.
    command = ChangeEpisode.model_validate(whole.model_dump())
    _, status = attempt(
        form,
        lambda: services.episodes.update(
            review_id=review_id,
            actor=user.id,
            episode_id=episode_id,
            expected_version=form.version(),
            command=command,
        ),
    )
    if not status:
        return redirect(f"/reviews/{review_id}/episodes/{episode_id}", flash="Episode saved.")
    return _page(request, services, user, review_id, episode_id=episode_id, form=form, status=status)

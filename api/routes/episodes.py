"""Key practice episodes: neutral by design (good, problematic or mixed), each with its appraisal
against expected practice and its explanation; quality warnings beside each one."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentUser, Limit, ObjectVersion, Offset, ReviewId, ServicesDep
from api.routes.answers import CHANGE, CREATE, READ, EpisodeId, created, tagged, warnings_by_object
from api.schemas.analysis import EpisodeList, EpisodeOut
from api.wiring import Services
from findings.analysis.episodes import AddEpisode, ChangeEpisode
from findings.analysis.models import Episode

router = APIRouter(tags=["episodes"])


def _answer(
    services: Services, review_id: int, actor: int, episode: Episode, response: Response
) -> EpisodeOut:
    tagged(response, episode.version)
    return EpisodeOut.of(episode, warnings_by_object(services, review_id, actor))


@router.get("/reviews/{review_id}/episodes", response_model=EpisodeList, responses=READ)
def list_episodes(
    review_id: ReviewId, services: ServicesDep, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> EpisodeList:
    """The review's key practice episodes in number order, each with its warnings (every member)."""
    found = services.episodes.list(review_id=review_id, actor=caller.id, limit=limit, offset=offset)
    warnings = warnings_by_object(services, review_id, caller.id)
    return EpisodeList(items=[EpisodeOut.of(e, warnings) for e in found.items], total=found.total)


@router.post(
    "/reviews/{review_id}/episodes",
    response_model=EpisodeOut,
    status_code=status.HTTP_201_CREATED,
    responses=CREATE,
)
def add_episode(
    review_id: ReviewId, body: AddEpisode, services: ServicesDep, caller: CurrentUser, response: Response
) -> EpisodeOut:
    """Record a key practice episode (lead reviewer); it is numbered after the last one."""
    episode = services.episodes.add(review_id=review_id, actor=caller.id, command=body)
    created(response, f"/api/v1/reviews/{review_id}/episodes/{episode.id}")
    return _answer(services, review_id, caller.id, episode, response)


@router.get("/reviews/{review_id}/episodes/{episode_id}", response_model=EpisodeOut, responses=READ)
def get_episode(
    review_id: ReviewId, episode_id: EpisodeId, services: ServicesDep, caller: CurrentUser, response: Response
) -> EpisodeOut:
    """One episode, its links (narrative entries, conversations, factors) and its warnings."""
    episode = services.episodes.get(review_id=review_id, actor=caller.id, episode_id=episode_id)
    return _answer(services, review_id, caller.id, episode, response)


@router.patch("/reviews/{review_id}/episodes/{episode_id}", response_model=EpisodeOut, responses=CHANGE)
def update_episode(
    review_id: ReviewId,
    episode_id: EpisodeId,
    body: ChangeEpisode,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
    response: Response,
) -> EpisodeOut:
    """Change the fields sent (lead reviewer); `entry_ids` and `conversation_ids` replace the links."""
    episode = services.episodes.update(
        review_id=review_id, actor=caller.id, episode_id=episode_id, expected_version=version, command=body
    )
    return _answer(services, review_id, caller.id, episode, response)


@router.delete(
    "/reviews/{review_id}/episodes/{episode_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=CHANGE,
)
def delete_episode(
    review_id: ReviewId,
    episode_id: EpisodeId,
    services: ServicesDep,
    caller: CurrentUser,
    version: ObjectVersion,
) -> Response:
    """Delete an episode (lead reviewer); the ones after it move up a number."""
    services.episodes.delete(
        review_id=review_id, actor=caller.id, episode_id=episode_id, expected_version=version
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)

"""Concurrent changes over real HTTP: twenty clients fire the same trigger against the same version at
once. Exactly one wins; the others are told the review changed (412); the log has one row."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from findings.analysis.episodes import AddEpisode
from workflow.states import State

CLIENTS = 20


@pytest.fixture
def live_url(app) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread, against the test database."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_twenty_clients_fire_the_same_trigger_and_exactly_one_wins(live_url, worlds, service, api_services):
    world = worlds.at(State.SCREENING)
    url = f"{live_url}/api/v1/reviews/{world.review_id}/triggers/pause"
    headers = {**world.headers("coordinator"), "If-Match": f'"{world.version}"'}
    start = threading.Barrier(CLIENTS)
    statuses: list[int] = []

    def client() -> None:
        with httpx.Client(timeout=60) as http:
            start.wait()
            response = http.post(url, headers=headers, json={"reason": "Criminal proceedings."})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(statuses) == {200: 1, 412: CLIENTS - 1}
    log = service.audit_log(world.review_id, world.users["coordinator"])
    assert [entry.action for entry in log].count("pause") == 1
    review = service.get(world.review_id, world.users["coordinator"]).review
    assert review.state == State.PAUSED
    assert review.version == int(headers["If-Match"].strip('"')) + 1


def _at_once(count: int, send) -> list[int]:
    start = threading.Barrier(count)
    statuses: list[int] = []

    def client() -> None:
        with httpx.Client(timeout=60) as http:
            start.wait()
            statuses.append(send(http).status_code)

    threads = [threading.Thread(target=client) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_ten_writers_change_the_same_episode_against_one_etag_and_exactly_one_wins(
    live_url, worlds, service, api_services
):
    world = worlds.at(State.ANALYSIS)
    episode = api_services.episodes.add(
        review_id=world.review_id,
        actor=world.users["lead"],
        command=AddEpisode(title="Dental appointments missed", valence="mixed"),
    )
    url = f"{live_url}/api/v1/reviews/{world.review_id}/episodes/{episode.id}"
    headers = {**world.headers("lead"), "If-Match": f'"{episode.version}"'}
    statuses = _at_once(
        10, lambda http: http.patch(url, headers=headers, json={"appraisal": "Expected practice."})
    )
    assert Counter(statuses) == {200: 1, 412: 9}
    log = service.audit_log(world.review_id, world.users["coordinator"])
    assert [entry.action for entry in log].count("update_episode") == 1


def test_ten_first_saves_of_one_panel_analysis_make_exactly_one(live_url, worlds, service, api_services):
    world = worlds.at(State.ANALYSIS)
    url = f"{live_url}/api/v1/reviews/{world.review_id}/panel-submissions/mine"
    statuses = _at_once(
        10,
        lambda http: http.put(url, headers=world.headers("panel_member"), json={"appraisal": "Hard to see."}),
    )
    # One creates it; the others lost the race (412) or found it made and named no version (428).
    assert statuses.count(201) == 1
    assert set(statuses) <= {201, 412, 428}
    mine = api_services.panel.list(review_id=world.review_id, actor=world.users["lead"])
    assert len(mine.items) == 1


CREATES = {
    "narrative entries": (
        State.DATA_GATHERING,
        "panel_member",
        "narratives/Police/entries",
        "add_narrative_entry",
        lambda n: {"occurred_on": "2026-03-02", "what_happened": f"Home visit {n}."},
    ),
    "key practice episodes": (
        State.ANALYSIS,
        "lead",
        "episodes",
        "add_episode",
        lambda n: {"title": f"Home visit {n}", "valence": "mixed"},
    ),
}


@pytest.mark.parametrize("kind", list(CREATES))
def test_eight_clients_creating_at_once_all_succeed_and_the_chain_verifies(live_url, worlds, service, kind):
    """Creates name no version (no If-Match): concurrent ones queue for the review's row and every
    one is saved, none refused as stale (on PostgreSQL they were, 412, before they queued)."""
    stage, caller, path, action, body = CREATES[kind]
    world = worlds.at(stage)
    url = f"{live_url}/api/v1/reviews/{world.review_id}/{path}"
    numbers = iter(range(1000))
    lock = threading.Lock()

    def send(http: httpx.Client) -> httpx.Response:
        for _ in range(2):  # two in a row each, so later creates race the earlier ones' commits too
            with lock:
                n = next(numbers)
            response = http.post(url, headers=world.headers(caller), json=body(n))
            if response.status_code != 201:
                return response
        return response

    statuses = _at_once(8, send)
    assert Counter(statuses) == {201: 8}
    coordinator = world.users["coordinator"]
    log = service.audit_log(world.review_id, coordinator)
    assert [entry.action for entry in log].count(action) == 16
    assert service.verify_audit(world.review_id, coordinator).intact

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

from tests.api.world import build_world
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


def test_twenty_clients_fire_the_same_trigger_and_exactly_one_wins(live_url, service, people, api_services):
    world = build_world(service, people, api_services.auth, State.SCREENING)
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

"""Crash safety: `tunnelview serve` killed with SIGKILL in the middle of a stream of writes loses no
change it acknowledged, and leaves every audit chain intact.

A real server process (one worker, so the process killed is the worker) on a fresh database of each
backend (PostgreSQL when TUNNELVIEW_TEST_DATABASE_URL is set, as in CI; SQLite always), with its
`synchronous_commit` left as a deployment has it. Three clients write over HTTP at once: the chair
pausing and resuming one review (triggers, with If-Match), a panel member adding narrative entries
and the lead reviewer adding key practice episodes to another. Each write carries a text of its own,
and each 2xx answer is recorded. After a fixed number of acknowledged writes the worker is killed
(requests are in flight: the clients never wait for one another); it is started again, every client
writes a few more changes on the restarted server, and then every acknowledged change must be there
exactly once, and `tunnelview audit verify-all` must find every chain intact. A write that was in
flight may or may not have been committed, but never half: its audit row is there if and only if its
change is (the chain and its anchor on the review row agree).

Bounded: about 30 writes before the kill and 6 after, 5-30 s a backend (most of it starting the
server twice). Both backends run on one xdist worker (`xdist_group`), so their servers never run at
the same time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from api.wiring import build_services
from findings.analysis.models import Episode, NarrativeEntry
from tests.databases import backends, fresh_database
from tests.live_server import LiveServer, free_port, server_environment
from tests.support import Journey, People, run_cli
from workflow import migrate
from workflow.models import AuditEntry
from workflow.settings import Settings
from workflow.states import State

pytestmark = pytest.mark.xdist_group("crash_safety")

KILL_AFTER = 30  # acknowledged writes, across the clients, before the worker is killed
EACH_BEFORE = 40  # the most a client writes before the kill (it stops at the kill)
EACH_AFTER = 2  # writes per client on the restarted server


@dataclass
class Seeded:
    paused_review: int  # the chair pauses and resumes it
    analysed_review: int  # entries and episodes are added to it
    tokens: dict[str, str]  # chair, panel (Police), lead


@dataclass
class Acknowledged:
    """The writes the server answered 2xx, by the unique text each carried."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    pauses: list[str] = field(default_factory=list)
    resumes: int = 0
    entries: list[str] = field(default_factory=list)
    episodes: list[str] = field(default_factory=list)
    interrupted: int = 0  # requests cut off by the kill
    refused: list[str] = field(default_factory=list)  # answers other than 2xx (there should be none)

    @property
    def total(self) -> int:
        return len(self.pauses) + self.resumes + len(self.entries) + len(self.episodes)


@pytest.fixture(params=backends())
def crash_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        if request.param == "postgresql":  # the test databases commit without waiting; not this one
            admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(
                    text(f'ALTER DATABASE "{make_url(url).database}" RESET synchronous_commit')
                )
            admin.dispose()
        migrate.upgrade(url)
        yield url


def seed(url: str) -> Seeded:
    """Two reviews at data gathering, driven through the real services, and the writers' tokens."""
    services = build_services(Settings(database_url=url))
    try:
        people = People(services.sessions)
        paused = Journey(services.reviews, people).to(State.DATA_GATHERING)
        analysed = Journey(services.reviews, people).to(State.DATA_GATHERING)
        writers = {
            "chair": paused.cast.chair,
            "panel": analysed.cast.panel["Police"],
            "lead": analysed.cast.lead,
        }
        tokens = {name: services.auth.issue(user).token for name, user in writers.items()}
        return Seeded(paused.review_id, analysed.review_id, tokens)
    finally:
        services.engine.dispose()


class Writer:
    """One client's stream of writes; it stops at the first request the server does not answer."""

    def __init__(self, server: LiveServer, token: str, acknowledged: Acknowledged) -> None:
        self.client = httpx.Client(
            base_url=f"{server.base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self.acknowledged = acknowledged
        self.written = 0

    def run(self, count: int, write: Callable[[int], None], stop: threading.Event) -> None:
        try:
            for _ in range(count):
                if stop.is_set():
                    return
                self.written += 1
                write(self.written)
        except httpx.TransportError:
            with self.acknowledged.lock:
                self.acknowledged.interrupted += 1
        except httpx.HTTPStatusError as error:  # not a crash: a refusal, said in the test's failure
            with self.acknowledged.lock:
                self.acknowledged.refused.append(f"{error.request.url}: {error.response.text}")
        finally:
            self.client.close()


def pausing(writer: Writer, review_id: int, tag: str) -> Callable[[int], None]:
    """Pause with a reason of its own, then resume, and so on, each against the version last seen."""
    state: dict[str, int | bool] = {}

    def write(n: int) -> None:
        if not state:
            current = writer.client.get(f"/reviews/{review_id}").raise_for_status().json()
            state.update(version=current["version"], paused=current["state"] == State.PAUSED.value)
        trigger = "resume" if state["paused"] else "pause"
        body = {} if state["paused"] else {"reason": f"Inquest, write {tag}{n}."}
        answer = writer.client.post(
            f"/reviews/{review_id}/triggers/{trigger}",
            json=body,
            headers={"If-Match": f'"{state["version"]}"'},
        )
        answer.raise_for_status()
        with writer.acknowledged.lock:
            if trigger == "pause":
                writer.acknowledged.pauses.append(body["reason"])
            else:
                writer.acknowledged.resumes += 1
        state.update(version=answer.json()["version"], paused=not state["paused"])

    return write


def adding_entries(writer: Writer, review_id: int, tag: str) -> Callable[[int], None]:
    def write(n: int) -> None:
        what = f"Police visit {tag}{n}."
        body = {"occurred_on": "2026-03-01", "what_happened": what}
        writer.client.post(f"/reviews/{review_id}/narratives/Police/entries", json=body).raise_for_status()
        with writer.acknowledged.lock:
            writer.acknowledged.entries.append(what)

    return write


def adding_episodes(writer: Writer, review_id: int, tag: str) -> Callable[[int], None]:
    def write(n: int) -> None:
        title = f"Episode {tag}{n}"
        body = {"title": title, "valence": "problematic"}
        writer.client.post(f"/reviews/{review_id}/episodes", json=body).raise_for_status()
        with writer.acknowledged.lock:
            writer.acknowledged.episodes.append(title)

    return write


def write_concurrently(
    server: LiveServer,
    seeded: Seeded,
    acknowledged: Acknowledged,
    count: int,
    tag: str,
    kill_after: int | None = None,
) -> None:
    """The three streams at once; with `kill_after`, SIGKILL the worker once that many writes (in
    all) have been acknowledged, while the streams are still writing."""
    writers = {name: Writer(server, token, acknowledged) for name, token in seeded.tokens.items()}
    streams = [
        pausing(writers["chair"], seeded.paused_review, tag),
        adding_entries(writers["panel"], seeded.analysed_review, tag),
        adding_episodes(writers["lead"], seeded.analysed_review, tag),
    ]
    stop = threading.Event()
    threads = [
        threading.Thread(target=writer.run, args=(count, stream, stop))
        for writer, stream in zip(writers.values(), streams, strict=True)
    ]
    for thread in threads:
        thread.start()
    if kill_after is not None:
        while acknowledged.total < kill_after and any(thread.is_alive() for thread in threads):
            threading.Event().wait(0.005)
        server.kill()
        stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


def test_every_acknowledged_write_survives_a_killed_worker_and_every_chain_verifies(crash_database, tmp_path):
    seeded = seed(crash_database)
    env = server_environment(crash_database, free_port())
    server = LiveServer(env, tmp_path).start()
    acknowledged = Acknowledged()
    try:
        write_concurrently(server, seeded, acknowledged, EACH_BEFORE, "a", kill_after=KILL_AFTER)
        before_kill = acknowledged.total
        assert not acknowledged.refused
        assert before_kill >= KILL_AFTER and server.process and server.process.returncode == -9

        server.start()  # the same database, a new worker
        write_concurrently(server, seeded, acknowledged, EACH_AFTER, "b")
        assert not acknowledged.refused
        assert acknowledged.total >= before_kill + 3 * EACH_AFTER  # the restarted server takes writes
    finally:
        server.stop()

    services = build_services(Settings(database_url=crash_database))
    try:
        with services.sessions() as session:
            actions = session.execute(
                select(AuditEntry.action, AuditEntry.reason).where(
                    AuditEntry.review_id == seeded.paused_review
                )
            ).all()
            reasons = [reason for action, reason in actions if action == "pause"]
            entries = list(session.scalars(select(NarrativeEntry.what_happened)))
            episodes = list(session.scalars(select(Episode.title)))
    finally:
        services.engine.dispose()
    assert all(reasons.count(reason) == 1 for reason in acknowledged.pauses), (acknowledged.pauses, reasons)
    assert sum(action == "resume" for action, _ in actions) >= acknowledged.resumes
    assert all(entries.count(what) == 1 for what in acknowledged.entries), (acknowledged.entries, entries)
    assert all(episodes.count(title) == 1 for title in acknowledged.episodes), (
        acknowledged.episodes,
        episodes,
    )

    verified = run_cli(["audit", "verify-all"], tmp_path, {"TUNNELVIEW_DATABASE_URL": crash_database})
    assert verified.returncode == 0, verified.stderr
    assert "all 2 reviews' chains intact" in verified.stdout

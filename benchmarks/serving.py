"""Benchmark: the pages and the API at 50 concurrent clients against `tunnelview serve --workers 2`, each
against a bare endpoint reading one row served the same way, in the same run; firing a trigger against
the raw UPDATE + INSERT of the same rows; and the workers' memory after the load, and again once idle
long enough to give back what they freed (api/memory.py). Not a test.

    .venv/bin/python -m benchmarks.serving --database-url URL [--clients 50] [--requests 400] [--pace S ...]

URL is a database filled by `benchmarks.dataset` (run it with the same TUNNELVIEW_REGISTER_KEY). The
review measured is the first published one of the database with the most findings, read by its
coordinator (so "my reviews" lists that coordinator's team, about 20 reviews). Every endpoint gets
`--requests` GETs in all from `--clients` concurrent clients (asyncio, one kept-alive connection each),
after a warm-up, under each load: saturated (each client asks again as soon as it is answered, so the
times are mostly the queue of a server doing all it can) and paced (each client pauses a random time of
mean `--pace` seconds before each request, as people read a page before the next click; default 1 s
and 5 s). The bare endpoint (`benchmarks.common.bare_app`, one SELECT of one row) is served the way
`tunnelview serve` serves (`api.server.run`) with as many workers. The clients run on the same machine
as the servers, so all share its cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, select

from api.auth import SESSION_COOKIE
from api.memory import RELEASE_EVERY
from api.wiring import build_services
from benchmarks.common import StatementCounter, Timing
from benchmarks.lifecycle import bench_fire_on
from findings.analysis.models import Finding
from tests.live_server import SECRET_KEY, LiveServer, free_port, server_environment
from workflow.models import Membership, Review
from workflow.settings import Settings
from workflow.states import State


def percentiles(samples: list[float]) -> Timing:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(samples[len(samples) // 2], p95, samples[0], len(samples))


class Connection:
    """One kept-alive HTTP/1.1 connection that sends GETs and reads whole answers: a client that takes
    as little as it can of the cores it shares with the servers it measures."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self._reader, self._writer, self._host = reader, writer, host

    @classmethod
    async def open(cls, base: str) -> Connection:
        address = urlsplit(base)
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        return cls(reader, writer, address.netloc)

    async def get(self, path: str, headers: dict[str, str]) -> int:
        """The status of one GET of `path`, after reading its whole body."""
        lines = [f"GET {path} HTTP/1.1", f"Host: {self._host}", *(f"{k}: {v}" for k, v in headers.items())]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = (await self._reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
        if "content-length" in fields:
            await self._reader.readexactly(int(fields["content-length"]))
        else:  # chunked
            while size := int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await self._reader.readexactly(size + 2)
            await self._reader.readuntil(b"\r\n")
        return int(head[0].split()[1])

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(ConnectionError):
            await self._writer.wait_closed()


async def load(
    base: str, path: str, clients: int, requests: int, headers: dict[str, str], pace: float = 0.0
) -> tuple[Timing, float]:
    """`requests` GETs of `path` from `clients` concurrent clients: milliseconds per request, and
    requests answered per second. With `pace` 0 every client asks again as soon as it is answered (the
    server saturated: latency is mostly queueing); with `pace` > 0 each waits a random pause of that
    mean (seconds, exponential) first, as people reading a page before the next click."""
    samples: list[float] = []
    queue = list(range(requests))
    pauses = random.Random(13)

    async def client() -> None:
        connection = await Connection.open(base)
        try:
            await connection.get(path, headers)  # warm-up: the connection and the worker's caches
            while queue:
                queue.pop()
                if pace:
                    await asyncio.sleep(pauses.expovariate(1 / pace))
                start = time.perf_counter()
                try:
                    status = await connection.get(path, headers)
                except (asyncio.IncompleteReadError, ConnectionError):
                    # the server closed a connection idle past its keep-alive: connect again, as a browser
                    await connection.close()
                    connection = await Connection.open(base)
                    status = await connection.get(path, headers)
                samples.append((time.perf_counter() - start) * 1000)
                if status >= 400:
                    raise RuntimeError(f"{path} answered {status}")
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return percentiles(samples), len(samples) / (time.perf_counter() - started)


def rss_of_children(pid: int) -> list[tuple[str, float]]:
    """The command (its last words) and resident set (MB) of every child process of `pid`: uvicorn's
    workers (and multiprocessing's helper)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            command = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append((" ".join(command.split()[-2:])[:40], int(fields["VmRSS"].split()[0]) / 1024))
    return found


class BareServer:
    """uvicorn with two workers serving `bare_app` on the same database."""

    def __init__(self, url: str, port: int, workers: int) -> None:
        env = os.environ | {
            "BENCH_DATABASE_URL": url,
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from api import server; server.run('benchmarks.common:bare_app_from_environment',"
                f" factory=True, port={port}, workers={workers}, log_level='warning',"
                " timeout_worker_healthcheck=30)",
            ],
            env=env,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/bare/1").status_code < 500:
                    return
            except httpx.TransportError:
                time.sleep(0.3)
        raise RuntimeError("the bare server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def subject(services: Any) -> tuple[int, int, int]:
    """The published review with the most findings, its coordinator and its chair."""
    with services.sessions() as session:
        review_id = session.scalar(
            select(Review.id)
            .join(Finding, Finding.review_id == Review.id)
            .where(Review.state == State.PUBLISHED.value)
            .group_by(Review.id)
            .order_by(func.count(Finding.id).desc(), Review.id)
            .limit(1)
        )

        def member(role: str) -> int:
            return session.scalars(
                select(Membership.user_id).where(Membership.review_id == review_id, Membership.role == role)
            ).first()

        return review_id, member("coordinator"), member("chair")


def fire_subject(services: Any) -> tuple[int, int, int]:
    """A review at data gathering (so pause and resume are open) and its chair and version."""
    with services.sessions() as session:
        review_id, version = session.execute(
            select(Review.id, Review.version).where(Review.state == State.DATA_GATHERING.value).limit(1)
        ).one()
        chair = session.scalars(
            select(Membership.user_id).where(Membership.review_id == review_id, Membership.role == "chair")
        ).first()
        return review_id, chair, version


def statements(services: Any, endpoints: list[tuple[str, str, dict[str, str]]]) -> dict[str, int]:
    """The SQL statements of one request of each endpoint (the app in this process, second request):
    the figure that shows whether a page grows with the database."""
    from fastapi.testclient import TestClient

    from api.main import create_app

    counter = StatementCounter(services.engine)
    counts = {}
    with TestClient(create_app(services)) as client:
        for name, path, headers in endpoints:
            client.get(path, headers=headers).raise_for_status()
            with counter.counting():
                client.get(path, headers=headers).raise_for_status()
            counts[name] = counter.count
    return counts


def _load_name(pace: float, clients: int) -> str:
    if not pace:
        return f"{clients} clients, each asking again as soon as it is answered (saturated):"
    rate = clients / pace
    return f"{clients} clients, each pausing {pace:g} s on average before a request (~{rate:.0f} a second):"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fire-runs", type=int, default=100)
    parser.add_argument(
        "--pace",
        type=float,
        action="append",
        help="a paced load: each client pauses this many seconds on average before each request "
        "(repeat for several; default 1 and 5; 0 for the saturated load alone)",
    )
    args = parser.parse_args()
    key = os.environ.get("TUNNELVIEW_REGISTER_KEY", "")
    settings = Settings(database_url=args.database_url, register_key=key, secret_key=SECRET_KEY)
    services = build_services(settings, today=date.today)
    with services.sessions() as session:
        total = session.scalar(select(func.count()).select_from(Review))
    review_id, coordinator, _ = subject(services)
    session_token = services.auth.issue(coordinator, kind="session").token
    api_token = services.auth.issue(coordinator).token
    print(f"{date.today()}, Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"{total:,} reviews; review {review_id}; {args.clients} clients, {args.requests} requests each")

    fire_id, fire_chair, version = fire_subject(services)
    bench_fire_on(services.reviews, fire_id, fire_chair, version, args.fire_runs)

    cookie = {"Cookie": f"{SESSION_COOKIE}={session_token}"}
    bearer = {"Authorization": f"Bearer {api_token}"}
    endpoints: list[tuple[str, str, dict[str, str]]] = [
        ("my reviews", "/reviews", cookie),
        ("review overview", f"/reviews/{review_id}", cookie),
        ("narratives", f"/reviews/{review_id}/narratives", cookie),
        ("findings", f"/reviews/{review_id}/findings", cookie),
        ("API review GET", f"/api/v1/reviews/{review_id}", bearer),
    ]
    paces = [0.0, *(p for p in (args.pace if args.pace is not None else [1.0, 5.0]) if p)]
    with tempfile.TemporaryDirectory() as tmp:
        bare = BareServer(args.database_url, free_port(), args.workers)
        try:
            bare_path = f"/bare/{review_id}"
            yardsticks = {
                pace: asyncio.run(load(bare.base, bare_path, args.clients, args.requests, {}, pace))
                for pace in paces
            }
        finally:
            bare.stop()
        env = server_environment(args.database_url, free_port(), args.workers, TUNNELVIEW_REGISTER_KEY=key)
        server = LiveServer(env, Path(tmp)).start(timeout=300)  # a loaded machine starts slowly
        try:
            counts = statements(services, endpoints)
            for pace in paces:
                print(f"\n{_load_name(pace, args.clients)}")
                yardstick, bare_rate = yardsticks[pace]
                print(f"{'bare endpoint (one row)':24} {yardstick}  {bare_rate:5.0f}/s")
                for name, path, headers in endpoints:
                    timing, rate = asyncio.run(
                        load(server.base, path, args.clients, args.requests, headers, pace)
                    )
                    print(
                        f"{name:24} {timing}  {rate:5.0f}/s  p95 {timing.p95 / yardstick.p95:4.1f}x bare  "
                        f"median {timing.median / yardstick.median:4.1f}x bare  {counts[name]} statements"
                    )
            rss = rss_of_children(server.pid)
            print("\nRSS after the load: " + ", ".join(f"{mb:.0f} MB ({command})" for command, mb in rss))
            time.sleep(RELEASE_EVERY + 2)  # idle: each worker gives back what it freed (api/memory.py)
            rss = rss_of_children(server.pid)
            idle = ", ".join(f"{mb:.0f} MB ({command})" for command, mb in rss)
            print(f"RSS {RELEASE_EVERY + 2:.0f} s later, idle: {idle}")
        finally:
            server.stop()
    services.engine.dispose()


if __name__ == "__main__":
    main()

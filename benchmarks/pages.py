"""Benchmark: the demo's pages (overview, publication page, my reviews) and the trigger list of the
API, each against a bare FastAPI endpoint reading one row of the same database, in the same run.
Prints figures for docs/performance.md; not a test.

    .venv/bin/python -m benchmarks.pages [--runs 20] [--demo /path/to/demo.db]

Without --demo it loads the demo into a fresh SQLite file first (about 20 s: Alice's PDFs). With
--demo it works on a copy of that file, so the file is never changed. Requests go through the real
ASGI app in process (`TestClient`), one at a time, signed in as the demo's chair and coordinator.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

from benchmarks.common import StatementCounter, bare_timing, copy_database, once, timed

os.environ.setdefault("TUNNELVIEW_DEV_MODE", "1")

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.auth import SESSION_COOKIE
from api.demo import load_demo
from api.main import create_app
from api.wiring import build_services
from workflow import migrate
from workflow.models import Review, User
from workflow.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--demo", type=Path, help="an SQLite file the demo is loaded into")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "demo.db"
        url = copy_database(args.demo, target) if args.demo else f"sqlite:///{target}"
        migrate.upgrade(url)
        services = build_services(Settings(database_url=url, dev_mode=True))
        if not args.demo:
            load_demo(services)
        with services.sessions() as session:
            ids = {r.child_pseudonym: r.id for r in session.scalars(select(Review))}
            users = {u.email.split("@")[0]: u.id for u in session.scalars(select(User))}
        counter = StatementCounter(services.engine)
        print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; {url}")
        bare = bare_timing(services.sessions, ids["Alice"], args.runs)
        print(f"{'bare endpoint (one row)':42} {bare}")
        app = create_app(services)
        with TestClient(app) as client:

            def as_(who: str) -> None:
                token = services.auth.issue(users[who], kind="session").token
                client.cookies.set(SESSION_COOKIE, token)

            def page(path: str) -> None:
                client.get(path).raise_for_status()

            def report(name: str, path: str, who: str) -> None:
                as_(who)
                with counter.counting():
                    page(path)
                statements = counter.count
                timing = timed(lambda: page(path), runs=args.runs)
                ratio = timing.median / bare.median
                print(f"{name:42} {timing}  {ratio:5.1f}x bare  {statements:3d} statements")

            as_("chair")
            cold = once(lambda: page(f"/reviews/{ids['Andrew']}/publication"))
            print(f"{'publication page, Andrew, first (cold)':42} {cold:7.1f} ms")
            for child in ("Alice", "Andrew", "Benjamin", "Daisy"):
                report(f"overview, {child} (coordinator)", f"/reviews/{ids[child]}", "coordinator")
            report("overview, Andrew (chair)", f"/reviews/{ids['Andrew']}", "chair")
            report("publication page, Andrew (chair)", f"/reviews/{ids['Andrew']}/publication", "chair")
            report("publication page, Alice (chair)", f"/reviews/{ids['Alice']}/publication", "chair")
            report("my reviews (coordinator)", "/reviews", "coordinator")
            token = services.auth.issue(users["chair"]).token
            client.cookies.clear()
            client.headers["Authorization"] = f"Bearer {token}"
            report("API trigger list, Andrew (chair)", f"/api/v1/reviews/{ids['Andrew']}/triggers", "chair")
            report("API review, Andrew (chair)", f"/api/v1/reviews/{ids['Andrew']}", "chair")


if __name__ == "__main__":
    main()

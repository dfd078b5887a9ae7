"""Benchmark: the memory of a worker. Prints the resident set (RSS) after importing the app, after
building it, and after serving the demo's overview, publication and my-reviews pages, and which heavy
libraries are loaded by then. Not a test.

    .venv/bin/python -m benchmarks.memory --demo /path/to/demo.db

The yardstick is a bare worker: FastAPI, SQLAlchemy and uvicorn imported, nothing of Tunnelview.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HEAVY = ("weasyprint", "pypdf", "fontTools", "PIL", "pydyf", "cssselect2")


def rss_mb() -> float:
    """The current resident set in MB (from /proc, so it is now, not the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def heavy_loaded() -> list[str]:
    return [name for name in HEAVY if name in sys.modules]


def bare() -> None:
    import fastapi  # noqa: F401
    import sqlalchemy  # noqa: F401
    import uvicorn  # noqa: F401

    print(f"{'bare worker (fastapi, sqlalchemy, uvicorn)':44} {rss_mb():6.1f} MB")


def worker(demo: Path) -> None:
    os.environ.setdefault("TUNNELVIEW_DEV_MODE", "1")
    import api.main
    from benchmarks.common import copy_database

    print(f"{'import api.main':44} {rss_mb():6.1f} MB  heavy: {heavy_loaded()}  ({api.main.__file__})")
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from api.auth import SESSION_COOKIE
    from api.wiring import build_services
    from workflow import migrate
    from workflow.models import Review, User
    from workflow.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        url = copy_database(demo, Path(tmp) / "demo.db")
        migrate.upgrade(url)
        services = build_services(Settings(database_url=url, dev_mode=True))
        app = api.main.create_app(services)
        print(f"{'app built':44} {rss_mb():6.1f} MB  heavy: {heavy_loaded()}")
        with services.sessions() as session:
            ids = [r.id for r in session.scalars(select(Review))]
            chair = session.scalars(select(User).where(User.email.startswith("chair@"))).one().id
        with TestClient(app) as client:
            client.cookies.set(SESSION_COOKIE, services.auth.issue(chair, kind="session").token)
            for review_id in ids:
                client.get(f"/reviews/{review_id}").raise_for_status()
                client.get(f"/reviews/{review_id}/triggers/pause")
            client.get("/reviews").raise_for_status()
            print(f"{'after overviews and my reviews':44} {rss_mb():6.1f} MB  heavy: {heavy_loaded()}")
            for review_id in ids:
                client.get(f"/reviews/{review_id}/publication")
            print(f"{'after the publication pages':44} {rss_mb():6.1f} MB  heavy: {heavy_loaded()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", type=Path, required=True, help="an SQLite file holding the demo")
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare()
        return
    # Each measurement in a fresh process, so one does not inherit the other's imports.
    subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", "--demo", str(args.demo), "--bare"], check=True
    )
    worker(args.demo)


if __name__ == "__main__":
    main()

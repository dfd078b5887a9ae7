"""What a web worker imports: not the libraries only some deployments or commands use (single sign-on's
client, Alembic's migration machinery, the calendar feed, every country's holidays, the PDF renderers),
some 30 MB of every worker's memory (docs/performance.md). Checked in a fresh interpreter, after the app
is built and has answered its readiness check, the sign-in page and a clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from workflow import migrate

ROOT = Path(__file__).resolve().parents[2]
UNWANTED = ("authlib", "joserfc", "httpx", "alembic", "icalendar", "holidays", "weasyprint", "playwright")

WORKER = f"""
import json, sys
from datetime import date
from starlette.testclient import TestClient
before = set(sys.modules)  # the test client itself brings httpx
from api.main import create_app
from workflow.clocks import add_working_days

with TestClient(create_app()) as client:
    ready = client.get("/readyz").json()["status"]
    signin = client.get("/sign-in").status_code
add_working_days(date(2026, 12, 20), 10)
loaded = sorted(m for m in set(sys.modules) - before if m.startswith({UNWANTED!r}))
print(json.dumps({{"ready": ready, "signin": signin, "loaded": loaded}}))
"""


def test_a_worker_without_single_sign_on_loads_neither_its_client_nor_alembic_nor_every_country(tmp_path):
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    migrate.upgrade(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNNELVIEW_")}
    env |= {"TUNNELVIEW_DATABASE_URL": url, "TUNNELVIEW_DEV_MODE": "1", "PYTHONPATH": str(ROOT)}
    answer = subprocess.run(
        [sys.executable, "-c", WORKER], env=env, cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert json.loads(answer.stdout.splitlines()[-1]) == {"ready": "ready", "signin": 200, "loaded": []}

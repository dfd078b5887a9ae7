"""A plain (non-editable) wheel carries the packages, the migrations, the templates and the demo's data
files (so `tunnelview demo` works from an installed wheel)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile


def test_the_wheel_ships_migrations_templates_and_demo_data_and_runs_from_its_own_files(repo_root, tmp_path):
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(repo_root),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("tunnelview-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "workflow/migrations/env.py" in names
    assert "workflow/migrations/script.py.mako" in names
    assert any(n.startswith("workflow/migrations/versions/0001") for n in names)
    assert any(n.startswith("templates/") for n in names)
    assert any(n.startswith("api/") for n in names) and any(n.startswith("findings/") for n in names)
    for data in ("alice", "andrew", "benjamin", "daisy", "reference"):
        assert f"api/demo/data/{data}.toml" in names

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNNELVIEW_")}
    env["PYTHONPATH"] = str(site)
    code = (
        f"import workflow, api.cli; assert workflow.__file__.startswith({str(site)!r}), workflow.__file__; "
        "import api.demo.reviews as demo; "
        f"assert demo.DATA.is_relative_to({str(site)!r}), demo.DATA; "
        "assert [r.pseudonym for r in demo.DEMO_REVIEWS] == ['Alice', 'Andrew', 'Benjamin']; "
        "api.cli.app(['db', 'upgrade'])"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert "Database at head." in ran.stdout, ran.stderr
    assert (tmp_path / "tunnelview.db").exists()

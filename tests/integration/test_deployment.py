"""What a deployment is built from: the lock files (in step with pyproject.toml, every package hashed),
the Dockerfile (installs from the lock, runs unprivileged, with WeasyPrint's libraries) and compose.yaml,
and the image's command run here for real: `tunnelview serve` with the image's settings, two workers,
JSON logs merged with uvicorn's, and X-Forwarded-For from loopback not believed.

No Docker engine runs on the development machine or in CI, so the image itself is not built here."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from workflow import migrate

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def locked(name: str) -> dict[str, tuple[str, int]]:
    """The lock file's pins: package -> (version, number of hashes)."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match[1])
            pins[current] = (match[2], 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize(
    ("lock", "extras"), [("main.txt", ()), ("dev.txt", ("dev",))], ids=["runtime", "dev"]
)
def test_every_dependency_is_locked_at_a_version_it_accepts_with_its_hashes(lock, extras):
    """Fails when a dependency was added to pyproject.toml without `make lock`."""
    pins = locked(lock)
    wanted = [Requirement(r) for r in project()["dependencies"]]
    wanted += [Requirement(r) for extra in extras for r in project()["optional-dependencies"][extra]]
    wanted.append(Requirement("hatchling>=1.24"))  # the locked build backend (requirements/build.in)
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements/{lock}: run `make lock`"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements/{lock} pins {name}=={version}, but pyproject.toml asks for {requirement}: "
            "run `make lock`"
        )
    assert all(hashes for _, hashes in pins.values()), [n for n, (_, h) in pins.items() if not h]


def test_the_chromium_lock_pins_playwright_at_the_dev_locks_version_with_its_hashes():
    """What the image adds with WITH_CHROMIUM=1 (requirements/chromium.in, locked by `make lock`)."""
    chromium, dev = locked("chromium.txt"), locked("dev.txt")
    wanted = [
        Requirement(line)
        for line in (ROOT / "requirements" / "chromium.in").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert [canonicalize_name(r.name) for r in wanted] == ["playwright"]
    assert wanted[0].specifier.contains(chromium["playwright"][0])
    assert {name: version for name, (version, _) in chromium.items()} == {
        name: dev[name][0] for name in chromium
    }
    assert all(hashes for _, hashes in chromium.values())


def test_the_runtime_lock_pins_the_same_versions_as_the_dev_lock():
    runtime, dev = locked("main.txt"), locked("dev.txt")
    assert {name: version for name, (version, _) in runtime.items()} == {
        name: dev[name][0] for name in runtime
    }


def test_make_installs_from_the_lock_with_hashes_and_can_regenerate_it():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements/dev.txt" in makefile
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in makefile
    lock = makefile.split("\nlock:", 1)[1].split("\n\n", 1)[0]
    assert (
        "--generate-hashes" in makefile
        and "-o requirements/dev.txt" in lock
        and "-o requirements/main.txt" in lock
        and "-o requirements/chromium.txt" in lock
    )


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_dockerfile_installs_from_the_lock_and_runs_unprivileged_with_weasyprints_libraries():
    instructions = dockerfile()
    bases = [arg for op, arg in instructions if op == "FROM"]
    assert all(re.match(r"python:3\.11-slim-\w+", base) for base in bases), bases
    runs = " && ".join(arg for op, arg in instructions if op == "RUN")
    assert "pip install --require-hashes -r requirements/main.txt" in runs
    assert "pip install --no-deps --no-build-isolation ." in runs
    assert not re.search(r"pip install (?!--require-hashes|--no-deps)", runs), "every install is locked"

    script = (ROOT / "scripts" / "system-packages.sh").read_text()
    libraries = set(re.findall(r"missing\+=\(([\w.-]+)\)", script)) - {"chromium"}
    assert libraries and all(package in runs for package in libraries), libraries
    # Chromium (TUNNELVIEW_PDF_RENDERER=chromium) only when built with --build-arg WITH_CHROMIUM=1
    assert ("ARG", "WITH_CHROMIUM=0") in instructions
    assert '$([ "$WITH_CHROMIUM" = 1 ] && echo chromium)' in runs
    assert '$([ "$WITH_CHROMIUM" = 1 ] && echo -r requirements/chromium.txt)' in runs  # playwright, locked
    assert not re.search(r"(?<!echo )\bchromium\b(?![.)])", runs), "chromium only behind the build arg"

    users = [arg for op, arg in instructions if op == "USER"]
    assert users and users[-1] not in ("root", "0") and "useradd" in runs and users[-1] in runs

    copied = {arg.split()[0] for op, arg in instructions if op == "COPY" and "--from" not in arg}
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert set(wheel["packages"]) | set(wheel["force-include"]) <= copied
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert all(f"!{path}" in ignored for path in [*wheel["packages"], *wheel["force-include"]])
    assert all(f"!{lock}" in ignored for lock in ("requirements/main.txt", "requirements/chromium.txt"))


def image_command() -> tuple[list[str], dict[str, str]]:
    instructions = dockerfile()
    command = json.loads(next(arg for op, arg in reversed(instructions) if op == "CMD"))
    environment: dict[str, str] = {}
    for op, arg in instructions:
        if op == "ENV":
            environment.update(dict(item.split("=", 1) for item in shlex.split(arg)))
    return command, environment


def test_compose_runs_the_migrations_before_the_server_on_postgresql_with_the_secrets_required():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["migrate"]["command"] == ["tunnelview", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "command" not in services["web"]  # the image's CMD: tunnelview serve
    environment = services["web"]["environment"]
    assert environment["TUNNELVIEW_DATABASE_URL"].startswith("postgresql+psycopg://tunnelview:")
    assert "@db:5432/" in environment["TUNNELVIEW_DATABASE_URL"]
    for secret in ("TUNNELVIEW_SECRET_KEY", "TUNNELVIEW_REGISTER_KEY"):
        assert environment[secret] == f"${{{secret}:?set {secret} in .env}}"  # refused when unset
    assert services["migrate"]["environment"] == environment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_form(url: str, data: dict[str, str], **headers: str) -> int:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_images_command_serves_two_workers_with_json_logs_and_trusts_no_forwarded_header(tmp_path):
    command, image_env = image_command()
    assert command == ["tunnelview", "serve"] and project()["scripts"]["tunnelview"] == "api.cli:app"
    assert image_env["TUNNELVIEW_WORKERS"] == "2" and image_env["TUNNELVIEW_LOG_FORMAT"] == "json"
    assert image_env["MALLOC_ARENA_MAX"] == "2"  # docs/deployment.md, "Memory"
    url = f"sqlite:///{tmp_path / 'tunnelview.db'}"
    migrate.upgrade(url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNNELVIEW_")}
    env |= {k: v for k, v in image_env.items() if k.startswith("TUNNELVIEW_")}
    env |= {
        "TUNNELVIEW_HOST": "127.0.0.1",  # the image listens on 0.0.0.0; here only loopback
        "TUNNELVIEW_PORT": str(port),
        "TUNNELVIEW_DATABASE_URL": url,
        "TUNNELVIEW_SECRET_KEY": "a-production-like-secret-key-0123456789abcdef",
        "TUNNELVIEW_REGISTER_KEY": Fernet.generate_key().decode(),
        "PYTHONPATH": str(ROOT),
    }
    # `tunnelview` is api.cli:app; run through this interpreter so this checkout's code is served.
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", *command[1:]],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.communicate()[1]
            try:
                if get(f"{base}/readyz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.5)
        assert json.loads(get(f"{base}/livez")[1]) == {"status": "ok"}
        assert get(f"{base}/docs")[0] == 200
        statuses = [
            post_form(
                f"{base}/api/v1/auth/token",
                {"username": f"nobody{n}@example.org", "password": "not the password"},
                **{"X-Forwarded-For": f"198.51.100.{n}"},
            )
            for n in range(21)
        ]
        assert statuses == [401] * 20 + [429]  # one address, whatever the header says
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=60)
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]  # every line is JSON
    assert sum("Started server process" in line["message"] for line in lines) == 2  # two workers
    assert any(line["logger"] == "tunnelview.access" and line["path"] == "/readyz" for line in lines)
    assert not any("?" in line.get("path", "") for line in lines)

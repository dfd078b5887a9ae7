"""`tunnelview serve` as a real process on a database of the test's choosing: started with a fresh
environment (only the `TUNNELVIEW_` variables given), waited for until `/readyz` answers, stopped with
SIGTERM or killed with SIGKILL. The crash-safety test and the concurrent benchmarks use it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "a-production-like-secret-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(database_url: str, port: int, workers: int = 1, **more: str) -> dict[str, str]:
    """The environment of a production-like server (not dev mode) on loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNNELVIEW_")}
    return env | {
        "TUNNELVIEW_HOST": "127.0.0.1",
        "TUNNELVIEW_PORT": str(port),
        "TUNNELVIEW_WORKERS": str(workers),
        "TUNNELVIEW_DATABASE_URL": database_url,
        "TUNNELVIEW_SECRET_KEY": SECRET_KEY,
        "TUNNELVIEW_REGISTER_KEY": Fernet.generate_key().decode(),
        "TUNNELVIEW_LOG_LEVEL": "warning",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **more,
    }


class LiveServer:
    """One `tunnelview serve` process (with `workers=1`, uvicorn serves in that process itself, so
    killing it kills the worker in the middle of whatever it was doing)."""

    def __init__(self, env: Mapping[str, str], cwd: Path) -> None:
        self.env, self.cwd = dict(env), cwd
        self.base = f"http://127.0.0.1:{self.env['TUNNELVIEW_PORT']}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> LiveServer:
        # `tunnelview` is api.cli:app; run through this interpreter so this checkout's code is served.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve"],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"tunnelview serve exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("tunnelview serve did not become ready")
            time.sleep(0.2)
        return self

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as answer:
                return bool(answer.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: no shutdown, no rollback by the process; open transactions die with it."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

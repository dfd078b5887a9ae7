"""The server's own loop of reminders and outbox: on when the settings say so, in every app
`create_app` builds (so in every server worker), stopped with the app; a failing round does not stop
it."""

from __future__ import annotations

import threading
import time
import warnings

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

from api.main import create_app
from api.wiring import build_services
from tests.mail import SmtpServer
from workflow.notifications.loop import NotificationLoop
from workflow.states import State


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_round_reminds_at_most_once_an_hour_and_sends_every_time():
    calls: list[str] = []
    ticks = Ticks()
    loop = NotificationLoop(
        remind=lambda: calls.append("remind"), send=lambda: calls.append("send"), interval=60, clock=ticks
    )
    loop.round()
    ticks.now += 600
    loop.round()
    ticks.now += 3000
    loop.round()
    assert calls == ["remind", "send", "send", "remind", "send"]


def test_a_failing_step_is_logged_and_the_next_step_still_runs(caplog):
    sent: list[bool] = []

    def broken() -> None:
        raise RuntimeError("database away")

    loop = NotificationLoop(remind=broken, send=lambda: sent.append(True), interval=60)
    loop.round()
    assert sent == [True]
    assert "reminders failed" in caplog.text


@pytest.mark.own_app
def test_the_server_sends_the_outbox_itself_when_its_loop_is_on(
    worlds, settings, engine, sessions, clock, now
):
    world = worlds.at(State.SCREENING)  # its members were told they were added
    with SmtpServer() as smtp:
        looping = settings.model_copy(
            update={
                "notifications_loop": True,
                "notifications_interval_seconds": 1,
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                "smtp_tls": "none",
                "mail_from": "tunnelview@partnership.example.org",
            }
        )
        services = build_services(looping, engine=engine, sessions=sessions, today=clock, now=now)
        with TestClient(create_app(services)) as client:
            assert client.get("/healthz").status_code == 200
            assert looping_threads()
            deadline = time.monotonic() + 10
            while not smtp.inbox.received and time.monotonic() < deadline:
                time.sleep(0.05)
        assert not looping_threads()  # stopped with the app
    assert any(world.emails["chair"] in email.to for email in smtp.inbox.received)


def looping_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tunnelview-notifications" and t.is_alive()]


def test_the_loop_is_off_unless_the_settings_turn_it_on(client):
    assert client.get("/healthz").status_code == 200  # the app has started
    assert not looping_threads()

"""Running it for real: liveness and readiness, proxy headers believed only from the configured proxies
(so the per-address sign-in lock cannot be walked around from behind one), the log formats, operation
ids that read as names, and the schemas' examples."""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import api.schemas
from api.logs import JsonLines, TextLines, log_config
from api.main import create_app
from api.wiring import build_services
from workflow.settings import Settings, UnsafeSettings

PROXY = ("127.0.0.1", 40000)  # a reverse proxy on the same machine
ATTACKER = "203.0.113.7"


def app_with(engine: Engine, sessions: sessionmaker[Session], **settings: Any) -> Any:
    configured = Settings(database_url=str(engine.url), dev_mode=True, **settings)
    return create_app(build_services(configured, engine=engine, sessions=sessions))


def sign_in_fails(client: TestClient, n: int, forwarded_for: str) -> int:
    """A failed sign-in (a different unknown account each time, so only the address's count grows)."""
    answer = client.post(
        "/api/v1/auth/token",
        data={"username": f"nobody{n}@example.org", "password": "not the password"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return answer.status_code


def test_liveness_and_readiness_answer_when_the_database_is_migrated(client):
    assert client.get("/livez").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "migrations": "at_head"}


def test_readiness_is_503_until_the_migrations_have_run_and_when_the_database_is_gone(tmp_path):
    new = Settings(database_url=f"sqlite:///{tmp_path / 'new.db'}", dev_mode=True)
    empty = create_app(build_services(new))
    with TestClient(empty) as client:
        assert client.get("/livez").status_code == 200  # alive: restarting it would not help
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "not_ready", "database": "ok", "migrations": "not_at_head"}

    missing = Settings(database_url=f"sqlite:///{tmp_path}/no/such/dir.db", dev_mode=True)
    gone = create_app(build_services(missing))
    with TestClient(gone) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "not_ready", "database": "unreachable", "migrations": "unknown"}


def test_by_default_x_forwarded_for_is_not_believed_even_from_loopback(engine, sessions):
    """Every failed sign-in comes from the proxy's address, whatever X-Forwarded-For says: changing
    the header does not reset the per-address count."""
    with TestClient(app_with(engine, sessions), client=PROXY) as client:
        statuses = [sign_in_fails(client, n, f"198.51.100.{n}") for n in range(21)]
    assert statuses == [401] * 20 + [429]


def test_behind_a_trusted_proxy_the_lock_follows_the_client_and_a_forged_header_does_not_move_it(
    engine, sessions
):
    """The proxy appends the address it saw to whatever the client sent; the address believed is the
    last one that is not a trusted proxy, so a forged first entry changes nothing."""
    app = app_with(engine, sessions, trusted_proxies="127.0.0.1, 10.0.0.0/8")
    with TestClient(app, client=PROXY) as client:
        statuses = [sign_in_fails(client, n, f"198.51.100.{n}, {ATTACKER}, 10.1.2.3") for n in range(21)]
        other_client = sign_in_fails(client, 99, "198.51.100.1, 203.0.113.8")
    assert statuses == [401] * 20 + [429]
    assert other_client == 401  # someone else behind the same proxy is not locked out


def test_a_proxy_that_is_not_trusted_cannot_set_the_address_or_the_scheme(engine, sessions):
    app = app_with(engine, sessions, trusted_proxies="10.0.0.5")
    with TestClient(app, client=PROXY) as client:
        statuses = [sign_in_fails(client, n, f"198.51.100.{n}") for n in range(21)]
        plain = client.get("/livez", headers={"X-Forwarded-Proto": "https"})
    assert statuses[-1] == 429
    assert "Strict-Transport-Security" not in plain.headers
    with TestClient(app, client=("10.0.0.5", 5000)) as client:
        https = client.get("/livez", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": ATTACKER})
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("proxies", ["*", "proxy.internal", "10.0.0.5, 300.1.1.1"])
def test_trusted_proxies_must_be_addresses_or_networks(proxies):
    with pytest.raises(UnsafeSettings, match="TUNNELVIEW_TRUSTED_PROXIES must list IP addresses"):
        Settings(dev_mode=True, trusted_proxies=proxies).check_safe_to_serve()


def test_operation_ids_are_the_route_names_and_unique(client):
    schema = client.get("/openapi.json").json()
    ids = [operation["operationId"] for path in schema["paths"].values() for operation in path.values()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", i) and "api_v1" not in i for i in ids), ids
    fire = schema["paths"]["/api/v1/reviews/{review_id}/triggers/{trigger}"]["post"]
    assert fire["operationId"] == "fire_trigger"
    assert {"sign_in", "log_referral", "get_review", "readyz", "livez"} <= set(ids)


def _models_with_examples() -> list[type[BaseModel]]:
    found = []
    for name in sorted(sys.modules):
        if name.startswith("api.schemas."):
            for value in vars(sys.modules[name]).values():
                if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == name:
                    extra = value.model_config.get("json_schema_extra")
                    if isinstance(extra, dict) and extra.get("examples"):
                        found.append(value)
    return found


def test_the_main_schemas_carry_examples_that_are_valid(client):
    assert api.schemas  # the package whose modules are searched
    models = _models_with_examples()
    for model in models:
        for example in model.model_config["json_schema_extra"]["examples"]:  # type: ignore[index]
            model.model_validate(example)  # an example that drifted from its model fails here
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    main = {"ReviewOut", "TriggerOptionOut", "MeOut", "TokenOut", "Problem", "FindingOut", "UserOut"}
    assert main <= {m.__name__ for m in models}
    assert [name for name in main if not schemas[name].get("examples")] == []


def _record(name: str, message: str, request: dict[str, Any] | None = None) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.INFO, __file__, 1, message, None, None)
    if request is not None:
        record.request = request
    return record


REQUEST = {"method": "GET", "path": "/livez", "status": 200, "duration_ms": 1.5, "user_id": None}


def test_json_logs_are_one_object_a_line_with_the_request_fields_beside_the_message():
    line = JsonLines().format(_record("tunnelview.access", "GET /livez 200 1.5 ms", REQUEST))
    assert "\n" not in line
    assert json.loads(line) == {
        "time": json.loads(line)["time"],
        "level": "info",
        "logger": "tunnelview.access",
        "message": "GET /livez 200 1.5 ms",
        **REQUEST,
    }
    started = json.loads(JsonLines().format(_record("uvicorn.error", "Started server process [7]")))
    assert started["logger"] == "uvicorn.error" and started["message"] == "Started server process [7]"
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        failed = _record("tunnelview.errors", "Unexpected error")
        failed.exc_info = sys.exc_info()
    assert "RuntimeError: boom" in json.loads(JsonLines().format(failed))["exception"]


def test_the_log_format_is_a_setting_and_uvicorns_loggers_share_tunnelviews_handler():
    json_config = log_config(Settings())
    assert json_config["formatters"]["tunnelview"]["()"] == "api.logs.JsonLines"
    for logger in ("tunnelview", "uvicorn"):
        assert json_config["loggers"][logger]["handlers"] == ["stderr"]
    assert json_config["root"]["handlers"] == ["stderr"]  # other libraries' warnings too
    text_config = log_config(Settings(log_format="text", log_level="warning"))
    assert text_config["formatters"]["tunnelview"]["()"] == "api.logs.TextLines"
    assert text_config["loggers"]["tunnelview"]["level"] == "WARNING"
    line = TextLines().format(_record("tunnelview.access", "GET /livez 200 1.5 ms"))
    assert line.endswith(" INFO    tunnelview.access: GET /livez 200 1.5 ms")

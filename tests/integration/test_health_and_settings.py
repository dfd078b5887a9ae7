"""Operations: the health check, and settings that refuse an unsafe secret key or a missing register key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.main import create_app
from api.wiring import build_services
from workflow.settings import Settings, UnsafeSettings


def test_healthz_reports_ok_when_the_database_answers(database_url):
    app = create_app(build_services(Settings(database_url=database_url, dev_mode=True)))
    with TestClient(app) as client:
        answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    missing = tmp_path / "no-such-dir" / "db.sqlite"
    app = create_app(build_services(Settings(database_url=f"sqlite:///{missing}", dev_mode=True)))
    with TestClient(app) as client:
        answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["database"] == "unreachable"


@pytest.mark.parametrize("key", ["dev-only-secret-key-change-me", "short-key"])
def test_the_server_refuses_to_start_outside_dev_mode_with_an_unsafe_key(key):
    with pytest.raises(UnsafeSettings, match="TUNNELVIEW_SECRET_KEY must be set"):
        Settings(secret_key=key, dev_mode=False).check_safe_to_serve()


def test_a_long_random_key_with_a_register_key_or_dev_mode_is_accepted():
    Settings(
        secret_key="x" * 48, register_key=Fernet.generate_key().decode(), dev_mode=False
    ).check_safe_to_serve()
    Settings(dev_mode=True).check_safe_to_serve()


@pytest.mark.parametrize(
    ("register_key", "message"),
    [
        ("", "TUNNELVIEW_REGISTER_KEY is not set. Set it to one or more Fernet keys"),
        ("not-a-key", "Register key number 1 in TUNNELVIEW_REGISTER_KEY is not a valid Fernet key"),
        (f"{Fernet.generate_key().decode()},nope", "Register key number 2 in TUNNELVIEW_REGISTER_KEY"),
    ],
    ids=["missing", "malformed", "second malformed"],  # the same ids on every xdist worker
)
def test_the_server_refuses_to_start_outside_dev_mode_without_a_usable_register_key(register_key, message):
    settings = Settings(secret_key="x" * 48, register_key=register_key, dev_mode=False)
    with pytest.raises(UnsafeSettings, match=message):
        settings.check_safe_to_serve()
    with pytest.raises(UnsafeSettings, match="TUNNELVIEW_DEV_MODE=1"):
        create_app(build_services(settings))


def test_secrets_are_never_shown_in_the_settings(monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("TUNNELVIEW_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("TUNNELVIEW_REGISTER_KEY", key)
    settings = Settings()
    assert isinstance(settings.secret_key, SecretStr) and isinstance(settings.register_key, SecretStr)
    assert settings.secret_key.get_secret_value() == "s" * 40 and settings.register_keys() == [key]
    assert (
        "s" * 40 not in repr(settings) and key not in repr(settings) and key not in str(settings.model_dump())
    )


def test_settings_are_read_from_tunnelview_environment_variables(monkeypatch):
    monkeypatch.setenv("TUNNELVIEW_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("TUNNELVIEW_DEFAULT_REGIME", "wt2010")
    settings = Settings()
    assert settings.database_url == "sqlite:///elsewhere.db"
    assert settings.default_regime == "wt2010"

"""Operations: the health check, and settings that refuse an unsafe secret key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

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


def test_a_long_random_key_or_dev_mode_is_accepted():
    Settings(secret_key="x" * 48, dev_mode=False).check_safe_to_serve()
    Settings(dev_mode=True).check_safe_to_serve()


def test_settings_are_read_from_tunnelview_environment_variables(monkeypatch):
    monkeypatch.setenv("TUNNELVIEW_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("TUNNELVIEW_DEFAULT_REGIME", "wt2010")
    settings = Settings()
    assert settings.database_url == "sqlite:///elsewhere.db"
    assert settings.default_regime == "wt2010"

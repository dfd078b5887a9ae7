"""Settings from the environment (prefix `TUNNELVIEW_`), read once through `get_settings()`."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"
MINIMUM_SECRET_LENGTH = 32


class UnsafeSettings(RuntimeError):
    pass


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TUNNELVIEW_", env_file=None, extra="ignore")

    database_url: str = Field(
        default="sqlite:///./tunnelview.db",
        description="SQLAlchemy URL of the database (SQLite file or PostgreSQL).",
    )
    secret_key: str = Field(default=DEFAULT_SECRET_KEY, description="Signs sessions and CSRF tokens.")
    dev_mode: bool = Field(default=False, description="Allows the default secret key (local use only).")
    default_regime: str = Field(default="wt2023", description="Regime of new reviews: wt2010 or wt2023.")
    token_lifetime_minutes: int = Field(default=8 * 60, ge=1)
    partnership: str = Field(
        default="",
        description="The safeguarding partnership's name, as the published documents show it.",
    )
    register_key: str = Field(
        default="",
        description="Fernet key(s) for the sealed identity register, newest first, comma-separated.",
    )

    def check_safe_to_serve(self) -> None:
        """Refuse to start a server outside dev mode with the default or a short secret key."""
        if self.dev_mode:
            return
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < MINIMUM_SECRET_LENGTH:
            raise UnsafeSettings(
                "TUNNELVIEW_SECRET_KEY must be set to a random value of at least "
                f"{MINIMUM_SECRET_LENGTH} characters (or set TUNNELVIEW_DEV_MODE=1 for local use)."
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

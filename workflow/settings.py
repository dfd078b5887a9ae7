"""Settings from the environment (prefix `TUNNELVIEW_`), read once through `get_settings()`."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from workflow.people import GLOBAL_ROLES

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
    secret_key: SecretStr = Field(
        default=SecretStr(DEFAULT_SECRET_KEY), description="Signs sessions and CSRF tokens."
    )
    dev_mode: bool = Field(default=False, description="Allows the default secret key (local use only).")
    default_regime: str = Field(default="wt2023", description="Regime of new reviews: wt2010 or wt2023.")
    token_lifetime_minutes: int = Field(default=8 * 60, ge=1)
    partnership: str = Field(
        default="",
        description="The safeguarding partnership's name, as the published documents show it.",
    )
    register_key: SecretStr = Field(
        default=SecretStr(""),
        description="Fernet key(s) for the sealed identity register, newest first, comma-separated.",
    )
    # Serving (`tunnelview serve`; docs/deployment.md).
    host: str = Field(default="127.0.0.1", description="The address `tunnelview serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="The port `tunnelview serve` listens on.")
    workers: int = Field(default=1, ge=1, description="How many worker processes `tunnelview serve` runs.")
    trusted_proxies: str = Field(
        default="",
        description="Addresses or networks (comma-separated) of the reverse proxies whose X-Forwarded-For "
        "and X-Forwarded-Proto are believed; none by default, so a client's address is the one it "
        "connected from.",
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="The server's log lines: one JSON object a line, or plain text."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(default="info")
    # PDF documents (docs/reports.md, "The PDF renderer").
    pdf_renderer: Literal["weasyprint", "chromium"] = Field(
        default="weasyprint",
        description="What makes the PDF documents: WeasyPrint (PDF/UA-1), or a warm headless Chromium "
        "kept by each worker (several times faster on long reports; needs the chromium package and "
        "playwright).",
    )
    chromium: str = Field(
        default="/usr/bin/chromium",
        description="The Chromium executable, when TUNNELVIEW_PDF_RENDERER is chromium.",
    )

    def pdf_renderer_problems(self) -> list[str]:
        """What stops the chosen PDF renderer from working (nothing for WeasyPrint)."""
        return chromium_problems(self.chromium) if self.pdf_renderer == "chromium" else []

    def trusted_proxy_networks(self) -> list[str]:
        """The trusted proxies as written, each checked to be an IP address or network."""
        networks = [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]
        wrong = []
        for network in networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                wrong.append(network)
        if wrong:
            raise UnsafeSettings(
                f"TUNNELVIEW_TRUSTED_PROXIES must list IP addresses or networks (10.0.0.5, 10.0.0.0/24), "
                f"comma-separated; not {', '.join(repr(w) for w in wrong)}. Leave it empty when no proxy "
                "is in front of the server."
            )
        return networks

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people reach Tunnelview: links in emails and the calendar feed start with it.",
    )
    # Email (docs/notifications.md). No host: nothing is sent, and messages wait in the outbox.
    smtp_host: str = Field(default="", description="The SMTP server that sends Tunnelview's emails.")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: Literal["none", "starttls", "tls"] = Field(
        default="starttls",
        description="none (plain, a relay on this host), starttls (upgrade on connect, port 587) or tls "
        "(TLS from the start, port 465).",
    )
    smtp_username: str = Field(default="", description="Sign in to the SMTP server as this user (optional).")
    smtp_password: SecretStr = Field(default=SecretStr(""))
    mail_from: str = Field(default="", description="The From address of every email.")
    smtp_timeout_seconds: float = Field(default=30, gt=0)
    mail_attempts: int = Field(default=10, ge=1, description="Attempts before a message is given up.")
    mail_retry_seconds: int = Field(
        default=60, ge=1, description="Wait before the first retry; each retry after waits twice as long."
    )
    notifications_loop: bool = Field(
        default=False,
        description="Run the reminders and the sending of the outbox inside the server (a background "
        "thread), instead of `tunnelview remind` and `tunnelview outbox send` from cron.",
    )
    notifications_interval_seconds: int = Field(default=60, ge=1)
    # Single sign-on with OpenID Connect (docs/sign-on.md). No issuer: only passwords.
    oidc_issuer: str = Field(
        default="",
        description="The OpenID provider's issuer URL; its `/.well-known/openid-configuration` is read "
        "from there. Empty: no single sign-on.",
    )
    oidc_client_id: str = Field(default="", description="Tunnelview's client (application) id there.")
    oidc_client_secret: SecretStr = Field(default=SecretStr(""), description="Its client secret.")
    oidc_provider_name: str = Field(
        default="your organisation's account",
        description='The words on the sign-in button: "Sign in with <name>".',
    )
    oidc_scopes: str = Field(default="openid email profile", description="The scopes asked for.")
    oidc_roles_claim: str = Field(
        default="roles",
        description="The ID token claim holding the person's roles or groups (Entra ID: roles or groups; "
        "a dotted path such as realm_access.roles reaches into an object).",
    )
    oidc_role_map: str = Field(
        default="",
        description="Claim values to global roles, comma-separated value=role pairs "
        "(Tunnelview.Admin=admin,Tunnelview.Chair=chair). Empty: roles are kept as admins set them.",
    )
    oidc_create_accounts: bool = Field(
        default=False,
        description="Create an account on the first sign-in of someone unknown; otherwise only existing "
        "accounts (matched by subject, then by email) may sign in.",
    )
    oidc_trust_email: bool = Field(
        default=False,
        description="Match accounts by the email claim even without `email_verified: true` (Entra ID "
        "sends no email_verified: see docs/sign-on.md).",
    )
    password_sign_in: bool = Field(
        default=True, description="Signing in with an email address and password stays possible."
    )

    def mail_problems(self) -> list[str]:
        """What stops the outbox from being sent with these settings (nothing when no host is set)."""
        if not self.smtp_host:
            return []
        problems = []
        if "@" not in self.mail_from:
            problems.append("TUNNELVIEW_MAIL_FROM must be set to the address emails come from.")
        if self.smtp_username and self.smtp_tls == "none":
            problems.append(
                "TUNNELVIEW_SMTP_USERNAME is set but TUNNELVIEW_SMTP_TLS is none: the password would "
                "cross the network in clear. Use starttls or tls."
            )
        return problems

    @property
    def single_sign_on(self) -> bool:
        return bool(self.oidc_issuer.strip())

    def oidc_roles(self) -> dict[str, str]:
        """The role map as claim value -> global role (checked by `sign_on_problems`)."""
        pairs = [p.strip() for p in self.oidc_role_map.split(",") if p.strip()]
        return {value.strip(): role.strip() for value, _, role in (p.rpartition("=") for p in pairs)}

    def sign_on_problems(self) -> list[str]:
        """What is wrong with the single sign-on settings (nothing when there is no issuer), and the
        one setting that would lock everybody out."""
        if not self.single_sign_on:
            if not self.password_sign_in:
                return [
                    "TUNNELVIEW_PASSWORD_SIGN_IN is off and TUNNELVIEW_OIDC_ISSUER is not set: nobody could "
                    "sign in."
                ]
            return []
        problems = []
        issuer = urlsplit(self.oidc_issuer.strip())
        loopback = issuer.hostname in {"localhost", "127.0.0.1", "::1"}
        if issuer.scheme != "https" and not (issuer.scheme == "http" and loopback):
            problems.append("TUNNELVIEW_OIDC_ISSUER must be an https:// URL (http:// only on this machine).")
        if not self.oidc_client_id.strip():
            problems.append("TUNNELVIEW_OIDC_CLIENT_ID must be set to Tunnelview's client id there.")
        if "openid" not in self.oidc_scopes.split():
            problems.append("TUNNELVIEW_OIDC_SCOPES must include openid.")
        pairs = [p.strip() for p in self.oidc_role_map.split(",") if p.strip()]
        wrong = [p for p in pairs if not _role_pair(p)]
        if wrong:
            problems.append(
                "TUNNELVIEW_OIDC_ROLE_MAP must be value=role pairs, comma-separated, each role one of "
                f"{', '.join(GLOBAL_ROLES)}; not {', '.join(repr(w) for w in wrong)}."
            )
        return problems

    def register_keys(self) -> list[str]:
        """The register keys, newest first (possibly none)."""
        return [k.strip() for k in self.register_key.get_secret_value().split(",") if k.strip()]

    def check_safe_to_serve(self) -> None:
        """Refuse to start a server outside dev mode with the default or a short secret key, or without
        a register key that opens the sealed register: never serve with a register nobody can read.
        Trusted proxies must be addresses, single sign-on complete and the chosen PDF renderer
        installed, in dev mode too."""
        self.trusted_proxy_networks()
        renderer = self.pdf_renderer_problems()
        if renderer:
            raise UnsafeSettings(
                " ".join(["TUNNELVIEW_PDF_RENDERER is chromium:", *renderer, "See docs/reports.md."])
            )
        sign_on = self.sign_on_problems()
        if sign_on:
            raise UnsafeSettings(" ".join(sign_on) + " See docs/sign-on.md.")
        if self.dev_mode:
            return
        secret = self.secret_key.get_secret_value()
        if secret == DEFAULT_SECRET_KEY or len(secret) < MINIMUM_SECRET_LENGTH:
            raise UnsafeSettings(
                "TUNNELVIEW_SECRET_KEY must be set to a random value of at least "
                f"{MINIMUM_SECRET_LENGTH} characters (or set TUNNELVIEW_DEV_MODE=1 for local use)."
            )
        keys = self.register_keys()
        if not keys:
            raise UnsafeSettings(f"TUNNELVIEW_REGISTER_KEY is not set. {REGISTER_KEY_HELP}")
        for number, key in enumerate(keys, start=1):
            if not is_fernet_key(key):
                raise UnsafeSettings(
                    f"Register key number {number} in TUNNELVIEW_REGISTER_KEY is not a valid Fernet key "
                    f"(32 url-safe base64-encoded bytes). {REGISTER_KEY_HELP}"
                )


def _role_pair(pair: str) -> bool:
    value, equals, role = pair.rpartition("=")
    return bool(equals and value.strip() and role.strip() in GLOBAL_ROLES)


REGISTER_KEY_HELP = (
    "Set it to one or more Fernet keys, newest first, comma-separated; generate one with "
    "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'` "
    "(or set TUNNELVIEW_DEV_MODE=1 for local use with a development key)."
)


def is_fernet_key(key: str) -> bool:
    try:
        Fernet(key)
    except (ValueError, TypeError):
        return False
    return True


def chromium_problems(executable: str) -> list[str]:
    """What is missing for PDFs made by Chromium at `executable`, in words saying what to install (the
    settings check at start, `findings.publication.chromium` at each render)."""
    problems = []
    if not os.access(executable, os.X_OK):
        problems.append(
            f"Chromium is not at {executable}: install the chromium package (Debian: apt-get install "
            "chromium) or point TUNNELVIEW_CHROMIUM at it."
        )
    if importlib.util.find_spec("playwright") is None:
        problems.append(
            "Rendering PDF with Chromium needs the Python package playwright: install `playwright` "
            "(`pip install --require-hashes -r requirements/chromium.txt`; not its browsers: Chromium "
            "comes from the system)."
        )
    return problems


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

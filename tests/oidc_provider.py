"""An OpenID provider for the tests, served by uvicorn on a loopback port: discovery, an authorization
endpoint, a token endpoint (authorization code with PKCE S256 and client_secret_basic) and its JWKS,
signing ID tokens with an RSA key made for the test session. It checks what a real provider checks
(the client, the redirect URI, the code used once, the PKCE verifier), so a mistake in Tunnelview's
side of the flow fails here as it would against Entra ID.

Who signs in is `provider.person` (their claims); `provider.mischief` makes the next ID token wrong
in one way (signed by another key, for another audience, expired, with another nonce), as a
misconfigured or hostile provider would. With `provider.interactive`, the authorization endpoint
shows a page with a "Continue" button (for the browser test) instead of answering at once.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "tunnelview-test-client"
CLIENT_SECRET = "test client secret: with + and / in it"
KEY = RSAKey.generate_key(2048, parameters={"kid": "provider-key-1", "use": "sig", "alg": "RS256"})
IMPOSTOR_KEY = RSAKey.generate_key(2048, parameters={"kid": "provider-key-1", "use": "sig", "alg": "RS256"})
NEXT_KEY = RSAKey.generate_key(2048, parameters={"kid": "provider-key-2", "use": "sig", "alg": "RS256"})


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    claims: dict[str, Any]


@dataclass
class Provider:
    issuer: str = ""
    person: dict[str, Any] = field(default_factory=dict)
    mischief: str | None = None  # "other-key", "other-audience", "expired", "other-nonce", "no-id-token"
    interactive: bool = False
    key: RSAKey = field(
        default_factory=lambda: KEY
    )  # the provider's signing key (`rotate` moves to the next)
    grants: dict[str, Grant] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        self.person = {}
        self.mischief = None
        self.interactive = False
        self.key = KEY
        self.grants.clear()
        self.authorize_requests.clear()
        self.token_requests.clear()

    def rotate(self) -> None:
        """Sign with a new key from now on, published in the JWKS instead of the old one."""
        self.key = NEXT_KEY

    # ---- endpoints -------------------------------------------------------------------------------------

    def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "email", "profile"],
            }
        )

    def jwks(self, request: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))

    async def authorize(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.authorize_requests.append(query)
        wrong = [
            name
            for name, ok in (
                ("response_type", query.get("response_type") == "code"),
                ("client_id", query.get("client_id") == CLIENT_ID),
                ("redirect_uri", bool(query.get("redirect_uri"))),
                ("scope", "openid" in query.get("scope", "").split()),
                ("code_challenge_method", query.get("code_challenge_method") == "S256"),
                ("code_challenge", len(query.get("code_challenge", "")) == 43),
                ("state", bool(query.get("state"))),
                ("nonce", bool(query.get("nonce"))),
            )
            if not ok
        ]
        if wrong:
            return JSONResponse({"error": "invalid_request", "wrong": wrong}, status_code=400)
        if self.interactive and request.method == "GET":
            return HTMLResponse(_consent_page(self.person.get("name", "someone"), query))
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            CLIENT_ID, query["redirect_uri"], query["code_challenge"], query.get("nonce"), dict(self.person)
        )
        back = {"code": code, "state": query["state"]}
        return RedirectResponse(f"{query['redirect_uri']}?{urlencode(back)}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        self.token_requests.append(form)
        if request.headers.get("authorization") != _basic(CLIENT_ID, CLIENT_SECRET):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if (
            form.get("redirect_uri") != grant.redirect_uri
            or _s256(form.get("code_verifier", "")) != grant.challenge
        ):
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "PKCE or redirect"}, status_code=400
            )
        answer: dict[str, Any] = {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer"}
        if self.mischief != "no-id-token":
            answer["id_token"] = self.id_token(grant)
        return JSONResponse(answer)

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 600,
            "nonce": grant.nonce,
            **grant.claims,
        }
        if self.mischief == "other-audience":
            claims["aud"] = "some-other-application"
        if self.mischief == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        if self.mischief == "other-nonce":
            claims["nonce"] = "a-nonce-from-another-sign-in"
        key = IMPOSTOR_KEY if self.mischief == "other-key" else self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize, methods=["GET", "POST"]),
                Route("/token", self.token, methods=["POST"]),
            ]
        )


def _consent_page(name: str, query: dict[str, str]) -> str:
    return (
        '<!doctype html><html lang="en"><head><title>Test provider</title></head><body><main>'
        f"<h1>Test provider</h1><p>Signed in at the provider as {html.escape(name)}.</p>"
        f'<form method="post" action="/authorize?{html.escape(urlencode(query))}">'
        "<button>Continue</button></form></main></body></html>"
    )


def _basic(user: str, password: str) -> str:
    pair = f"{quote(user, safe='')}:{quote(password, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@contextmanager
def serving(provider: Provider, host: str = "127.0.0.1") -> Iterator[Provider]:
    """The provider on a loopback port until the block ends; its issuer is `http://<host>:<port>`
    (`localhost` makes it another site than the app on 127.0.0.1, as a real provider is)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    provider.issuer = f"http://{host}:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(provider.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the test provider did not start"
        time.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

"""Single sign-on with OpenID Connect: Tunnelview is the relying party of one provider (Microsoft Entra
ID, Keycloak, Okta, Google...), found through its discovery document.

- `start` sends the browser to the provider's authorization endpoint (authorization code flow with
  PKCE S256, a fresh `state` and `nonce`). The state, nonce, PKCE verifier and the page to return to
  travel in one cookie, encrypted and signed (Fernet, with a key derived from the secret key), valid
  for 10 minutes and used once: nothing is stored on the server, so any worker can finish the flow.
- `finish` takes the provider's answer: the state must be the cookie's, the code is exchanged at the
  token endpoint (with the verifier and the client's secret), and the ID token is verified: its
  signature against the provider's JWKS (asymmetric algorithms only; the keys are fetched again once
  when the token names a key not yet seen, so the provider can rotate them), its issuer, audience
  (and authorised party), expiry, issue time and nonce (Authlib's `CodeIDToken`, on joserfc).
- Every failure is a `SignOnFailed` with what happened in words for the person (and a log line);
  which account the identity opens, if any, is the accounts service's decision
  (`AccountService.sign_on`).

This module holds what the pages need (the paths, the cookie, `SignOnFailed`); the client itself,
with Authlib, joserfc and httpx, is `api/oidc.py`, imported only when single sign-on is configured
(together some 20 MB a worker would otherwise carry).
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow.sign_on import Identity

SIGN_ON_COOKIE = "tunnelview_sign_on"
START_PATH = "/sign-in/sso"
CALLBACK_PATH = "/sign-in/sso/callback"
PENDING_SECONDS = 600  # from the button to the provider's answer


class SignOnFailed(Exception):
    """The sign-in with the provider did not complete: `str()` says why, for the person."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Pending:
    """One sign-in on its way through the provider (the cookie's content)."""

    state: str
    nonce: str
    verifier: str
    next: str


@dataclass(frozen=True)
class Started:
    url: str  # the provider's authorization endpoint, with this sign-in's parameters
    cookie: str  # the sealed `Pending`


@dataclass(frozen=True)
class Completed:
    identity: Identity
    next: str

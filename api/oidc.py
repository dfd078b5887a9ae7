"""The OpenID Connect client of single sign-on (the flow is described in `api/sign_on.py`): the
discovery document, the authorization request, the code exchange and the ID token's checks. Imported
only when TUNNELVIEW_OIDC_ISSUER is set (`api.wiring.build_services`)."""

from __future__ import annotations

import base64
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from api.sign_on import CALLBACK_PATH, PENDING_SECONDS, Completed, Pending, SignOnFailed, Started
from workflow.settings import Settings
from workflow.sign_on import Identity, SignOnRules, claim_values

log = logging.getLogger("tunnelview.sign_on")

LEEWAY_SECONDS = 60  # clock skew allowed between the provider and this server
METADATA_SECONDS = 3600  # the discovery document (and its keys) are read again after this
HTTP_TIMEOUT = 10.0
# Never an HMAC algorithm: the client secret must not be able to sign an ID token.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


def _loopback(url: str) -> bool:
    return urlsplit(url).hostname in {"localhost", "127.0.0.1", "::1"}


def _secure(url: object) -> bool:
    """https, or http to this machine (a provider run locally, as in the tests)."""
    if not isinstance(url, str):
        return False
    scheme = urlsplit(url).scheme
    return scheme == "https" or (scheme == "http" and _loopback(url))


class OpenIdConnect:
    def __init__(
        self,
        settings: Settings,
        *,
        now: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.issuer = settings.oidc_issuer.strip()
        self.client_id = settings.oidc_client_id.strip()
        self._client_secret = settings.oidc_client_secret.get_secret_value()
        self.scopes = " ".join(settings.oidc_scopes.split())
        self.redirect_uri = settings.public_url.rstrip("/") + CALLBACK_PATH
        self.roles_claim = settings.oidc_roles_claim.strip()
        self.rules = SignOnRules(
            provider=settings.oidc_provider_name.strip() or "single sign-on",
            role_map=settings.oidc_roles(),
            create_accounts=settings.oidc_create_accounts,
            trust_email=settings.oidc_trust_email,
        )
        self._sealer = Fernet(_derived_key(settings.secret_key.get_secret_value()))
        self._now = now
        self._transport = transport
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._metadata_read_at = 0.0
        self._keys: KeySet | None = None

    @property
    def provider(self) -> str:
        return self.rules.provider

    # ---- the two legs ----------------------------------------------------------------------------

    def start(self, next_path: str) -> Started:
        metadata = self.metadata()
        pending = Pending(generate_token(32), generate_token(32), generate_token(64), next_path)
        url = prepare_grant_uri(
            metadata["authorization_endpoint"],
            self.client_id,
            "code",
            redirect_uri=self.redirect_uri,
            scope=self.scopes,
            state=pending.state,
            nonce=pending.nonce,
            code_challenge=create_s256_code_challenge(pending.verifier),
            code_challenge_method="S256",
        )
        sealed = self._sealer.encrypt_at_time(json.dumps(asdict(pending)).encode(), int(self._now()))
        return Started(str(url), sealed.decode("ascii"))

    def finish(self, cookie: str | None, answer: Mapping[str, str]) -> Completed:
        """The identity in the provider's answer (the callback's query parameters), checked."""
        pending = self._opened(cookie)
        if answer.get("error"):
            said = answer.get("error_description") or answer["error"]
            raise self._failed(f"{self.provider} did not sign you in: {said[:200]}", status=401)
        if not _same(answer.get("state"), pending.state):
            raise self._failed(
                f"The answer from {self.provider} does not belong to the sign-in started in this browser. "
                "Nothing was changed. Start again from the sign-in page."
            )
        code = answer.get("code")
        if not code:
            raise self._failed(
                f"{self.provider} sent no authorisation code. Start again from the sign-in page."
            )
        tokens = self._exchange(code, pending.verifier)
        claims = self._verified(tokens, pending.nonce)
        return Completed(self._identity(claims), pending.next)

    # ---- the provider's documents ------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, checked, read at most once an hour."""
        with self._lock:
            if self._metadata is None or self._now() - self._metadata_read_at > METADATA_SECONDS:
                self._metadata = self._discover()
                self._metadata_read_at = self._now()
                self._keys = None
            return self._metadata

    def _discover(self) -> dict[str, Any]:
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        metadata = self._get_json(url, "its discovery document")
        problems = []
        if metadata.get("issuer") != self.issuer:
            problems.append(f"its issuer is {metadata.get('issuer')!r}, not the configured {self.issuer!r}")
        for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not _secure(metadata.get(endpoint)):
                problems.append(f"{endpoint} is missing or not https")
        challenges = metadata.get("code_challenge_methods_supported")
        if isinstance(challenges, list) and "S256" not in challenges:
            problems.append("it does not support PKCE with S256")
        if problems:
            log.error(
                "single sign-on: the discovery document at %s is unusable: %s", url, "; ".join(problems)
            )
            raise SignOnFailed(
                f"Single sign-on with {self.provider} is not set up correctly ({'; '.join(problems)}). "
                "Tell your partnership's admin.",
                status=502,
            )
        return metadata

    def _key_set(self, *, again: bool = False) -> KeySet:
        metadata = self.metadata()
        with self._lock:
            if self._keys is None or again:
                document = self._get_json(metadata["jwks_uri"], "its signing keys")
                try:
                    self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
                except (JoseError, ValueError, TypeError, KeyError) as error:
                    log.error("single sign-on: the provider's JWKS cannot be read: %s", error)
                    raise SignOnFailed(
                        f"The signing keys of {self.provider} cannot be read. Tell your partnership's admin.",
                        status=502,
                    ) from None
            return self._keys

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            with self._http() as http:
                response = http.get(url, headers={"Accept": "application/json"})
                response.raise_for_status()
                document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            log.error("single sign-on: %s (%s) could not be read: %s", what, url, error)
            raise SignOnFailed(
                f"{self.provider} cannot be reached just now ({what} could not be read). Try again in a "
                "few minutes; if it keeps happening, tell your partnership's admin.",
                status=502,
            ) from None
        if not isinstance(document, dict):
            raise SignOnFailed(f"{self.provider} sent something other than {what}.", status=502)
        return document

    def _http(self) -> httpx.Client:
        return httpx.Client(timeout=HTTP_TIMEOUT, transport=self._transport, follow_redirects=False)

    # ---- the code, the tokens and the ID token -------------------------------------------------------

    def _exchange(self, code: str, verifier: str) -> dict[str, Any]:
        metadata = self.metadata()
        fields: dict[str, str] = {"code": code, "code_verifier": verifier}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        if not self._client_secret:
            fields["client_id"] = self.client_id  # a public client: PKCE alone
        elif "client_secret_basic" in methods:
            pair = f"{quote(self.client_id, safe='')}:{quote(self._client_secret, safe='')}"  # RFC 6749 2.3.1
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        else:
            fields.update(client_id=self.client_id, client_secret=self._client_secret)
        body = prepare_token_request("authorization_code", redirect_uri=self.redirect_uri, **fields)
        try:
            with self._http() as http:
                response = http.post(metadata["token_endpoint"], content=body, headers=headers)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as error:
            log.error("single sign-on: the token endpoint did not answer: %s", error)
            raise SignOnFailed(
                f"{self.provider} cannot be reached just now. Try again in a few minutes.", status=502
            ) from None
        if response.status_code != 200 or not isinstance(answer, dict) or "error" in answer:
            said = str(_error_of(answer) or response.status_code)[:200]
            log.warning(
                "single sign-on: the token endpoint refused the code (%s): %s", response.status_code, said
            )
            raise self._failed(
                f"{self.provider} refused to complete the sign-in ({said}). Start again from the sign-in "
                "page.",
                status=401,
            )
        if not isinstance(answer.get("id_token"), str):
            message = f"{self.provider} sent no ID token. Tell your partnership's admin."
            raise self._failed(message, status=502)
        return answer

    def _verified(self, tokens: dict[str, Any], nonce: str) -> dict[str, Any]:
        """The ID token's claims once its signature and claims hold; SignOnFailed saying which did not."""
        supported = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in supported if a in ALGORITHMS] or ["RS256"]  # never none, never HMAC
        try:
            try:
                token = jwt.decode(tokens["id_token"], self._key_set(), algorithms=algorithms)
            except InvalidKeyIdError:  # a key published since the set was read: the provider rotated
                token = jwt.decode(tokens["id_token"], self._key_set(again=True), algorithms=algorithms)
            claims = CodeIDToken(
                token.claims,
                token.header,
                {
                    "iss": {"essential": True, "value": self.issuer},
                    "aud": {"essential": True, "value": self.client_id},
                },
                {"nonce": nonce, "client_id": self.client_id, "access_token": tokens.get("access_token")},
            )
            claims.validate(now=int(self._now()), leeway=LEEWAY_SECONDS)
        except JoseError as error:
            raise self._failed(self._token_problem(error), status=401) from None
        return dict(claims)

    def _token_problem(self, error: JoseError) -> str:
        unusable = f"The sign-in with {self.provider} was refused: its ID token "
        again = " Start again from the sign-in page; if it keeps happening, tell your partnership's admin."
        if isinstance(error, BadSignatureError | InvalidKeyIdError):
            return unusable + f"is not signed by {self.provider}'s keys." + again
        if isinstance(error, ExpiredTokenError):
            return unusable + "has expired (is this server's clock right?)." + again
        if isinstance(error, InvalidClaimError):
            meaning = {
                "aud": "was issued for another application (its audience is not Tunnelview's client id)",
                "azp": "was issued for another application (its authorised party is not Tunnelview)",
                "iss": "comes from another issuer",
                "nonce": "does not belong to this sign-in (its nonce is not the one sent)",
                "iat": "has an issue time that cannot be right",
                "nbf": "is not valid yet (is this server's clock right?)",
                "at_hash": "does not match its access token",
            }
            return unusable + meaning.get(error.claim, f"has a wrong '{error.claim}' claim") + "." + again
        if isinstance(error, MissingClaimError):
            return unusable + f"lacks the '{error.claim}' claim." + again
        return unusable + f"cannot be read ({error.error})." + again

    def _identity(self, claims: Mapping[str, Any]) -> Identity:
        names = claims.get("_claim_names")
        if isinstance(names, dict) and self.roles_claim in names:  # Entra ID's "groups overage"
            raise self._failed(
                f"{self.provider} sent too many groups to fit in the sign-in, so your role cannot be read. "
                "Ask your partnership's admin to map app roles instead of groups (docs/sign-on.md).",
                status=403,
            )
        email = claims.get("email")
        verified = claims.get("email_verified")
        name = claims.get("name")
        return Identity(
            subject=str(claims["sub"]),
            email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
            email_verified=verified is True or verified == "true",
            name=name if isinstance(name, str) else None,
            claim_values=claim_values(claims, self.roles_claim),
        )

    # ---- the pending sign-in's cookie ------------------------------------------------------------------

    def _opened(self, cookie: str | None) -> Pending:
        try:
            if not cookie:
                raise InvalidToken
            raw = self._sealer.decrypt_at_time(cookie.encode("ascii"), PENDING_SECONDS, int(self._now()))
            return Pending(**json.loads(raw))
        except (InvalidToken, ValueError, TypeError, UnicodeEncodeError):
            raise self._failed(
                f"The sign-in with {self.provider} took longer than {PENDING_SECONDS // 60} minutes, or "
                "was not started in this browser. Nothing was changed. Start again from the sign-in page."
            ) from None

    def _failed(self, message: str, *, status: int = 400) -> SignOnFailed:
        log.warning("single sign-on refused: %s", message)
        return SignOnFailed(message, status=status)


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


def _error_of(answer: object) -> object:
    """The OAuth error of a token endpoint's answer, in its own words if it has them."""
    if isinstance(answer, dict):
        return answer.get("error_description") or answer.get("error")
    return None


def _derived_key(secret_key: str) -> bytes:
    """The pending sign-in's Fernet key: the secret key through HKDF, so no other use of the secret key
    can open or forge the cookie."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tunnelview sign-on state").derive(
        secret_key.encode("utf-8")
    )
    return base64.urlsafe_b64encode(key)

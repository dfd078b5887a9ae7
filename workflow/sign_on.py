"""Single sign-on, in the domain's words: who the provider says a person is (`Identity`, from an ID
token whose signature and claims the API has already checked), the rules of this deployment
(`SignOnRules`), and which global role the claims give (`role_from_claims`). The accounts service
(`AccountService.sign_on`) applies them to an account and audits what it changes; nothing here talks
to the provider."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.errors import DomainError
from workflow.people import GLOBAL_ROLES

DEFAULT_ROLE = "member"  # the role of a created account whose claims map to none


class SignOnRefused(DomainError):
    """The provider signed the person in, but Tunnelview does not let them in: the reason in words."""


@dataclass(frozen=True)
class Identity:
    """The person as the ID token names them."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    claim_values: tuple[str, ...] = ()  # the values of the roles (or groups) claim


@dataclass(frozen=True)
class SignOnRules:
    provider: str  # the provider's name, as the sign-in button shows it
    role_map: Mapping[str, str] = field(default_factory=dict)  # claim value -> global role
    create_accounts: bool = False
    trust_email: bool = False  # match by an email the provider does not say it verified

    @property
    def via(self) -> str:
        """The `via` of the accounts log rows a sign-on writes."""
        return f"single sign-on ({self.provider})"


def role_from_claims(values: Iterable[str], role_map: Mapping[str, str]) -> str | None:
    """The most powerful global role any claim value maps to (admin, coordinator, chair, member);
    None when no role map is set, so the accounts keep the roles admins gave them; `member` when it
    is set and nothing in the claims matches."""
    if not role_map:
        return None
    given = {role_map[value] for value in values if value in role_map}
    return next((role for role in GLOBAL_ROLES if role in given), DEFAULT_ROLE)


def claim_values(claims: Mapping[str, Any], path: str) -> tuple[str, ...]:
    """The values of the claim at `path` (`roles`, or `realm_access.roles` into an object): a list of
    strings, or one string of space-separated values; nothing when absent."""
    value: Any = claims
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if isinstance(v, str | int))
    return ()

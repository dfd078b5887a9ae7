"""The sealed identity register: the real identifiers of a review and their pseudonyms.

- Sealed at rest with Fernet; a `MultiFernet` of the keys in `TUNNELVIEW_REGISTER_KEY` (newest first)
  decrypts with any of them and seals with the newest, so keys can be rotated (docs/sealed-register.md).
- Only the review's coordinator and chair may read or change it; a non-member is told the review does not
  exist (NotFound), another member that they may not (NotPermitted).
- Every read and every change by a person appends a row to the review's audit log, in the same
  transaction. The audit row names the entry and its kind, never the real value.
- The anonymisation check reads the register as the system (`sealed_identifiers`), not as a person;
  that read is not a person's read and is not audited (it runs inside the publish guard).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from findings.errors import RegisterUnreadable
from findings.publication.identifiers import PERSON_KINDS, Identifier, IdentifierKind
from findings.publication.models import RegisterEntry
from workflow import audit
from workflow.errors import InvalidInput, NotFound
from workflow.models import Review, utcnow
from workflow.policy import READERS
from workflow.service import ReviewService
from workflow.settings import REGISTER_KEY_HELP, Settings, get_settings, is_fernet_key
from workflow.states import ReviewRole

log = logging.getLogger(__name__)


KIND_NAMES: dict[IdentifierKind, str] = {
    IdentifierKind.CHILD: "child",
    IdentifierKind.SIBLING: "sibling",
    IdentifierKind.PARENT_CARER: "parent or carer",
    IdentifierKind.FAMILY_MEMBER: "other family member",
    IdentifierKind.ADDRESS: "address",
    IdentifierKind.SCHOOL: "school",
    IdentifierKind.DATE_OF_BIRTH: "date of birth",
    IdentifierKind.PRACTITIONER: "practitioner",
    IdentifierKind.OTHER: "other identifier",
}


# ---- keys ----------------------------------------------------------------------------------------


class RegisterKeyError(RegisterUnreadable):
    """The register key is missing or unusable, or a sealed entry cannot be opened with any key."""


DEV_KEY_WARNING = (
    "TUNNELVIEW_REGISTER_KEY is not set: the sealed register uses a development key derived from the "
    "secret key. Anyone who knows the secret key can open it. Never use this for real cases."
)


def dev_key(secret_key: str) -> bytes:
    """The development key: derived deterministically from the secret key, so a dev database stays
    readable across restarts. Only used in dev mode without a register key."""
    digest = hashlib.sha256(b"tunnelview sealed register development key\x00" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def register_cipher(settings: Settings | None = None) -> MultiFernet:
    """The register's cipher from settings: every key in `register_key` (newest first, comma-separated).
    Without a key, dev mode derives one (and warns); otherwise it is refused."""
    settings = settings or get_settings()
    keys = settings.register_keys()
    if not keys:
        if not settings.dev_mode:
            raise RegisterKeyError(f"TUNNELVIEW_REGISTER_KEY is not set. {REGISTER_KEY_HELP}")
        log.warning(DEV_KEY_WARNING)
        keys = [dev_key(settings.secret_key.get_secret_value()).decode()]
    fernets = []
    for number, key in enumerate(keys, start=1):
        if not is_fernet_key(key):
            raise RegisterKeyError(
                f"Register key number {number} in TUNNELVIEW_REGISTER_KEY is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            )
        fernets.append(Fernet(key))
    return MultiFernet(fernets)


# ---- sealing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryView:
    """One register entry, opened. For the coordinator and chair only; `repr` never shows real values."""

    id: int
    kind: IdentifierKind
    value: str = field(repr=False)
    pseudonym: str = field(repr=False)
    variants: tuple[str, ...] = field(default=(), repr=False)
    match_parts: bool = True
    note: str = field(default="", repr=False)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    def identifier(self) -> Identifier:
        return Identifier(self.id, self.kind, self.value, self.pseudonym, self.variants, self.match_parts)


@dataclass(frozen=True)
class RegisterView:
    review_id: int
    version: int  # the review's version after this (audited) read
    entries: tuple[EntryView, ...]


@dataclass(frozen=True)
class EntryChanged:
    entry_id: int
    version: int  # the review's version after the change


def _seal(cipher: MultiFernet, payload: Mapping[str, Any]) -> bytes:
    return cipher.encrypt(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def _open(cipher: MultiFernet, entry: RegisterEntry) -> EntryView:
    try:
        payload = json.loads(cipher.decrypt(bytes(entry.sealed)).decode("utf-8"))
    except InvalidToken:
        raise RegisterKeyError(
            f"Register entry {entry.id} cannot be opened with any configured key: a key that sealed it "
            "has been removed from TUNNELVIEW_REGISTER_KEY."
        ) from None
    return EntryView(
        id=entry.id,
        kind=IdentifierKind(entry.kind),
        value=payload["value"],
        pseudonym=payload["pseudonym"],
        variants=tuple(payload.get("variants", ())),
        match_parts=bool(payload.get("match_parts", True)),
        note=payload.get("note", ""),
        created_at=entry.created_at,
        updated_at=entry.updated_at,
    )


def _entries(session: Session, review_id: int) -> Sequence[RegisterEntry]:
    return session.scalars(
        select(RegisterEntry).where(RegisterEntry.review_id == review_id).order_by(RegisterEntry.id)
    ).all()


def sealed_identifiers(session: Session, review_id: int, cipher: MultiFernet) -> tuple[Identifier, ...]:
    """The register as the anonymisation check needs it. A read by the system for the check, not by a
    person: not audited. Never show its values to anyone."""
    return tuple(_open(cipher, entry).identifier() for entry in _entries(session, review_id))


def unreadable_entries(session: Session, cipher: MultiFernet) -> tuple[int, list[int]]:
    """How many register entries there are, and the ids of those no key of `cipher` opens (after a
    restore, or before removing an old key)."""
    entries = session.execute(select(RegisterEntry.id, RegisterEntry.sealed).order_by(RegisterEntry.id)).all()
    unreadable = []
    for entry_id, sealed in entries:
        try:
            cipher.decrypt(bytes(sealed))
        except InvalidToken:
            unreadable.append(entry_id)
    return len(entries), unreadable


def rotate_keys(session: Session, cipher: MultiFernet) -> int:
    """Re-seal every entry of every review with the newest key (after a new key was put first in
    TUNNELVIEW_REGISTER_KEY). The caller commits. Returns how many entries were re-sealed. The values do
    not change, so no review's audit log or version is touched."""
    count = 0
    for entry in session.scalars(select(RegisterEntry).order_by(RegisterEntry.id)):
        try:
            entry.sealed = cipher.rotate(bytes(entry.sealed))
        except InvalidToken:
            raise RegisterKeyError(
                f"Register entry {entry.id} cannot be opened with any configured key; keep the old key in "
                "TUNNELVIEW_REGISTER_KEY until rotation has finished."
            ) from None
        count += 1
    session.flush()
    return count


# ---- validation ----------------------------------------------------------------------------------

_UK_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")


def _date_of_birth(value: str) -> str | None:
    """A date of birth as ISO (accepts 2015-03-12 and the UK 12/03/2015); None if it is not a date."""
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        pass
    m = _UK_DATE.match(value)
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        except ValueError:
            return None
    return None


def _clean_list(values: Iterable[str] | None) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in (values or ()) if isinstance(v, str) and v.strip()))


def _validated(
    fields: Mapping[str, Any], others: Sequence[EntryView]
) -> tuple[IdentifierKind, dict[str, Any]]:
    """Check an entry's fields; never echo a real value in a message (messages may be logged)."""
    errors: dict[str, str] = {}
    try:
        kind = IdentifierKind(str(fields.get("kind")))
    except ValueError:
        errors["kind"] = "Kind must be one of: " + ", ".join(k.value for k in IdentifierKind) + "."
        kind = IdentifierKind.OTHER
    value = fields.get("value")
    value = value.strip() if isinstance(value, str) else ""
    pseudonym = fields.get("pseudonym")
    pseudonym = pseudonym.strip() if isinstance(pseudonym, str) else ""
    if not value:
        errors["value"] = "Give the real identifier."
    elif kind == IdentifierKind.DATE_OF_BIRTH:
        iso = _date_of_birth(value)
        if iso is None:
            errors["value"] = "A date of birth must be a date, such as 2015-03-12 or 12/03/2015."
        else:
            value = iso
    if not pseudonym:
        errors["pseudonym"] = "Give the pseudonym or replacement phrase used in the review's text."
    elif value and (pseudonym.casefold() == value.casefold() or value.casefold() in pseudonym.casefold()):
        errors["pseudonym"] = "The pseudonym must not contain the real identifier."
    variants = _clean_list(fields.get("variants"))
    if any(pseudonym and v.casefold() == pseudonym.casefold() for v in variants):
        errors["variants"] = "A variant must not be the pseudonym: every use of the pseudonym would be a hit."
    if value and any(o.kind == kind and o.value.casefold() == value.casefold() for o in others):
        errors["value"] = "This identifier is already in the register."
    if errors:
        raise InvalidInput(errors)
    match_parts = fields.get("match_parts", True)
    note = fields.get("note") or ""
    payload = {
        "value": value,
        "pseudonym": pseudonym,
        "variants": variants,
        "match_parts": bool(match_parts) if kind in PERSON_KINDS or kind == IdentifierKind.ADDRESS else True,
        "note": note.strip() if isinstance(note, str) else "",
    }
    return kind, payload


# ---- the service ---------------------------------------------------------------------------------


class RegisterService:
    """Reads and changes a review's sealed register for its coordinator and chair, auditing each."""

    def __init__(self, reviews: ReviewService, *, cipher: MultiFernet | None = None) -> None:
        self._reviews = reviews
        self._cipher = cipher

    @property
    def cipher(self) -> MultiFernet:
        if self._cipher is None:
            self._cipher = register_cipher()
        return self._cipher

    def _authorised(
        self, session: Session, review_id: int, actor: int, what: str
    ) -> tuple[Review, frozenset[ReviewRole]]:
        review, roles = self._reviews.load(session, review_id, actor)
        self._reviews.require(roles, READERS["register"], what)
        return review, roles

    def read(self, review_id: int, actor: int) -> RegisterView:
        """The opened register. Audited as `read_register`; a read does not raise the review's version."""
        with self._reviews.session() as session:
            review, _ = self._authorised(session, review_id, actor, "see the sealed identity register")
            entries = tuple(_open(self.cipher, e) for e in _entries(session, review.id))
            audit.append(
                session,
                review,
                actor_id=actor,
                action="read_register",
                params={"entries": len(entries)},
                changes_review=False,
            )
            session.commit()
            return RegisterView(review.id, review.version, entries)

    def add(self, review_id: int, actor: int, expected_version: int | None, **fields: Any) -> EntryChanged:
        """Add an identifier: `kind`, `value`, `pseudonym`, optional `variants`, `match_parts`, `note`."""
        with self._reviews.session() as session:
            review = self._for_change(session, review_id, actor, expected_version)
            others = tuple(_open(self.cipher, e) for e in _entries(session, review.id))
            kind, payload = _validated(fields, others)
            entry = RegisterEntry(
                review_id=review.id,
                kind=kind.value,
                sealed=_seal(self.cipher, payload),
                created_by=actor,
                updated_by=actor,
            )
            session.add(entry)
            session.flush()
            audit.append(
                session,
                review,
                actor_id=actor,
                action="add_register_entry",
                params={"entry_id": entry.id, "kind": kind.value},
            )
            session.commit()
            return EntryChanged(entry.id, review.version)

    def change(
        self, review_id: int, actor: int, expected_version: int | None, entry_id: int, **fields: Any
    ) -> EntryChanged:
        """Change some fields of an entry; the audit row lists which fields changed, not their values."""
        allowed = {"kind", "value", "pseudonym", "variants", "match_parts", "note"}
        unknown = set(fields) - allowed
        if unknown:
            raise InvalidInput({name: "This field cannot be changed." for name in sorted(unknown)})
        with self._reviews.session() as session:
            review = self._for_change(session, review_id, actor, expected_version)
            entries = _entries(session, review.id)
            entry = next((e for e in entries if e.id == entry_id), None)
            if entry is None:
                raise NotFound(f"Register entry {entry_id} is not part of this review.")
            current = _open(self.cipher, entry)
            merged = {
                "kind": current.kind.value,
                "value": current.value,
                "pseudonym": current.pseudonym,
                "variants": list(current.variants),
                "match_parts": current.match_parts,
                "note": current.note,
            } | fields
            others = tuple(_open(self.cipher, e) for e in entries if e.id != entry_id)
            kind, payload = _validated(merged, others)
            before = {
                "kind": current.kind.value,
                "value": current.value,
                "pseudonym": current.pseudonym,
                "variants": list(current.variants),
                "match_parts": current.match_parts,
                "note": current.note,
            }
            after = {"kind": kind.value, **payload}
            changed = sorted(name for name in after if after[name] != before[name])
            entry.kind = kind.value
            entry.sealed = _seal(self.cipher, payload)
            entry.updated_at = utcnow()
            entry.updated_by = actor
            audit.append(
                session,
                review,
                actor_id=actor,
                action="change_register_entry",
                params={"entry_id": entry.id, "kind": kind.value, "fields": changed},
            )
            session.commit()
            return EntryChanged(entry.id, review.version)

    def remove(
        self, review_id: int, actor: int, expected_version: int | None, entry_id: int, *, reason: str
    ) -> EntryChanged:
        if not reason or not reason.strip():
            raise InvalidInput({"reason": "Say why this identifier is removed from the register."})
        with self._reviews.session() as session:
            review = self._for_change(session, review_id, actor, expected_version)
            entry = next((e for e in _entries(session, review.id) if e.id == entry_id), None)
            if entry is None:
                raise NotFound(f"Register entry {entry_id} is not part of this review.")
            kind = entry.kind
            session.delete(entry)
            audit.append(
                session,
                review,
                actor_id=actor,
                action="remove_register_entry",
                reason=reason.strip(),
                params={"entry_id": entry_id, "kind": kind},
            )
            session.commit()
            return EntryChanged(entry_id, review.version)

    def _for_change(
        self, session: Session, review_id: int, actor: int, expected_version: int | None
    ) -> Review:
        review, _ = self._authorised(session, review_id, actor, "change the sealed identity register")
        self._reviews.check_version(review, expected_version)
        self._reviews.require_not_final(review)
        return review

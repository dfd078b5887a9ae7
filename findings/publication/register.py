"""The sealed identity register: the real identifiers of a review and their pseudonyms.

- Sealed at rest with Fernet; a `MultiFernet` of the keys in `TUNNELVIEW_REGISTER_KEY` (newest first)
  decrypts with any of them and seals with the newest, so keys can be rotated (docs/sealed-register.md).
- Only the review's coordinator and chair may read or change it; a non-member is told the review does not
  exist (NotFound), another member that they may not (NotPermitted). Changes take typed commands
  (`AddRegisterEntry`, `ChangeRegisterEntry`, `RemoveRegisterEntry`): the API's bodies and what the
  register page builds from its form.
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
from typing import Annotated, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from findings.errors import RegisterUnreadable
from findings.publication.identifiers import PERSON_KINDS, Identifier, IdentifierKind
from findings.publication.models import RegisterEntry
from workflow import audit, policy
from workflow.commands import MAX_ITEMS, Command, Reason, Text, Title, required
from workflow.errors import InvalidInput, NotFound
from workflow.models import Review, utcnow
from workflow.policy import READERS
from workflow.service import ReviewService
from workflow.settings import REGISTER_KEY_HELP, Settings, get_settings, is_fernet_key

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
    entries: tuple[EntryView, ...]  # the entries asked for (all of them, or one page)
    total: int  # how many the register holds


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


def _in_order(review_id: int) -> Select[RegisterEntry]:
    return select(RegisterEntry).where(RegisterEntry.review_id == review_id).order_by(RegisterEntry.id)


def _entries(session: Session, review_id: int) -> Sequence[RegisterEntry]:
    return session.scalars(_in_order(review_id)).all()


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


# ---- commands ------------------------------------------------------------------------------------

# Messages never echo a real value: they may be logged, and the API's problems go to the client.
VALUE_MISSING = "Give the real identifier: the name, address, school or date as it really is."
PSEUDONYM_MISSING = (
    "Give the pseudonym or replacement words the review's text uses instead, such as 'Alice' or 'the school'."
)
NOT_A_DATE = "A date of birth must be a date, such as 2015-03-12 or 12/03/2015."
PSEUDONYM_HOLDS_VALUE = "The pseudonym must not contain the real identifier."
VARIANT_IS_PSEUDONYM = "A variant must not be the pseudonym: every use of the pseudonym would be a hit."
ALREADY_THERE = "This identifier is already in the register."
REASON_MISSING = "Say why this identifier is removed from the register."
NOT_NULL = "Leave this field out to keep it as it is; it cannot be null."
NOT_EMPTY: tuple[str, ...] = ("kind", "value", "pseudonym", "match_parts")  # null refused in a change

Kind = Annotated[IdentifierKind, Field(description="What kind of identifier this is (never whose).")]
RealValue = Annotated[
    Title,
    required(VALUE_MISSING),
    Field(description="The real identifier: a name, an address, a school, a date of birth (2015-03-12)."),
]
Replacement = Annotated[
    Title,
    required(PSEUDONYM_MISSING),
    Field(description="The pseudonym or replacement words the review's text and published report use."),
]
Variants = Annotated[
    list[Title],
    Field(max_length=MAX_ITEMS, description="Other spellings to look for: nicknames, former names."),
]
MatchParts = Annotated[
    bool, Field(description="For names and addresses: also look for each part alone (first name, street).")
]
Note = Annotated[Text, Field(description="Why a variant or setting was chosen (sealed like the rest).")]


class AddRegisterEntry(Command):
    """A real identifier and the words the review uses instead. Checked as a whole: a date of birth
    must be a date (kept as ISO), the pseudonym must not contain the real identifier, no variant may
    be the pseudonym. That it is not already in the register is checked by the service."""

    kind: Kind
    value: RealValue
    pseudonym: Replacement
    variants: Variants = Field(default_factory=list)
    match_parts: MatchParts = True
    note: Note = ""

    @field_validator("value")
    @classmethod
    def _a_date_of_birth_is_a_date(cls, value: str, info: ValidationInfo) -> str:
        normal, problem = _normal_value(info.data.get("kind"), value)
        if problem:
            raise PydanticCustomError("date_of_birth", problem)
        return normal

    @field_validator("pseudonym")
    @classmethod
    def _the_pseudonym_hides_the_value(cls, pseudonym: str, info: ValidationInfo) -> str:
        problem = _pseudonym_problem(info.data.get("value"), pseudonym)
        if problem:
            raise PydanticCustomError("pseudonym", problem)
        return pseudonym

    @field_validator("variants")
    @classmethod
    def _no_variant_is_the_pseudonym(cls, variants: list[str], info: ValidationInfo) -> list[str]:
        cleaned = _clean_list(variants)
        problem = _variants_problem(info.data.get("pseudonym"), cleaned)
        if problem:
            raise PydanticCustomError("variants", problem)
        return cleaned


class ChangeRegisterEntry(Command):
    """The fields sent are changed; the others are left as they are. The entry as it then stands is
    checked as a whole, like a new one. `variants` replaces the list."""

    kind: Kind | None = None
    value: RealValue | None = None
    pseudonym: Replacement | None = None
    variants: Variants | None = None
    match_parts: MatchParts | None = None
    note: Note | None = None


class RemoveRegisterEntry(Command):
    reason: Annotated[Reason, required(REASON_MISSING), Field(description="Why the identifier is removed.")]


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


def _normal_value(kind: object, value: str) -> tuple[str, str | None]:
    """The value as stored (a date of birth as ISO), and what is wrong with it."""
    if kind != IdentifierKind.DATE_OF_BIRTH:
        return value, None
    iso = _date_of_birth(value)
    return (value, NOT_A_DATE) if iso is None else (iso, None)


def _pseudonym_problem(value: object, pseudonym: str) -> str | None:
    if isinstance(value, str) and value and value.casefold() in pseudonym.casefold():
        return PSEUDONYM_HOLDS_VALUE
    return None


def _variants_problem(pseudonym: object, variants: Sequence[str]) -> str | None:
    if isinstance(pseudonym, str) and any(v.casefold() == pseudonym.casefold() for v in variants):
        return VARIANT_IS_PSEUDONYM
    return None


def _fields(entry: EntryView) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "value": entry.value,
        "pseudonym": entry.pseudonym,
        "variants": list(entry.variants),
        "match_parts": entry.match_parts,
        "note": entry.note,
    }


def _checked(fields: Mapping[str, Any], others: Sequence[EntryView]) -> tuple[IdentifierKind, dict[str, Any]]:
    """A whole entry (its commands' fields) checked, with every problem at once, and the payload to
    seal. The commands check the same for what they hold; this sees the entry as it will stand."""
    kind = IdentifierKind(fields["kind"])
    value, value_problem = _normal_value(kind, fields["value"])
    pseudonym = fields["pseudonym"]
    variants = _clean_list(fields.get("variants"))
    problems = {
        "value": value_problem,
        "pseudonym": _pseudonym_problem(value, pseudonym),
        "variants": _variants_problem(pseudonym, variants),
    }
    if not value_problem and any(o.kind == kind and o.value.casefold() == value.casefold() for o in others):
        problems["value"] = ALREADY_THERE
    errors = {name: message for name, message in problems.items() if message}
    if errors:
        raise InvalidInput(errors)
    names_or_address = kind in PERSON_KINDS or kind == IdentifierKind.ADDRESS
    return kind, {
        "value": value,
        "pseudonym": pseudonym,
        "variants": variants,
        "match_parts": bool(fields.get("match_parts", True)) if names_or_address else True,
        "note": (fields.get("note") or "").strip(),
    }


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

    def read(self, *, review_id: int, actor: int, limit: int | None = None, offset: int = 0) -> RegisterView:
        """The register opened, in the order the entries were made (`limit` of them from `offset`).
        Audited as `read_register` with the ids of the entries shown; a read does not raise the
        review's version."""
        with self._reviews.session() as session:
            review = self._for_reading(session, review_id, actor)
            query = _in_order(review.id)
            total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
            if limit is not None:
                query = query.limit(limit)
            rows = session.scalars(query.offset(offset) if offset else query).all()
            entries = tuple(_open(self.cipher, e) for e in rows)
            self._audit_read(session, review, actor, entries)
            session.commit()
            return RegisterView(review.id, review.version, entries, total)

    def get(self, *, review_id: int, actor: int, entry_id: int) -> EntryView:
        """One entry opened (to change or remove it); audited as a read of that entry."""
        with self._reviews.session() as session:
            review = self._for_reading(session, review_id, actor)
            entry = _entry(session, review.id, entry_id)
            opened = _open(self.cipher, entry)
            self._audit_read(session, review, actor, (opened,))
            session.commit()
            return opened

    def add(
        self, *, review_id: int, actor: int, expected_version: int | None, command: AddRegisterEntry
    ) -> EntryChanged:
        """Add a real identifier with the words the review uses instead."""
        with self._reviews.session() as session:
            review = self._for_change(session, review_id, actor, expected_version)
            others = tuple(_open(self.cipher, e) for e in _entries(session, review.id))
            kind, payload = _checked(command.model_dump(), others)
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

    def update(
        self,
        *,
        review_id: int,
        actor: int,
        entry_id: int,
        expected_version: int | None,
        command: ChangeRegisterEntry,
    ) -> EntryChanged:
        """Change the fields sent; the audit row lists which fields changed, never their values."""
        sent = command.sent()
        nulls = {name: NOT_NULL for name in NOT_EMPTY if name in sent and sent[name] is None}
        with self._reviews.session() as session:
            review = self._for_change(session, review_id, actor, expected_version)
            entry = _entry(session, review.id, entry_id)
            if nulls:
                raise InvalidInput(nulls)
            before = _fields(_open(self.cipher, entry))
            others = tuple(_open(self.cipher, e) for e in _entries(session, review.id) if e.id != entry_id)
            kind, payload = _checked(before | {k: v for k, v in sent.items() if v is not None}, others)
            after = {"kind": kind, **payload}
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
        self,
        *,
        review_id: int,
        actor: int,
        entry_id: int,
        expected_version: int | None,
        command: RemoveRegisterEntry,
    ) -> EntryChanged:
        """Remove an identifier; the audit row keeps the reason (never the value)."""
        with self._reviews.session() as session:
            review = self._for_change(session, review_id, actor, expected_version)
            entry = _entry(session, review.id, entry_id)
            kind = entry.kind
            session.delete(entry)
            audit.append(
                session,
                review,
                actor_id=actor,
                action="remove_register_entry",
                reason=command.reason,
                params={"entry_id": entry_id, "kind": kind},
            )
            session.commit()
            return EntryChanged(entry_id, review.version)

    def _for_reading(self, session: Session, review_id: int, actor: int) -> Review:
        review, roles = self._reviews.load(session, review_id, actor)
        self._reviews.require(roles, READERS["register"], "see the sealed identity register")
        return review

    def _for_change(
        self, session: Session, review_id: int, actor: int, expected_version: int | None
    ) -> Review:
        review, roles = self._reviews.load(session, review_id, actor, for_change=True)
        policy.check(roles, review.state, "change_register")
        self._reviews.check_version(review, expected_version)
        return review

    @staticmethod
    def _audit_read(session: Session, review: Review, actor: int, entries: Sequence[EntryView]) -> None:
        audit.append(
            session,
            review,
            actor_id=actor,
            action="read_register",
            params={"entries": len(entries), "entry_ids": [e.id for e in entries]},
            changes_review=False,
        )


def _entry(session: Session, review_id: int, entry_id: int) -> RegisterEntry:
    entry = session.get(RegisterEntry, entry_id)
    if entry is None or entry.review_id != review_id:
        raise NotFound(f"Register entry {entry_id} is not part of this review.")
    return entry

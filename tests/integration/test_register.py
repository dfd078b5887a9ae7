"""The sealed identity register: sealed at rest, seen and changed only by the coordinator and chair,
every read and change audited without the real value."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from pydantic import ValidationError
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from findings.publication.identifiers import IdentifierKind
from findings.publication.models import RegisterEntry
from findings.publication.register import (
    ALREADY_THERE,
    DEV_KEY_WARNING,
    NOT_A_DATE,
    NOT_NULL,
    PSEUDONYM_HOLDS_VALUE,
    PSEUDONYM_MISSING,
    REASON_MISSING,
    VALUE_MISSING,
    VARIANT_IS_PSEUDONYM,
    AddRegisterEntry,
    ChangeRegisterEntry,
    RegisterKeyError,
    RegisterService,
    RegisterView,
    RemoveRegisterEntry,
    dev_key,
    register_cipher,
    rotate_keys,
    sealed_identifiers,
)
from tests.support import Journey, People
from workflow import audit
from workflow.commands import field_errors
from workflow.errors import InvalidInput, NotAtThisStage, NotFound, NotPermitted, StaleReview
from workflow.holds import SetPublicationHold
from workflow.service import ReviewService
from workflow.settings import Settings
from workflow.states import State

SECRETS = ("Jayden Okonkwo-Price", "Tamsin Okonkwo", "Larkspur Close", "2016-07-04", "St Brigid's RC Primary")

KEY = Fernet.generate_key()


@pytest.fixture
def register(service: ReviewService) -> RegisterService:
    return RegisterService(service, cipher=MultiFernet([Fernet(KEY)]))


@pytest.fixture
def journey(service: ReviewService, people: People) -> Journey:
    return Journey(service, people).to(State.DATA_GATHERING)


def read(register: RegisterService, journey: Journey, actor: int) -> RegisterView:
    return register.read(review_id=journey.review_id, actor=actor)


def fill(register: RegisterService, journey: Journey) -> list[int]:
    actor = journey.cast.coordinator
    ids = []
    for kind, value, pseudonym, variants in [
        ("child", SECRETS[0], "Alice", ["Jayjay"]),
        ("parent_carer", SECRETS[1], "her mother", []),
        ("address", f"12 {SECRETS[2]}, Thornaby", "the family home", []),
        ("date_of_birth", "04/07/2016", "her date of birth", []),
        ("school", SECRETS[4], "the school", []),
    ]:
        changed = register.add(
            review_id=journey.review_id,
            actor=actor,
            expected_version=journey.version,
            command=AddRegisterEntry(kind=kind, value=value, pseudonym=pseudonym, variants=variants),
        )
        ids.append(changed.entry_id)
    return ids


def test_coordinator_and_chair_read_and_change_it(register: RegisterService, journey: Journey) -> None:
    ids = fill(register, journey)
    view = register.read(review_id=journey.review_id, actor=journey.cast.chair)
    assert [e.id for e in view.entries] == ids and view.total == 5
    child = view.entries[0]
    assert (child.kind, child.value, child.pseudonym, child.variants) == (
        IdentifierKind.CHILD,
        SECRETS[0],
        "Alice",
        ("Jayjay",),
    )
    assert view.entries[3].value == "2016-07-04"  # a UK date is stored as ISO
    assert SECRETS[0] not in repr(view)
    register.update(
        review_id=journey.review_id,
        actor=journey.cast.chair,
        entry_id=ids[0],
        expected_version=view.version,
        command=ChangeRegisterEntry(pseudonym="Alicia"),
    )
    assert read(register, journey, journey.cast.coordinator).entries[0].pseudonym == "Alicia"
    register.remove(
        review_id=journey.review_id,
        actor=journey.cast.chair,
        entry_id=ids[4],
        expected_version=journey.version,
        command=RemoveRegisterEntry(reason="Not needed"),
    )
    assert len(read(register, journey, journey.cast.coordinator).entries) == 4
    page = register.read(review_id=journey.review_id, actor=journey.cast.chair, limit=2, offset=2)
    assert [e.id for e in page.entries] == ids[2:4] and page.total == 4


@pytest.mark.parametrize(
    "who, error",
    [("lead", NotPermitted), ("practitioner", NotPermitted), ("outsider", NotFound), ("admin", NotFound)],
)
def test_nobody_else_may_see_or_change_it(
    register: RegisterService, journey: Journey, who: str, error: type[Exception]
) -> None:
    (entry_id, *_) = fill(register, journey)
    actor = getattr(journey.cast, who)
    mine = {"review_id": journey.review_id, "actor": actor}
    with pytest.raises(error):
        register.read(**mine)
    with pytest.raises(error):
        register.get(**mine, entry_id=entry_id)
    with pytest.raises(error):
        register.add(
            **mine,
            expected_version=journey.version,
            command=AddRegisterEntry(kind="other", value="X Y", pseudonym="Z"),
        )
    with pytest.raises(error):
        register.update(
            **mine,
            entry_id=entry_id,
            expected_version=journey.version,
            command=ChangeRegisterEntry(pseudonym="Z"),
        )
    with pytest.raises(error):
        register.remove(
            **mine,
            entry_id=entry_id,
            expected_version=journey.version,
            command=RemoveRegisterEntry(reason="r"),
        )
    panel_member = next(iter(journey.cast.panel.values()))
    with pytest.raises(NotPermitted):
        read(register, journey, panel_member)


def test_every_read_and_change_is_audited_without_the_value(
    register: RegisterService, journey: Journey, sessions: sessionmaker[Session]
) -> None:
    ids = fill(register, journey)
    view = read(register, journey, journey.cast.chair)
    register.update(
        review_id=journey.review_id,
        actor=journey.cast.coordinator,
        entry_id=ids[1],
        expected_version=view.version,
        command=ChangeRegisterEntry(value="Tamsin Okonkwo-Price", note="married name"),
    )
    register.remove(
        review_id=journey.review_id,
        actor=journey.cast.coordinator,
        entry_id=ids[2],
        expected_version=journey.version,
        command=RemoveRegisterEntry(reason="moved"),
    )
    read(register, journey, journey.cast.coordinator)
    register.get(review_id=journey.review_id, actor=journey.cast.chair, entry_id=ids[0])
    with sessions() as session:
        entries = audit.entries_of(session, journey.review_id)
        assert audit.verify(session, journey.review_id).intact
    rows = [e for e in entries if "register" in e.action]
    assert [e.action for e in rows] == ["add_register_entry"] * 5 + [
        "read_register",
        "change_register_entry",
        "remove_register_entry",
        "read_register",
        "read_register",
    ]
    assert [e.actor_id for e in rows[-5:]] == [journey.cast.chair] + [journey.cast.coordinator] * 3 + [
        journey.cast.chair
    ]
    assert rows[6].params == {"entry_id": ids[1], "kind": "parent_carer", "fields": ["note", "value"]}
    assert rows[5].params == {"entries": 5, "entry_ids": ids}
    assert rows[8].params == {"entries": 4, "entry_ids": [ids[0], ids[1], ids[3], ids[4]]}
    assert rows[9].params == {"entries": 1, "entry_ids": [ids[0]]}
    assert rows[7].reason == "moved"
    everything = repr([(e.params, e.reason) for e in entries])
    for secret in (*SECRETS, "Okonkwo", "Tamsin", "married name"):
        assert secret not in everything


def test_a_new_entry_is_checked_as_a_whole_with_every_problem_at_once() -> None:
    with pytest.raises(ValidationError) as refused:
        AddRegisterEntry.model_validate(
            {"kind": "date_of_birth", "value": "last spring", "pseudonym": "last spring", "variants": ["x"]}
        )
    assert field_errors(refused.value) == {"value": NOT_A_DATE}
    with pytest.raises(ValidationError) as refused:
        AddRegisterEntry.model_validate(
            {"kind": "child", "value": "Kai Smith", "pseudonym": "Kai Smith", "variants": ["Kai Smith"]}
        )
    assert field_errors(refused.value) == {"pseudonym": PSEUDONYM_HOLDS_VALUE}
    with pytest.raises(ValidationError) as refused:
        AddRegisterEntry.model_validate({"kind": "aunt", "value": " ", "pseudonym": "", "shoe_size": 9})
    errors = field_errors(refused.value)
    assert errors.keys() == {"kind", "value", "pseudonym", "shoe_size"}
    assert (errors["value"], errors["pseudonym"]) == (VALUE_MISSING, PSEUDONYM_MISSING)
    with pytest.raises(ValidationError) as refused:
        AddRegisterEntry.model_validate(
            {"kind": "child", "value": "Kai Smith", "pseudonym": "Bo", "variants": ["bo"]}
        )
    assert field_errors(refused.value) == {"variants": VARIANT_IS_PSEUDONYM}
    entry = AddRegisterEntry(
        kind="date_of_birth", value="04/07/2016", pseudonym="her birthday", variants=[" a ", "a", ""]
    )
    assert (entry.value, entry.variants) == ("2016-07-04", ["a"])
    with pytest.raises(ValidationError) as refused:
        RemoveRegisterEntry(reason="  ")
    assert field_errors(refused.value) == {"reason": REASON_MISSING}


def test_a_refused_change_is_not_audited_and_saves_nothing(
    register: RegisterService, journey: Journey, sessions: sessionmaker[Session]
) -> None:
    ids = fill(register, journey)
    before = journey.version
    coordinator = {"review_id": journey.review_id, "actor": journey.cast.coordinator}
    with pytest.raises(InvalidInput) as refused:
        register.add(
            **coordinator,
            expected_version=before,
            command=AddRegisterEntry(kind="child", value=SECRETS[0].upper(), pseudonym="Bob"),
        )
    assert refused.value.errors == {"value": ALREADY_THERE}
    assert SECRETS[0] not in str(refused.value)
    # A change is checked as the entry will then stand, every problem at once.
    leaky = f"Alice ({SECRETS[0]})"
    with pytest.raises(InvalidInput) as refused:
        register.update(
            **coordinator,
            entry_id=ids[0],
            expected_version=before,
            command=ChangeRegisterEntry(kind="date_of_birth", pseudonym=leaky, variants=[leaky]),
        )
    assert refused.value.errors == {
        "value": NOT_A_DATE,
        "pseudonym": PSEUDONYM_HOLDS_VALUE,
        "variants": VARIANT_IS_PSEUDONYM,
    }
    assert SECRETS[0] not in str(refused.value)
    with pytest.raises(InvalidInput) as refused:
        register.update(
            **coordinator,
            entry_id=ids[0],
            expected_version=before,
            command=ChangeRegisterEntry.model_validate({"value": None, "kind": None, "note": None}),
        )
    assert refused.value.errors == {"value": NOT_NULL, "kind": NOT_NULL}
    with pytest.raises(StaleReview):
        register.add(
            **coordinator,
            expected_version=before - 1,
            command=AddRegisterEntry(kind="other", value="A B", pseudonym="C"),
        )
    with pytest.raises(NotFound):
        register.update(
            **coordinator,
            entry_id=ids[-1] + 100,
            expected_version=before,
            command=ChangeRegisterEntry(note="x"),
        )
    assert journey.version == before
    with sessions() as session:
        assert len(session.scalars(select(RegisterEntry)).all()) == 5
    assert read(register, journey, journey.cast.chair).entries[0].pseudonym == "Alice"


def test_the_stored_bytes_contain_no_identifier(
    register: RegisterService, journey: Journey, engine: Engine, database_url: str
) -> None:
    fill(register, journey)
    read(register, journey, journey.cast.chair)
    # The nickname is six letters: a three-letter needle turns up by chance in the file's random base64.
    needles = [s.encode() for s in SECRETS] + [s.lower().encode() for s in SECRETS] + [b"Okonkwo", b"Jayjay"]
    with engine.connect() as connection:
        raw = connection.execute(text("SELECT * FROM register_entries")).all()
        assert len(raw) == 5
        everything = b""
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                everything += repr(tuple(row)).encode() + b"\n"
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        everything += bytes(value)
    for needle in needles:
        assert needle not in everything
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        on_disk = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        for needle in needles:
            assert needle not in on_disk


def test_the_check_reads_the_register_as_the_system(
    register: RegisterService, journey: Journey, sessions: sessionmaker[Session]
) -> None:
    fill(register, journey)
    before = journey.version
    with sessions() as session:
        identifiers = sealed_identifiers(session, journey.review_id, register.cipher)
    assert [i.kind for i in identifiers][:2] == [IdentifierKind.CHILD, IdentifierKind.PARENT_CARER]
    assert identifiers[0].value == SECRETS[0] and SECRETS[0] not in repr(identifiers)
    assert journey.version == before


def test_keys_rotate(service: ReviewService, journey: Journey, sessions: sessionmaker[Session]) -> None:
    old = Fernet.generate_key()
    new = Fernet.generate_key()
    fill(RegisterService(service, cipher=MultiFernet([Fernet(old)])), journey)
    both = MultiFernet([Fernet(new), Fernet(old)])  # the new key first; the old one still opens
    assert read(RegisterService(service, cipher=both), journey, journey.cast.chair).entries
    with sessions() as session:
        assert rotate_keys(session, both) == 5
        session.commit()
    only_new = RegisterService(service, cipher=MultiFernet([Fernet(new)]))
    assert read(only_new, journey, journey.cast.chair).entries[0].value == SECRETS[0]
    only_old = RegisterService(service, cipher=MultiFernet([Fernet(old)]))
    with pytest.raises(RegisterKeyError, match="cannot be opened"):
        read(only_old, journey, journey.cast.chair)


def test_the_key_comes_from_settings(caplog: pytest.LogCaptureFixture) -> None:
    a, b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = register_cipher(Settings(register_key=f"{a}, {b}")).encrypt(b"x")
    assert Fernet(a.encode()).decrypt(token) == b"x"  # seals with the first (newest) key
    with pytest.raises(RegisterKeyError, match="not set"):
        register_cipher(Settings(register_key="", dev_mode=False))
    with pytest.raises(RegisterKeyError, match="number 2"):
        register_cipher(Settings(register_key=f"{a},not-a-key"))
    with caplog.at_level(logging.WARNING):
        dev = register_cipher(Settings(register_key="", dev_mode=True, secret_key="s" * 40))
    assert DEV_KEY_WARNING in caplog.text
    assert Fernet(dev_key("s" * 40)).decrypt(dev.encrypt(b"y")) == b"y"
    assert dev_key("s" * 40) == dev_key("s" * 40) != dev_key("t" * 40)


def test_a_closed_review_register_can_no_longer_change(
    register: RegisterService, service: ReviewService, people: People
) -> None:
    journey = Journey(service, people).to(State.CLOSED)
    with pytest.raises(NotAtThisStage, match="closed"):
        register.add(
            review_id=journey.review_id,
            actor=journey.cast.coordinator,
            expected_version=journey.version,
            command=AddRegisterEntry(kind="other", value="Pat Doe", pseudonym="a neighbour"),
        )
    assert read(register, journey, journey.cast.chair).entries == ()  # still open to read


def test_opening_the_register_is_audited_but_does_not_make_other_forms_stale(journey, register, sessions):
    before = journey.version
    read(register, journey, journey.cast.chair)
    assert journey.version == before
    journey.lifecycle.holds.set(
        review_id=journey.review_id,
        actor=journey.cast.coordinator,
        expected_version=before,
        command=SetPublicationHold(reason="Inquest opened."),
    )
    with sessions() as session:
        actions = [e.action for e in audit.entries_of(session, journey.review_id)]
        assert actions[-2:] == ["read_register", "set_publication_hold"]
        assert audit.verify(session, journey.review_id).intact

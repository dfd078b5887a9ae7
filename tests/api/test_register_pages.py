"""The sealed identity register page through the ASGI app: the coordinator and chair add, change and
remove entries with every problem shown at once; every view and change is audited; anyone else is
refused (a non-member is told there is no such page); a stale form keeps what was typed; long
registers page; and a name added on the page makes the "names a person" warning and the
anonymisation check see it at once."""

from __future__ import annotations

import html
import re

import pytest
from cryptography.fernet import Fernet

from api.auth import SESSION_COOKIE, csrf_token
from api.wiring import Services, build_services
from findings.analysis.findings import ChangeFinding
from findings.publication.register import (
    PSEUDONYM_HOLDS_VALUE,
    PSEUDONYM_MISSING,
    REASON_MISSING,
    VALUE_MISSING,
    AddRegisterEntry,
)
from tests.api.conftest import SECRET
from tests.api.world import World
from tests.findings_support import Analysis
from tests.support import People
from workflow import audit
from workflow.settings import Settings
from workflow.states import State

CHILD = "Jayden Okonkwo-Price"
DENTIST = "Rupert Greenwood"


def sign_in(client, services: Services, user_id: int) -> str:
    """Give the client a session of this user; the session's CSRF token."""
    token = services.auth.issue(user_id, kind="session").token
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token(SECRET, token)


def text_of(response) -> str:
    """The page's HTML unescaped, with its runs of white space as single spaces."""
    return " ".join(html.unescape(response.text).split())


def register_actions(services: Services, review_id: int) -> list[tuple[str, dict]]:
    with services.sessions() as session:
        return [(e.action, e.params) for e in audit.entries_of(session, review_id) if "register" in e.action]


def seal(services: Services, review_id: int, actor: int, version: int, **fields: str) -> int:
    command = AddRegisterEntry.model_validate({"kind": "child", **fields})
    return services.register.add(
        review_id=review_id, actor=actor, expected_version=version, command=command
    ).entry_id


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.SCOPING)


def test_the_coordinator_adds_changes_and_removes_an_identifier_on_the_page(client, api_services, world):
    csrf = sign_in(client, api_services, world.users["coordinator"])
    base = f"/reviews/{world.review_id}/register"
    overview = client.get(f"/reviews/{world.review_id}")
    assert f'href="{base}">Sealed identity register</a>' in overview.text

    empty = client.get(base)
    assert empty.status_code == 200
    assert "No identifier is in the register yet." in text_of(empty)
    assert "kept apart from the review's text" in text_of(empty)  # what the register is for

    # Everything wrong at once, and what was typed comes back.
    refused = client.post(
        base, data={"csrf_token": csrf, "version": str(world.version), "value": " ", "note": "from the GP"}
    )
    assert refused.status_code == 422
    page = text_of(refused)
    for message in ("Choose what kind of identifier this is.", VALUE_MISSING, PSEUDONYM_MISSING):
        assert message in page
    assert "from the GP</textarea>" in page
    leaky = client.post(
        base,
        data={"csrf_token": csrf, "version": str(world.version), "kind": "child", "value": CHILD,
              "pseudonym": f"Alice {CHILD}"},
    )  # fmt: skip
    assert leaky.status_code == 422 and PSEUDONYM_HOLDS_VALUE in text_of(leaky)

    added = client.post(
        base,
        data={"csrf_token": csrf, "version": str(world.version), "kind": "child", "value": CHILD,
              "pseudonym": "Alice", "variants": "Jayjay\n\nJay-Jay", "match_parts": "yes"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303 and added.headers["location"] == base
    listed = text_of(client.get(base))
    assert "Identifier added to the register." in listed
    assert CHILD in listed and "Alice" in listed and "Also: Jayjay and Jay-Jay" in listed
    entry_id = api_services.register.read(review_id=world.review_id, actor=world.users["chair"]).entries[0].id

    form = text_of(client.get(f"{base}/{entry_id}"))
    assert f'value="{CHILD}"' in form and "Jayjay Jay-Jay</textarea>" in form
    changed = client.post(
        f"{base}/{entry_id}",
        data={"csrf_token": csrf, "version": str(world.version), "kind": "child", "value": CHILD,
              "pseudonym": "Alicia", "variants": "Jayjay"},
        follow_redirects=False,
    )  # fmt: skip
    assert changed.status_code == 303
    chair = world.users["chair"]
    entry = api_services.register.get(review_id=world.review_id, actor=chair, entry_id=entry_id)
    assert (entry.pseudonym, entry.variants, entry.match_parts) == ("Alicia", ("Jayjay",), False)

    confirm = text_of(client.get(f"{base}/{entry_id}/remove"))
    assert "Remove this identifier from the register?" in confirm and CHILD in confirm
    no_reason = client.post(
        f"{base}/{entry_id}/remove", data={"csrf_token": csrf, "version": str(world.version)}
    )
    assert no_reason.status_code == 422 and REASON_MISSING in text_of(no_reason)
    removed = client.post(
        f"{base}/{entry_id}/remove",
        data={"csrf_token": csrf, "version": str(world.version), "reason": "Added to the wrong review."},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert "No identifier is in the register yet." in text_of(client.get(base))

    # Every view (the list, one entry) and every change is in the audit log, never a real value.
    actions = register_actions(api_services, world.review_id)
    assert [a for a, _ in actions] == [
        *["read_register"] * 3,  # the empty register, then with each refused form
        "add_register_entry",
        *["read_register"] * 3,  # the list, the chair's read above, the change form
        "change_register_entry",
        *["read_register"] * 3,  # the chair's read above, the remove form, again with its problem
        "remove_register_entry",
        "read_register",
    ]
    assert ("add_register_entry", {"entry_id": entry_id, "kind": "child"}) in actions
    fields = ["match_parts", "pseudonym", "variants"]
    assert ("change_register_entry", {"entry_id": entry_id, "kind": "child", "fields": fields}) in actions
    assert ("remove_register_entry", {"entry_id": entry_id, "kind": "child"}) in actions
    reads = [params for action, params in actions if action == "read_register"]
    assert {"entries": 0, "entry_ids": []} in reads and {"entries": 1, "entry_ids": [entry_id]} in reads
    assert CHILD not in repr(actions) and "Alic" not in repr(actions)


def test_only_the_coordinator_and_chair_see_it_and_a_non_member_is_told_there_is_no_such_page(
    client, api_services, world
):
    coordinator = world.users["coordinator"]
    entry_id = seal(api_services, world.review_id, coordinator, world.version, value=CHILD, pseudonym="Alice")
    base = f"/reviews/{world.review_id}/register"
    paths = (base, f"{base}/{entry_id}", f"{base}/{entry_id}/remove")
    for kind in ("other_review", "admin"):
        sign_in(client, api_services, world.users[kind])
        for path in paths:
            page = client.get(path)
            assert page.status_code == 404 and "Page not found" in page.text, (kind, path)
    for kind in ("panel_member", "case_group", "lead"):
        csrf = sign_in(client, api_services, world.users[kind])
        assert "Sealed identity register" not in client.get(f"/reviews/{world.review_id}").text
        for path in paths:
            page = client.get(path)
            assert page.status_code == 403, (kind, path)
            assert "Only the chair or review coordinator may see the sealed identity register." in page.text
            assert CHILD not in page.text
        refused = client.post(
            base,
            data={"csrf_token": csrf, "version": str(world.version), "kind": "other", "value": "Pat Doe",
                  "pseudonym": "a neighbour"},
        )  # fmt: skip
        assert refused.status_code == 403
        assert "Only the chair or review coordinator may change the sealed identity register." in refused.text
    chair_csrf = sign_in(client, api_services, world.users["chair"])
    assert "Sealed identity register" in client.get(f"/reviews/{world.review_id}").text
    assert CHILD in client.get(base).text
    assert (
        client.post(
            f"{base}/{entry_id}/remove",
            data={"csrf_token": chair_csrf, "version": str(world.version), "reason": "A duplicate."},
            follow_redirects=False,
        ).status_code
        == 303
    )
    # Nothing the others tried was saved, and none of their refused reads was recorded as a read.
    actions = [a for a, _ in register_actions(api_services, world.review_id)]
    assert actions == ["add_register_entry", "read_register", "remove_register_entry"]


def test_a_stale_form_is_not_saved_and_keeps_what_was_typed(client, api_services, world):
    coordinator, chair = world.users["coordinator"], world.users["chair"]
    entry_id = seal(api_services, world.review_id, coordinator, world.version, value=CHILD, pseudonym="Alice")
    opened_at = world.version
    csrf = sign_in(client, api_services, coordinator)
    form = client.get(f"/reviews/{world.review_id}/register/{entry_id}")
    assert f'name="version" value="{opened_at}"' in form.text
    seal(api_services, world.review_id, chair, opened_at, kind="school", value="St Brigid's", pseudonym="it")

    stale = client.post(
        f"/reviews/{world.review_id}/register/{entry_id}",
        data={"csrf_token": csrf, "version": str(opened_at), "kind": "child", "value": CHILD,
              "pseudonym": "Alicia", "note": "as the family call her"},
    )  # fmt: skip
    assert stale.status_code == 412
    page = text_of(stale)
    assert "Someone else changed this review while you were working on it." in page
    assert 'value="Alicia"' in page and "as the family call her</textarea>" in page
    assert f'name="version" value="{world.version}"' in page  # saving again is a deliberate choice
    entry = api_services.register.get(review_id=world.review_id, actor=chair, entry_id=entry_id)
    assert entry.pseudonym == "Alice"
    added = client.post(
        f"/reviews/{world.review_id}/register",
        data={"csrf_token": csrf, "version": str(opened_at), "kind": "sibling", "value": "Kai Okonkwo",
              "pseudonym": "her brother"},
    )  # fmt: skip
    assert added.status_code == 412 and 'value="her brother"' in added.text
    assert api_services.register.read(review_id=world.review_id, actor=chair).total == 2


def test_a_long_register_is_shown_a_page_at_a_time(client, api_services, world):
    coordinator = world.users["coordinator"]
    ids = [
        seal(api_services, world.review_id, coordinator, world.version, kind="other",
             value=f"Identifier {n:02}", pseudonym=f"thing {n:02}")
        for n in range(30)
    ]  # fmt: skip
    sign_in(client, api_services, coordinator)
    first = text_of(client.get(f"/reviews/{world.review_id}/register"))
    assert "30 identifiers in the register, 1 to 25 shown" in first
    assert "Identifier 24" in first and "Identifier 25" not in first
    assert f'href="/reviews/{world.review_id}/register?page=2"' in first
    second = text_of(client.get(f"/reviews/{world.review_id}/register?page=2"))
    assert "26 to 30 shown" in second and "Identifier 25" in second and "Identifier 24" not in second
    past = client.get(f"/reviews/{world.review_id}/register?page=7", follow_redirects=False)
    assert past.status_code == 303 and past.headers["location"].endswith("/register?page=2")
    reads = [p for a, p in register_actions(api_services, world.review_id) if a == "read_register"]
    assert reads[:2] == [{"entries": 25, "entry_ids": ids[:25]}, {"entries": 5, "entry_ids": ids[25:]}]


def test_a_closed_review_shows_its_register_but_it_can_no_longer_change(client, api_services, worlds):
    world = worlds.at(State.CLOSED)
    sign_in(client, api_services, world.users["coordinator"])
    page = text_of(client.get(f"/reviews/{world.review_id}/register"))
    assert "The review is closed; it can no longer change." in page
    assert "Add to the register" not in page


def test_an_unreadable_register_says_why_and_loses_nothing(client, api_services, world):
    elsewhere = Settings(database_url="sqlite://", register_key=Fernet.generate_key().decode())
    other = build_services(elsewhere, engine=api_services.engine, sessions=api_services.sessions)
    seal(other, world.review_id, world.users["coordinator"], world.version, value=CHILD, pseudonym="Alice")
    sign_in(client, api_services, world.users["coordinator"])
    page = client.get(f"/reviews/{world.review_id}/register")
    assert page.status_code == 503
    assert "The sealed identity register cannot be read" in text_of(page)
    assert "cannot be opened with any configured key" in text_of(page) and CHILD not in page.text


@pytest.fixture
def findings_stage(api_services: Services, people: People) -> Analysis:
    """A review at `findings` whose finding names the dentist, who is no member of the review."""
    analysis = Analysis(api_services.reviews, people).gathering().narratives().begin_analysis()
    analysis.episode()
    analysis.panel_submissions().draft_findings()
    finding_id = analysis.finding()
    lead = analysis.cast.lead
    finding = api_services.finding.get(review_id=analysis.review_id, actor=lead, finding_id=finding_id)
    api_services.finding.update(
        review_id=analysis.review_id,
        actor=lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=ChangeFinding(how_it_showed=f"Three appointments with {DENTIST} were missed."),
    )
    return analysis


def test_a_name_added_on_the_page_is_looked_for_at_once(client, api_services, findings_stage):
    a = findings_stage
    sign_in(client, api_services, a.cast.lead)
    finding = f"/reviews/{a.review_id}/findings/{a.finding_ids[0]}"
    assert "names a person" not in text_of(client.get(finding))

    csrf = sign_in(client, api_services, a.cast.coordinator)
    version = api_services.reviews.get(a.review_id, a.cast.coordinator).review.version
    added = client.post(
        f"/reviews/{a.review_id}/register",
        data={"csrf_token": csrf, "version": str(version), "kind": "practitioner", "value": DENTIST,
              "pseudonym": "the dentist", "match_parts": "yes"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303

    sign_in(client, api_services, a.cast.lead)
    after = text_of(client.get(finding))
    assert f"names a person ('{DENTIST}')" in after
    refused = api_services.reviews.allowed_triggers(a.review_id, a.cast.lead)
    submit = next(o for o in refused if o.trigger == "submit_for_signoff")
    assert not submit.allowed and any("names a person" in r for r in submit.reasons)

    sign_in(client, api_services, a.cast.coordinator)
    check = text_of(client.get(f"/reviews/{a.review_id}/publication?check=1"))
    assert "Passed" not in check
    assert re.search(r"a practitioner's name.*the dentist", check, re.IGNORECASE)

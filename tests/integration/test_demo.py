"""The demo: the reviews of the reference briefing entered through the real services, loaded twice
without duplicating anything; Alice published with the reference's practitioner briefing; the planted
leak in Andrew's draft caught by the anonymisation check."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from api.demo import DEMO_USERS, load_demo
from api.wiring import Services, build_services
from findings.analysis import models as m
from findings.publication.assemble import load
from findings.publication.briefings import briefing_data
from findings.publication.freeze import published_for, verify
from findings.publication.models import PublishedDocument, RegisterEntry
from findings.publication.render import DocumentKind, Format, render_html, render_markdown
from tests.databases import Snapshot
from tests.support import Clock
from workflow import audit
from workflow.models import AuditEntry, Membership, Review, User
from workflow.settings import Settings

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
COUNTED = (
    Review,
    User,
    Membership,
    AuditEntry,
    m.NarrativeEntry,
    m.Episode,
    m.Factor,
    m.Finding,
    m.Action,
    RegisterEntry,
    PublishedDocument,
)


REGISTER_KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="session")
def loaded_demos() -> dict[str, Snapshot]:
    return {}


@pytest.fixture
def demo(
    database_url: str,
    engine: Engine,
    sessions: sessionmaker[Session],
    clock: Clock,
    loaded_demos: dict[str, Snapshot],
) -> Services:
    """The demo loaded through the services: once per session and database, then copied in."""
    settings = Settings(
        database_url=database_url,
        secret_key="demo-test-secret-key-0123456789abcdef",
        register_key=REGISTER_KEY,
    )
    services = build_services(
        settings, engine=engine, sessions=sessions, today=clock, formats=(Format.HTML, Format.MARKDOWN)
    )
    if database_url in loaded_demos:
        loaded_demos[database_url].restore(engine)
    else:
        load_demo(services, today=clock.today)
        loaded_demos[database_url] = Snapshot.take(engine)
    return services


def _ids(services: Services) -> dict[str, int]:
    with services.sessions() as session:
        return {r.child_pseudonym: r.id for r in session.scalars(select(Review))}


def _user(services: Services, email: str) -> int:
    with services.sessions() as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user.id


def _counts(services: Services) -> dict[str, int]:
    with services.sessions() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0 for model in COUNTED
        }


def test_the_demo_loads_twice_without_duplicating_anything(demo: Services, clock: Clock) -> None:
    before = _counts(demo)
    logins = load_demo(demo, today=clock.today)
    assert _counts(demo) == before
    assert [email for email, _ in logins] == [u[0] for u in DEMO_USERS]
    assert before["Review"] == 4 and before["PublishedDocument"] == 4


def test_the_demo_reviews_stand_at_their_stages(demo: Services) -> None:
    ids = _ids(demo)
    with demo.sessions() as session:
        states = {name: session.get(Review, rid).state for name, rid in ids.items()}  # type: ignore[union-attr]
        for rid in ids.values():
            assert audit.verify(session, rid).intact
        alice = published_for(session, ids["Alice"])
        assert alice is not None and alice.variant == "full" and verify(alice)
    assert states == {"Alice": "published", "Andrew": "sign_off", "Benjamin": "analysis", "Daisy": "referred"}


def test_alice_s_practitioner_briefing_is_the_reference_s(demo: Services) -> None:
    """The golden files of the reference briefing (tests/golden), from the demo's own data: the
    publication date and the review's id (the HTML anchor) are the only differences."""
    rid = _ids(demo)["Alice"]
    with demo.sessions() as session:
        review = session.get(Review, rid)
        assert review is not None
        briefing = briefing_data(load(session, review))
    assert briefing.published_on is not None
    golden = dataclasses.replace(briefing, published_on=None)
    assert (
        render_markdown(DocumentKind.PRACTITIONER, golden)
        == (GOLDEN / "alice-practitioner-briefing.md").read_text()
    )
    html = render_html(DocumentKind.PRACTITIONER, dataclasses.replace(golden, review_id="alice"))
    main = html[html.index("<main>") : html.index("</main>") + len("</main>")] + "\n"
    assert main == (GOLDEN / "alice-practitioner-briefing.html").read_text()

    anyone = _user(demo, "admin@demo.example.org")
    frozen = demo.reports.published_document(
        actor=anyone, review_id=rid, kind=DocumentKind.PRACTITIONER, fmt=Format.MARKDOWN
    ).content.decode()
    headings = [line[3:] for line in frozen.splitlines() if line.startswith("## ")]
    assert headings == [
        "Background",
        "Key Issues Gleaned from a Facilitated Discussion",
        "Positive Factors",
        "Lessons Learned",
    ]
    assert frozen.splitlines()[2].startswith(
        "Stockton-on-Tees Local Safeguarding Children Board: management review, published "
    )


def test_the_check_catches_the_leak_planted_in_andrews_draft(demo: Services) -> None:
    ids = _ids(demo)
    chair = _user(demo, "chair@demo.example.org")
    andrew = demo.reports.anonymisation(review_id=ids["Andrew"], actor=chair)
    (hit,) = andrew.hits
    assert (hit.kind, hit.field, hit.matched) == ("finding", "how_it_showed", "Ashdowns'")
    assert hit.what == "part of a parent's or carer's name" and hit.pseudonym == "the foster carer"
    assert demo.reports.anonymisation(review_id=ids["Benjamin"], actor=chair).passed


def test_the_full_report_of_alice_has_the_learning_together_structure(demo: Services) -> None:
    rid = _ids(demo)["Alice"]
    anyone = _user(demo, "practitioner@demo.example.org")
    report = demo.reports.published_document(
        actor=anyone, review_id=rid, kind=DocumentKind.FULL, fmt=Format.MARKDOWN
    ).content.decode()
    for heading in (
        "## 1. Introduction and research questions",
        "## 2. Methodology",
        "## 3. The family's involvement",
        "## 4. The case in brief",
        "## 5. The multi-agency narrative",
        "## 6. Appraisal of key practice episodes",
        "## 7. Findings",
        "## 8. Good practice",
        "## 9. The board's response and actions",
    ):
        assert heading in report
    assert "| Health | panel member | 1 |" in report  # who took part: by agency and role, never by name
    assert "### Alice's mother (mother)" in report
    assert "Whether they wished to take part: does not wish" in report  # her grandmother
    assert "**Lead reviewer 1, " in report and "**Lead reviewer 2, " in report  # independence, by number
    assert "| The family were invited to take part and their views heard | met |" in report
    for name in ("Hari Health", "Lena Lead", "Polly Practitioner", "Brannigan", "Marwood"):
        assert name not in report

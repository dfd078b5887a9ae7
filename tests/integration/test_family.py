"""The family's involvement through the real services: recorded and audited, printed in the full
report (never the contacts' notes), its views read by the systems lens like every published text,
and what the report prints fixed once the chair approves (the day the draft was shared is not)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from findings.analysis.family import (
    AddFamilyContact,
    AddFamilyMember,
    ChangeFamilyMember,
    FamilyService,
    ShareDraft,
)
from findings.analysis.models import FamilyMember
from findings.analysis.warnings import WarningService
from findings.publication.assemble import load, report_data
from findings.publication.render import DocumentKind, render_markdown
from tests.findings_support import Analysis, real_services, to_approved
from workflow import audit
from workflow.errors import InvalidInput, NotAtThisStage, NotFound, NotPermitted
from workflow.models import Review, User


@pytest.fixture
def analysis(sessions, clock, people) -> Analysis:
    analysis = Analysis(real_services(sessions, clock), people).gathering()
    analysis.narratives().begin_analysis()
    analysis.episode()
    analysis.panel_submissions().draft_findings()
    analysis.finding()
    return analysis


def _family(a: Analysis) -> FamilyService:
    return FamilyService(a.reviews, today=a.reviews.today)


def _mother(
    a: Analysis, views: str = "She said no one asked how the move had gone for Alice."
) -> FamilyMember:
    family = _family(a)
    member = family.add(
        review_id=a.review_id,
        actor=a.cast.lead,
        command=AddFamilyMember(
            pseudonym="Alice's mother",
            relationship="mother",
            invited_on=date(2026, 11, 2),
            wishes="taking_part",
        ),
    )
    family.add_contact(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        family_member_id=member.id,
        command=AddFamilyContact(
            on=date(2026, 11, 9), means="meeting", note="Met at the family centre with Dr Brannigan."
        ),
    )
    return family.update(
        review_id=a.review_id,
        actor=a.cast.lead,
        family_member_id=member.id,
        expected_version=member.version,
        command=ChangeFamilyMember(views=views),
    )


def _markdown(sessions: sessionmaker[Session], review_id: int) -> str:
    with sessions() as session:
        review = session.get(Review, review_id)
        assert review is not None
        return render_markdown(DocumentKind.FULL, report_data(load(session, review)))


def test_each_change_is_audited(analysis, sessions):
    member = _mother(analysis)
    with sessions() as session:
        actions = [e.action for e in audit.entries_of(session, analysis.review_id)][-3:]
    assert actions == ["add_family_member", "add_family_contact", "update_family_member"]
    assert member.contacts[0].contacted_on == date(2026, 11, 9)


def test_the_full_report_has_the_family_section_and_never_the_contacts_notes(analysis, sessions):
    _mother(analysis)
    report = _markdown(sessions, analysis.review_id)
    section = report.split("## 3. The family's involvement", 1)[1].split("## 4.", 1)[0]
    assert "### Alice's mother (mother)" in section
    assert (
        "Invited to take part on 2 November 2026. Whether they wished to take part: wishes to take part. "
        "Contacts with the review: 9 November 2026 (a meeting). "
        "The draft report had not been shared with them."
    ) in section
    assert "She said no one asked how the move had gone for Alice." in section
    assert "family centre" not in report and "Brannigan" not in report


def test_a_review_without_family_records_says_so(analysis, sessions):
    assert "No family member was recorded as invited to take part." in _markdown(sessions, analysis.review_id)


def test_a_person_named_in_the_views_is_a_quality_warning_placed_at_the_family_member(analysis, sessions):
    with sessions() as session:
        lead = session.get(User, analysis.cast.lead)
        assert lead is not None
        name = lead.name
    member = _mother(analysis, views=f"She said {name} listened to her.")
    found = (
        WarningService(analysis.reviews)
        .list(review_id=analysis.review_id, actor=analysis.cast.lead, kind="family_member")
        .items
    )
    assert [(w.where.kind, w.where.id, w.where.field, w.code.value) for w in found] == [
        ("family_member", member.id, "views", "person_named")
    ]
    assert found[0].where.label == "The views of Alice's mother"


def test_future_days_are_refused_and_a_member_of_another_review_is_not_found(analysis):
    family = _family(analysis)
    with pytest.raises(InvalidInput) as refused:
        family.add(
            review_id=analysis.review_id,
            actor=analysis.cast.lead,
            command=AddFamilyMember(
                pseudonym="Alice's father", relationship="father", invited_on=date(2027, 1, 4)
            ),
        )
    assert refused.value.errors == {"invited_on": "The day cannot be in the future."}
    with pytest.raises(NotFound):
        family.get(review_id=analysis.review_id, actor=analysis.cast.lead, family_member_id=10_000)


def test_the_case_group_may_not_read_it_nor_a_panel_member_write_it(analysis):
    member = _mother(analysis)
    family = _family(analysis)
    with pytest.raises(NotPermitted):
        family.get(review_id=analysis.review_id, actor=analysis.cast.practitioner, family_member_id=member.id)
    with pytest.raises(NotPermitted):
        family.add(
            review_id=analysis.review_id,
            actor=analysis.cast.panel["Police"],
            command=AddFamilyMember(pseudonym="Alice's aunt", relationship="aunt"),
        )


def test_after_approval_the_views_are_fixed_but_the_draft_shared_is_recorded(analysis, sessions):
    member = _mother(analysis)
    analysis.journey.fire("submit_for_signoff", analysis.cast.lead)
    to_approved(analysis)
    family = _family(analysis)
    with pytest.raises(NotAtThisStage):
        family.update(
            review_id=analysis.review_id,
            actor=analysis.cast.lead,
            family_member_id=member.id,
            expected_version=member.version,
            command=ChangeFamilyMember(views="Changed after approval."),
        )
    shared = family.share_draft(
        review_id=analysis.review_id,
        actor=analysis.cast.coordinator,
        family_member_id=member.id,
        expected_version=member.version,
        command=ShareDraft(on=date(2026, 11, 20)),
    )
    assert shared.draft_shared_on == date(2026, 11, 20)
    assert "The draft report was shared with them on 20 November 2026." in _markdown(
        sessions, analysis.review_id
    )

"""A believable full-report view model of any size, for tests and the benchmark. Every text is written
with pseudonyms; tests plant leaks into chosen fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta

from findings.publication.narrative_view import AgencyNarrative, NarrativeEntry
from findings.publication.sources import Source, SourceKind, Text, text
from findings.publication.view_model import (
    Action,
    BoardQuestion,
    BoardResponse,
    Category,
    Episode,
    Evidence,
    Factor,
    FamilyContact,
    FamilyMember,
    Finding,
    GoodPractice,
    Independence,
    MarkerAssessment,
    Participation,
    ReportData,
    ReviewMeta,
    Valence,
)

AGENCIES = ("Police", "Health visiting", "Children's social care", "School", "GP practice")
CATEGORIES = tuple(Category)


def _meta(review_id: int) -> ReviewMeta:
    return ReviewMeta(
        review_id=review_id,
        partnership="Northshire Safeguarding Children Partnership",
        regime_title="Working Together to Safeguard Children 2023",
        review_type="local child safeguarding practice review",
        child_pseudonym=text("Alice", SourceKind.REVIEW, review_id, "child_pseudonym"),
        research_questions=tuple(
            text(q, SourceKind.REVIEW, review_id, "research_questions", n)
            for n, q in enumerate(
                [
                    "How do agencies recognise and respond to long-term neglect?",
                    "How is information about missed health appointments shared?",
                ],
                start=1,
            )
        ),
        period_start=date(2024, 1, 1),
        period_end=date(2025, 10, 31),
        case_summary=text(
            "Alice, aged 6, and her sister were found in a neglected state.\n\n"
            "Her mother had asked for help with money twice in the months before.",
            SourceKind.REVIEW,
            review_id,
            "case_summary",
        ),
    )


def _entry(entry_id: int, agency: str) -> NarrativeEntry:
    on = date(2024, 1, 1) + timedelta(days=(entry_id * 7) % 640)
    return NarrativeEntry(
        id=entry_id,
        agency=text(agency, SourceKind.NARRATIVE_ENTRY, entry_id, "agency"),
        text=text(
            f"Entry {entry_id}: a home visit found the house cluttered; Alice was at school. "
            "The worker agreed a plan for the next visit with her mother.",
            SourceKind.NARRATIVE_ENTRY,
            entry_id,
            "text",
        ),
        on=on,
        known_to=(text("School", SourceKind.NARRATIVE_ENTRY, entry_id, "known_to"),),
    )


def _episode(number: int) -> Episode:
    eid = 100 + number
    return Episode(
        id=eid,
        number=number,
        title=text(f"Missed dental appointments ({number})", SourceKind.EPISODE, eid, "title", number),
        valence=Valence.PROBLEMATIC if number % 2 else Valence.GOOD,
        what_happened=text(
            "Alice was not brought to three dental appointments.",
            SourceKind.EPISODE,
            eid,
            "what_happened",
            number,
        ),
        view_from_tunnel=text(
            "The dentist saw many missed appointments each week and no sign of harm.",
            SourceKind.EPISODE,
            eid,
            "view_from_tunnel",
            number,
        ),
        appraisal=text(
            "Expected practice is to treat repeated missed appointments as a possible sign of neglect.",
            SourceKind.EPISODE,
            eid,
            "appraisal",
            number,
        ),
        explanation=text(
            "No route existed from the dental practice to the health visitor.",
            SourceKind.EPISODE,
            eid,
            "explanation",
            number,
        ),
        period=text("Spring 2024", SourceKind.EPISODE, eid, "period", number),
        agencies=(text("GP practice", SourceKind.EPISODE, eid, "agencies", number),),
        expected_practice=(
            text("Was Not Brought guidance, 2023", SourceKind.EPISODE, eid, "expected_practice", number),
        ),
        factors=(
            Factor(
                id=200 + number,
                framework="Learning Together",
                level="frontline",
                category="conditions of work",
                description=text(
                    "Dental practices have no safeguarding lead to ask.",
                    SourceKind.FACTOR,
                    200 + number,
                    "description",
                ),
            ),
        ),
    )


def _finding(number: int) -> Finding:
    fid = 1000 + number
    return Finding(
        id=fid,
        number=number,
        category=CATEGORIES[(number - 1) % len(CATEGORIES)],
        statement=text(
            f"Missed health appointments are not seen as a sign of neglect ({number}).",
            SourceKind.FINDING,
            fid,
            "statement",
            number,
        ),
        context=text("Dental decay is common locally.", SourceKind.FINDING, fid, "context", number),
        how_it_showed=text(
            "Alice was not brought to appointments over a year and no agency connected them.",
            SourceKind.FINDING,
            fid,
            "how_it_showed",
            number,
        ),
        why_it_matters=text(
            "Neglect shows first in health; unseen, it goes on for years.",
            SourceKind.FINDING,
            fid,
            "why_it_matters",
            number,
        ),
        evidence=(
            Evidence(
                id=2000 + number,
                kind="other reviews",
                text=text(
                    "Two earlier local reviews found the same pattern.",
                    SourceKind.EVIDENCE,
                    2000 + number,
                    "text",
                ),
                reference=text("LCSPR 2022/3", SourceKind.EVIDENCE, 2000 + number, "reference"),
            ),
        ),
        questions=(
            BoardQuestion(
                id=3000 + number,
                number=f"{number}.1",
                text=text(
                    "How will the board know that missed appointments reach the lead professional?",
                    SourceKind.BOARD_QUESTION,
                    3000 + number,
                    "text",
                    f"{number}.1",
                ),
            ),
        ),
        episodes=(1,),
    )


def sample_report(
    *, findings: int = 6, entries: int = 15, episodes: int = 2, review_id: int = 7
) -> ReportData:
    per_agency: dict[str, list[NarrativeEntry]] = {agency: [] for agency in AGENCIES}
    for entry_id in range(1, entries + 1):
        agency = AGENCIES[entry_id % len(AGENCIES)]
        per_agency[agency].append(_entry(entry_id, agency))
    return ReportData(
        meta=_meta(review_id),
        participation=tuple(
            Participation(text(a, SourceKind.PARTICIPATION, n, "agency"), "panel member", 1)
            for n, a in enumerate(AGENCIES, start=1)
        ),
        narratives=tuple(
            AgencyNarrative(text(agency, SourceKind.NARRATIVE_ENTRY, None, "agency"), tuple(items))
            for agency, items in per_agency.items()
            if items
        ),
        episodes=tuple(_episode(n) for n in range(1, episodes + 1)),
        findings=tuple(_finding(n) for n in range(1, findings + 1)),
        good_practice=(
            GoodPractice(
                id=4001,
                title=text("The entry to care", SourceKind.GOOD_PRACTICE, 4001, "title"),
                text=text(
                    "Police, ambulance and social care managed the entry to care together.",
                    SourceKind.GOOD_PRACTICE,
                    4001,
                    "text",
                ),
                enabled_by=text(
                    "A joint out-of-hours protocol.", SourceKind.GOOD_PRACTICE, 4001, "enabled_by"
                ),
            ),
        ),
        board_response=BoardResponse(
            text=text(
                "The board accepts the findings and has agreed the actions below.",
                SourceKind.BOARD_RESPONSE,
                7,
                "text",
            ),
            actions=tuple(
                Action(
                    id=5000 + n,
                    title=text(f"Neglect toolkit ({n})", SourceKind.ACTION, 5000 + n, "title", n),
                    owner_agency=text("Health", SourceKind.ACTION, 5000 + n, "owner_agency", n),
                    status="in progress",
                    due=date(2026, 6, 30),
                    evidence_of_impact=text(
                        "Audit of 20 cases in March.", SourceKind.ACTION, 5000 + n, "evidence_of_impact", n
                    ),
                    findings=(n,),
                )
                for n in range(1, min(findings, 3) + 1)
            ),
            responded_on=date(2026, 1, 15),
        ),
        family=(
            FamilyMember(
                id=6001,
                pseudonym=text("Alice's mother", SourceKind.FAMILY_MEMBER, 6001, "pseudonym"),
                relationship=text("mother", SourceKind.FAMILY_MEMBER, 6001, "relationship_to_child"),
                wishes="wishes to take part",
                invited_on=date(2025, 11, 3),
                contacts=(FamilyContact(date(2025, 11, 10), "a meeting"),),
                views=text(
                    "She said no one asked how the move to the new flat had gone for Alice.",
                    SourceKind.FAMILY_MEMBER,
                    6001,
                    "views",
                ),
                draft_shared_on=date(2026, 1, 5),
            ),
        ),
        independence=(
            Independence(
                "Lead reviewer 1",
                text(
                    "I have not worked for or with any of the agencies involved in the last five years.",
                    SourceKind.INDEPENDENCE,
                    7001,
                    "statement",
                ),
                date(2025, 10, 1),
            ),
        ),
        quality=(
            MarkerAssessment(
                "The family were invited to take part",
                "met",
                text(
                    "Alice's mother met the lead reviewers twice.", SourceKind.QUALITY_MARKER, 8001, "comment"
                ),
            ),
        ),
    )


# ---- planting a leak in one kind of field -------------------------------------------------------


def with_words(value: Text, words: str) -> Text:
    """The text with a sentence naming `words` added (a planted leak, or its fix)."""
    return dataclasses.replace(value, value=f"{value.value} Later {words} was seen at the clinic.")


def plant_finding(report: ReportData, words: str) -> tuple[ReportData, Source]:
    finding = report.findings[1]
    changed = dataclasses.replace(finding, how_it_showed=with_words(finding.how_it_showed, words))
    findings = tuple(changed if f is finding else f for f in report.findings)
    return dataclasses.replace(report, findings=findings), changed.how_it_showed.source


def plant_episode(report: ReportData, words: str) -> tuple[ReportData, Source]:
    episode = report.episodes[0]
    changed = dataclasses.replace(episode, appraisal=with_words(episode.appraisal, words))
    return dataclasses.replace(report, episodes=(changed, *report.episodes[1:])), changed.appraisal.source


def plant_narrative_entry(report: ReportData, words: str) -> tuple[ReportData, Source]:
    narrative = report.narratives[1]
    entry = narrative.entries[0]
    changed_entry = dataclasses.replace(entry, text=with_words(entry.text, words))
    changed = dataclasses.replace(narrative, entries=(changed_entry, *narrative.entries[1:]))
    narratives = tuple(changed if n is narrative else n for n in report.narratives)
    return dataclasses.replace(report, narratives=narratives), changed_entry.text.source


def plant_board_question(report: ReportData, words: str) -> tuple[ReportData, Source]:
    finding = report.findings[0]
    question = finding.questions[0]
    changed_question = dataclasses.replace(question, text=with_words(question.text, words))
    changed = dataclasses.replace(finding, questions=(changed_question,))
    return (
        dataclasses.replace(report, findings=(changed, *report.findings[1:])),
        changed_question.text.source,
    )


def plant_action_evidence(report: ReportData, words: str) -> tuple[ReportData, Source]:
    response = report.board_response
    assert response is not None
    action = response.actions[0]
    assert action.evidence_of_impact is not None
    leaked = with_words(action.evidence_of_impact, words)
    changed_action = dataclasses.replace(action, evidence_of_impact=leaked)
    changed = dataclasses.replace(response, actions=(changed_action, *response.actions[1:]))
    assert changed_action.evidence_of_impact is not None
    return dataclasses.replace(report, board_response=changed), changed_action.evidence_of_impact.source


def plant_family_views(report: ReportData, words: str) -> tuple[ReportData, Source]:
    member = report.family[0]
    assert member.views is not None
    changed = dataclasses.replace(member, views=with_words(member.views, words))
    assert changed.views is not None
    return dataclasses.replace(report, family=(changed, *report.family[1:])), changed.views.source


Planter = Callable[[ReportData, str], tuple[ReportData, Source]]
PLANTERS: dict[str, Planter] = {
    "finding text": plant_finding,
    "key practice episode": plant_episode,
    "narrative entry": plant_narrative_entry,
    "question for the board": plant_board_question,
    "action's evidence of impact": plant_action_evidence,
    "family member's views": plant_family_views,
}

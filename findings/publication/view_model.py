"""The plain view model that every report is rendered from.

Reports never read ORM objects: the analysis models are mapped to these frozen dataclasses first, and
the templates see only them. Every piece of free text a person typed is a `Text`, which carries its
`Source` (the kind of object, its id and number, and the field), so that the anonymisation check can say
exactly where a sealed identifier stands in the rendered report.

Fixed words (category labels, role names) are plain `str`: they come from the product, not from a person,
and cannot hold an identifier. Dates and names a person entered (an entry's date, the review's period, an
action's due date, the partnership's name, a briefing's headings) are plain values too, but the templates
print them through a property that gives them their `Source` (`NarrativeEntry.when`, `ReviewMeta.period_from`,
`Action.due_text`, ...), so a hit on a printed date, for example a registered date of birth, is placed on
the record it comes from like a hit in a person's words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    """The kinds of object a text in a report comes from."""

    REVIEW = "review"
    PARTICIPATION = "participation"
    NARRATIVE_ENTRY = "narrative_entry"
    EPISODE = "episode"
    FACTOR = "factor"
    FINDING = "finding"
    EVIDENCE = "evidence"
    BOARD_QUESTION = "board_question"
    GOOD_PRACTICE = "good_practice"
    BOARD_RESPONSE = "board_response"
    ACTION = "action"
    BRIEFING = "briefing"
    BOARD_BRIEFING = "board_briefing"
    FAMILY_MEMBER = "family_member"
    INDEPENDENCE = "independence"
    QUALITY_MARKER = "quality_marker"


SOURCE_NAMES: dict[SourceKind, str] = {
    SourceKind.REVIEW: "Review",
    SourceKind.PARTICIPATION: "Participation",
    SourceKind.NARRATIVE_ENTRY: "Narrative entry",
    SourceKind.EPISODE: "Key practice episode",
    SourceKind.FACTOR: "Contributory factor",
    SourceKind.FINDING: "Finding",
    SourceKind.EVIDENCE: "Evidence",
    SourceKind.BOARD_QUESTION: "Question for the board",
    SourceKind.GOOD_PRACTICE: "Good practice",
    SourceKind.BOARD_RESPONSE: "Board response",
    SourceKind.ACTION: "Action",
    SourceKind.BRIEFING: "Practitioner briefing",
    SourceKind.BOARD_BRIEFING: "Board briefing",
    SourceKind.FAMILY_MEMBER: "Family member",
    SourceKind.INDEPENDENCE: "Declaration of independence",
    SourceKind.QUALITY_MARKER: "Quality marker",
}


# The words for fields whose model name reads badly in a sentence.
FIELD_WORDS: dict[str, str] = {
    "occurred_on": "date",
    "period_start": "start of the period",
    "period_end": "end of the period",
    "due_on": "due date",
}


@dataclass(frozen=True)
class Source:
    """Where a text came from: the object (kind, id, number a person sees) and the field."""

    kind: SourceKind
    id: int | str | None
    field: str
    number: int | str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.id}:{self.field}"

    def describe(self) -> str:
        """In words for the chair, e.g. "Finding 3, field 'how it showed' (id 17)"."""
        name = SOURCE_NAMES[self.kind]
        if self.number is not None:
            name = f"{name} {self.number}"
        field_words = FIELD_WORDS.get(self.field, self.field.replace("_", " "))
        ident = f" (id {self.id})" if self.id is not None and self.id != self.number else ""
        return f"{name}{ident}, field '{field_words}'"


@dataclass(frozen=True)
class Text:
    """A piece of text a person wrote, with its source. Renders as its value."""

    value: str
    source: Source

    def __str__(self) -> str:
        return self.value

    def __bool__(self) -> bool:
        return bool(self.value.strip())

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The value split at blank lines, each paragraph's lines joined."""
        blocks = [" ".join(line.strip() for line in block.splitlines()) for block in _blocks(self.value)]
        return tuple(b for b in blocks if b)


def _blocks(value: str) -> list[str]:
    blocks: list[str] = []
    current: list[str] = []
    for line in value.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _shown(value: date | None, kind: SourceKind, id: int | str | None, field: str) -> Text | None:
    """A date a person entered, as the report prints it, with the record it comes from."""
    return Text(format_date(value), Source(kind, id, field)) if value is not None else None


def text(
    value: str, kind: SourceKind, id: int | str | None, field: str, number: int | str | None = None
) -> Text:
    """Shorthand for the mappings: `text(f.statement, SourceKind.FINDING, f.id, "statement", f.number)`."""
    return Text(value, Source(kind, id, field, number))


# ---- the Learning Together typology -------------------------------------------------------------


class Category(StrEnum):
    """The six Learning Together categories of underlying pattern (DESIGN §5.4), in report order."""

    INNATE_HUMAN_BIASES = "innate_human_biases"
    FAMILY_PROFESSIONAL_INTERACTION = "family_professional_interaction"
    RESPONSES_TO_INCIDENTS = "responses_to_incidents"
    LONGER_TERM_WORK = "longer_term_work"
    TOOLS = "tools"
    MANAGEMENT_SYSTEMS = "management_systems"


CATEGORY_LABELS: dict[Category, str] = {
    Category.INNATE_HUMAN_BIASES: "Innate human biases",
    Category.FAMILY_PROFESSIONAL_INTERACTION: "Family and professional interaction",
    Category.RESPONSES_TO_INCIDENTS: "Responses to incidents and crises",
    Category.LONGER_TERM_WORK: "Assessment and longer-term work",
    Category.TOOLS: "Tools",
    Category.MANAGEMENT_SYSTEMS: "Management systems",
}

CATEGORY_DESCRIPTIONS: dict[Category, str] = {
    Category.INNATE_HUMAN_BIASES: "Human reasoning: cognitive and emotional biases.",
    Category.FAMILY_PROFESSIONAL_INTERACTION: "How families and professionals engage with each other.",
    Category.RESPONSES_TO_INCIDENTS: (
        "Multi-agency communication and collaboration in response to incidents and crises."
    ),
    Category.LONGER_TERM_WORK: (
        "Multi-agency communication and collaboration in assessment and longer-term work."
    ),
    Category.TOOLS: "Forms, frameworks, IT and procedures, and how people work with them.",
    Category.MANAGEMENT_SYSTEMS: (
        "Resources and demand, priorities, supervision, commissioning and performance indicators."
    ),
}


class Valence(StrEnum):
    GOOD = "good"
    PROBLEMATIC = "problematic"
    MIXED = "mixed"


VALENCE_LABELS: dict[Valence, str] = {
    Valence.GOOD: "Good practice",
    Valence.PROBLEMATIC: "Problematic practice",
    Valence.MIXED: "Mixed practice",
}


# ---- the full review report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    """How many people of one agency took part in one role. Never names."""

    agency: Text
    role: str  # e.g. "panel member", "case group member", "lead reviewer"
    count: int


@dataclass(frozen=True)
class ReviewMeta:
    review_id: int
    partnership: str
    regime_title: str  # e.g. "Working Together to Safeguard Children 2010, chapter 8"
    review_type: str  # the regime's name for the route, e.g. "serious case review"
    child_pseudonym: Text
    research_questions: tuple[Text, ...]
    period_start: date | None = None
    period_end: date | None = None
    published_on: date | None = None
    case_summary: Text | None = None
    methodology_note: Text | None = None

    @property
    def partnership_text(self) -> Text:
        return Text(self.partnership, Source(SourceKind.REVIEW, self.review_id, "partnership"))

    @property
    def period_from(self) -> Text | None:
        return _shown(self.period_start, SourceKind.REVIEW, self.review_id, "period_start")

    @property
    def period_to(self) -> Text | None:
        return _shown(self.period_end, SourceKind.REVIEW, self.review_id, "period_end")


@dataclass(frozen=True)
class NarrativeEntry:
    id: int
    agency: Text
    text: Text
    on: date | None = None
    date_label: str | None = None  # for an approximate date, e.g. "Spring 2010"
    known_to: tuple[Text, ...] = ()  # other agencies that knew of it at the time

    @property
    def when(self) -> Text | str:
        if self.date_label:
            return self.date_label
        return _shown(self.on, SourceKind.NARRATIVE_ENTRY, self.id, "occurred_on") or "Date not known"

    @property
    def sort_key(self) -> tuple[date, int]:
        return (self.on or date.max, self.id)


@dataclass(frozen=True)
class AgencyNarrative:
    agency: Text
    entries: tuple[NarrativeEntry, ...]


@dataclass(frozen=True)
class AgencyAccount:
    """One agency's account as the appendix lists it: where its entries stand in the merged narrative,
    in the agency's own order, so the account is read there rather than printed a second time."""

    agency: Text
    entry_count: int
    first: NarrativeEntry | None  # its earliest and latest dated entries
    last: NarrativeEntry | None
    numbers: str  # its entries' numbers in the merged narrative, e.g. "3, 7, 12-15" with an en dash


def number_ranges(numbers: list[int]) -> str:
    """1, 2, 3, 5, 4 -> "1-3, 5, 4" (an en dash): ascending runs of three or more as a range."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = []
    for run in runs:
        parts.append(f"{run[0]}\N{EN DASH}{run[-1]}" if len(run) > 2 else ", ".join(str(n) for n in run))
    return ", ".join(parts)


@dataclass(frozen=True)
class Factor:
    id: int
    framework: str  # e.g. "Learning Together"
    level: str  # e.g. "frontline", "local strategic", "national"
    category: str  # e.g. "conditions of work"
    description: Text
    individual_level: bool = False


@dataclass(frozen=True)
class Episode:
    """A key practice episode with its appraisal and explanation."""

    id: int
    number: int
    title: Text
    valence: Valence
    what_happened: Text
    view_from_tunnel: Text
    appraisal: Text
    explanation: Text
    period: Text | None = None
    agencies: tuple[Text, ...] = ()
    expected_practice: tuple[Text, ...] = ()  # the guidance or research that defines "expected"
    factors: tuple[Factor, ...] = ()

    @property
    def valence_label(self) -> str:
        return VALENCE_LABELS[self.valence]


@dataclass(frozen=True)
class Evidence:
    """Evidence that a finding is not a quirk of this case."""

    id: int
    kind: str  # e.g. "case group knowledge", "audit", "data", "other reviews", "research"
    text: Text
    reference: Text | None = None


@dataclass(frozen=True)
class BoardQuestion:
    id: int
    number: str  # e.g. "3.1"
    text: Text


@dataclass(frozen=True)
class Finding:
    id: int
    number: int
    category: Category
    statement: Text
    context: Text
    how_it_showed: Text
    why_it_matters: Text
    evidence: tuple[Evidence, ...] = ()
    questions: tuple[BoardQuestion, ...] = ()
    episodes: tuple[int, ...] = ()  # numbers of the key practice episodes it rests on
    themes: tuple[str, ...] = ()

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]


@dataclass(frozen=True)
class FindingGroup:
    category: Category
    findings: tuple[Finding, ...]

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def description(self) -> str:
        return CATEGORY_DESCRIPTIONS[self.category]

    @property
    def anchor(self) -> str:
        return f"category-{self.category.value.replace('_', '-')}"


@dataclass(frozen=True)
class GoodPractice:
    id: int
    title: Text
    text: Text
    enabled_by: Text | None = None
    episodes: tuple[int, ...] = ()


@dataclass(frozen=True)
class Action:
    id: int
    title: Text
    owner_agency: Text
    status: str  # e.g. "not started", "in progress", "done"
    due: date | None = None
    evidence_of_impact: Text | None = None
    findings: tuple[int, ...] = ()  # numbers of the findings it answers

    @property
    def due_text(self) -> Text | str:
        return _shown(self.due, SourceKind.ACTION, self.id, "due_on") or "not set"


@dataclass(frozen=True)
class FindingResponse:
    """The board's response to one finding."""

    id: int
    finding: int  # the finding's number
    text: Text


@dataclass(frozen=True)
class BoardResponse:
    text: Text  # the board's response as a whole (may be empty when it responded finding by finding)
    actions: tuple[Action, ...] = ()
    responded_on: date | None = None
    responses: tuple[FindingResponse, ...] = ()  # its response to each finding, in finding order


@dataclass(frozen=True)
class FamilyContact:
    on: date
    means: str  # in words: "a meeting", "a telephone call"

    @property
    def words(self) -> str:
        return f"{format_date(self.on)} ({self.means})"


@dataclass(frozen=True)
class FamilyMember:
    """A family member's part in the review, as the full report prints it (never a real name)."""

    id: int
    pseudonym: Text
    relationship: Text
    wishes: str  # in words: "wishes to take part"
    invited_on: date | None = None
    contacts: tuple[FamilyContact, ...] = ()
    views: Text | None = None
    draft_shared_on: date | None = None

    @property
    def invited_text(self) -> str:
        return f"Invited to take part on {format_date(self.invited_on)}." if self.invited_on else ""

    @property
    def draft_text(self) -> str:
        if self.draft_shared_on is None:
            return "The draft report had not been shared with them."
        return f"The draft report was shared with them on {format_date(self.draft_shared_on)}."


@dataclass(frozen=True)
class Independence:
    """A lead reviewer's declaration of independence from the agencies involved (by number, never
    by name, as the report describes people)."""

    reviewer: str  # "Lead reviewer 1"
    statement: Text
    declared_on: date

    @property
    def declared_text(self) -> str:
        return format_date(self.declared_on)


@dataclass(frozen=True)
class MarkerAssessment:
    """One quality marker, as the coordinator assessed the review against it."""

    title: str
    rating: str  # "met", "partly met", "not met", "not assessed"
    comment: Text | None = None


@dataclass(frozen=True)
class ReportData:
    """Everything the full review report shows, in the Learning Together structure."""

    meta: ReviewMeta
    participation: tuple[Participation, ...] = ()
    narratives: tuple[AgencyNarrative, ...] = ()
    episodes: tuple[Episode, ...] = ()
    findings: tuple[Finding, ...] = ()
    good_practice: tuple[GoodPractice, ...] = ()
    board_response: BoardResponse | None = None
    family: tuple[FamilyMember, ...] = ()
    independence: tuple[Independence, ...] = ()
    quality: tuple[MarkerAssessment, ...] = ()

    @property
    def merged_narrative(self) -> tuple[NarrativeEntry, ...]:
        """Every agency's entries in one dated sequence (each keeps its agency); accounts are not merged
        into one canonical chronology, only interleaved by date."""
        entries = [entry for narrative in self.narratives for entry in narrative.entries]
        return tuple(sorted(entries, key=lambda e: e.sort_key))

    @property
    def finding_groups(self) -> tuple[FindingGroup, ...]:
        """The findings grouped by category, in the typology's order; categories without a finding
        are left out."""
        groups = []
        for category in Category:
            members = tuple(
                sorted((f for f in self.findings if f.category == category), key=lambda f: f.number)
            )
            if members:
                groups.append(FindingGroup(category, members))
        return tuple(groups)

    @property
    def narrative_entry_count(self) -> int:
        return sum(len(n.entries) for n in self.narratives)

    @property
    def agency_accounts(self) -> tuple[AgencyAccount, ...]:
        """Each agency's account by its entries' numbers in the merged narrative (numbered from 1)."""
        number = {id(entry): i for i, entry in enumerate(self.merged_narrative, start=1)}
        accounts = []
        for narrative in self.narratives:
            dated = sorted((e for e in narrative.entries if e.on is not None), key=lambda e: e.sort_key)
            accounts.append(
                AgencyAccount(
                    agency=narrative.agency,
                    entry_count=len(narrative.entries),
                    first=dated[0] if dated else None,
                    last=dated[-1] if dated else None,
                    numbers=number_ranges([number[id(e)] for e in narrative.entries]),
                )
            )
        return tuple(accounts)


# ---- briefings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefingItem:
    """One bullet of a briefing, possibly with sub-bullets (as in the reference's Benjamin)."""

    text: Text
    children: tuple[BriefingItem, ...] = ()


@dataclass(frozen=True)
class BriefingSection:
    """A section of a practitioner briefing: an optional lead-in, the bullets, optional closing words."""

    heading: str
    intro: tuple[Text, ...] = ()
    items: tuple[BriefingItem, ...] = ()
    outro: tuple[Text, ...] = ()
    heading_source: Source | None = None  # where a heading the coordinator wrote is kept

    @property
    def heading_text(self) -> Text | str:
        return Text(self.heading, self.heading_source) if self.heading_source else self.heading


ANONYMITY_SENTENCE = "The names used are not those of the children involved."


@dataclass(frozen=True)
class BriefingData:
    """A practitioner briefing in the shape of the reference: Background, Key Issues, Positive Factors,
    Lessons Learned."""

    review_id: int | str
    child_pseudonym: Text
    review_type: str
    background: BriefingSection
    key_issues: BriefingSection
    positive_factors: BriefingSection
    lessons_learned: BriefingSection
    partnership: str = ""
    published_on: date | None = None

    @property
    def partnership_text(self) -> Text:
        return Text(self.partnership, Source(SourceKind.REVIEW, self.review_id, "partnership"))

    @property
    def sections(self) -> tuple[BriefingSection, ...]:
        return (self.background, self.key_issues, self.positive_factors, self.lessons_learned)

    @property
    def anchor(self) -> str:
        return f"review-{self.review_id}"


@dataclass(frozen=True)
class BoardBriefing:
    """Several reviews' briefings gathered in one document, with a short introduction."""

    title: str
    partnership: str
    introduction: tuple[Text, ...]
    briefings: tuple[BriefingData, ...]
    reviews_heading: str = "Case reviews"
    reviews_intro: tuple[Text, ...] = ()
    published_on: date | None = None


# ---- walking the view model ---------------------------------------------------------------------


def texts(data: Any) -> Iterator[Text]:
    """Every `Text` in a view model, depth first, in declaration order (properties are not walked:
    everything they return is reachable through fields)."""
    if isinstance(data, Text):
        yield data
    elif dataclasses.is_dataclass(data) and not isinstance(data, type):
        for item in dataclasses.fields(data):
            yield from texts(getattr(data, item.name))
    elif isinstance(data, tuple | list):
        for item in data:
            yield from texts(item)


def format_date(value: date) -> str:
    """12 March 2015 (the style of the reference briefing and GOV.UK)."""
    return f"{value.day} {value:%B %Y}"


__all__ = [
    "ANONYMITY_SENTENCE",
    "CATEGORY_DESCRIPTIONS",
    "CATEGORY_LABELS",
    "Action",
    "AgencyAccount",
    "AgencyNarrative",
    "BoardBriefing",
    "BoardQuestion",
    "BoardResponse",
    "BriefingData",
    "BriefingItem",
    "BriefingSection",
    "Category",
    "Episode",
    "Evidence",
    "Factor",
    "FamilyContact",
    "FamilyMember",
    "Finding",
    "FindingGroup",
    "FindingResponse",
    "GoodPractice",
    "Independence",
    "MarkerAssessment",
    "NarrativeEntry",
    "Participation",
    "ReportData",
    "ReviewMeta",
    "Source",
    "SourceKind",
    "Text",
    "Valence",
    "format_date",
    "number_ranges",
    "text",
    "texts",
]

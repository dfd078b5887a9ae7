"""The plain view model that every report is rendered from.

Reports never read ORM objects: the analysis models are mapped to these frozen dataclasses first, and
the templates see only them. Every piece of free text a person typed is a `Text` with its `Source`
(`findings.publication.sources`), so that the anonymisation check can say exactly where a sealed
identifier stands in the rendered report; the agencies' narratives are in
`findings.publication.narrative_view`.

Fixed words (category labels, role names) are plain `str`: they come from the product, not from a person,
and cannot hold an identifier. Dates and names a person entered (an entry's date, the review's period, an
action's due date, the partnership's name, a briefing's headings) are plain values too, but the templates
print them through a property that gives them their `Source` (`NarrativeEntry.when`, `ReviewMeta.period_from`,
`Action.due_text`, ...), so a hit on a printed date, for example a registered date of birth, is placed on
the record it comes from like a hit in a person's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from findings.publication import narrative_view
from findings.publication.narrative_view import AgencyAccount, AgencyNarrative, NarrativeEntry
from findings.publication.sources import Source, SourceKind, Text, format_date, shown_date

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
        return shown_date(self.period_start, SourceKind.REVIEW, self.review_id, "period_start")

    @property
    def period_to(self) -> Text | None:
        return shown_date(self.period_end, SourceKind.REVIEW, self.review_id, "period_end")


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
        return shown_date(self.due, SourceKind.ACTION, self.id, "due_on") or "not set"


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
        """Every agency's entries in one dated sequence (`narrative_view.merged`)."""
        return narrative_view.merged(self.narratives)

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
        """Each agency's account in the merged narrative (`narrative_view.accounts`)."""
        return narrative_view.accounts(self.narratives)


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


__all__ = [
    "ANONYMITY_SENTENCE",
    "CATEGORY_DESCRIPTIONS",
    "CATEGORY_LABELS",
    "Action",
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
    "Participation",
    "ReportData",
    "ReviewMeta",
    "Valence",
]

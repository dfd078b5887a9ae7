"""What a demo review is made of, as the loader (`api.demo`) consumes it: built from the data files in
`api/demo/data/` by `api.demo.reviews`.

Dates are days before the day the demo is loaded, so clocks and periods look current.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from findings.publication.view_model import BriefingData
from workflow.states import State


@dataclass(frozen=True)
class Entry:
    days_ago: int
    text: str
    aware: tuple[str, ...] = ()
    significant: bool = False


@dataclass(frozen=True)
class FactorSpec:
    level: str
    category: str
    description: str
    evidence: str = ""


@dataclass(frozen=True)
class EpisodeSpec:
    title: str
    valence: str
    agencies: tuple[str, ...]
    period: tuple[int, int]  # days ago: start, end
    what_happened: str
    view_from_tunnel: str
    appraisal: str
    appraisal_reference: str
    explanation: str
    factors: tuple[FactorSpec, ...]
    entries: tuple[tuple[str, int], ...] = ()  # (agency, index of the entry in its narrative)


@dataclass(frozen=True)
class GoodPracticeSpec:
    what_went_well: str
    what_enabled_it: str
    agencies: tuple[str, ...]
    episode: int | None = None  # index into the episodes


@dataclass(frozen=True)
class FindingSpec:
    title: str
    category: str
    statement: str
    context: str
    how_it_showed: str
    why_it_matters: str
    themes: tuple[str, ...]
    episodes: tuple[int, ...]
    evidence: tuple[tuple[str, str, str], ...]  # kind, summary, reference
    questions: tuple[str, ...]
    response: str = ""  # the board's response (Alice)


@dataclass(frozen=True)
class ActionSpec:
    title: str
    owner_agency: str
    due_in_days: int
    status: str
    evidence_of_impact: str
    finding: int


@dataclass(frozen=True)
class Identity:
    kind: str
    value: str
    pseudonym: str
    variants: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class FamilySpec:
    """A family member's part in the review (by pseudonym, never a real name)."""

    pseudonym: str
    relationship: str
    wishes: str
    invited: int | None = None  # days ago
    views: str = ""
    contacts: tuple[tuple[int, str, str], ...] = ()  # days ago, means, note
    draft_shared: int | None = None  # days ago; recorded once the review is approved


@dataclass(frozen=True)
class MarkerSpec:
    rating: str
    comment: str = ""


@dataclass(frozen=True)
class ReviewSpec:
    pseudonym: str
    target: State
    incident_outcome: str
    abuse_or_neglect: str
    awareness_days_ago: int
    incident_summary: str
    agencies: tuple[str, ...]
    research_questions: tuple[str, ...]
    period: tuple[int, int]
    criteria: dict[str, str]
    decision: str
    case_group_agency: str
    narratives: dict[str, tuple[Entry, ...]]
    episodes: tuple[EpisodeSpec, ...]
    good_practice: tuple[GoodPracticeSpec, ...]
    panel_appraisals: dict[str, str]
    findings: tuple[FindingSpec, ...]
    register: tuple[Identity, ...]
    briefing: BriefingData
    case_summary: str
    methodology_note: str = ""
    board_response: str = ""
    actions: tuple[ActionSpec, ...] = ()
    conversation: dict[str, str] = field(default_factory=dict)
    submit_panel: bool = True
    seal_after_signoff: bool = False  # the register was completed late (Andrew: the planted leak)
    independence: str = ""  # each lead reviewer's declaration, at scoping
    family: tuple[FamilySpec, ...] = ()
    quality: dict[str, MarkerSpec] = field(default_factory=dict)  # assessed once approved


@dataclass(frozen=True)
class ReferralSpec:
    """A review that is only referred (Daisy): what the coordinator records at the referral."""

    pseudonym: str
    incident_outcome: str
    abuse_or_neglect: str
    awareness_days_ago: int
    incident_summary: str
    agencies: tuple[str, ...]

"""Quality warnings: the systems lens of DESIGN §5.5, as pure functions over text and review facts.

Each check returns `QualityWarning`s that say what was found (the matched words), where (the object
and field), how serious it is (blocking or advisory) and how to rephrase it. Nothing here touches a
database: `findings.analysis.warnings` gathers the texts and the acknowledgements, this module decides.

The wording rules (what counts as naming or judging a person) are in `findings.analysis.wording`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

from findings.analysis import frameworks as factor_frameworks
from findings.analysis import wording
from findings.analysis.wording import Names


class Severity(StrEnum):
    BLOCKING = "blocking"
    ADVISORY = "advisory"


class Code(StrEnum):
    PERSON_NAMED = "person_named"
    BLAME_LANGUAGE = "blame_language"
    SINGLE_AGENCY = "single_agency"
    TRAINING_REMINDER = "training_reminder"
    NO_WIDER_EVIDENCE = "no_wider_evidence"
    INDIVIDUAL_ONLY = "individual_only"


SEVERITY: dict[Code, Severity] = {
    Code.PERSON_NAMED: Severity.BLOCKING,
    Code.BLAME_LANGUAGE: Severity.ADVISORY,
    Code.SINGLE_AGENCY: Severity.ADVISORY,
    Code.TRAINING_REMINDER: Severity.ADVISORY,
    Code.NO_WIDER_EVIDENCE: Severity.BLOCKING,
    Code.INDIVIDUAL_ONLY: Severity.BLOCKING,
}

# A blocking warning is never acknowledged away, only fixed (DESIGN §5.5): these codes cannot be.
NOT_ACKNOWLEDGEABLE = frozenset(code for code, severity in SEVERITY.items() if severity == Severity.BLOCKING)

# ---- blocking and advisory, in words ---------------------------------------------------------------
# The one source of these words: every page (the tag and the rule beside a warning, the sign-off page),
# the API's errors and the lifecycle's refusals (`findings.analysis.facts` passes `refusal()` to the
# guards) say blocking and advisory the same way.
ONLY_FIXED = "cannot be acknowledged, only fixed"
SEVERITY_WORDS: dict[Severity, str] = {Severity.BLOCKING: "Blocking", Severity.ADVISORY: "Advisory"}
State = Literal["open", "acknowledged"]
STATE_WORDS: dict[State, str] = {"open": "Open", "acknowledged": "Acknowledged"}
SEVERITY_RULES: dict[Severity, str] = {
    Severity.BLOCKING: "Blocking warnings stop the report going to the chair, and the chair approving it, "
    f"until the text is fixed: they {ONLY_FIXED}.",
    Severity.ADVISORY: "Advisory warnings stop nothing: fix the text, or a lead reviewer acknowledges the "
    "warning with a reason, which the chair sees at sign-off.",
}


@dataclass(frozen=True)
class Acknowledgement:
    """A lead reviewer's acknowledgement of an advisory warning: why the wording stands, who, when."""

    reason: str
    by: str  # the lead reviewer's name
    at: datetime | None = None


@dataclass(frozen=True)
class Where:
    """The record and field a warning is about, in words (`label`) and as data, so that a page can
    link to where the text is written. `kind` is one of `KINDS`."""

    kind: str
    id: int
    label: str  # e.g. "Finding 2 'Neglect is hard to see'"
    field: str
    within: int | str | None = None  # the record that holds it: a question's finding, an entry's agency
    number: str | None = None  # which of several texts in one field (a research question, a bullet)


# The records whose texts the lens reads: the analysis, and everything else the reports publish.
KINDS: dict[str, str] = {
    "episode": "key practice episode",
    "factor": "contributory factor",
    "finding": "finding",
    "question": "question for the board",
    "evidence": "evidence of a finding",
    "research_question": "research question",
    "referral": "referral",
    "narrative_entry": "narrative entry",
    "good_practice": "good practice",
    "board_response": "board response",
    "action": "action",
    "report_text": "words of the reports",
    "briefing": "practitioner briefing",
    "family_member": "family member's views",
    "independence": "declaration of independence",
    "quality_marker": "quality self-assessment",
}


@dataclass(frozen=True)
class QualityWarning:
    code: Code
    severity: Severity
    where: Where
    matched: tuple[str, ...]
    message: str
    suggestion: str
    acknowledged: bool = False
    acknowledgement: str | None = None  # the reason, once acknowledged
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None

    @property
    def fingerprint(self) -> str:
        """Identifies the warning across edits: the same words in the same field of the same object.
        An acknowledgement is kept against it; new offending words make a new warning."""
        words = "|".join(sorted({" ".join(m.lower().split()) for m in self.matched}))
        field = self.where.field if self.where.number is None else f"{self.where.field}#{self.where.number}"
        key = f"{self.code}:{self.where.kind}:{self.where.id}:{field}:{words}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @property
    def blocks(self) -> bool:
        """A blocking warning blocks until its text is fixed: it cannot be acknowledged."""
        return self.severity == Severity.BLOCKING

    @property
    def acknowledgeable(self) -> bool:
        return self.code not in NOT_ACKNOWLEDGEABLE

    @property
    def state(self) -> State:
        return "acknowledged" if self.acknowledged else "open"

    @property
    def severity_words(self) -> str:
        return SEVERITY_WORDS[self.severity]

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]

    @property
    def rule(self) -> str:
        return SEVERITY_RULES[self.severity]

    def in_words(self) -> str:
        return f"{self.where.label}, {self.where.field.replace('_', ' ')}: {self.message}"

    def fix_instead(self) -> str:
        """What to do with a blocking warning instead of acknowledging it: the page beside it and the
        refusal of an acknowledgement say this."""
        return f"This warning is {self.severity_words.lower()}: it {ONLY_FIXED}. {self.suggestion}"

    def refusal(self, *, with_words: bool = True) -> str:
        """The lifecycle's refusal while this blocking warning stands (`submit_for_signoff`, `approve`).
        Without the words found (`publish`, whose refusals never repeat a real name): where, and what
        kind of warning, for the page beside the text to show."""
        said = (
            self.in_words()
            if with_words
            else f"{self.where.label}, {self.where.field.replace('_', ' ')}: "
            f"{self.code.value.replace('_', ' ')} (the words found are shown beside it on its page)"
        )
        return f"Fix this {self.severity_words.lower()} warning (it {ONLY_FIXED}): {said}"


def _warning(
    code: Code, where: Where, matched: Sequence[str], message: str, suggestion: str
) -> QualityWarning:
    return QualityWarning(code, SEVERITY[code], where, tuple(matched), message, suggestion)


def person_named(text: str, names: Names | Iterable[str], where: Where) -> list[QualityWarning]:
    """Blocking: a finding or question for the board names a person (a member of the review, a
    practitioner, or anyone in the sealed identity register)."""
    hits = (names if isinstance(names, Names) else Names(names)).find(text)
    if not hits:
        return []
    quoted = ", ".join(f"'{h}'" for h in dict.fromkeys(hits))
    return [
        _warning(
            Code.PERSON_NAMED,
            where,
            hits,
            f"names a person ({quoted}). Findings are about the system, not about people.",
            "Refer to the role, not the person: 'the health visitor', 'the allocated social worker', "
            "'the GP practice'.",
        )
    ]


# ---- blame or hindsight language -------------------------------------------------------------------


def blame_language(text: str, where: Where) -> list[QualityWarning]:
    """Advisory: blame or hindsight language, each phrase with its systems-phrased alternative.
    Reported speech and descriptions of conditions are not judgements (see `wording.judgements`)."""
    out: list[QualityWarning] = []
    quotes = wording.quoted_spans(text)
    for phrase in wording.BLAME_PHRASES:
        hits = wording.judgements(phrase, text, quotes)
        if hits:
            out.append(
                _warning(
                    Code.BLAME_LANGUAGE,
                    where,
                    hits,
                    f"uses blame or hindsight language ({', '.join(repr(h) for h in dict.fromkeys(hits))}).",
                    phrase.suggestion,
                )
            )
    return out


# ---- a single-agency lesson dressed as a finding -------------------------------------------------


def single_agency(agencies: Iterable[str], where: Where) -> list[QualityWarning]:
    """Advisory: all the evidence of a finding comes from one agency. `agencies` are those of all of
    its evidence (`FindingText.agencies`): the linked episodes, the narrative entries and conversations
    they rest on, and the agencies named in the factors that explain them and in the evidence items."""
    distinct: dict[str, str] = {}
    for agency in agencies:
        if agency and agency.strip():
            distinct.setdefault(agency.strip().lower(), agency.strip())
    if len(distinct) != 1:
        return []
    [only] = distinct.values()
    return [
        _warning(
            Code.SINGLE_AGENCY,
            where,
            (only,),
            f"rests only on evidence involving {only}: it may be a single-agency lesson "
            "rather than a finding about the multi-agency system.",
            "Show how the pattern plays out across agencies (link episodes from other agencies, or "
            "evidence that names them), or pass it to that agency's own learning processes.",
        )
    ]


# ---- a training or procedure reminder as a question for the board ----------------------------------


def training_reminder(text: str, where: Where) -> list[QualityWarning]:
    """Advisory: a question for the board that is a training or procedure reminder with no change to
    the system ("remind staff", "staff should be trained", "adhere to procedures")."""
    hits = wording.reminder_asks(text)
    if not hits:
        return []
    return [
        _warning(
            Code.TRAINING_REMINDER,
            where,
            hits,
            f"asks for a reminder or training ({', '.join(repr(h) for h in dict.fromkeys(hits))}) "
            "without a change to the system.",
            "Ask the board about the conditions that make the expected practice hard: 'How will the "
            "board know whether the tools, workload and supervision let staff do X?' rather than "
            "'remind staff to do X'.",
        )
    ]


# ---- a finding with no evidence beyond this case -------------------------------------------------

EVIDENCE_KINDS: dict[str, str] = {
    "typicality": "Case group or review team knowledge of typicality",
    "audit": "Audit",
    "data": "Data",
    "other_reviews": "Other reviews",
    "research": "Research",
}


@dataclass(frozen=True)
class EvidenceItem:
    kind: str
    summary: str
    reference: str
    id: int = 0


def usable_evidence(items: Iterable[EvidenceItem]) -> list[EvidenceItem]:
    """Evidence that counts as 'beyond this case': a known kind, something said and a reference."""
    return [i for i in items if i.kind in EVIDENCE_KINDS and i.summary.strip() and i.reference.strip()]


def no_wider_evidence(items: Iterable[EvidenceItem], where: Where) -> list[QualityWarning]:
    """Blocking: a finding with no evidence that it is not a quirk of this case."""
    if usable_evidence(items):
        return []
    return [
        _warning(
            Code.NO_WIDER_EVIDENCE,
            where,
            (),
            "has no evidence that it is not a quirk of this case.",
            "Add at least one item of evidence with a reference: what the case group or review team "
            "know of how typical this is, an audit, data, other reviews or research.",
        )
    ]


# ---- a problematic episode explained only by individual-level factors ---------------------------


@dataclass(frozen=True)
class FactorCode:
    framework: str
    level: str
    category: str

    @property
    def individual_level(self) -> bool:
        return factor_frameworks.is_individual_level(self.framework, self.level, self.category)


def individual_only(valence: str, codes: Sequence[FactorCode], where: Where) -> list[QualityWarning]:
    """Blocking at `draft_findings`: a problematic episode explained only by individual-level factors."""
    if valence != "problematic" or not codes or not all(c.individual_level for c in codes):
        return []
    labels = [factor_frameworks.category_label(c.framework, c.level, c.category) for c in codes]
    return [
        _warning(
            Code.INDIVIDUAL_ONLY,
            where,
            tuple(dict.fromkeys(labels)),
            "is problematic but explained only by individual-level factors.",
            "Ask what about the task, the tools, the team, the conditions of work, the organisation or "
            "the multi-agency context made this practice more likely, and code that factor.",
        )
    ]


# ---- a whole review ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeText:
    id: int
    number: int
    title: str
    valence: str
    fields: Mapping[str, str]
    factor_codes: tuple[FactorCode, ...] = ()

    @property
    def label(self) -> str:
        return f"Episode {self.number} '{self.title}'"


@dataclass(frozen=True)
class FactorText:
    id: int
    label: str
    fields: Mapping[str, str]


@dataclass(frozen=True)
class QuestionText:
    id: int
    number: int
    text: str


@dataclass(frozen=True)
class FindingText:
    id: int
    number: int
    title: str
    fields: Mapping[str, str]
    agencies: tuple[str, ...] = ()  # of all its evidence (see `single_agency`)
    evidence: tuple[EvidenceItem, ...] = ()
    questions: tuple[QuestionText, ...] = ()

    @property
    def label(self) -> str:
        return f"Finding {self.number} '{self.title}'"


@dataclass(frozen=True)
class PublishedText:
    """A text the reports publish besides the episodes, factors, findings, evidence and questions:
    the case summary, the briefing, the board's response and actions, the narratives, good practice.
    `asks` marks a request of the board or the board's answer, which the training-only check reads."""

    where: Where
    text: str
    asks: bool = False


@dataclass(frozen=True)
class ReviewText:
    episodes: tuple[EpisodeText, ...] = ()
    factors: tuple[FactorText, ...] = ()
    findings: tuple[FindingText, ...] = ()
    published: tuple[PublishedText, ...] = ()
    names: tuple[str, ...] = ()  # members, practitioners and (when given) the sealed register


# The fields of an episode and a factor that the reports publish (a factor's evidence is not).
PUBLISHED_FACTOR_FIELDS = frozenset({"description"})


def _wording(text: str, names: Names, where: Where) -> list[QualityWarning]:
    return person_named(text, names, where) + blame_language(text, where)


def review_warnings(text: ReviewText) -> list[QualityWarning]:
    """Every check of DESIGN §5.5 over a review's texts, in reading order: the analysis first, then
    everything else the reports publish. A person named is looked for in every text that is
    published; blame and hindsight in every text a person wrote."""
    names = Names(text.names)
    out: list[QualityWarning] = []
    for episode in text.episodes:
        for field, value in {"title": episode.title, **episode.fields}.items():
            out += _wording(value, names, Where("episode", episode.id, episode.label, field))
        out += individual_only(
            episode.valence, episode.factor_codes, Where("episode", episode.id, episode.label, "explanation")
        )
    for factor in text.factors:
        for field, value in factor.fields.items():
            where = Where("factor", factor.id, factor.label, field)
            published = field in PUBLISHED_FACTOR_FIELDS
            out += _wording(value, names, where) if published else blame_language(value, where)
    for finding in text.findings:
        out += finding_warnings(finding, names)
    for item in text.published:
        out += _wording(item.text, names, item.where)
        out += training_reminder(item.text, item.where) if item.asks else []
    return out


def finding_warnings(finding: FindingText, names: Names) -> list[QualityWarning]:
    """The checks of one finding: its texts, its evidence and its questions for the board."""
    out: list[QualityWarning] = []
    for field, value in {"title": finding.title, **finding.fields}.items():
        out += _wording(value, names, Where("finding", finding.id, finding.label, field))
    out += single_agency(finding.agencies, Where("finding", finding.id, finding.label, "how_it_showed"))
    out += no_wider_evidence(finding.evidence, Where("finding", finding.id, finding.label, "evidence"))
    for n, item in enumerate(finding.evidence, start=1):
        label = f"Evidence {n} of {finding.label}"
        out += _wording(item.summary, names, Where("evidence", item.id, label, "summary", within=finding.id))
    for question in finding.questions:
        where = Where(
            "question",
            question.id,
            f"Question {question.number} of {finding.label}",
            "text",
            within=finding.id,
        )
        out += _wording(question.text, names, where)
        out += training_reminder(question.text, where)
    return out


# ---- any text: the lens for a draft written elsewhere ------------------------------------------------

LENS_KINDS: dict[str, str] = {
    "statement": "The statement",
    "question": "The question for the board",
    "narrative": "The narrative",
}


def lens(kind: str, text: str, names: Names | Iterable[str] = ()) -> list[QualityWarning]:
    """The wording checks of one text of `kind` (one of `LENS_KINDS`), written anywhere: blame and
    hindsight for every kind, a training or procedure reminder for a question for the board, and a
    person named when `names` are given (a review's members and sealed register)."""
    if kind not in LENS_KINDS:
        raise ValueError(f"kind must be one of: {', '.join(LENS_KINDS)}")
    where = Where(kind, 0, LENS_KINDS[kind], "text")
    found = person_named(text, names if isinstance(names, Names) else Names(names), where)
    found += blame_language(text, where)
    return found + (training_reminder(text, where) if kind == "question" else [])


def acknowledge(
    warnings: Iterable[QualityWarning], acknowledgements: Mapping[str, Acknowledgement]
) -> list[QualityWarning]:
    """Mark the advisory warnings a lead reviewer acknowledged (by fingerprint). A blocking warning
    stays open whatever is stored against it (an acknowledgement made before blocking ones were
    refused, or imported): it is fixed or it blocks."""
    out = []
    for w in warnings:
        ack = acknowledgements.get(w.fingerprint)
        if ack is not None and w.acknowledgeable:
            w = replace(
                w,
                acknowledged=True,
                acknowledgement=ack.reason,
                acknowledged_by=ack.by,
                acknowledged_at=ack.at,
            )
        out.append(w)
    return out


def unresolved_blocking(warnings: Iterable[QualityWarning], *, with_words: bool = True) -> tuple[str, ...]:
    """The blocking warnings that stop `submit_for_signoff`, `approve` and `publish`, as refusals. The
    individual-level rule is left out: `draft_findings` has its own guard for it."""
    return tuple(
        w.refusal(with_words=with_words) for w in warnings if w.blocks and w.code != Code.INDIVIDUAL_ONLY
    )

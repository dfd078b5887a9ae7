"""Quality warnings: the systems lens of DESIGN §5.5, as pure functions over text and review facts.

Each check returns `QualityWarning`s that say what was found (the matched words), where (the object
and field), how serious it is (blocking or advisory) and how to rephrase it. Nothing here touches a
database: `findings.analysis.warnings` gathers the texts and the acknowledgements, this module decides.

Linguistic care, in one place:
- matching is case-insensitive and on whole words only (never inside another word: "Al" does not hit
  "Alice", "fail" does not hit "failsafe");
- inflections are spelt out per phrase ("fail to", "fails to", "failed to", "failing to", "failure to");
- a person's name also matches its possessive ("Alice's", "Jones'");
- negated judgements do not trigger ("this was not obvious at the time" is the view from the tunnel).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

from findings.analysis import frameworks as factor_frameworks


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
    """The object and field a warning is about."""

    kind: str  # episode | factor | finding | question
    id: int
    label: str  # e.g. "Finding 2 'Neglect is hard to see'"
    field: str


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
        key = f"{self.code}:{self.where.kind}:{self.where.id}:{self.where.field}:{words}"
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

    def refusal(self) -> str:
        """The lifecycle's refusal while this blocking warning stands (`submit_for_signoff`, `approve`)."""
        return f"Fix this {self.severity_words.lower()} warning (it {ONLY_FIXED}): {self.in_words()}"


def _warning(
    code: Code, where: Where, matched: Sequence[str], message: str, suggestion: str
) -> QualityWarning:
    return QualityWarning(code, SEVERITY[code], where, tuple(matched), message, suggestion)


_WORD_START = r"(?<![\w'\u2019-])"
_WORD_END = r"(?![\w-])"
_NOT_NEGATED = r"(?<!\bnot\s)(?<!n't\s)(?<!n\u2019t\s)(?<!\bnever\s)(?<!\bless\s)"


def _compile(body: str) -> re.Pattern[str]:
    return re.compile(_WORD_START + "(?:" + body + ")" + _WORD_END, re.IGNORECASE)


def _matches(pattern: re.Pattern[str], text: str) -> list[str]:
    return [" ".join(m.group(0).split()) for m in pattern.finditer(text)]


# ---- a person named -------------------------------------------------------------------------------

# Single words of a name that are also everyday words in a review (or agency names) are matched only
# as part of the full name: "Mark Young" hits "Mark Young" and "Mark", never "young parents".
COMMON_WORDS = frozenset(
    """
    a an and the of to in on at by for with from de la le van von der den da di du st mr mrs ms miss mx dr
    police health social care lead panel chair chairs coordinator practitioner practitioners education
    school nursery college council court house home street lane road hall wood woods hill park field fields
    bell rose young old new long short little small brown green white black gray grey may will june april
    august grace hope joy faith patience constance page case team child children family service services
    person people outsider admin staff worker nurse doctor carer parent mother father baby visitor early
    help day hospital board review agency agencies manager member members group unit centre center north
    south east west king kings queen church bishop cook baker smith mason turner walker fisher shepherd
    hunter carter taylor wright clerk marshall parker porter bishop sharp strong hardy moody best good
    love wise rich noble gay fair free bright
    """.split()  # noqa: SIM905
)


def _name_variants(name: str) -> list[str]:
    tokens = name.split()
    variants = [" ".join(tokens)] if tokens else []
    if len(tokens) > 1:
        variants += [
            t
            for t in tokens
            if len(t) > 1 and any(c.isalpha() for c in t) and t.lower().strip(".") not in COMMON_WORDS
        ]
    return variants


def _name_token(token: str) -> str:
    """A word of a name as a pattern; either apostrophe matches either ("O'Brien", "O\u2019Brien")."""
    return re.escape(token.replace("\u2019", "'")).replace("'", "['\u2019]")


class Names:
    """The names to look for, compiled once: the full name and each uncommon word of it, longest
    first, each matching its possessive forms too ("Alice's", "Jones'")."""

    def __init__(self, names: Iterable[str]) -> None:
        variants: dict[str, str] = {}
        for name in names:
            for variant in _name_variants(name):
                variants.setdefault(variant.lower(), variant)
        self.patterns = [
            re.compile(
                r"(?<![\w-])"
                + r"\s+".join(_name_token(t) for t in v.split())
                + r"(?:['\u2019]s|['\u2019](?!\w))?(?![\w-])",
                re.IGNORECASE,
            )
            for v in sorted(variants.values(), key=len, reverse=True)
        ]

    def find(self, text: str) -> list[str]:
        """The names that stand in `text` as whole words, each occurrence once, in text order."""
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, str]] = []
        for pattern in self.patterns:
            for m in pattern.finditer(text):
                if any(m.start() < end and start < m.end() for start, end in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append((m.start(), " ".join(m.group(0).split())))
        return [word for _, word in sorted(found)]


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

_STAFF = (
    r"(?:staff|professionals?|practitioners?|workers?|colleagues|teams?|managers?|clinicians|gps|"
    r"dentists?|nurses?|health\s+visitors?|social\s+workers?|officers?|agencies|everyone|all)"
)


@dataclass(frozen=True)
class _Phrase:
    key: str
    pattern: re.Pattern[str]
    suggestion: str


BLAME_PHRASES: tuple[_Phrase, ...] = (
    _Phrase(
        "failed to",
        _compile(
            r"fail(?:s|ed|ing)?\s+to|failures?\s+(?:to|by)|"
            r"failed\s+(?:the\s+|this\s+|that\s+)?(?:child|children|family|families|him|her|them|mother|father)"
        ),
        "Say what happened and what made the expected practice hard at the time: "
        "'the referral was not made; the form in use did not ask about ...' instead of 'X failed to refer'.",
    ),
    _Phrase(
        "should have",
        _compile(
            r"should(?:\s+not)?\s+have|shouldn['\u2019]t\s+have|should['\u2019]ve|ought(?:\s+not)?\s+to\s+have|"
            r"could\s+(?:and\s+should\s+)?have\s+(?:known|seen|predicted|prevented|foreseen|recogni[sz]ed|spotted)"
        ),
        "Name the expected practice and its source, then what could be seen at the time: "
        "'guidance expects ...; at the time the practitioner knew ... and did not know ...'.",
    ),
    _Phrase(
        "negligent",
        _compile(
            r"negligen(?:t|tly|ce)|careless(?:ly|ness)?|incompeten(?:t|tly|ce)|culpab(?:le|ility)|"
            r"inexcusabl[ey]|unforgivabl[ey]"
        ),
        "Describe the practice against a named standard and the conditions that shaped it; judgements "
        "of fault belong to other processes, not to a learning review.",
    ),
    _Phrase(
        "obvious",
        _compile(
            _NOT_NEGATED + r"obvious(?:ly)?|it\s+(?:was|is|should\s+have\s+been|must\s+have\s+been)\s+"
            r"(?:clear|plain|evident)\s+that|plain\s+to\s+see"
        ),
        "Say what was known and visible at the time, and to whom (the view from the tunnel): "
        "'at the time, the school knew ...; the dentist did not know ...'.",
    ),
    _Phrase(
        "missed the signs",
        _compile(
            r"miss(?:ed|es|ing)?\s+(?:all\s+)?(?:the\s+|these\s+|those\s+|clear\s+|obvious\s+|many\s+|several\s+)*"
            r"(?:warning\s+|early\s+)?(?:signs?|signals?|opportunit(?:y|ies)|red\s+flags?|chances?)"
        ),
        "Describe what information was available, to whom, and what made its significance hard to see "
        "at the time: 'the link between ... and neglect was not part of how ... was assessed'.",
    ),
    _Phrase(
        "to blame",
        _compile(r"(?:to|was|were|is|are)\s+(?:to\s+)?blame|at\s+fault|human\s+error"),
        "Ask what in the work system made this more likely (tools, workload, supervision, how agencies "
        "share information) and write that instead.",
    ),
)


def blame_language(text: str, where: Where) -> list[QualityWarning]:
    """Advisory: blame or hindsight language, each phrase with its systems-phrased alternative."""
    out: list[QualityWarning] = []
    for phrase in BLAME_PHRASES:
        hits = _matches(phrase.pattern, text)
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
    """Advisory: all the evidence of a finding (its linked episodes) comes from one agency."""
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
            f"rests only on episodes involving {only}: it may be a single-agency lesson "
            "rather than a finding about the multi-agency system.",
            "Show how the pattern plays out across agencies (link episodes from other agencies), or "
            "pass it to that agency's own learning processes.",
        )
    ]


# ---- a training or procedure reminder as a question for the board ----------------------------------

_REMINDER = _compile(
    r"remind(?:s|ed|ing)?\s+(?:of\s+|all\s+|the\s+|every\s+|frontline\s+|relevant\s+)*"
    + _STAFF
    + r"|"
    + _STAFF
    + r"\s+(?:\w+\s+){0,3}?(?:be|are|is|being|get|getting)\s+(?:regularly\s+)?reminded"
    + r"|reminders?\s+(?:to|for)\s+(?:all\s+)?"
    + _STAFF
)
_TRAINING = _compile(
    r"(?:more|further|additional|refresher|mandatory|extra|better|regular)\s+training"
    r"|re-?train(?:s|ed|ing)?"
    + r"|"
    + _STAFF
    + r"\s+(?:\w+\s+){0,3}?(?:be|are|is|being|get|receive|receives|undergo|attend)\s+"
    r"(?:properly\s+|appropriately\s+|adequately\s+|fully\s+)?(?:trained|training)"
    r"|train(?:ing)?\s+(?:for|of)\s+(?:all\s+)?" + _STAFF
)
_PROCEDURE = _compile(
    r"(?:adhere[sd]?|adhering|adherence|comply|complies|complied|complying|compliance)\s+(?:with|to)\s+"
    r"(?:\S+\s+){0,5}?(?:procedures?|guidance|policy|policies|protocols?)"
    r"|(?:procedures?|guidance|policy|policies|protocols?)\s+(?:\S+\s+){0,8}?(?:are|is|be)\s+(?:adhered\s+to|"
    r"followed|re-?circulated|re-?issued|cascaded|disseminated)"
    r"|follow(?:s|ed|ing)?\s+(?:the\s+|existing\s+|agreed\s+|local\s+)*(?:procedures?|guidance|policy|protocols?)"
    r"|(?:re-?circulat|re-?issu|cascad|disseminat)\w*\s+(?:\S+\s+){0,4}?(?:procedures?|guidance|policy|"
    r"policies|protocols?)"
    r"|(?:be|are|is|being)\s+(?:made\s+)?(?:aware|cognisant|cognizant|mindful)\s+of"
    r"|familiari[sz]e\s+themselves"
)
# Words that show a question asks for a change to the system, not only a reminder.
_SYSTEM_CHANGE = _compile(
    r"redesign\w*|resourc(?:e|es|ed|ing)|capacity|caseloads?|workloads?|commission(?:s|ed|ing)?|funding|"
    r"staffing|recruit\w*|(?:it|information|records?|case\s+management)\s+systems?|shared\s+records?|"
    r"pathways?|templates?|change\s+(?:to\s+)?(?:the\s+)?(?:system|process|form|way)\w*|"
    r"tools?|toolkits?|contracts?"
)


def training_reminder(text: str, where: Where) -> list[QualityWarning]:
    """Advisory: a question for the board that is a training or procedure reminder with no change to
    the system ("remind staff", "staff should be trained", "adhere to procedures")."""
    hits = _matches(_REMINDER, text) + _matches(_TRAINING, text) + _matches(_PROCEDURE, text)
    if not hits or _SYSTEM_CHANGE.search(text):
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
    agencies: tuple[str, ...] = ()  # of the linked episodes
    evidence: tuple[EvidenceItem, ...] = ()
    questions: tuple[QuestionText, ...] = ()

    @property
    def label(self) -> str:
        return f"Finding {self.number} '{self.title}'"


@dataclass(frozen=True)
class ReviewText:
    episodes: tuple[EpisodeText, ...] = ()
    factors: tuple[FactorText, ...] = ()
    findings: tuple[FindingText, ...] = ()
    names: tuple[str, ...] = ()  # members, practitioners and (when given) the sealed register


def review_warnings(text: ReviewText) -> list[QualityWarning]:
    """Every check of DESIGN §5.5 over a review's texts, in reading order."""
    names = Names(text.names)
    out: list[QualityWarning] = []
    for episode in text.episodes:
        for field, value in episode.fields.items():
            out += blame_language(value, Where("episode", episode.id, episode.label, field))
        out += individual_only(
            episode.valence, episode.factor_codes, Where("episode", episode.id, episode.label, "explanation")
        )
    for factor in text.factors:
        for field, value in factor.fields.items():
            out += blame_language(value, Where("factor", factor.id, factor.label, field))
    for finding in text.findings:
        for field, value in {"title": finding.title, **finding.fields}.items():
            where = Where("finding", finding.id, finding.label, field)
            out += person_named(value, names, where)
            out += blame_language(value, where)
        out += single_agency(finding.agencies, Where("finding", finding.id, finding.label, "how_it_showed"))
        out += no_wider_evidence(finding.evidence, Where("finding", finding.id, finding.label, "evidence"))
        for question in finding.questions:
            where = Where("question", question.id, f"Question {question.number} of {finding.label}", "text")
            out += person_named(question.text, names, where)
            out += blame_language(question.text, where)
            out += training_reminder(question.text, where)
    return out


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


def unresolved_blocking(warnings: Iterable[QualityWarning]) -> tuple[str, ...]:
    """The blocking warnings that stop `submit_for_signoff` and `approve`, as refusals. The
    individual-level rule is left out: `draft_findings` has its own guard for it."""
    return tuple(w.refusal() for w in warnings if w.blocks and w.code != Code.INDIVIDUAL_ONLY)

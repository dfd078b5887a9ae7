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
from collections.abc import Callable, Iterable, Mapping, Sequence
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

# Where a phrase stands decides whether it is a judgement. The review's own voice judging a person
# ("the social worker should have realised") warns; the same words in reported speech ("staff felt
# they should have ...", a quotation) or describing conditions ("the obvious strain on the team",
# "repeated failure to bring her to treatment", "the form failed to ask") do not.

# A clause ends at a sentence's end, a semicolon, a line break or a contrast ("..., but ...").
_CLAUSE_BREAK = re.compile(
    r"[.!?;]+[\"'\u201d\u2019)\]]*(?:\s+|$)|\n|,?\s+(?:but|however|whereas|although|though|yet)\b,?",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?;]+(?:\s|$)|\n")
# Quotations: double quotes, curly quotes, and single quotes that open and close a phrase (an
# apostrophe inside a word, "should've", "Jones'", is not a quotation mark).
_QUOTED = re.compile(
    r"\"[^\"]*\"|\u201c[^\u201d]*\u201d|\u2018(?:[^\u2019]|\u2019(?=\w))*\u2019(?!\w)"
    r"|(?<![\w'])'(?=\S)(?:[^'\n]|(?<=\w)'(?=\w))*(?<=\S)'(?!\w)"
)
_REPORTING_VERB = re.compile(
    r"\b(?:felt|feels?|said|says|told|tells|telling|described|describes|explained|explains|reported|"
    r"reflected|reflects|thought|thinks|believed|believes|recalled|recalls|remembered|remembers|"
    r"wished|wishes|commented|suggested|suggests|stated|expressed|acknowledged|acknowledges|admitted|"
    r"admits|complained|complains|worried|worries|wondered|wonders|asked|asks|argued|argues|"
    r"considered|considers|heard|hears|accepted|accepts|feared|fears|spoke|speaks|insisted|insists)\b",
    re.IGNORECASE,
)
_REPORTED_VIEW = re.compile(
    r"\bin\s+(?P<whose>his|her|their|[\w-]+['\u2019]s?)\s+(?:own\s+)?(?:view|opinion|words|experience|"
    r"account|recollection|memory)\b",
    re.IGNORECASE,
)
# The review speaking of itself: "we felt", "the panel considered", "it was felt" are its own judgement.
_REVIEW_ITSELF = re.compile(
    r"(?:^|\W)(?:we|i|it|the\s+(?:(?:independent|lead)\s+)?reviewers?|the\s+review(?:\s+team|\s+panel)?|"
    r"this\s+review|the\s+(?:review\s+)?panel|the\s+authors?|the\s+author|the\s+chair|the\s+board)"
    r"(?:\s+(?:\w+ly|also|had|has|have|then|later|all|both|would|could|may|might))*\s*$",
    re.IGNORECASE,
)
_OWN_VIEW = re.compile(
    r"^(?:our|review['\u2019]s|panel['\u2019]s|reviewers['\u2019]|reviewer['\u2019]s)$", re.I
)
_PASSIVE = re.compile(r"\b(?:was|were|is|are|be|been|being)\s*$", re.IGNORECASE)
# Words that receive an account: "the review heard", "we were told" report what others said.
_RECEIVING = frozenset({"heard", "hears"})
_TRAILING_ATTRIBUTION = re.compile(
    r"^[^.!?;\n]*?,\s*(?:[\w'\u2019-]+\s+){1,4}?(?:said|says|felt|explained|reflected|recalled|told\s+\w+"
    r"(?:\s+\w+)?|thought|believed)\s*(?:[.!?;\n]|$)",
    re.IGNORECASE,
)


def _clause_before(text: str, pos: int) -> str:
    start = 0
    for m in _CLAUSE_BREAK.finditer(text, 0, pos):
        start = m.end()
    return text[start:pos]


def _rest_of_sentence(text: str, pos: int) -> str:
    end = _SENTENCE_END.search(text, pos)
    return text[pos : end.end() if end else len(text)]


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text)]


def _frames_speech(clause: str) -> bool:
    """Whether the clause before a phrase reports someone else's words or view."""
    for view in _REPORTED_VIEW.finditer(clause):
        if not _OWN_VIEW.match(view.group("whose")):
            return True
    for verb in _REPORTING_VERB.finditer(clause):
        speaker = clause[: verb.start()]
        if not speaker.strip():
            continue  # no speaker: "Said to be ..."
        word = verb.group(0).lower()
        passive = _PASSIVE.search(speaker)
        if passive:
            # "it was felt that" is the review's own voice; "the mother was told" reports a telling
            subject = speaker[: passive.start()]
            if word == "told" and subject.strip() and not re.search(r"(?:^|\W)it\s*$", subject, re.I):
                return True
            continue
        if word in _RECEIVING or not _REVIEW_ITSELF.search(speaker):
            return True
    return False


def _reported(text: str, start: int, end: int, quotes: Sequence[tuple[int, int]]) -> bool:
    """A phrase in reported speech: quoted, after a reporting frame with a speaker other than the
    review itself ("staff felt", "the mother told us", "in their view"), or before a trailing one
    ("..., the health visitor said.")."""
    if any(q_start <= start and end <= q_end for q_start, q_end in quotes):
        return True
    return _frames_speech(_clause_before(text, start)) or bool(
        _TRAILING_ATTRIBUTION.match(_rest_of_sentence(text, end))
    )


# -- descriptions of conditions: who or what the phrase is about, and what follows it

_FAMILY = (
    r"(?:mother|mum|father|dad|step-?(?:mother|father|parents?)|parents?|carers?|grand(?:mother|father|"
    r"parents?)|famil(?:y|ies)|child(?:ren)?|bab(?:y|ies)|infants?|toddlers?|siblings?|brothers?|sisters?|"
    r"partners?|boyfriend|girlfriend|couple|household|young\s+(?:person|people)|teenagers?|adolescents?)"
)
_ARTEFACT = (
    r"(?:forms?|systems?|process(?:es)?|procedures?|pathways?|guidance|polic(?:y|ies)|protocols?|"
    r"templates?|tools?|toolkits?|records?|databases?|software|technology|frameworks?|arrangements|"
    r"structures?|checklists?|attempts?|efforts?|letters?|texts?|reminders?|alerts?|flags?|"
    r"(?:it|case\s+management|record(?:s|ing)?)\s+systems?)"
)
_QUALIFIERS = (
    r"(?:(?:repeated(?:ly)?|persistent(?:ly)?|consistent(?:ly)?|continued|continual(?:ly)?|ongoing|also|"
    r"again|then|often|sometimes|regularly|frequently|subsequently|later|had|has|have|would|could|may|"
    r"might|all|both|still|each|own|earlier|further|apparent|alleged)\s+)"
)
_ABOUT_FAMILY_OR_TOOL = re.compile(
    r"\b(?:"
    + _FAMILY
    + "|"
    + _ARTEFACT
    + r")(?:['\u2019]s|s['\u2019]|['\u2019])?\s+"
    + _QUALIFIERS
    + r"{0,3}$",
    re.IGNORECASE,
)
_ABOUT_TOOL = re.compile(
    r"\b" + _ARTEFACT + r"(?:['\u2019]s|s['\u2019]|['\u2019])?\s+" + _QUALIFIERS + r"{0,3}$", re.IGNORECASE
)
# A child's health and a family's attendance are conditions, not a practitioner's act.
_FAILED_GROWTH = re.compile(
    r"\s*(?:thrive|gain(?:\s+weight)?|grow|put\s+on\s+weight|respond\s+to\s+treatment)\b", re.IGNORECASE
)
_NOT_BROUGHT = re.compile(
    r"\s*(?:bring|take)\s+(?:her|him|them|the\s+(?:child|children|baby|boys?|girls?|twins|siblings)|"
    r"[\w'\u2019-]+)\s+to\s+(?:[\w'\u2019-]+\s+){0,2}?(?:treatment|appointments?|clinics?|dentists?|dental|"
    r"surgery|hospital|school|nursery|reviews?|checks?|sessions?|gp|health|immuni[sz]ations?|vaccinations?)\b",
    re.IGNORECASE,
)


def _failure_describes(text: str, m: re.Match[str]) -> bool:
    """'failed to' about the family or a tool, or a child's health: 'repeated failure to bring her
    to treatment', 'failure to thrive', 'the form fails to ask about ...'."""
    after = text[m.end() :]
    return bool(
        _FAILED_GROWTH.match(after)
        or _NOT_BROUGHT.match(after)
        or _ABOUT_FAMILY_OR_TOOL.search(_clause_before(text, m.start()))
    )


# "should have" + a past participle is hindsight ("should have realised"); "should have" + a noun is
# what someone needs ("staff should have more time", "every child should have a named GP").
_PARTICIPLE = (
    r"(?:(?:\w+ly|also|already|at\s+least|then|still|all|both)\s+)?"
    r"(?!(?:need|feed|seed|speed|bed|red|shed|creed|breed|greed|weed|hundred|sacred|kindred)\b)"
    r"(?:[a-z]+ed|been|seen|known|done|gone|shown|grown|drawn|thrown|told|sold|held|kept|met|heard|felt|"
    r"left|lost|made|paid|said|sent|spent|built|brought|bought|caught|taught|thought|sought|fought|found|"
    r"got|gotten|had|led|read|run|set|put|let|shut|hit|hurt|stood|understood|spoken|written|taken|given|"
    r"driven|chosen|broken|fallen|forgotten|hidden|risen|shaken|woken|proven|begun|come|become|won|dealt|"
    r"meant|struck|sat|foreseen|overseen|undertaken|withdrawn|mistaken|overlooked|picked|spotted)\b"
)
# Words that read as "should have" + a past participle but are adjectives before a noun.
_ATTRIBUTIVE = re.compile(
    r"\s+(?:\w+ly\s+)?(?:protected|dedicated|named|designated|trained|qualified|experienced|allocated|"
    r"ring-?fenced|skilled|speciali[sz]ed|integrated|reduced|increased|improved|extended|shared|joined-up|"
    r"agreed|regular|manageable)\s+(?!(?:the|a|an|this|that|these|those|her|him|his|them|their|its|it|she|"
    r"he|they|to|with|about|on|in|at|for|by|from|into|more|any|each|every|both|whether|when|what|how|why|"
    r"who|which|up|out|off|over)\b)[a-z]",
    re.IGNORECASE,
)


def _should_describes(text: str, m: re.Match[str]) -> bool:
    """'should have' before an adjective and a noun ('should have protected time'), or about a tool
    ('the form should have asked about ...': a gap in the system, not a person's fault)."""
    return bool(_ATTRIBUTIVE.match(text[m.end() :]) or _ABOUT_TOOL.search(_clause_before(text, m.start())))


# "obvious" before a noun of conditions describes them ("the obvious strain on the team", "her obvious
# distress"); before what should have been seen or done it is hindsight ("the obvious risk", "the
# obvious next step"), and so is "it was obvious", "obviously".
_SEEN_OR_DONE = re.compile(
    r"\b(?:signs?|signals?|risks?|dangers?|concerns?|indicators?|indications?|warnings?|flags?|links?|"
    r"patterns?|connections?|questions?|conclusions?|answers?|explanations?|significance|implications?|"
    r"causes?|things?|steps?|course|actions?|choices?|options?|decisions?|responses?|solutions?|needs?|"
    r"gaps?|failings?|failures?|omissions?|mistakes?|errors?|abuse|neglect|harm)\b",
    re.IGNORECASE,
)
_BEFORE_A_NOUN = re.compile(
    r"\b(?:the|an?|his|her|their|its|this|that|these|those|some|any|no|such|more|most|less|very|quite|"
    r"rather|particularly|increasingly|own|and|'s|\u2019s)\s+$",
    re.IGNORECASE,
)
_VISIBLE_STATE = re.compile(
    r"\s+(?:distressed|upset|tired|exhausted|anxious|frightened|scared|unwell|ill|in\s+pain|delighted|"
    r"pleased|happy|proud|fond|attached|affectionate|relaxed|comfortable|uncomfortable|hungry|thin|"
    r"underweight|pregnant|struggling|stretched|busy|overstretched)\b",
    re.IGNORECASE,
)


def _obvious_describes(text: str, m: re.Match[str]) -> bool:
    word = m.group(0).lower()
    after = text[m.end() :]
    if word == "obviously":
        return bool(_VISIBLE_STATE.match(after))
    if word != "obvious" or not _BEFORE_A_NOUN.search(text[: m.start()]):
        return False
    following = re.match(r"(?:\s+[\w'\u2019-]+){1,3}", after)
    return bool(following) and not _SEEN_OR_DONE.search(following.group(0) if following else "")


Describes = Callable[[str, "re.Match[str]"], bool]


@dataclass(frozen=True)
class _Phrase:
    key: str
    pattern: re.Pattern[str]
    suggestion: str
    describes: Describes | None = None  # when the words describe conditions rather than judge a person


BLAME_PHRASES: tuple[_Phrase, ...] = (
    _Phrase(
        "failed to",
        _compile(
            r"fail(?:s|ed|ing)?\s+to|failures?\s+(?:to|by)|"
            r"failed\s+(?:the\s+|this\s+|that\s+)?(?:child|children|family|families|him|her|them|mother|father)"
        ),
        "Say what happened and what made the expected practice hard at the time: "
        "'the referral was not made; the form in use did not ask about ...' instead of 'X failed to refer'.",
        _failure_describes,
    ),
    _Phrase(
        "should have",
        _compile(
            r"(?:should(?:\s+not)?\s+have|shouldn['\u2019]t\s+have|should['\u2019]ve|ought(?:\s+not)?\s+to\s+have)"
            r"(?=\s+" + _PARTICIPLE + r")"
            r"|could\s+(?:and\s+should\s+)?have\s+(?:known|seen|predicted|prevented|foreseen|recogni[sz]ed|spotted)"
        ),
        "Name the expected practice and its source, then what could be seen at the time: "
        "'guidance expects ...; at the time the practitioner knew ... and did not know ...'.",
        _should_describes,
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
        _obvious_describes,
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


def judgements(phrase: _Phrase, text: str, quotes: Sequence[tuple[int, int]] | None = None) -> list[str]:
    """The places `phrase` judges a person in `text`: not in reported speech, not describing conditions."""
    quotes = _quoted_spans(text) if quotes is None else quotes
    return [
        " ".join(m.group(0).split())
        for m in phrase.pattern.finditer(text)
        if not _reported(text, m.start(), m.end(), quotes)
        and not (phrase.describes is not None and phrase.describes(text, m))
    ]


def blame_language(text: str, where: Where) -> list[QualityWarning]:
    """Advisory: blame or hindsight language, each phrase with its systems-phrased alternative.
    Reported speech and descriptions of conditions are not judgements (see `judgements`)."""
    out: list[QualityWarning] = []
    quotes = _quoted_spans(text)
    for phrase in BLAME_PHRASES:
        hits = judgements(phrase, text, quotes)
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


def agencies_named(texts: Iterable[str], agencies: Iterable[str]) -> list[str]:
    """Which of `agencies` the texts name (whole words, any case), in the order of `agencies`: the
    agencies a factor's description or an evidence item speaks of."""
    body = "\n".join(texts)
    found = []
    for agency in dict.fromkeys(a.strip() for a in agencies if a and a.strip()):
        words = r"\s+".join(_name_token(t) for t in agency.split())
        pattern = r"(?<![\w-])" + words + r"(?:['\u2019]?s)?(?![\w-])"
        if re.search(pattern, body, re.IGNORECASE):
            found.append(agency)
    return found


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

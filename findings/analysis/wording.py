"""The wording rules of the systems lens: which words name a person, judge a person (blame or
hindsight) or ask only for a reminder, as pure text matching. `findings.analysis.quality` turns what
they find into warnings.

Linguistic care, in one place:
- matching is case-insensitive and on whole words only (never inside another word: "Al" does not hit
  "Alice", "fail" does not hit "failsafe");
- inflections are spelt out per phrase ("fail to", "fails to", "failed to", "failing to", "failure to");
- a person's name also matches its possessive ("Alice's", "Jones'");
- negated judgements do not trigger ("this was not obvious at the time" is the view from the tunnel);
- reported speech and descriptions of conditions are not judgements.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

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
        # One pass that says whether any name stands in a text at all: most texts name nobody, and
        # one alternation is far quicker than a pass of each pattern (a findings page checks each
        # text of each finding against every name of the review and its register).
        self._any = re.compile("|".join(f"(?:{p.pattern})" for p in self.patterns), re.IGNORECASE)

    def find(self, text: str) -> list[str]:
        """The names that stand in `text` as whole words, each occurrence once, in text order."""
        if not self.patterns or self._any.search(text) is None:
            return []
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, str]] = []
        for pattern in self.patterns:
            for m in pattern.finditer(text):
                if any(m.start() < end and start < m.end() for start, end in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append((m.start(), " ".join(m.group(0).split())))
        return [word for _, word in sorted(found)]


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


def quoted_spans(text: str) -> list[tuple[int, int]]:
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
    quotes = quoted_spans(text) if quotes is None else quotes
    return [
        " ".join(m.group(0).split())
        for m in phrase.pattern.finditer(text)
        if not _reported(text, m.start(), m.end(), quotes)
        and not (phrase.describes is not None and phrase.describes(text, m))
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


# ---- a training or procedure reminder ------------------------------------------------------------

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


def reminder_asks(text: str) -> list[str]:
    """The words of `text` that ask for a reminder, training or adherence to procedure, unless it
    also asks for a change to the system ("remind staff", "staff should be trained")."""
    hits = _matches(_REMINDER, text) + _matches(_TRAINING, text) + _matches(_PROCEDURE, text)
    return [] if _SYSTEM_CHANGE.search(text) else hits

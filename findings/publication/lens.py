"""The systems lens over everything the reports publish (DESIGN §5.5, docs/quality-warnings.md).

The analysis's own texts (episodes, factors, findings with their evidence and questions) are read by
`findings.analysis.facts`. Every other text a person wrote that the full report, the summary of
improvements or the practitioner briefing prints is found here by walking the documents' view model
(`report_data`, `briefing_data`): each `Text` there is read here, or was read with the analysis
(`READ_WITH_THE_ANALYSIS`), or is left out for a stated reason (`NOT_READ`). A text added to the
reports later is read unless someone decides otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy.orm import Session

from findings.analysis.quality import PublishedText, Where
from findings.publication.assemble import ReviewContent, load, report_data
from findings.publication.briefings import BRIEFING_SECTIONS, briefing_data
from findings.publication.sources import Source, SourceKind, Text, format_date, texts
from workflow.models import Review

K = SourceKind

READ_WITH_THE_ANALYSIS: frozenset[tuple[SourceKind, str]] = frozenset(
    {
        *((K.EPISODE, f) for f in ("title", "what_happened", "view_from_tunnel", "appraisal", "explanation")),
        (K.FACTOR, "description"),
        *((K.FINDING, f) for f in ("statement", "context", "how_it_showed", "why_it_matters")),
        (K.EVIDENCE, "summary"),
        (K.BOARD_QUESTION, "text"),
    }
)

NOT_READ: Mapping[tuple[SourceKind, str], str] = {
    (K.REVIEW, "child_pseudonym"): "a pseudonym",
    (K.PARTICIPATION, "agency"): "an agency's name",
    (K.NARRATIVE_ENTRY, "agency"): "an agency's name",
    (K.NARRATIVE_ENTRY, "aware"): "agencies' names",
    (K.EPISODE, "agencies"): "agencies' names",
    (K.EPISODE, "period"): "dates",
    (
        K.EPISODE,
        "appraisal_reference",
    ): "a citation of the guidance or research (authors are named by design)",
    (K.EVIDENCE, "reference"): "a citation (authors are named by design)",
    (K.GOOD_PRACTICE, "agencies"): "agencies' names",
    (K.GOOD_PRACTICE, "title"): "fixed words ('Good practice 2')",
    (K.ACTION, "owner_agency"): "an agency's name",
    (K.FAMILY_MEMBER, "pseudonym"): "a pseudonym",
    (K.FAMILY_MEMBER, "relationship_to_child"): "a relationship ('mother')",
}
# The board briefing's own words are the product's (`briefings.board_briefing`), not a person's.
NOT_READ_KINDS = frozenset({K.BOARD_BRIEFING})

REPORT_TEXTS = {
    "case_summary": "The case in brief",
    "methodology_note": "The note on the methodology",
    "board_response": "The board's overall response",
}


@dataclass(frozen=True)
class _Records:
    """What a text's `Source` does not say and its place in words needs, by id."""

    review_id: int
    entries: Mapping[int, tuple[str, str]]  # entry -> (agency, date in words)
    responses: Mapping[int, tuple[int, int]]  # board response -> (finding id, finding number)
    actions: Mapping[int, str]  # action -> title
    headings: Mapping[str, str]  # briefing section -> its heading in the briefing
    labels: Mapping[tuple[SourceKind, int], str] = field(default_factory=dict)  # who or what, in words

    @classmethod
    def of(cls, content: ReviewContent) -> _Records:
        written = content.texts.briefing if content.texts else {}
        return cls(
            review_id=content.review.id,
            entries={
                e.id: (n.agency, format_date(e.occurred_on)) for n in content.narratives for e in n.entries
            },
            responses={f.response.id: (f.id, f.number) for f in content.findings if f.response is not None},
            actions={a.id: a.title for a in content.actions},
            headings={
                key: str((written.get(key) or {}).get("heading") or default)
                for key, default in BRIEFING_SECTIONS.items()
            },
            labels=labels_of(content),
        )


def labels_of(content: ReviewContent) -> dict[tuple[SourceKind, int], str]:
    """Who or what each text of the family's involvement, the independence declarations and the
    quality self-assessment belongs to, in words."""
    data = report_data(content)
    return {
        **{(K.FAMILY_MEMBER, f.id): str(f.pseudonym) for f in data.family},
        **{
            (K.INDEPENDENCE, int(d.statement.source.id)): d.reviewer
            for d in data.independence
            if isinstance(d.statement.source.id, int)
        },
        **{
            (K.QUALITY_MARKER, int(q.comment.source.id)): q.title
            for q in data.quality
            if q.comment is not None and isinstance(q.comment.source.id, int)
        },
    }


def published_texts(session: Session, review: Review) -> tuple[PublishedText, ...]:
    """Every text the review's documents would publish today that the analysis checks do not already
    read, each with where it stands."""
    return texts_of(load(session, review))


def texts_of(content: ReviewContent) -> tuple[PublishedText, ...]:
    records = _Records.of(content)
    seen: set[tuple[str, object, str, object]] = set()
    out: list[PublishedText] = []
    for text in _every_text(content):
        source = text.source
        key = (source.kind.value, source.id, source.field, source.number)
        if key in seen or not text or not _read_here(source):
            continue
        seen.add(key)
        out.append(_published(text, records))
    out += _headings(content, records)
    return tuple(out)


def _every_text(content: ReviewContent) -> Iterator[Text]:
    return chain(texts(report_data(content)), texts(briefing_data(content)))


def _read_here(source: Source) -> bool:
    place = (source.kind, source.field)
    return source.kind not in NOT_READ_KINDS and place not in NOT_READ and place not in READ_WITH_THE_ANALYSIS


def _published(text: Text, records: _Records) -> PublishedText:
    source = text.source
    kind, field, number = source.kind, source.field, source.number
    object_id = source.id if isinstance(source.id, int) else records.review_id
    if kind == K.REVIEW and field in REPORT_TEXTS:
        where = Where("report_text", object_id, REPORT_TEXTS[field], field)
        return PublishedText(where, text.value, asks=field == "board_response")
    if kind == K.REVIEW and field == "research_questions":
        where = Where(
            "research_question", object_id, f"Research question {number}", "text", number=str(number)
        )
        return PublishedText(where, text.value)
    if kind == K.REVIEW and field == "incident_summary":
        label = "The referral's summary of the incident (the briefing's background)"
        return PublishedText(Where("referral", object_id, label, field), text.value)
    if kind == K.NARRATIVE_ENTRY:
        agency, on = records.entries.get(object_id, ("An agency", "an unknown date"))
        where = Where(
            "narrative_entry", object_id, f"{agency}'s narrative, entry of {on}", field, within=agency
        )
        return PublishedText(where, text.value)
    if kind == K.GOOD_PRACTICE:
        return PublishedText(Where("good_practice", object_id, f"Good practice {number}", field), text.value)
    if kind == K.BOARD_RESPONSE:
        finding_id, finding_number = records.responses.get(object_id, (None, number))
        label = f"The board's response to Finding {finding_number}"
        return PublishedText(
            Where("board_response", object_id, label, field, within=finding_id), text.value, True
        )
    if kind == K.ACTION:
        label = f"Action '{records.actions.get(object_id, object_id)}'"
        return PublishedText(Where("action", object_id, label, field), text.value, asks=field == "title")
    if kind == K.BRIEFING:
        return _briefing(text, records)
    if kind in _PLACES:
        what, label = _PLACES[kind]
        return PublishedText(
            Where(what, object_id, label.format(records.labels.get((kind, object_id), "")), field), text.value
        )
    # A text the reports print that no rule above places: read all the same, placed by its source.
    return PublishedText(
        Where(
            kind.value, object_id, source.describe(), field, number=None if number is None else str(number)
        ),
        text.value,
    )


# The records of the family's involvement, the lead reviewers' independence and the quality
# self-assessment: the warning's kind and its place in words.
_PLACES: Mapping[SourceKind, tuple[str, str]] = {
    K.FAMILY_MEMBER: ("family_member", "The views of {}"),
    K.INDEPENDENCE: ("independence", "The declaration of independence of {}"),
    K.QUALITY_MARKER: ("quality_marker", "The comment on the quality marker '{}'"),
}


def _briefing(text: Text, records: _Records) -> PublishedText:
    source = text.source
    section = source.field.removesuffix("_intro").removesuffix("_outro")
    part = source.field.removeprefix(section).lstrip("_")
    what = {"intro": "opening paragraph", "outro": "closing paragraph"}.get(part, "item")
    heading = records.headings.get(section, section.replace("_", " "))
    where = Where(
        "briefing",
        records.review_id,
        f"Practitioner briefing, {heading}, {what} {source.number}",
        source.field,
        number=str(source.number),
    )
    return PublishedText(where, text.value, asks=section == "lessons_learned")


def _headings(content: ReviewContent, records: _Records) -> list[PublishedText]:
    """The headings the coordinator wrote for the briefing's sections (plain words in the view
    model, printed all the same)."""
    written = content.texts.briefing if content.texts else {}
    out = []
    for key in BRIEFING_SECTIONS:
        heading = str((written.get(key) or {}).get("heading") or "").strip()
        if heading and heading != BRIEFING_SECTIONS[key]:
            label = f"Practitioner briefing, the heading of {BRIEFING_SECTIONS[key]}"
            out.append(PublishedText(Where("briefing", records.review_id, label, f"{key}_heading"), heading))
    return out

"""Where each anonymisation hit stands, as links for the publication page: the record's own page (and
the field on it), and where the person looking can change it now: that page when its form changes the
field and the policy lets them, else the page of one correction (`/publication/corrections/{source}`),
else why not (at `approved`: reopen the review for correction first)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote

from findings.publication.corrections import DATE_FIELDS, correction_action
from findings.publication.service import CheckView, HitPlace, HitView
from findings.publication.sources import FIELD_WORDS, SOURCE_NAMES, SourceKind
from workflow import policy
from workflow.states import ReviewRole, State

Url = Callable[[str, HitPlace], str]  # (the review's URL, the place) -> the page and field


@dataclass(frozen=True)
class RecordPage:
    """The page a kind of record is kept on: its URL, the policy action that changes it there, and
    the fields its forms change (a field not among them is corrected on the page of one correction)."""

    url: Url
    action: str
    edits: frozenset[str] = frozenset()


def _finding(base: str, place: HitPlace) -> str:
    return f"{base}/findings/{place.object_id}#{place.field}"


def _owning_finding(anchor: str) -> Url:
    return lambda base, place: f"{base}/findings/{place.owner}#{anchor}"


def _narrative(base: str, place: HitPlace) -> str:
    agency = quote(str(place.owner or ""), safe="")
    return f"{base}/narratives/{agency}?edit={place.object_id}#entry-form"


def _page(path: str, anchor: str = "") -> Url:
    return lambda base, place: f"{base}/{path}" + (f"#{anchor.format(place=place)}" if anchor else "")


FINDING_TEXTS = frozenset({"title", "statement", "context", "how_it_showed", "why_it_matters"})
EPISODE_TEXTS = frozenset(
    {
        "title",
        "what_happened",
        "view_from_tunnel",
        "appraisal",
        "appraisal_reference",
        "explanation",
        "period",
    }
)

RECORD_PAGES: dict[SourceKind, RecordPage] = {
    SourceKind.FINDING: RecordPage(_finding, "write_finding", FINDING_TEXTS),
    SourceKind.EVIDENCE: RecordPage(_owning_finding("evidence"), "write_finding"),
    SourceKind.BOARD_QUESTION: RecordPage(_owning_finding("questions"), "write_question"),
    SourceKind.EPISODE: RecordPage(
        lambda base, place: f"{base}/episodes/{place.object_id}#{place.field}", "write_episode", EPISODE_TEXTS
    ),
    SourceKind.FACTOR: RecordPage(
        lambda base, place: f"{base}/factors/{place.object_id}#factor-form",
        "write_factor",
        frozenset({"description"}),
    ),
    SourceKind.NARRATIVE_ENTRY: RecordPage(
        _narrative, "write_narrative", frozenset({"what_happened", "occurred_on", "aware"})
    ),
    SourceKind.GOOD_PRACTICE: RecordPage(_page("good-practice"), "write_good_practice"),
    SourceKind.BOARD_RESPONSE: RecordPage(
        _page("board", "response_{place.owner}"), "record_board_response", frozenset({"response"})
    ),
    SourceKind.ACTION: RecordPage(
        _page("board", "evidence_of_impact-{place.object_id}"),
        "write_action",
        frozenset({"evidence_of_impact"}),
    ),
    SourceKind.PARTICIPATION: RecordPage(_page("members"), "change_membership"),
    SourceKind.BRIEFING: RecordPage(_page("publication", "texts"), "write_report_texts"),
}
# The review's own fields, by the page each is written on.
REVIEW_PAGES: dict[str, RecordPage] = {
    "case_summary": RecordPage(
        _page("publication", "case_summary"), "write_report_texts", frozenset({"case_summary"})
    ),
    "methodology_note": RecordPage(
        _page("publication", "methodology_note"), "write_report_texts", frozenset({"methodology_note"})
    ),
    "board_response": RecordPage(
        _page("publication", "board_response"), "write_board_texts", frozenset({"board_response"})
    ),
    "partnership": RecordPage(
        _page("publication", "partnership"), "write_board_texts", frozenset({"partnership"})
    ),
    "research_questions": RecordPage(_page("scope"), "set_scope", frozenset({"research_questions"})),
    "period_start": RecordPage(_page("scope"), "set_scope", frozenset({"period_start"})),
    "period_end": RecordPage(_page("scope"), "set_scope", frozenset({"period_end"})),
    "child_pseudonym": RecordPage(_page("referral"), "update_referral", frozenset({"child_pseudonym"})),
    "incident_summary": RecordPage(_page("referral"), "update_referral", frozenset({"incident_summary"})),
}


def record_page(place: HitPlace) -> RecordPage | None:
    kind = SourceKind(place.kind)
    if kind == SourceKind.REVIEW:
        return REVIEW_PAGES.get(place.field)
    return RECORD_PAGES.get(kind)


def correction_url(base: str, place: HitPlace) -> str:
    return f"{base}/publication/corrections/{place.kind}:{place.object_id}:{place.field}"


@dataclass(frozen=True)
class PlaceLink:
    """One place a hit stands in, as the publication page shows it."""

    kind: SourceKind
    field: str
    where: str  # "Narrative entry (id 12), field 'date'"
    words: str  # the real words found there
    record_url: str | None  # the record's own page, at the field
    edit_url: str | None  # where the person looking can change it now
    edit_here: bool  # that is the record's own page (not the page of one correction)
    refusal: str | None  # why they cannot change it now
    after_reopening: bool  # it can be changed once the review is reopened for correction

    @property
    def what(self) -> str:
        """In words, with the real words: "the narrative entry's date (12 March 2019)"."""
        whose = f"the {SOURCE_NAMES[self.kind].lower()}'s"
        field = FIELD_WORDS.get(self.field, self.field.replace("_", " "))
        if self.field in DATE_FIELDS:
            return f"{whose} {field} ({self.words})"
        return f"the words “{self.words}” in {whose} field '{field}'"


@dataclass(frozen=True)
class ShownHit:
    hit: HitView
    places: tuple[PlaceLink, ...]

    @property
    def origin(self) -> str:
        """The data the hit is made of, e.g. "The narrative entry's date (12 March 2019).", or for a hit
        that runs across items, each of them and what they read as together."""
        if not self.places:
            return "The report's own words (its template or a fixed label), not a record of this review."
        together = ", then ".join(place.what for place in self.places)
        sentence = together[:1].upper() + together[1:]
        if len(self.places) == 1:
            return sentence + "."
        return f"{sentence}: printed next to each other, they read as {self.hit.what}."


REOPEN_FIRST = "The chair has approved the report: reopen the review for correction to change it."


def _link(base: str, place: HitPlace, roles: frozenset[ReviewRole], state: State) -> PlaceLink:
    page = record_page(place)
    record_url = page.url(base, place) if page else None
    on_its_page = page is not None and place.field in page.edits and policy.permits(roles, state, page.action)
    by_correction = place.correctable and policy.permits(
        roles, state, correction_action(place.kind, place.field)
    )
    edit_url = record_url if on_its_page else correction_url(base, place) if by_correction else None
    after_reopening = (
        edit_url is None
        and state == State.APPROVED
        and (place.correctable or (page is not None and policy.permits(roles, State.FINDINGS, page.action)))
    )
    refusal = None
    if after_reopening:
        refusal = REOPEN_FIRST
    elif edit_url is None:
        refusal = (
            policy.refusal(roles, state, page.action)
            if page
            else "It is not kept in a record of this review."
        )
    return PlaceLink(
        kind=SourceKind(place.kind),
        field=place.field,
        where=place.where,
        words=place.words,
        record_url=record_url,
        edit_url=edit_url,
        edit_here=on_its_page,
        refusal=refusal,
        after_reopening=after_reopening,
    )


def shown_hits(
    base: str, check: CheckView, roles: Iterable[ReviewRole], state: State
) -> tuple[ShownHit, ...]:
    who = frozenset(roles)
    return tuple(
        ShownHit(hit, tuple(_link(base, place, who, state) for place in hit.places)) for hit in check.hits
    )


def needs_reopening(hits: Iterable[ShownHit]) -> bool:
    """Whether some hit can only be corrected once the review is reopened for correction."""
    return any(place.after_reopening for hit in hits for place in hit.places)

"""The demo's case reviews, read from their data files (`api/demo/data/*.toml`, described in
docs/demo.md): the three reviews of the reference briefing (Alice, Andrew, Benjamin), as a coordinator,
lead reviewers and panel members would have entered them, and a fresh referral (Daisy).

The files are read once, when this module is imported (by `tunnelview demo`, never by the app), so a
wrong file fails at once with `DemoDataError` naming the file, the key and what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from api.demo.reader import Table, read_file
from api.demo.reference_cases import REFERENCE, Reference
from api.demo.specs import (
    ActionSpec,
    Entry,
    EpisodeSpec,
    FactorSpec,
    FamilySpec,
    FindingSpec,
    GoodPracticeSpec,
    Identity,
    MarkerSpec,
    ReferralSpec,
    ReviewSpec,
)
from findings.publication.view_model import BriefingData
from workflow.states import State

DATA = Path(__file__).resolve().parent / "data"
TARGETS = {state.value: state for state in State if state is not State.REFERRED}


def _entry(table: Table) -> Entry:
    entry = Entry(
        days_ago=table.days_ago("days_ago"),
        text=table.text("text"),
        aware=table.texts("aware"),
        significant=table.flag("significant", False),
    )
    table.done()
    return entry


def _narratives(top: Table) -> dict[str, tuple[Entry, ...]]:
    narratives = top.table("narratives", required=False)
    found = {agency: tuple(_entry(t) for t in narratives.tables(agency)) for agency in narratives.values}
    narratives.done()
    return found


def _entry_refs(table: Table, narratives: Mapping[str, Sequence[Entry]]) -> tuple[tuple[str, int], ...]:
    refs = []
    for index, ref in enumerate(table.array("entries")):
        where = f"entries[{index}]"
        if not (isinstance(ref, list) and len(ref) == 2 and isinstance(ref[0], str) and type(ref[1]) is int):
            raise table.error(where, "expected [agency, index of the entry in its narrative]")
        agency, number = ref
        if not 0 <= number < len(narratives.get(agency, ())):
            raise table.error(where, f"{agency}'s narrative has no entry {number} (they count from 0)")
        refs.append((agency, number))
    return tuple(refs)


def _factor(table: Table) -> FactorSpec:
    factor = FactorSpec(
        level=table.text("level"),
        category=table.text("category"),
        description=table.text("description"),
        evidence=table.text("evidence", ""),
    )
    table.done()
    return factor


def _episode(table: Table, narratives: Mapping[str, Sequence[Entry]]) -> EpisodeSpec:
    episode = EpisodeSpec(
        title=table.text("title"),
        valence=table.text("valence"),
        agencies=table.texts("agencies", required=True),
        period=table.period("period"),
        what_happened=table.text("what_happened"),
        view_from_tunnel=table.text("view_from_tunnel"),
        appraisal=table.text("appraisal"),
        appraisal_reference=table.text("appraisal_reference"),
        explanation=table.text("explanation"),
        factors=tuple(_factor(t) for t in table.tables("factors")),
        entries=_entry_refs(table, narratives),
    )
    table.done()
    return episode


def _index(table: Table, key: str, value: object, count: int, what: str) -> int:
    if type(value) is not int or not 0 <= value < count:
        raise table.error(key, f"{value!r} is not the index of one of the {count} {what} (from 0)")
    return value


def _good_practice(table: Table, episodes: int) -> GoodPracticeSpec:
    episode = table.optional_number("episode")
    spec = GoodPracticeSpec(
        what_went_well=table.text("what_went_well"),
        what_enabled_it=table.text("what_enabled_it"),
        agencies=table.texts("agencies", required=True),
        episode=None if episode is None else _index(table, "episode", episode, episodes, "episodes"),
    )
    table.done()
    return spec


def _optional_days(table: Table, key: str) -> int | None:
    return table.days_ago(key) if key in table.values else None


def _contact(table: Table) -> tuple[int, str, str]:
    contact = (table.days_ago("on"), table.text("means"), table.text("note", ""))
    table.done()
    return contact


def _family(table: Table) -> FamilySpec:
    spec = FamilySpec(
        pseudonym=table.text("pseudonym"),
        relationship=table.text("relationship"),
        wishes=table.text("wishes"),
        invited=_optional_days(table, "invited"),
        views=table.text("views", ""),
        contacts=tuple(_contact(t) for t in table.tables("contacts")),
        draft_shared=_optional_days(table, "draft_shared"),
    )
    table.done()
    return spec


def _quality(top: Table) -> dict[str, MarkerSpec]:
    quality = top.table("quality", required=False)
    found = {}
    for key in quality.values:
        marker = quality.table(key)
        found[key] = MarkerSpec(rating=marker.text("rating"), comment=marker.text("comment", ""))
        marker.done()
    quality.done()
    return found


def _evidence(table: Table) -> tuple[str, str, str]:
    evidence = (table.text("kind"), table.text("summary"), table.text("reference"))
    table.done()
    return evidence


def _finding(table: Table, episodes: int) -> FindingSpec:
    finding = FindingSpec(
        title=table.text("title"),
        category=table.text("category"),
        statement=table.text("statement"),
        context=table.text("context"),
        how_it_showed=table.text("how_it_showed"),
        why_it_matters=table.text("why_it_matters"),
        themes=table.texts("themes"),
        episodes=tuple(
            _index(table, f"episodes[{i}]", e, episodes, "episodes")
            for i, e in enumerate(table.array("episodes"))
        ),
        evidence=tuple(_evidence(t) for t in table.tables("evidence")),
        questions=table.texts("questions"),
        response=table.text("response", ""),
    )
    table.done()
    return finding


def _identity(table: Table) -> Identity:
    identity = Identity(
        kind=table.text("kind"),
        value=table.text("value"),
        pseudonym=table.text("pseudonym"),
        variants=table.texts("variants"),
        note=table.text("note", ""),
    )
    table.done()
    return identity


def _action(table: Table, findings: int) -> ActionSpec:
    action = ActionSpec(
        title=table.text("title"),
        owner_agency=table.text("owner_agency"),
        due_in_days=table.number("due_in_days"),
        status=table.text("status"),
        evidence_of_impact=table.text("evidence_of_impact", ""),
        finding=_index(table, "finding", table.number("finding"), findings, "findings"),
    )
    table.done()
    return action


def _briefing(top: Table, reference: Reference) -> BriefingData:
    name = top.text("briefing")
    if name not in reference.cases:
        raise top.error(
            "briefing", f"{name!r} is not one of the reference's cases ({', '.join(reference.cases)})"
        )
    return reference.cases[name]


def read_review(path: Path, reference: Reference) -> ReviewSpec:
    """One demo review from its data file; `DemoDataError` names the file, the key and what is wrong."""
    top = read_file(path)
    narratives = _narratives(top)
    episodes = tuple(_episode(t, narratives) for t in top.tables("episodes"))
    findings = tuple(_finding(t, len(episodes)) for t in top.tables("findings"))
    spec = ReviewSpec(
        pseudonym=top.text("pseudonym"),
        target=top.choice("target", TARGETS),
        incident_outcome=top.text("incident_outcome"),
        abuse_or_neglect=top.text("abuse_or_neglect"),
        awareness_days_ago=top.number("awareness_days_ago"),
        incident_summary=top.text("incident_summary"),
        agencies=top.texts("agencies", required=True),
        research_questions=top.texts("research_questions", required=True),
        period=top.period("period"),
        criteria=top.strings("criteria", required=True),
        decision=top.text("decision"),
        case_group_agency=top.text("case_group_agency"),
        narratives=narratives,
        episodes=episodes,
        good_practice=tuple(_good_practice(t, len(episodes)) for t in top.tables("good_practice")),
        panel_appraisals=top.strings("panel_appraisals"),
        findings=findings,
        register=tuple(_identity(t) for t in top.tables("register")),
        briefing=_briefing(top, reference),
        case_summary=top.text("case_summary"),
        methodology_note=top.text("methodology_note", ""),
        board_response=top.text("board_response", ""),
        actions=tuple(_action(t, len(findings)) for t in top.tables("actions")),
        conversation=top.strings("conversation"),
        submit_panel=top.flag("submit_panel", True),
        seal_after_signoff=top.flag("seal_after_signoff", False),
        independence=top.text("independence", ""),
        family=tuple(_family(t) for t in top.tables("family")),
        quality=_quality(top),
    )
    top.done()
    return spec


def read_referral(path: Path) -> ReferralSpec:
    """A review that is only referred (Daisy) from its data file."""
    top = read_file(path)
    spec = ReferralSpec(
        pseudonym=top.text("pseudonym"),
        incident_outcome=top.text("incident_outcome"),
        abuse_or_neglect=top.text("abuse_or_neglect"),
        awareness_days_ago=top.number("awareness_days_ago"),
        incident_summary=top.text("incident_summary"),
        agencies=top.texts("agencies", required=True),
    )
    top.choice("target", {"referred": State.REFERRED})
    top.done()
    return spec


DEMO_REVIEWS: tuple[ReviewSpec, ...] = tuple(
    read_review(DATA / f"{name}.toml", REFERENCE) for name in ("alice", "andrew", "benjamin")
)
DEMO_REFERRAL = read_referral(DATA / "daisy.toml")
DEMO_PARTNERSHIP = REFERENCE.partnership

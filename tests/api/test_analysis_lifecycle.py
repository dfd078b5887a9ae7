"""A review from referral to the chair's sign-off through the API alone, with real analysis data:
narratives per agency (one imported from CSV), a conversation, episodes, factors, panel analyses,
good practice, a finding with evidence and questions for the board. Each analysis guard
(`begin_analysis`, `draft_findings`, `submit_for_signoff`) is first refused over HTTP with its precise
reasons while its facts are missing, and a blocking quality warning stops sign-off until the text is
fixed (acknowledging it is refused)."""

from __future__ import annotations

from typing import Any

from findings.analysis.quality import ONLY_FIXED
from tests.api.test_lifecycle import PASSWORD, Person

NARRATIVE_CSV = (
    "date,time,what_happened,source_record,agencies_aware,significant\n"
    "2026-03-04,09:30,Alice was not brought to a dental appointment (third time),Custody log 12,,yes\n"
    "2026-04-10,,Domestic incident at the home; no children's referral made,Incident 2026/118,Health,yes\n"
)

STAFF = {
    "coordinator": ("cara@partnership.example.org", "Cara Coordinator", "coordinator"),
    "chair": ("charles@partnership.example.org", "Charles Chair", "chair"),
    "lead": ("lena@reviewers.example.org", "Lena Lead", "member"),
    "police": ("pat@police.example.org", "Pat Police", "member"),
    "health": ("hari@health.example.org", "Hari Health", "member"),
    "practitioner": ("polly@health.example.org", "Polly Practitioner", "member"),
}


def _reasons(person: Person, url: str, trigger: str) -> list[str]:
    options = {o["trigger"]: o for o in person.get(f"{url}/triggers").json()["items"]}
    return options[trigger]["reasons"]


def _fire(person: Person, url: str, trigger: str, expect: int, **kwargs: Any) -> Any:
    etag = person.get(url).headers["ETag"]
    return person.change("POST", f"{url}/triggers/{trigger}", etag, expect, **kwargs)


def _setup_to_data_gathering(
    client: Any, people: Any, api_services: Any
) -> tuple[dict[str, Person], str, dict]:
    admin = api_services.auth.issue(people.user("admin", "Ada Admin")).token
    for email, name, role in STAFF.values():
        created = client.post(
            "/api/v1/users",
            json={"email": email, "name": name, "role": role, "password": PASSWORD},
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert created.status_code == 201, created.text
    p = {key: Person(client, email) for key, (email, _, _) in STAFF.items()}
    coordinator = p["coordinator"]
    created = coordinator.change(
        "POST",
        "/api/v1/reviews",
        None,
        201,
        json={
            "child_pseudonym": "Alice",
            "incident": {
                "outcome": "serious_harm",
                "abuse_or_neglect": "suspected",
                "date_of_awareness": "2026-11-16",
                "summary": "Alice, aged four, was admitted to hospital with severe dental decay.",
            },
            "agencies_involved": ["Police", "Health"],
        },
    )
    url = created.headers["Location"]
    etag = created.headers["ETag"]

    def member(email: str, role: str, agency: str | None = None) -> None:
        nonlocal etag
        body = {"email": email, "role": role} | ({"agency": agency} if agency else {})
        etag = coordinator.change("POST", f"{url}/members", etag, 201, json=body).headers["ETag"]

    member(STAFF["chair"][0], "chair")
    etag = coordinator.change("POST", f"{url}/triggers/open_screening", etag, 200).headers["ETag"]
    answers = {
        "abuse_death_or_serious_harm": "yes",
        "harmed_outside_england": "no",
        "looked_after_child_died": "no",
        "care_leaver_died": "no",
        "improvements_needed": "yes",
        "recurrent_themes": "no",
        "multi_agency_concerns": "yes",
        "national_panel_advised": "no",
        "single_agency_concerns": "no",
        "no_agency_involvement": "no",
        "multiple_areas": "no",
        "institutional_setting": "no",
    }
    etag = coordinator.change("PUT", f"{url}/criteria", etag, 200, json={"answers": answers}).headers["ETag"]
    # The rapid review goes to the national panel, which responds; the chair, as the lead safeguarding
    # partner, records the partners' decision.
    rapid = {
        "facts": "Alice, aged four, has severe dental decay; appointments were missed.",
        "immediate_action": "A strategy discussion; Alice's dental treatment arranged.",
        "agencies_involvement": "Police and health knew the family.",
        "learning": "How agencies notice a child who is not brought.",
        "lcspr_criteria_met": "yes",
        "national_review": "no",
    }
    etag = coordinator.change("PATCH", f"{url}/rapid-review", etag, 200, json=rapid).headers["ETag"]
    sent = {"on": "2026-11-20"}
    etag = coordinator.change("POST", f"{url}/rapid-review/sent", etag, 200, json=sent).headers["ETag"]
    response = {"response": "agrees", "on": "2026-11-24"}
    etag = coordinator.change("PUT", f"{url}/rapid-review/panel-response", etag, 200, json=response).headers[
        "ETag"
    ]
    member(STAFF["chair"][0], "safeguarding_partner", "Local authority (lead partner)")
    decision = {"route": "statutory", "rationale": "Criteria (a) and (c) are met."}
    etag = p["chair"].change("POST", f"{url}/triggers/decide", etag, 200, json=decision).headers["ETag"]
    member(STAFF["lead"][0], "lead_reviewer")
    scope = {
        "research_questions": ["How do agencies recognise a child who is not brought to appointments?"],
        "agencies_in_scope": ["Police", "Health"],
        "period_start": "2025-06-01",
        "period_end": "2026-11-16",
    }
    etag = coordinator.change("PUT", f"{url}/scope", etag, 200, json=scope).headers["ETag"]
    etag = coordinator.change("POST", f"{url}/triggers/confirm_scope", etag, 200).headers["ETag"]
    member(STAFF["police"][0], "panel_member", "Police")
    member(STAFF["health"][0], "panel_member", "Health")
    member(STAFF["practitioner"][0], "case_group", "Health")
    convened = coordinator.change("POST", f"{url}/triggers/convene", etag, 200)
    assert convened.json()["state"] == "data_gathering"
    members = {m["email"]: m for m in coordinator.get(f"{url}/members").json()["items"]}
    return p, url, members


def test_a_review_from_referral_to_sign_off_through_the_api_alone(client, people, api_services):
    p, url, members = _setup_to_data_gathering(client, people, api_services)
    coordinator, chair, lead = p["coordinator"], p["chair"], p["lead"]
    police, health, practitioner = p["police"], p["health"], p["practitioner"]

    # ---- gathering accounts: begin_analysis waits for every agency's narrative --------------------
    missing = [
        "Police has not submitted its narrative and has no exemption.",
        "Health has not submitted its narrative and has no exemption.",
    ]
    assert _reasons(coordinator, url, "begin_analysis") == missing
    assert _fire(coordinator, url, "begin_analysis", 409).json()["reasons"] == missing

    # Police imports its narrative from CSV; Health types its entries.
    imported = police.change(
        "POST",
        f"{url}/narratives/Police/import",
        None,
        200,
        files={"file": ("police.csv", NARRATIVE_CSV.encode(), "text/csv")},
    ).json()
    assert imported == {"agency": "Police", "imported": 2, "replaced": 0}
    police.change(
        "POST",
        f"{url}/narratives/Health/entries",
        None,
        403,
        json={"occurred_on": "2026-03-01", "what_happened": "x"},
    )
    entry = health.change(
        "POST",
        f"{url}/narratives/Health/entries",
        None,
        201,
        json={
            "occurred_on": "2026-03-04",
            "occurred_at": "10:15",
            "what_happened": "Dental practice recorded a third missed appointment; no follow-up.",
            "source_record": "Dental record 12",
            "aware": {"Police": "2026-04-10"},
            "significant": True,
        },
    )
    entry_id = entry.json()["id"]
    assert entry.headers["Location"] == f"{url}/narrative-entries/{entry_id}"
    assert entry.json()["aware"] == {"Police": "2026-04-10"}
    # A change to an entry needs its ETag.
    health.change("PATCH", f"{url}/narrative-entries/{entry_id}", None, 428, json={"significant": True})
    health.change("PATCH", f"{url}/narrative-entries/{entry_id}", '"99"', 412, json={"significant": True})
    health.change(
        "PATCH",
        f"{url}/narrative-entries/{entry_id}",
        entry.headers["ETag"],
        200,
        json={"source_record": "Dental 12"},
    )
    for person, agency in ((police, "Police"), (health, "Health")):
        etag = person.get(f"{url}/narratives/{agency}").headers["ETag"]
        submitted = person.change("POST", f"{url}/narratives/{agency}/submission", etag, 200).json()
        assert submitted["status"] == "submitted"
    # Submitted narratives are read-only.
    health.change(
        "POST",
        f"{url}/narratives/Health/entries",
        None,
        409,
        json={"occurred_on": "2026-03-05", "what_happened": "x"},
    )

    # The views: side by side, merged (both agencies on 4 March), the information-sharing map.
    columns = {c["agency"]: c for c in lead.get(f"{url}/narratives").json()["items"]}
    assert [len(columns["Police"]["entries"]), len(columns["Health"]["entries"])] == [2, 1]
    days = lead.get(f"{url}/narratives/merged").json()
    assert days["items"][0]["on"] == "2026-03-04"
    assert days["items"][0]["several_accounts"] is True
    grid = lead.get(f"{url}/information-sharing").json()
    assert grid["agencies"] == ["Police", "Health"]
    # Police's entry of 4 March at 09:30 was not known to Health; Health's of 10:15 reached Police in April.
    assert [[c["how"] for c in row["cells"]] for row in grid["rows"]] == [
        ["recorded", "not_known"],
        ["later", "recorded"],
        ["recorded", "at_the_time"],
    ]
    assert grid["rows"][0]["not_known_to"] == ["Health"]
    assert grid["rows"][1]["cells"][0]["known_from"] == "2026-04-10"
    practitioner.get(f"{url}/narratives", expect=403)

    assert _reasons(coordinator, url, "begin_analysis") == []
    assert _fire(coordinator, url, "begin_analysis", 200).json()["state"] == "analysis"

    # ---- analysis: draft_findings waits for episodes, factors and every panel analysis ------------
    reasons = _reasons(lead, url, "draft_findings")
    assert reasons == [
        "Record at least one key practice episode.",
        "Panel member Pat Police (Police) has not submitted their analysis and it has not been waived.",
        "Panel member Hari Health (Health) has not submitted their analysis and it has not been waived.",
    ]
    assert _fire(lead, url, "draft_findings", 409).json()["reasons"] == reasons

    practitioner_id = members[STAFF["practitioner"][0]]["user_id"]
    conversation = lead.change(
        "POST",
        f"{url}/conversations",
        None,
        201,
        json={
            "practitioner_id": practitioner_id,
            "held_on": "2026-11-20",
            "overview": "The health visitor saw Alice twice in spring.",
            "mindset": "Front of mind was the new baby's weight.",
        },
    ).json()
    practitioner.change(
        "POST",
        f"{url}/conversations/{conversation['id']}/comments",
        None,
        201,
        json={"text": "That is right."},
    )
    assert practitioner.get(f"{url}/conversations").json()["total"] == 1

    episode = lead.change(
        "POST",
        f"{url}/episodes",
        None,
        201,
        json={
            "title": "Dental appointments missed",
            "valence": "problematic",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "agencies": ["Health", "Police"],
            "what_happened": "Three dental appointments were not attended.",
            "view_from_tunnel": "Each appointment was seen on its own.",
            "appraisal": "Expected practice links severe dental decay with possible neglect.",
            "appraisal_reference": "RCPCH dental neglect guidance 2009",
            "explanation": "Appointment systems record non-attendance without asking who brings the child.",
            "entry_ids": [entry_id],
            "conversation_ids": [conversation["id"]],
        },
    )
    episode_id = episode.json()["id"]
    assert episode.json()["number"] == 1
    name = "Episode 1 'Dental appointments missed'"
    assert f"{name} has no explanation with a contributory factor." in _reasons(lead, url, "draft_findings")

    personal = lead.change(
        "POST",
        f"{url}/factors",
        None,
        201,
        json={
            "level": "frontline",
            "category": "personal",
            "description": "The dental nurse was new in post.",
            "episode_ids": [episode_id],
        },
    ).json()
    assert personal["individual_level"] is True
    assert f"{name} is problematic but explained only by individual-level factors." in _reasons(
        lead, url, "draft_findings"
    )
    episode_warnings = lead.get(f"{url}/episodes/{episode_id}").json()["warnings"]
    assert [w["code"] for w in episode_warnings] == ["individual_only"]
    lead.change(
        "POST",
        f"{url}/factors",
        None,
        201,
        json={
            "level": "frontline",
            "category": "conditions_of_work",
            "description": "Dental practices have no route to share repeated non-attendance.",
            "evidence": "Conversation with the practice manager.",
            "episode_ids": [episode_id],
        },
    )
    assert lead.get(f"{url}/episodes/{episode_id}").json()["warnings"] == []

    # Panel analyses: Police writes and submits; Health's is waived by the coordinator.
    draft = police.change(
        "PUT",
        f"{url}/panel-submissions/mine",
        None,
        201,
        json={
            "appraisal": "The pattern was hard to see from any one agency.",
            "episode_notes": {str(episode_id): "Police knew only of the incident in April."},
            "proposed_factors": [
                {
                    "level": "local_strategic",
                    "category": "partnership_arrangements",
                    "description": "No shared flag.",
                }
            ],
        },
    )
    police.change("POST", f"{url}/panel-submissions/mine/submission", draft.headers["ETag"], 200)
    health_member = members[STAFF["health"][0]]["id"]
    coordinator.change(
        "POST",
        f"{url}/panel-submissions/waivers",
        None,
        200,
        json={"membership_id": health_member, "reason": "Health's panel member joined after the analysis."},
    )
    lead.change(
        "POST", f"{url}/factors/adoptions", None, 201, json={"submission_id": draft.json()["id"], "index": 0}
    )
    health.change(
        "POST",
        f"{url}/good-practice",
        None,
        201,
        json={
            "what_went_well": "The school nurse followed up quickly.",
            "what_enabled_it": "A named contact.",
        },
    )

    assert _reasons(lead, url, "draft_findings") == []
    assert _fire(lead, url, "draft_findings", 200).json()["state"] == "findings"

    # ---- findings: submit_for_signoff waits for complete findings and no blocking warning ---------
    assert _reasons(lead, url, "submit_for_signoff") == ["Write at least one finding."]
    finding = lead.change(
        "POST", f"{url}/findings", None, 201, json={"title": "Missed appointments are seen one at a time"}
    )
    fid, fetag = finding.json()["id"], finding.headers["ETag"]
    title = "Finding 1 'Missed appointments are seen one at a time'"
    reasons = _reasons(lead, url, "submit_for_signoff")
    assert reasons[0] == (
        f"{title} is incomplete: missing a category, a statement of the pattern, the context, how it "
        "showed in this case, evidence that it is not a quirk of this case (with a reference), why it "
        "matters, a question for the board, a theme."
    )
    assert f"{title} is not linked to any key practice episode." in reasons

    patched = lead.change(
        "PATCH",
        f"{url}/findings/{fid}",
        fetag,
        200,
        json={
            "category": "tools",
            "statement": "Appointment systems treat a missed appointment as the family's choice, so a "
            "pattern of a child not being brought is not seen as a possible sign of neglect.",
            "context": "Dental and GP practices each hold part of the picture. Polly raised it once.",
            "how_it_showed": "Three dental appointments were missed over four months.",
            "why_it_matters": "Children who are not brought depend on adults to reach care.",
            "themes": ["was_not_brought", "dental_neglect"],
            "episode_ids": [episode_id],
        },
    )
    fetag = patched.headers["ETag"]
    fetag = lead.change(
        "POST",
        f"{url}/findings/{fid}/evidence",
        fetag,
        200,
        json={
            "kind": "research",
            "summary": "Dental decay is linked with neglect.",
            "reference": "Harris 2009",
        },
    ).headers["ETag"]
    with_question = chair.change(
        "POST",
        f"{url}/findings/{fid}/questions",
        fetag,
        200,
        json={"text": "How will the board know whether appointment systems flag a child who is not brought?"},
    )
    assert [q["number"] for q in with_question.json()["questions"]] == [1]
    practitioner.change(
        "POST", f"{url}/findings/{fid}/comments", None, 201, json={"text": "This rings true."}
    )
    lead.change("PUT", f"{url}/themes", None, 200, json={"themes": ["neglect", "was_not_brought"]})

    # The finding names the practitioner: a blocking warning, beside the finding and on the review.
    named = [w for w in lead.get(f"{url}/findings/{fid}").json()["warnings"] if w["code"] == "person_named"]
    assert len(named) == 1
    assert named[0]["severity"] == "blocking"
    assert named[0]["matched"] == ["Polly"]
    warnings = lead.get(f"{url}/warnings").json()
    assert warnings["blocking"] == 1
    reasons = _reasons(lead, url, "submit_for_signoff")
    assert reasons == [
        f"Fix this blocking warning (it {ONLY_FIXED}): {title}, context: {named[0]['message']}"
    ]
    assert _fire(lead, url, "submit_for_signoff", 409).json()["reasons"] == reasons

    # A blocking warning cannot be acknowledged, only fixed: refused in the same words, nothing kept.
    assert named[0]["acknowledgeable"] is False
    ack_url = f"{url}/warnings/{named[0]['fingerprint']}/acknowledgement"
    coordinator.change("POST", ack_url, None, 403, json={"reason": "x"})
    refused = lead.change("POST", ack_url, None, 422, json={"reason": "Quoted with her consent."}).json()
    assert ONLY_FIXED in refused["errors"]["fingerprint"]
    assert named[0]["suggestion"] in refused["errors"]["fingerprint"]
    assert lead.get(f"{url}/warnings").json()["blocking"] == 1

    # Fixed: the role, not the person. An advisory warning is acknowledged with a reason.
    current = lead.get(f"{url}/findings/{fid}")
    lead.change(
        "PATCH",
        f"{url}/findings/{fid}",
        current.headers["ETag"],
        200,
        json={"context": "Dental and GP practices each hold part of the picture; they failed to share it."},
    )
    [blame] = [w for w in lead.get(f"{url}/warnings").json()["items"] if w["code"] == "blame_language"]
    assert (blame["severity"], blame["state"], blame["acknowledgeable"]) == ("advisory", "open", True)
    acknowledged = lead.change(
        "POST",
        f"{url}/warnings/{blame['fingerprint']}/acknowledgement",
        None,
        200,
        json={"reason": "The practices' own words in the case group, quoted."},
    ).json()
    assert (acknowledged["state"], acknowledged["acknowledged_by"]) == ("acknowledged", "Lena Lead")
    assert acknowledged["acknowledged_at"] is not None
    assert lead.get(f"{url}/warnings").json()["blocking"] == 0
    assert _reasons(lead, url, "submit_for_signoff") == []
    signed = _fire(lead, url, "submit_for_signoff", 200).json()
    assert signed["state"] == "sign_off"

    # The whole journey is in the audit log, and its chain holds.
    log = chair.get(f"{url}/audit?limit=100").json()
    actions = [e["action"] for e in log["items"]]
    for action in (
        "import_narrative",
        "submit_narrative",
        "add_episode",
        "add_factor",
        "submit_panel_analysis",
        "waive_panel_analysis",
        "add_finding",
        "acknowledge_warning",
        "submit_for_signoff",
    ):
        assert action in actions, action
    assert chair.get(f"{url}/audit/verify").json()["intact"] is True

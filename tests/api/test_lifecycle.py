"""A review driven through the API alone, as an admin, a coordinator, a chair and panel members
would drive it, up to where the analysis issue takes over: `begin_analysis` is refused because no
analysis module is connected (the default wiring's `NoAnalysis`)."""

from __future__ import annotations

from typing import Any

PASSWORD = "a long enough password"


class Person:
    """One person's HTTP session: signs in with their password and sends their token."""

    def __init__(self, client: Any, email: str) -> None:
        self.client = client
        response = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    def get(self, path: str, expect: int = 200) -> Any:
        response = self.client.get(path, headers=self.headers)
        assert response.status_code == expect, response.text
        return response

    def change(self, method: str, path: str, etag: str | None, expect: int, **kwargs: Any) -> Any:
        headers = dict(self.headers)
        if etag is not None:
            headers["If-Match"] = etag
        response = self.client.request(method, path, headers=headers, **kwargs)
        assert response.status_code == expect, response.text
        return response


def test_a_review_from_referral_to_data_gathering_through_the_api_alone(client, people, api_services):
    admin = api_services.auth.issue(people.user("admin", "Ada Admin")).token
    staff = {
        "coordinator": ("cara@partnership.example.org", "Cara Coordinator", "coordinator"),
        "chair": ("charles@partnership.example.org", "Charles Chair", "chair"),
        "lead": ("lena@reviewers.example.org", "Lena Lead", "member"),
        "police": ("pat@police.example.org", "Pat Police", "member"),
        "health": ("hari@health.example.org", "Hari Health", "member"),
        "practitioner": ("polly@health.example.org", "Polly Practitioner", "member"),
        "partner": ("priya@council.example.org", "Priya Partner", "member"),
    }
    for email, name, role in staff.values():
        created = client.post(
            "/api/v1/users",
            json={"email": email, "name": name, "role": role, "password": PASSWORD},
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert created.status_code == 201, created.text
    coordinator = Person(client, staff["coordinator"][0])
    chair = Person(client, staff["chair"][0])
    police = Person(client, staff["police"][0])

    # The coordinator logs the referral.
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
                "summary": "Alice, aged two, was admitted to hospital with injuries.",
            },
            "agencies_involved": ["Police", "Health"],
        },
    )
    review = created.json()
    url = created.headers["Location"]
    assert url == f"/api/v1/reviews/{review['id']}"
    assert created.headers["ETag"] == f'"{review["version"]}"'
    assert review["state"] == "referred"
    assert review["regime"]["key"] == "wt2023"
    assert [c["key"] for c in review["clocks"]] == ["notification", "rapid_review"]
    etag = created.headers["ETag"]

    # The chair is not a member yet: to them the review does not exist.
    chair.get(url, expect=404)
    etag = coordinator.change(
        "POST", f"{url}/members", etag, 201, json={"email": staff["chair"][0], "role": "chair"}
    ).headers["ETag"]
    assert chair.get(url).json()["your_roles"] == ["chair"]

    # Referral -> criteria check; the coordinator records the answers and gets a recommendation.
    etag = coordinator.change("POST", f"{url}/triggers/open_screening", etag, 200).headers["ETag"]
    etag = coordinator.change(
        "POST", f"{url}/notices", etag, 200, json={"kind": "notification", "on": "2026-11-18"}
    ).headers["ETag"]
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
    criteria = coordinator.change("PUT", f"{url}/criteria", etag, 200, json={"answers": answers})
    recommendation = criteria.json()["criteria"]["recommendation"]
    assert recommendation["route"] == "statutory"
    assert recommendation["reasons"]
    etag = criteria.headers["ETag"]

    assert criteria.json()["criteria"]["follows"]["rapid_review"] is True
    assert criteria.json()["criteria"]["follows"]["notified"] == ["panel"]

    # Only the safeguarding partners decide (WT2023); the coordinator and the chair are told so.
    etag = coordinator.change(
        "POST",
        f"{url}/members",
        etag,
        201,
        json={"email": staff["partner"][0], "role": "safeguarding_partner", "agency": "Local authority"},
    ).headers["ETag"]
    partner = Person(client, staff["partner"][0])
    options = {o["trigger"]: o for o in coordinator.get(f"{url}/triggers").json()["items"]}
    assert options["decide"]["allowed"] is False
    assert options["decide"]["reasons"] == ["Only the safeguarding partner may do this."]
    chair.change("POST", f"{url}/triggers/decide", etag, 403, json={"route": "statutory", "rationale": "x"})
    # They decide once the national panel has responded to the rapid review, and with a rationale.
    refused = partner.change("POST", f"{url}/triggers/decide", etag, 409, json={"route": "statutory"}).json()
    assert refused["reasons"] == [
        "Record the rationale for the decision.",
        "The national panel's response to the rapid review is not recorded: the safeguarding partners "
        "decide once the rapid review has been sent and the panel has responded.",
    ]
    rapid = {
        "facts": "Alice, aged two, was admitted to hospital with injuries.",
        "immediate_action": "Alice's brother is staying with his grandmother.",
        "agencies_involvement": "Police and health knew the family.",
        "learning": "How injuries to a baby are explained and checked.",
        "lcspr_criteria_met": "yes",
        "national_review": "no",
    }
    etag = coordinator.change("PATCH", f"{url}/rapid-review", etag, 200, json=rapid).headers["ETag"]
    sent = coordinator.change("POST", f"{url}/rapid-review/sent", etag, 200, json={"on": "2026-11-20"})
    etag = sent.headers["ETag"]
    response = {"response": "agrees", "on": "2026-11-24"}
    etag = partner.change("PUT", f"{url}/rapid-review/panel-response", etag, 200, json=response).headers[
        "ETag"
    ]
    decided = partner.change(
        "POST",
        f"{url}/triggers/decide",
        etag,
        200,
        json={"route": "statutory", "rationale": "Criteria (a) and (c) are met."},
    )
    assert decided.json()["state"] == "scoping"
    assert decided.json()["review_type"] == "Local child safeguarding practice review"
    # The coordinator's copy is now stale.
    coordinator.change("POST", f"{url}/triggers/pause", etag, 412, json={"reason": "x"})
    etag = decided.headers["ETag"]

    # Scoping: lead reviewer, terms of reference.
    etag = coordinator.change(
        "POST", f"{url}/members", etag, 201, json={"email": staff["lead"][0], "role": "lead_reviewer"}
    ).headers["ETag"]
    refused = coordinator.change("POST", f"{url}/triggers/confirm_scope", etag, 409).json()
    assert "Add at least one research question to the terms of reference." in refused["reasons"]
    etag = coordinator.change(
        "PUT",
        f"{url}/scope",
        etag,
        200,
        json={
            "research_questions": [
                "How do agencies recognise and respond to injuries in non-mobile infants?"
            ],
            "agencies_in_scope": ["Police", "Health"],
            "period_start": "2025-06-01",
            "period_end": "2026-11-16",
        },
    ).headers["ETag"]
    scoped = coordinator.change("POST", f"{url}/triggers/confirm_scope", etag, 200)
    assert scoped.json()["state"] == "case_group"
    etag = scoped.headers["ETag"]

    # The review team and the case group.
    refused = coordinator.change("POST", f"{url}/triggers/convene", etag, 409).json()
    assert "Police has no panel member and no recorded reason why not." in refused["reasons"]
    for key, role, agency in (
        ("police", "panel_member", "Police"),
        ("health", "panel_member", "Health"),
        ("practitioner", "case_group", "Health"),
    ):
        etag = coordinator.change(
            "POST", f"{url}/members", etag, 201, json={"email": staff[key][0], "role": role, "agency": agency}
        ).headers["ETag"]

    # A panel member sees the review, the team and the log, but cannot move the review on.
    assert police.get(url).json()["your_roles"] == ["panel_member"]
    assert police.get(f"{url}/members").json()["total"] == 7
    options = {o["trigger"]: o for o in police.get(f"{url}/triggers").json()["items"]}
    assert options["convene"]["allowed"] is False
    police.change("POST", f"{url}/triggers/convene", etag, 403)
    police.change("PUT", f"{url}/scope", etag, 403, json={"research_questions": [], "agencies_in_scope": []})

    convened = coordinator.change("POST", f"{url}/triggers/convene", etag, 200)
    assert convened.json()["state"] == "data_gathering"
    etag = convened.headers["ETag"]

    # Here the analysis takes over: no agency has submitted its narrative yet, and the guard says so.
    in_scope = coordinator.get(url).json()["scope"]["agencies_in_scope"]
    missing = [f"{agency} has not submitted its narrative and has no exemption." for agency in in_scope]
    options = {o["trigger"]: o for o in coordinator.get(f"{url}/triggers").json()["items"]}
    assert options["begin_analysis"]["allowed"] is False
    assert options["begin_analysis"]["reasons"] == missing
    refused = coordinator.change("POST", f"{url}/triggers/begin_analysis", etag, 409).json()
    assert refused["type"] == "urn:tunnelview:problem:trigger-refused"
    assert refused["reasons"] == missing
    assert coordinator.get(url).json()["state"] == "data_gathering"

    # Every step is in the audit log, and the chain holds.
    log = police.get(f"{url}/audit?limit=100").json()
    actions = [entry["action"] for entry in log["items"]]
    assert actions[0] == "log_referral"
    for trigger in ("open_screening", "decide", "confirm_scope", "convene"):
        assert actions.count(trigger) == 1
    assert "begin_analysis" not in actions
    assert log["total"] == len(actions)
    assert police.get(f"{url}/audit/verify").json() == {
        "intact": True,
        "entries": len(actions),
        "recorded": len(actions),
        "broken_at": None,
        "problem": None,
        "problems": [],
        "provenance": None,
    }
    # The notification recorded through the API meets its clock.
    clocks = {c["key"]: c for c in chair.get(url).json()["clocks"]}
    assert clocks["notification"]["met_on"] == "2026-11-18"
    me = police.get("/api/v1/me").json()
    assert me["memberships"] == [{"review_id": review["id"], "role": "panel_member", "agency": "Police"}]

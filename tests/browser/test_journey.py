"""One review from referral to publication, entirely through the pages, by the six people who do it: a
coordinator, a chair, a lead reviewer, two panel members and a case group practitioner. The sealed
register is filled in on its page; a finding's warnings are fixed; a real name planted in an agency's
account is found by the warnings and the anonymisation check and corrected where it stands; the chair
approves with the warnings in view; the report is published. Each person sees only what they should; a
refused action shows its reasons; every page passes axe."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import PASSWORD, Accessibility, Person

pytestmark = pytest.mark.browser

POLICE_CSV_ROWS = "date,what_happened\n"
GOOD_CSV = (
    "date,time,what_happened,source_record,agencies_aware,significant\n"
    "2025-03-04,09:30,Alice was not brought to her dental appointment (third time),Dental record 12,,yes\n"
    "2025-03-10,,Health visitor saw Alice at home; routines in place,HV log 4,Police,no\n"
    "2025-03-14,,Amelia seen at the GP surgery with a rash,GP record 3,,no\n"  # her real name: a leak
)
REAL_NAME = "Amelia Brown"
BAD_CSV = "date,what_happened,significant\n2025-13-01,Alice seen at clinic,yes\n2025-03-12,,maybe\n"


def _review_id(person: Person) -> int:
    match = re.search(r"/reviews/(\d+)", person.page.url)
    assert match, person.page.url
    return int(match.group(1))


@pytest.mark.pdf
def test_one_review_from_referral_to_publication(
    cast: dict[str, Person], accessibility: Accessibility, tmp_path
):
    coordinator, chair, lead = cast["coordinator"], cast["chair"], cast["lead"]
    police, health, practitioner = cast["police"], cast["health"], cast["practitioner"]
    admin, outsider = cast["admin"], cast["outsider"]

    # ---- the admin creates the lead reviewer's account -------------------------------------------------
    admin.sign_in().open("/users")
    admin.click("Create the account")  # empty: the error summary links to each field
    assert "There is a problem" in admin.text
    assert admin.page.locator(".govuk-error-summary a[href='#name']").count() == 1
    admin.fill("Full name", "Lena Lead").fill("Email address", lead.email).tick(
        "Member: lead reviewer, panel or case group member, by review"
    )
    admin.fill("First password", PASSWORD).click("Create the account")
    assert "Account created for Lena Lead" in admin.text
    admin.shot("users")

    # ---- the coordinator logs the referral ------------------------------------------------------------
    coordinator.sign_in()
    assert coordinator.heading() == "My reviews"
    coordinator.click("Log a referral", exact=True)
    coordinator.click("Log the referral")  # nothing filled in
    summary = coordinator.page.locator(".govuk-error-summary")
    assert summary.is_visible()
    summary.get_by_role("link", name="Give the child a pseudonym").click()  # the summary links to the field
    assert coordinator.page.evaluate("document.activeElement.id") == "child_pseudonym"
    coordinator.fill("Child's pseudonym", "Alice")
    coordinator.tick("The child was seriously harmed").tick("Suspected")
    coordinator.date("date_of_awareness", date.today() - timedelta(days=3))
    coordinator.fill("Summary of the incident", "Alice was found in a neglected state.")
    coordinator.tick("Police").tick("Health")
    coordinator.click("Log the referral")
    review_id = _review_id(coordinator)
    base = f"/reviews/{review_id}"
    assert coordinator.heading() == "Review of Alice"
    assert "Referral logged" in coordinator.text
    assert "working days left" in coordinator.text or "due today" in coordinator.text  # clocks in words

    coordinator.open(f"{base}/members")
    coordinator.fill("Email address", chair.email).select("Role in this review", "Chair").click(
        "Add the member"
    )
    assert "added as chair" in coordinator.text

    coordinator.open(base).click("Open the criteria check")
    assert "Criteria check" in coordinator.text

    # ---- the criteria check: the recommended route follows the answers as they change ----------------
    coordinator.open(f"{base}/criteria")
    recommendation = coordinator.page.locator("#recommendation")
    assert "not yet known" in recommendation.inner_text()
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
    for key, value in answers.items():
        coordinator.page.locator(f"input[name='{key}'][value='{value}']").check()
    recommendation.get_by_text(
        "Local child safeguarding practice review"
    ).wait_for()  # updated without a reload
    coordinator.checked().shot("criteria-check")
    coordinator.click("Save the criteria check")
    assert "Criteria check saved" in coordinator.text

    assert "A rapid review follows" in coordinator.text

    # ---- the rapid review goes to the national panel, which responds (WT2023) -------------------------
    partner = cast["partner"]
    coordinator.open(f"{base}/members")
    coordinator.fill("Email address", partner.email).select("Role in this review", "Safeguarding partner")
    coordinator.fill("Or another agency", "Local authority").click("Add the member")
    assert "added as" in coordinator.text, coordinator.text
    coordinator.open(f"{base}/notification")  # what the panel's form asks (checked with axe on opening)
    coordinator.tick("1 to 4").tick("Female").fill("The local authority area", "Northshire")
    coordinator.click("Save the notification")
    assert "Notification saved" in coordinator.text and "the child's sex" not in coordinator.text
    coordinator.open(f"{base}/rapid-review")
    coordinator.fill("The facts", "Alice, aged two, was found in a neglected state at home.")
    coordinator.fill("Immediate safeguarding action taken", "Alice is staying with her grandmother.")
    coordinator.fill("The agencies' involvement", "Police and health visiting knew the family.")
    coordinator.fill("Learning identified", "How neglect is noticed between visits.")
    coordinator.page.locator("input[name='lcspr_criteria_met'][value='yes']").check()
    coordinator.page.locator("input[name='national_review'][value='no']").check()
    coordinator.click("Save the rapid review")
    assert "Rapid review saved" in coordinator.text
    coordinator.date("on", date.today()).click("Record the rapid review as sent")
    assert "Sent to the national panel on" in coordinator.text
    coordinator.tick("The panel agrees with the partners' view")
    coordinator.date("on", date.today()).click("Record the panel's response")
    assert "The national panel's response is recorded" in coordinator.text
    coordinator.shot("rapid-review")

    # The coordinator and the chair may not decide the route, and are told why.
    coordinator.open(base)
    refused = coordinator.page.locator(".tv-refused")
    assert "Record the route decision" in refused.inner_text()
    assert "Only the safeguarding partner may do this." in refused.inner_text()

    # ---- a partner decides; a departure without its reason is refused, with the input kept ------------
    partner.sign_in()
    partner.open(base).click("Record the route decision")
    partner.tick("Local learning review")
    partner.fill("Rationale for the decision", "The partnership prefers a learning review here.")
    partner.click("Record the route decision")
    assert "was refused" in partner.text
    assert "departs from the recommended route" in partner.text
    assert partner.page.get_by_label("Rationale for the decision").input_value() == (
        "The partnership prefers a learning review here."
    )
    partner.shot("refused-with-reasons")
    partner.tick("Local child safeguarding practice review")
    partner.fill("Rationale for the decision", "Criteria (a) and (c) of regulation 11 are met.")
    partner.click("Record the route decision")
    assert "Scoping" in partner.page.locator(".tv-stepper__step--current").inner_text()

    # ---- scoping: what is missing is listed, then the coordinator supplies it -----------------------
    coordinator.open(base)
    reasons = coordinator.page.locator(".tv-refused").inner_text()
    assert "Add at least one research question" in reasons and "Appoint at least one lead reviewer" in reasons
    coordinator.open(f"{base}/scope")
    coordinator.fill("Research questions", "How do agencies recognise neglect?\nHow is information shared?")
    coordinator.tick("Police").tick("Health").click("Save the scope")
    assert "Scope saved" in coordinator.text

    # ---- the sealed identity register: what must never be published ----------------------------------
    coordinator.open(base).click("Sealed identity register")
    assert "No identifier is in the register yet." in coordinator.text
    coordinator.tick("The child").fill("Real identifier", REAL_NAME).fill("Replacement words", "Alice")
    coordinator.click("Add to the register")
    assert "Identifier added to the register." in coordinator.text
    assert REAL_NAME in coordinator.page.locator("#register tbody tr").first.inner_text()
    for person, role, agency in (
        (lead, "Lead reviewer", None),
        (police, "Panel member", "Police"),
        (health, "Panel member", "Health"),
        (practitioner, "Case group member", "Health"),
    ):
        coordinator.open(f"{base}/members")
        coordinator.fill("Email address", person.email).select("Role in this review", role)
        if agency:
            coordinator.select("Agency", agency)
        coordinator.click("Add the member")
        assert "added as" in coordinator.text, coordinator.text
    coordinator.open(base)
    assert "two are recommended" in coordinator.text  # a warning, not a refusal
    coordinator.click("Confirm the scope").click("Convene the review team")
    assert "Gathering accounts" in coordinator.page.locator(".tv-stepper__step--current").inner_text()
    coordinator.shot("overview")

    # ---- narratives: one typed in, one uploaded as CSV (with row-level errors first) ----------------
    police.sign_in()
    assert "Review of Alice" in police.text and "Panel member" in police.text
    police.open(f"{base}/narratives/Health")
    assert police.page.get_by_role("button", name="Add the entry").count() == 0  # not their agency
    police.open(f"{base}/narratives").click("Police")
    police.date("occurred_on", date(2025, 3, 4)).fill("Time (optional)", "22:10")
    police.fill("What happened", "Police attended a domestic incident at Alice's home; Alice was present.")
    police.tick("Health").tick("This is a key fact for the information-sharing map")
    police.click("Add the entry")
    assert "Entry added" in police.text
    police.click("Submit Police's narrative")
    assert "narrative is submitted" in police.text

    health.sign_in().open(f"{base}/narratives/Health")
    upload = tmp_path / "health-bad.csv"
    upload.write_text(BAD_CSV, encoding="utf-8")
    health.page.get_by_label("CSV file of entries").set_input_files(str(upload))
    health.click("Upload the file")
    problems = health.page.locator("#problems").inner_text()
    assert "2025-13-01" in problems and "maybe" in problems  # each bad row, by line and column
    health.shot("narrative-upload-errors")
    upload.write_text(GOOD_CSV, encoding="utf-8")
    health.page.get_by_label("CSV file of entries").set_input_files(str(upload))
    health.click("Upload the file")
    assert "3 entries imported" in health.text
    health.click("Submit Health's narrative")

    # The case group never sees the agencies' narratives.
    practitioner.sign_in().open(base)
    assert practitioner.page.get_by_role("link", name="Agency narratives").count() == 0
    practitioner.open(f"{base}/narratives")
    assert practitioner.heading() == "You cannot do this"

    coordinator.open(f"{base}/chronology").click("Merged in date order")
    assert "2 agencies' accounts" in coordinator.text  # the same day in two accounts: both kept
    coordinator.open(f"{base}/chronology")
    assert "Police" in coordinator.text and "Health" in coordinator.text
    coordinator.shot("chronology")
    coordinator.open(f"{base}/chronology?view=sharing")
    coordinator.open(base).click("Begin the analysis")
    assert "Analysis" in coordinator.page.locator(".tv-stepper__step--current").inner_text()

    # ---- analysis: a conversation, an episode, its factor, the panel's analyses, good practice -------
    lead.sign_in().open(f"{base}/conversations")
    lead.select("Practitioner", "Polly Practitioner (Health)")
    lead.fill("Overview of what happened and their part", "Polly visited Alice's family every fortnight.")
    lead.fill("Turning points", "The third missed dental appointment.")
    lead.click("Record the conversation")
    assert "Conversation recorded" in lead.text

    practitioner.open(f"{base}/conversations")
    assert practitioner.page.get_by_role("link", name="Conversation with Polly Practitioner").count() == 1
    practitioner.click("Conversation with Polly Practitioner")
    practitioner.fill("Your comment", "I would add that the school nurse visited in April.")
    practitioner.click("Add the comment")
    assert "Comment added" in practitioner.text

    lead.open(f"{base}/episodes").click("Add a key practice episode")
    lead.fill("Title", "Dental appointments missed").tick("Problematic practice")
    lead.fill("What happened", "Alice was not brought to three dental appointments.")
    lead.fill("The view from the tunnel", "Each missed appointment was seen alone, by a different service.")
    lead.fill(
        "Appraisal against expected practice", "Missed appointments were not treated as a sign of neglect."
    )
    lead.fill("Expected practice is defined in", "NICE guideline NG76; Working Together 2023, 3.12")
    lead.fill("Explanation", "Caseloads left no time to look across services.")
    lead.click("Save the episode")
    assert "Episode 1 added" in lead.text

    lead.open(f"{base}/factors")
    lead.select("Level and category", "Frontline: Conditions of work")
    lead.fill("Description", "Health visitor caseloads were twice the recommended size.")
    lead.tick("Episode 1: Dental appointments missed").click("Add the factor")
    assert "Factor added" in lead.text

    for panel_member, view in (
        (police, "Police saw only the incident."),
        (health, "Health saw each appointment alone."),
    ):
        panel_member.open(f"{base}/panel")
        panel_member.fill("Your appraisal", view).click("Submit your analysis")
        assert "panel analysis is submitted" in panel_member.text
    police.open(f"{base}/good-practice")
    police.fill("What went well", "The strategy discussion was held within a day.").tick("Police").click(
        "Record it"
    )
    assert "Good practice recorded" in police.text

    lead.open(base).click("Move to drafting findings")
    assert "Findings" in lead.page.locator(".tv-stepper__step--current").inner_text()

    # ---- findings: quality warnings beside the text, evidence, a question, the case group's comment --
    lead.open(f"{base}/findings")
    lead.fill("Title", "Neglect is hard to see across services").select(
        "Category (Learning Together typology)",
        "Longer-term work: multi-agency communication and collaboration in assessment and longer-term work",
    )
    lead.click("Draft the finding")
    finding_url = lead.page.url.split("?")[0].removeprefix(lead.base_url)
    lead.fill("Statement of the pattern", "Professionals failed to see the pattern of missed appointments.")
    live = lead.page.locator("#quality-warnings")
    live.get_by_text("failed to", exact=False).first.wait_for()  # checked as they type, before saving
    lead.shot("finding-editor", at="label[for=statement]")
    lead.fill("Context", "Dental and health services keep separate records.")
    lead.fill("How it showed in this case", "Polly Practitioner saw three missed appointments.")
    lead.fill("Why it matters", "Neglect shows as a pattern, not an incident.")
    lead.tick("Episode 1: Dental appointments missed").tick("Neglect").click("Save the finding")
    assert "Finding saved" in lead.text
    saved = lead.page.locator("#saved-warnings").inner_text()
    assert "names a person ('Polly Practitioner')" in saved  # a member's name: blocking, fixed by rewording
    lead.fill("How it showed in this case", "Three missed appointments were seen by three services.")
    lead.click("Save the finding")
    saved = lead.page.locator("#saved-warnings").inner_text()
    assert "names a person" not in saved
    assert "Blocking" in saved and "no evidence that it is not a quirk" in saved
    assert "cannot be acknowledged, only fixed" in saved  # and no control to acknowledge it
    lead.select("Kind of evidence", "Research").fill(
        "What it shows", "Missed health appointments recur in SCRs."
    )
    lead.fill("Reference", "Brandon et al. 2016, Pathways to harm, p. 58").click("Add the evidence")
    lead.fill(
        "A question for the board", "How does the board know that services see missed appointments together?"
    )
    lead.click("Add the question")
    lead.page.get_by_text("Acknowledge this warning").first.click()
    lead.fill("Why is the wording right as it is?", "The words are the practitioners' own, quoted.")
    lead.click("Acknowledge")
    assert "Warning acknowledged" in lead.text
    lead.shot("finding-acknowledged")

    practitioner.open(finding_url)
    assert practitioner.page.get_by_role("button", name="Save the finding").count() == 0  # reads, comments
    practitioner.fill("Your comment", "This rings true: we never saw the dental letters.").click(
        "Add your comment"
    )
    assert "Comment added" in practitioner.text

    # ---- the planted name stops the submission; the coordinator corrects it where it stands ----------
    lead.open(base)
    refused = lead.page.locator(".tv-refused").inner_text()
    assert "Submit for the chair's sign-off" in refused and "names a person ('Amelia')" in refused
    lead.shot("submission-refused-name")
    coordinator.open(f"{base}/publication").click("Run the anonymisation check")
    hit = coordinator.page.locator("tr.tv-hit", has_text="Amelia")
    assert "narrative entry" in hit.inner_text()
    coordinator.shot("publication-hit", at="#check")
    hit.get_by_role("link", name="Correct it").first.click()
    assert "Amelia" in coordinator.page.locator("#value").input_value()
    coordinator.fill("The words as they should be published", "Alice seen at the GP surgery with a rash")
    coordinator.click("Save and run the check again")
    assert "Passed" in coordinator.text and coordinator.page.locator("tr.tv-hit").count() == 0

    lead.open(base).click("Submit for the chair's sign-off")
    assert "Chair's sign-off" in lead.page.locator(".tv-stepper__step--current").inner_text()

    # ---- sign-off: the chair returns it with comments, then approves it ------------------------------
    chair.sign_in().open("/reviews?mine=yes")
    assert "Review of Alice" in chair.text and "Needs your action" in chair.text
    chair.open(f"{base}/report")
    assert "Neglect is hard to see across services" in chair.text
    with chair.page.expect_download() as download:
        chair.page.get_by_role("link", name="PDF of the review report").click()
    assert download.value.suggested_filename.endswith(".pdf")
    chair.click("go to the sign-off page")
    warnings = chair.page.locator("table.tv-signoff-warnings").inner_text()
    assert "Acknowledged" in warnings and "The words are the practitioners' own, quoted." in warnings
    assert "Passed" in chair.page.locator("#anonymisation ~ p").first.inner_text()
    assert "By approving you accept 1 acknowledged warning" in chair.text
    chair.shot("sign-off")
    chair.click("Return for revision")
    assert "was refused" in chair.text and "comments are required" in chair.text
    chair.fill("What needs revising?", "Please say more about why it matters for babies.")
    chair.click("Return for revision")
    assert "The review is now at the stage 'Findings'" in chair.text

    lead.open(base).click("Submit for the chair's sign-off")
    chair.open(base).click("Approve the report")  # the overview leads to the sign-off page
    assert chair.heading() == "Chair's sign-off"
    chair.click("Approve the report")
    assert "Done: the report is approved" in chair.text and "accepting 1 acknowledged warning" in chair.text
    chair.open(base)
    assert "Approved" in chair.page.locator(".tv-stepper__step--current").inner_text()

    # ---- the audit log verifies; others see only what they should -----------------------------------
    chair.open(f"{base}/audit")
    assert "The chain verifies" in chair.text
    rows = chair.page.locator("table.tv-audit tbody tr")
    assert "Approve the report" in rows.first.inner_text()  # newest first
    chair.shot("audit-log")

    # ---- after approval: the board's response and actions; the publication page ---------------------
    chair.open(f"{base}/board")
    chair.fill(
        "The board's response to finding 1",
        "The board will ask each agency how missed appointments are seen together.",
    )
    chair.click("Save the response")
    assert "The board's response is recorded" in chair.text
    coordinator.open(f"{base}/board")
    coordinator.fill("Action", "Share missed-appointment alerts between dental and health visiting services")
    coordinator.select("Owner agency", "Health").date("due_on", date.today() + timedelta(days=90))
    coordinator.click("Record the action")
    assert "Action recorded" in coordinator.text
    chair.open(f"{base}/publication").click("Run the anonymisation check")
    assert "Passed" in chair.page.locator("#check ~ p").first.inner_text()  # nothing sealed is in the report
    chair.shot("publication")

    # ---- the final report's notice to the national panel, then publication --------------------------
    for kind in ("panel_notice", "secretary_of_state_notice", "ofsted_notice"):
        coordinator.open(base)
        coordinator.page.locator(f"input[name='kind'][value='{kind}']").check()
        coordinator.date("on", date.today() - timedelta(days=14))
        coordinator.click("Record the notice")
    chair.open(f"{base}/publication").click("Run the anonymisation check")
    assert "Possible now" in chair.text
    chair.click("Publish the report")
    chair.page.get_by_role("button", name="Publish the report").click()
    assert "Published" in chair.page.locator(".tv-stepper__step--current").inner_text()
    chair.shot("published")

    admin.open(base)
    assert admin.heading() == "Page not found"  # admins manage accounts, not cases
    outsider.sign_in().open(base)
    assert outsider.heading() == "Page not found"
    outsider.open("/reviews")
    assert "Review of Alice" not in outsider.text
    outsider.open("/published")  # a published review's documents are for everyone signed in
    assert "Alice" in outsider.text and REAL_NAME not in outsider.text
    coordinator.open("/users")
    assert coordinator.heading() == "You cannot do this"
    coordinator.open("/workflow")
    assert "stateDiagram-v2" in coordinator.text
    coordinator.open("/reviews").shot("my-reviews")

    assert accessibility.problems == [], "\n".join(accessibility.problems)
    assert accessibility.pages >= 30  # distinct pages (path and title) checked

"""The chair's sign-off page through the ASGI app: every quality warning with how it stands (blocking
or advisory, open or acknowledged, by whom, when and why), the anonymisation check with links to where
each hit stands, the clocks, each finding with its questions; approving from it names the acknowledged
warnings in the audit row; a change since the page was read makes the approval stale. Blocking warnings
cannot be acknowledged, on the page or over the API, and blocking is said in the same words on every
page, in the API's refusal and in the lifecycle's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import pytest

from api.auth import SESSION_COOKIE, csrf_token
from api.pages.templating import clock_words
from api.wiring import Services
from findings.analysis.findings import AddQuestion, ChangeFinding
from findings.analysis.quality import ONLY_FIXED, Code, QualityWarning
from findings.analysis.warnings import AcknowledgeWarning
from findings.publication.docx import docx_text
from findings.publication.register import AddRegisterEntry
from findings.publication.render import MEDIA_TYPES, Format
from tests.api.conftest import SECRET
from tests.findings_support import Analysis
from tests.support import People
from workflow import audit
from workflow.states import State

CONTEXT = "Dental practices and Oakfield Primary each hold part of the picture; staff failed to join it up."
REMINDER = "Will the board remind staff to check attendance records?"
ACK_REASON = "The practices' own words in the case group, quoted."


@dataclass
class SignOff:
    analysis: Analysis
    finding_id: int

    @property
    def review_id(self) -> int:
        return self.analysis.review_id

    @property
    def url(self) -> str:
        return f"/reviews/{self.review_id}"


def _sign_in(client, services: Services, user_id: int) -> str:
    token = services.auth.issue(user_id, kind="session").token
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token(SECRET, token)


def _warnings(services: Services, s: SignOff) -> list[QualityWarning]:
    return services.warnings.list(review_id=s.review_id, actor=s.analysis.cast.lead).items


def _one(services: Services, s: SignOff, code: Code) -> QualityWarning:
    [warning] = [w for w in _warnings(services, s) if w.code == code]
    return warning


def to_findings(services: Services, people: People, context: str = CONTEXT) -> SignOff:
    """A review at `findings` with one finding whose context has hindsight language (an advisory
    warning, acknowledged with a reason) and a school's real name (in the register: an anonymisation
    hit), and a second question that is a reminder (an advisory warning left open)."""
    analysis = Analysis(services.reviews, people)
    analysis.gathering().narratives().begin_analysis()
    analysis.episode()
    analysis.panel_submissions().draft_findings()
    finding_id = analysis.finding()
    lead, review_id = analysis.cast.lead, analysis.review_id
    finding = services.finding.get(review_id=review_id, actor=lead, finding_id=finding_id)
    finding = services.finding.update(
        review_id=review_id,
        actor=lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=ChangeFinding(context=context),
    ).finding
    services.finding.add_question(
        review_id=review_id,
        actor=lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=AddQuestion(text=REMINDER),
    )
    coordinator = analysis.cast.coordinator
    services.register.add(
        review_id=review_id,
        actor=coordinator,
        expected_version=services.reviews.get(review_id, coordinator).review.version,
        command=AddRegisterEntry(kind="school", value="Oakfield Primary", pseudonym="the primary school"),
    )
    signed = SignOff(analysis, finding_id)
    blame = _one(services, signed, Code.BLAME_LANGUAGE)
    services.warnings.acknowledge(
        review_id=review_id,
        actor=lead,
        fingerprint=blame.fingerprint,
        command=AcknowledgeWarning(reason=ACK_REASON),
    )
    return signed


@pytest.fixture
def at_sign_off(api_services: Services, people: People) -> SignOff:
    signed = to_findings(api_services, people)
    signed.analysis.journey.fire("submit_for_signoff", signed.analysis.cast.lead)
    return signed


def _row(page: str, warning: QualityWarning) -> str:
    match = re.search(rf'<tr[^>]*id="w-{warning.fingerprint[:12]}".*?</tr>', page, re.S)
    assert match, f"no row for {warning.in_words()}"
    return re.sub(r"\s+", " ", match.group(0))


def test_the_chair_sees_every_warning_how_it_stands_the_check_the_clocks_and_each_finding(
    client, api_services, at_sign_off
):
    s = at_sign_off
    _sign_in(client, api_services, s.analysis.cast.chair)
    page = client.get(f"{s.url}/sign-off")
    assert page.status_code == 200
    text = page.text

    blame = _one(api_services, s, Code.BLAME_LANGUAGE)
    reminder = _one(api_services, s, Code.TRAINING_REMINDER)
    acknowledged = _row(text, blame)
    assert 'data-state="acknowledged" data-severity="advisory"' in acknowledged
    assert "Advisory" in acknowledged and "Acknowledged" in acknowledged
    assert (
        "Lena Lead" in acknowledged
        and "The practices&#39; own words in the case group, quoted." in acknowledged
    )
    assert re.search(r"\d+ \w+ 20\d\d at \d\d:\d\d UTC", acknowledged)  # when
    assert f'href="{s.url}/findings/{s.finding_id}"' in acknowledged  # where it stands
    open_row = _row(text, reminder)
    assert 'data-state="open" data-severity="advisory"' in open_row and "Not acknowledged" in open_row
    assert f'href="{s.url}/findings/{s.finding_id}"' in open_row  # a question is written on its finding

    # the anonymisation check ran for the chair (audited) and links the hit to where it stands
    assert "1 hit" in text
    hits = re.search(r'<table class="govuk-table tv-hits" id="signoff-hits">.*?</table>', text, re.S)
    assert hits and f'href="{s.url}/findings/{s.finding_id}#' in hits.group(0)  # at the field
    assert "Use: the primary school" in hits.group(0)
    log = api_services.reviews.audit_log(s.review_id, s.analysis.cast.chair)
    assert log[-1].action == "read_anonymisation_check"

    clocks = api_services.reviews.get(s.review_id, s.analysis.cast.chair).clocks
    assert clocks and all(clock_words(c).replace("'", "&#39;") in text for c in clocks)

    finding = re.search(r'<article class="tv-entry" id="f-\d+">.*?</article>', text, re.S)
    assert finding
    assert "Finding 1: Neglect is hard to see when appointments are missed" in finding.group(0)
    assert "How will the board know whether appointment systems flag a child who is not brought?" in text
    assert REMINDER in finding.group(0)

    # the approval names what it accepts, beside the button
    decision = text[text.index('id="decision"') :]
    assert "By approving you accept 1 acknowledged warning" in decision
    assert ACK_REASON.replace("'", "&#39;") in decision
    assert "1 advisory warning is open" in decision
    assert f'action="{s.url}/sign-off/approve"' in decision


def test_the_overview_and_the_report_send_the_chair_to_the_sign_off_page(client, api_services, at_sign_off):
    s = at_sign_off
    _sign_in(client, api_services, s.analysis.cast.chair)
    overview = client.get(s.url).text
    assert f'href="{s.url}/sign-off#decision"' in overview
    assert f'action="{s.url}/triggers/approve"' not in overview
    assert "Approving accepts 1 acknowledged quality warning" in overview
    report = client.get(f"{s.url}/report").text
    assert f'href="{s.url}/sign-off"' in report and "/triggers/approve" not in report
    moved = client.get(f"{s.url}/triggers/approve", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"{s.url}/sign-off#decision"


def test_the_report_page_offers_each_document_in_word_to_edit(client, api_services, at_sign_off):
    s = at_sign_off
    _sign_in(client, api_services, s.analysis.cast.chair)
    report = client.get(f"{s.url}/report").text
    for kind, name in (("full", "review-report"), ("practitioner", "practitioner-briefing")):
        assert f'href="{s.url}/documents/{kind}?format=docx" download>Word' in report
        word = client.get(f"{s.url}/documents/{kind}?format=docx")
        assert word.status_code == 200 and word.headers["content-type"] == MEDIA_TYPES[Format.DOCX]
        assert word.headers["content-disposition"] == f'attachment; filename="{name}-{s.review_id}.docx"'
        html = client.get(f"{s.url}/documents/{kind}?format=html").text
        headings = [" ".join(unescape(h).split()) for h in re.findall(r"<h[2-4][^>]*>([^<]+)</h[2-4]>", html)]
        assert len(headings) > 3 and [h for h in headings if h not in docx_text(word.content)] == []
    assert client.get(f"{s.url}/documents/full?format=odt").status_code == 404


def test_approving_from_the_page_records_the_acknowledged_warnings(client, api_services, at_sign_off):
    s = at_sign_off
    csrf = _sign_in(client, api_services, s.analysis.cast.chair)
    blame = _one(api_services, s, Code.BLAME_LANGUAGE)
    version = api_services.reviews.get(s.review_id, s.analysis.cast.chair).review.version
    approved = client.post(
        f"{s.url}/sign-off/approve",
        data={"csrf_token": csrf, "version": str(version)},
        follow_redirects=False,
    )
    assert approved.status_code == 303

    with api_services.sessions() as session:
        entry = audit.entries_of(session, s.review_id)[-1]
    assert (entry.action, entry.from_state, entry.to_state) == ("approve", "sign_off", "approved")
    [accepted] = entry.params["acknowledged_warnings"]
    assert accepted["warning"] == blame.in_words()
    assert (accepted["reason"], accepted["by"], accepted["fingerprint"]) == (
        ACK_REASON,
        "Lena Lead",
        blame.fingerprint,
    )
    assert accepted["at"].startswith("20")
    assert api_services.reviews.verify_audit(s.review_id, s.analysis.cast.chair).intact

    after = client.get(f"{s.url}/sign-off").text
    assert "Done: the report is approved" in after
    assert "accepting 1 acknowledged warning" in after and 'id="decision"' not in after
    assert blame.message.replace("'", "&#39;") in client.get(f"{s.url}/audit").text


def test_an_acknowledgement_after_the_page_was_read_makes_the_approval_stale(
    client, api_services, at_sign_off
):
    s = at_sign_off
    csrf = _sign_in(client, api_services, s.analysis.cast.chair)
    read_at = api_services.reviews.get(s.review_id, s.analysis.cast.chair).review.version
    reminder = _one(api_services, s, Code.TRAINING_REMINDER)
    api_services.warnings.acknowledge(  # a lead reviewer, while the chair reads
        review_id=s.review_id,
        actor=s.analysis.cast.lead,
        fingerprint=reminder.fingerprint,
        command=AcknowledgeWarning(reason="The board asked for this wording."),
    )
    stale = client.post(f"{s.url}/sign-off/approve", data={"csrf_token": csrf, "version": str(read_at)})
    assert stale.status_code == 412
    assert "Not approved" in stale.text and "By approving you accept 2 acknowledged warnings" in stale.text
    assert api_services.reviews.get(s.review_id, s.analysis.cast.chair).review.state == State.SIGN_OFF


def test_a_name_added_to_the_register_at_sign_off_blocks_approval_until_the_report_is_revised(
    client, api_services, people
):
    s = to_findings(api_services, people, context=CONTEXT + " Jane Harper saw it once.")
    s.analysis.journey.fire("submit_for_signoff", s.analysis.cast.lead)
    chair = s.analysis.cast.chair
    api_services.register.add(
        review_id=s.review_id,
        actor=chair,
        expected_version=api_services.reviews.get(s.review_id, chair).review.version,
        command=AddRegisterEntry(kind="practitioner", value="Jane Harper", pseudonym="the health visitor"),
    )
    named = _one(api_services, s, Code.PERSON_NAMED)
    csrf = _sign_in(client, api_services, chair)
    page = client.get(f"{s.url}/sign-off").text
    row = _row(page, named)
    assert 'data-state="open" data-severity="blocking"' in row and "Cannot be acknowledged" in row
    assert named.fix_instead().replace("'", "&#39;") in row
    assert f'action="{s.url}/sign-off/approve"' not in page  # no approve button while it stands
    assert named.refusal().replace("'", "&#39;") in page
    assert "Return for revision" in page

    version = api_services.reviews.get(s.review_id, chair).review.version
    refused = client.post(f"{s.url}/sign-off/approve", data={"csrf_token": csrf, "version": str(version)})
    assert refused.status_code == 409
    assert "was refused" in refused.text and ONLY_FIXED in refused.text
    assert api_services.reviews.get(s.review_id, chair).review.state == State.SIGN_OFF


def test_blocking_warnings_cannot_be_acknowledged_from_the_page_and_the_page_offers_no_control(
    client, api_services, people
):
    s = to_findings(api_services, people, context=CONTEXT + " Polly raised it once.")
    named = _one(api_services, s, Code.PERSON_NAMED)
    reminder = _one(api_services, s, Code.TRAINING_REMINDER)
    csrf = _sign_in(client, api_services, s.analysis.cast.lead)
    editor = client.get(f"{s.url}/findings/{s.finding_id}").text
    assert f'value="{named.fingerprint}"' not in editor  # no acknowledge form for the blocking one
    assert f'value="{reminder.fingerprint}"' in editor  # the advisory one has one
    assert named.fix_instead().replace("'", "&#39;") in editor

    refused = client.post(
        f"{s.url}/warnings/acknowledge",
        data={
            "csrf_token": csrf,
            "fingerprint": named.fingerprint,
            "reason": "Quoted with consent.",
            "back": f"{s.url}/findings/{s.finding_id}",
        },
    )
    assert refused.status_code == 200  # back to the finding, with the refusal
    assert f"Not acknowledged: {named.fix_instead()}".replace("'", "&#39;") in refused.text
    assert _one(api_services, s, Code.PERSON_NAMED).state == "open"
    log = api_services.reviews.audit_log(s.review_id, s.analysis.cast.lead)
    assert [e for e in log if e.action == "acknowledge_warning"][-1].params["code"] == "blame_language"


def test_blocking_is_said_in_the_same_words_on_the_pages_in_the_api_and_in_the_lifecycle(
    client, api_services, people
):
    s = to_findings(api_services, people, context=CONTEXT + " Polly raised it once.")
    named = _one(api_services, s, Code.PERSON_NAMED)
    lead = s.analysis.cast.lead
    headers = {"Authorization": f"Bearer {api_services.auth.issue(lead).token}"}
    api = f"/api/v1/reviews/{s.review_id}"

    listed = client.get(f"{api}/warnings", headers=headers).json()
    [out] = [w for w in listed["items"] if w["code"] == "person_named"]
    assert (out["severity"], out["state"], out["blocks"], out["acknowledgeable"]) == (
        "blocking",
        "open",
        True,
        False,
    )
    api_refusal = client.post(
        f"{api}/warnings/{named.fingerprint}/acknowledgement", headers=headers, json={"reason": "Quoted."}
    )
    assert api_refusal.status_code == 422
    assert api_refusal.json()["errors"]["fingerprint"] == named.fix_instead()

    triggers = {o["trigger"]: o for o in client.get(f"{api}/triggers", headers=headers).json()["items"]}
    guard_refusal = named.refusal()
    assert guard_refusal in triggers["submit_for_signoff"]["reasons"]

    _sign_in(client, api_services, lead)
    editor = client.get(f"{s.url}/findings/{s.finding_id}").text
    sign_off = client.get(f"{s.url}/sign-off").text
    for words in (ONLY_FIXED, named.severity_words, named.rule, named.fix_instead()):
        escaped = words.replace("'", "&#39;")
        assert escaped in editor, words
        assert escaped in sign_off, words
    # one phrase in every refusal: the page's and the API's (the same words) and the lifecycle's
    assert ONLY_FIXED in api_refusal.json()["errors"]["fingerprint"] and ONLY_FIXED in guard_refusal
    assert ONLY_FIXED in out_description(client)


def out_description(client) -> str:
    """The API's own description of `acknowledgeable` says it too."""
    schema = client.get("/openapi.json").json()
    return schema["components"]["schemas"]["WarningOut"]["properties"]["acknowledgeable"]["description"]

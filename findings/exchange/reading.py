"""Reading a review export file (`findings.exchange.document`; docs/export.md) with every problem
reported where it stands.

`parse` validates the shape, the types, the references, the codes and the hashes before anything is
written: first the JSON and the schema, then what the schema cannot say (refs resolve and are unique,
codes are known, the history and the frozen documents match their hashes).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable

from pydantic import ValidationError

from findings.analysis import frameworks
from findings.analysis.markers import BY_KEY
from findings.analysis.quality import EVIDENCE_KINDS
from findings.analysis.vocabulary import BUILT_IN_THEMES, FINDING_CATEGORIES
from findings.exchange import statutory
from findings.exchange.document import FORMAT, VERSION, HistoryX, ReviewExport
from workflow import audit, regimes
from workflow.errors import InvalidInput
from workflow.people import normalise_email
from workflow.states import ReviewRole

MARKER_KEYS = tuple(BY_KEY)

# An export nests a handful of levels; far deeper is no export, and would exhaust the JSON decoder's stack.
MAX_DEPTH = 64
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _nested_too_deep(text: str) -> bool:
    """Whether arrays and objects nest more than `MAX_DEPTH` deep (brackets inside strings do not count);
    it stops at the first level too many, so a file of brackets costs no more than a valid export."""
    depth = 0
    for token in _STRUCTURE.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def parse(data: bytes | str) -> ReviewExport:
    """The export document, validated; `InvalidInput` names every problem (field -> what is wrong)."""
    try:
        text = data if isinstance(data, str) else data.decode(json.detect_encoding(data), "surrogatepass")
        if _nested_too_deep(text):
            raise InvalidInput(
                {"file": f"The file nests arrays and objects more than {MAX_DEPTH} deep; no export does."}
            )
        raw = json.loads(text)
    except UnicodeDecodeError:
        raise InvalidInput({"file": "The file is not UTF-8 text."}) from None
    except json.JSONDecodeError as error:
        raise InvalidInput(
            {"file": f"The file is not JSON: {error.msg} at line {error.lineno}, column {error.colno}."}
        ) from None
    if not isinstance(raw, dict):
        raise InvalidInput({"file": "The file must hold one JSON object (a Tunnelview review export)."})
    if raw.get("format") != FORMAT:
        raise InvalidInput({"format": f"This is not a Tunnelview review export (format must be '{FORMAT}')."})
    if raw.get("version") != VERSION:
        raise InvalidInput({"version": f"Only version {VERSION} of the export format can be imported."})
    try:
        document = ReviewExport.model_validate(raw)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors()[:50]:
            where = ".".join(str(part) for part in item["loc"]) or "file"
            errors[where] = f"{errors[where]} {item['msg']}" if where in errors else str(item["msg"])
        raise InvalidInput(errors) from None
    _check(document)
    return document


def _check(doc: ReviewExport) -> None:
    """What the schema cannot say: references resolve, refs are unique, codes are known, hashes hold."""
    errors: dict[str, str] = {}

    def unique(kind: str, refs: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        for i, ref in enumerate(refs):
            if ref in seen:
                errors[f"{kind}.{i}.ref"] = f"The ref '{ref}' is used twice."
            seen.add(ref)
        return seen

    people = unique("people", (p.ref for p in doc.people))
    members = unique("memberships", (x.ref for x in doc.memberships))
    entries = unique("entries", (e.ref for n in doc.narratives for e in n.entries))
    conversations = unique("conversations", (c.ref for c in doc.conversations))
    episodes = unique("episodes", (e.ref for e in doc.episodes))
    findings = unique("findings", (f.ref for f in doc.findings))
    emails = [normalise_email(p.email) for p in doc.people]
    if len(set(emails)) != len(emails):
        errors["people"] = "Two people have the same email address."

    def need(where: str, ref: str | None, known: set[str], what: str) -> None:
        if ref is not None and ref not in known:
            errors[where] = f"'{ref}' is not a {what} of this export."

    for i, ms in enumerate(doc.memberships):
        need(f"memberships.{i}.person", ms.person, people, "person")
    if not any(ms.role == ReviewRole.COORDINATOR for ms in doc.memberships):
        errors["memberships"] = "A review needs at least one coordinator."
    try:
        regime = regimes.get(doc.review.regime, doc.review.regime_version)
    except Exception:
        errors["review.regime"] = f"Unknown regime '{doc.review.regime}' version {doc.review.regime_version}."
        regime = None
    if regime is not None:
        problems = regime.invalid_answers(doc.review.criteria_answers)
        if problems:
            errors["review.criteria_answers"] = " ".join(problems)
    r = doc.review
    errors.update(statutory.problems(r.regime, r.regime_version, doc.panel_notification, doc.rapid_review))
    vocabulary = set(BUILT_IN_THEMES) | {t.key for t in doc.partnership_themes}
    for i, theme in enumerate(doc.review.themes):
        if theme not in vocabulary:
            errors[f"review.themes.{i}"] = f"Unknown theme '{theme}'."
    agencies = [n.agency for n in doc.narratives]
    if len(set(agencies)) != len(agencies):
        errors["narratives"] = "An agency has two narratives."
    for i, n in enumerate(doc.narratives):
        need(f"narratives.{i}.submitted_by", n.submitted_by, people, "person")
    for i, c in enumerate(doc.conversations):
        need(f"conversations.{i}.practitioner", c.practitioner, people, "person")
        need(f"conversations.{i}.author", c.author, people, "person")
        for j, comment in enumerate(c.comments):
            need(f"conversations.{i}.comments.{j}.author", comment.author, people, "person")
    for i, e in enumerate(doc.episodes):
        for j, ref in enumerate(e.entries):
            need(f"episodes.{i}.entries.{j}", ref, entries, "narrative entry")
        for j, ref in enumerate(e.conversations):
            need(f"episodes.{i}.conversations.{j}", ref, conversations, "conversation")
    for i, fx in enumerate(doc.factors):
        for field, message in frameworks.validate(fx.framework, fx.level, fx.category).items():
            errors[f"factors.{i}.{field}"] = message
        need(f"factors.{i}.proposed_by", fx.proposed_by, people, "person")
        for j, ref in enumerate(fx.episodes):
            need(f"factors.{i}.episodes.{j}", ref, episodes, "episode")
    for i, px in enumerate(doc.panel_submissions):
        need(f"panel_submissions.{i}.membership", px.membership, members, "membership")
        need(f"panel_submissions.{i}.author", px.author, people, "person")
        for ref in px.episode_notes:
            need(f"panel_submissions.{i}.episode_notes.{ref}", ref, episodes, "episode")
        for j, pf in enumerate(px.proposed_factors):
            for field, message in frameworks.validate(pf.framework, pf.level, pf.category).items():
                errors[f"panel_submissions.{i}.proposed_factors.{j}.{field}"] = message
            for k, ref in enumerate(pf.episodes):
                need(f"panel_submissions.{i}.proposed_factors.{j}.episodes.{k}", ref, episodes, "episode")
    memberships = [p.membership for p in doc.panel_submissions]
    if len(set(memberships)) != len(memberships):
        errors["panel_submissions"] = "A panel member has two panel analyses."
    for i, g in enumerate(doc.good_practice):
        need(f"good_practice.{i}.episode", g.episode, episodes, "episode")
        need(f"good_practice.{i}.author", g.author, people, "person")
    for i, fm in enumerate(doc.family):
        need(f"family.{i}.recorded_by", fm.recorded_by, people, "person")
        for j, contact in enumerate(fm.contacts):
            need(f"family.{i}.contacts.{j}.recorded_by", contact.recorded_by, people, "person")
    for i, dx in enumerate(doc.independence):
        need(f"independence.{i}.membership", dx.membership, members, "membership")
    declared = [d.membership for d in doc.independence]
    if len(set(declared)) != len(declared):
        errors["independence"] = "A lead reviewer has two declarations of independence."
    for i, qx in enumerate(doc.quality):
        need(f"quality.{i}.assessed_by", qx.assessed_by, people, "person")
        if qx.marker not in MARKER_KEYS:
            errors[f"quality.{i}.marker"] = "Marker must be one of: " + ", ".join(MARKER_KEYS) + "."
    assessed = [q.marker for q in doc.quality]
    if len(set(assessed)) != len(assessed):
        errors["quality"] = "A quality marker is assessed twice."
    for i, fd in enumerate(doc.findings):
        if fd.category is not None and fd.category not in FINDING_CATEGORIES:
            errors[f"findings.{i}.category"] = (
                "Category must be one of: " + ", ".join(FINDING_CATEGORIES) + "."
            )
        for j, theme in enumerate(fd.themes):
            if theme not in vocabulary:
                errors[f"findings.{i}.themes.{j}"] = f"Unknown theme '{theme}'."
        for j, ref in enumerate(fd.episodes):
            need(f"findings.{i}.episodes.{j}", ref, episodes, "episode")
        for j, evidence in enumerate(fd.evidence):
            if evidence.kind not in EVIDENCE_KINDS:
                errors[f"findings.{i}.evidence.{j}.kind"] = (
                    "Kind must be one of: " + ", ".join(EVIDENCE_KINDS) + "."
                )
        for j, comment in enumerate(fd.comments):
            need(f"findings.{i}.comments.{j}.author", comment.author, people, "person")
        if fd.response is not None:
            need(f"findings.{i}.response.recorded_by", fd.response.recorded_by, people, "person")
    for i, a in enumerate(doc.actions):
        need(f"actions.{i}.finding", a.finding, findings, "finding")
    known_refs = {"episode": episodes, "finding": findings, "factor": None, "question": None}
    for i, ack in enumerate(doc.acknowledgements):
        need(f"acknowledgements.{i}.by", ack.by, people, "person")
        if ack.on is None and not ack.fingerprint:
            errors[f"acknowledgements.{i}"] = (
                "Say which warning it acknowledges (`on`) or keep its `fingerprint`."
            )
        if ack.on is not None and known_refs.get(ack.on.kind) is not None:
            need(f"acknowledgements.{i}.on.ref", ack.on.ref, known_refs[ack.on.kind] or set(), ack.on.kind)
    for i, row in enumerate(doc.history):
        need(f"history.{i}.actor", row.actor, people, "person")
    errors.update(_history_problems(doc))
    if doc.publication is not None:
        need("publication.published_by", doc.publication.published_by, people, "person")
        for i, d in enumerate(doc.publication.documents):
            try:
                content = base64.b64decode(d.content, validate=True)
            except (binascii.Error, ValueError):
                errors[f"publication.documents.{i}.content"] = "Not base64."
                continue
            if hashlib.sha256(content).hexdigest() != d.sha256 or len(content) != d.size:
                errors[f"publication.documents.{i}.sha256"] = "The document does not match its hash or size."
        lines = sorted(f"{d.kind}.{d.format} {d.sha256}" for d in doc.publication.documents)
        if hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest() != doc.publication.digest:
            errors["publication.digest"] = "The digest does not match the documents' hashes."
    if errors:
        raise InvalidInput(dict(list(errors.items())[:50]))


def history_hash(source_review_id: int, row: HistoryX, prev_hash: str) -> str:
    """A history row's hash as the exporting system computed it (`workflow.audit.entry_hash`)."""
    return audit.entry_hash(
        review_id=source_review_id,
        seq=row.seq or 0,
        at=row.at.replace(tzinfo=None),
        actor_id=row.actor_id,
        action=row.action,
        from_state=row.from_state,
        to_state=row.to_state,
        reason=row.reason,
        params=json.loads(json.dumps(row.params, default=str)),
        prev_hash=prev_hash,
        via=row.via,
    )


def _history_problems(doc: ReviewExport) -> dict[str, str]:
    """A log that carries the exporting system's hashes must verify against them, row by row: a file
    whose history was edited after it was exported is refused, like a changed frozen document."""
    hashed = [row.hash is not None for row in doc.history]
    if not any(hashed):
        return {}
    if not all(hashed) or any(row.seq is None for row in doc.history):
        return {"history": "Either every row of the history carries its seq and hash, or none does."}
    errors: dict[str, str] = {}
    prev_hash, prev_seq = audit.GENESIS, 0
    for i, row in enumerate(doc.history):
        if row.seq != prev_seq + 1:
            errors[f"history.{i}.seq"] = f"Expected entry #{prev_seq + 1} here, not #{row.seq}."
        elif history_hash(doc.source.review_id, row, prev_hash) != row.hash:
            errors[f"history.{i}.hash"] = (
                "The row does not match its hash: it was changed after it was exported."
            )
        prev_hash, prev_seq = row.hash or "", row.seq or 0
    return errors

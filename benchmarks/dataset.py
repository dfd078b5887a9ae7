"""A national-scale dataset, built fast and faithful to the schema. Not a test.

    .venv/bin/python -m benchmarks.dataset --database-url URL [--reviews 10000] [--register-key KEY]

`--reviews N` reviews across every stage, with 10 findings and 100 narrative entries a review on
average (10,000 reviews: 100,000 findings and 1,000,000 entries), in a migrated database (PostgreSQL:
COPY; SQLite: executemany). The register key is the deployment's (TUNNELVIEW_REGISTER_KEY by default):
the sealed register entries are sealed with it, so a server given the same key opens them.

How it stays faithful: nothing is invented row by row. Templates are built first, through the real
services, in a scratch SQLite file: the demo's reviews (Alice published, Andrew at sign-off, Benjamin
at analysis, Daisy just referred, with their narratives, episodes, factors, findings, board responses,
register entries and frozen documents), reviews driven by `tests.support.Journey` to screening,
scoping, case group and data gathering, and further triggers fired on them (close, approve,
draft_findings, pause) for the other stages. Every row that belongs to a template review is read back
(every table with a `review_id`, and every table whose foreign key points at one of those rows), and
each generated review is a copy of one template with new ids: its foreign keys mapped to the copies,
its people to one team of copied accounts (one team per `REVIEWS_PER_TEAM` reviews, as a partnership
has its own coordinator, chair and panel), the ids named in its audit rows' parameters mapped too.

To reach the averages, a copy gets more narrative entries (as one `import_narrative` audit row per
agency, placed after that agency's own entries, with `submit_narrative` counting them) and more
findings (an `add_finding` row each, after the template's), texts copied from the template's. Every
audit row of a copy is hashed again in its own chain, and the review row's anchor (`audit_count`,
`audit_head`, migration 0009) and `version` match it, so `tunnelview audit verify` passes. Frozen
documents of published copies are the template's (they do not show the extra findings or entries).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parent.parent))

from sqlalchemy import JSON, Column, Connection, Engine, Table, func, or_, select, text

import findings.analysis.models
import findings.exchange.models
import findings.publication.models
from api.wiring import Services, build_services
from findings.learning import counts as trend_counts
from findings.learning import index
from workflow import audit, migrate
from workflow.db import make_engine
from workflow.models import Base
from workflow.settings import Settings, get_settings
from workflow.states import State

MODELS = (findings.analysis.models, findings.exchange.models, findings.publication.models)

FINDINGS_PER_REVIEW = 10
ENTRIES_PER_REVIEW = 100
REVIEWS_PER_TEAM = 20
CHUNK = 500  # reviews generated and written at a time (bounds the memory)

# A national picture: most reviews finished (published, closed), the rest spread over the stages.
STAGE_SHARES: dict[str, int] = {
    State.REFERRED.value: 3,
    State.SCREENING.value: 3,
    State.SCOPING.value: 5,
    State.CASE_GROUP.value: 4,
    State.DATA_GATHERING.value: 8,
    State.PAUSED.value: 2,
    State.ANALYSIS.value: 10,
    State.FINDINGS.value: 8,
    State.SIGN_OFF.value: 5,
    State.APPROVED.value: 4,
    State.PUBLISHED.value: 28,
    State.CLOSED.value: 20,
}

# Per-review tables never copied: accounts and sign-in, the outbox, imports' provenance, and the learning
# repository's index and the trends' counts (rebuilt over the copies at the end).
NOT_COPIED = {
    "search_entries",
    "trend_counts",
    "trend_totals",
    "users",
    "account_audit",
    "account_audit_head",
    "auth_tokens",
    "login_failures",
    "outbox",
    "notification_settings",
    "partnership_themes",
    "imported_provenance",
    "imported_audit_entries",
    "imported_documents",
    "alembic_version",
}

# The ids an audit row's parameters name, and the table they are ids of.
PARAM_IDS = {
    "membership_id": "memberships",
    "entry_id": "narrative_entries",
    "episode_id": "episodes",
    "episode_ids": "episodes",
    "factor_id": "factors",
    "finding_id": "findings",
    "good_practice_id": "good_practice",
    "submission_id": "panel_submissions",
    "conversation_id": "conversations",
    "comment_id": "conversation_comments",
    "action_id": "board_actions",
    "question_id": "board_questions",
    "evidence_id": "finding_evidence",
}
PARAM_USERS = {"user_id", "practitioner_id"}

Row = dict[str, Any]


@dataclass
class Template:
    """One review as the services left it: its row, its audit rows in order, and every row of every
    other table that belongs to it (parents first)."""

    stage: str
    review: Row
    audit: list[Row]
    rows: dict[str, list[Row]]

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED | {"reviews", "audit_entries"}]


def read_template(connection: Connection, review_id: int, stage: str) -> Template:
    reviews = Base.metadata.tables["reviews"]
    entries = Base.metadata.tables["audit_entries"]
    review = dict(connection.execute(select(reviews).where(reviews.c.id == review_id)).one()._mapping)
    trail = [
        dict(r._mapping)
        for r in connection.execute(
            select(entries).where(entries.c.review_id == review_id).order_by(entries.c.seq)
        )
    ]
    rows: dict[str, list[Row]] = {}
    ids: dict[str, set[Any]] = {"reviews": {review_id}}
    for table in _tables():
        conditions = [
            column.in_(ids[fk.column.table.name])
            for column in table.columns
            for fk in column.foreign_keys
            if ids.get(fk.column.table.name)
        ]
        if not conditions:
            continue
        found = [dict(r._mapping) for r in connection.execute(select(table).where(or_(*conditions)))]
        if found:
            rows[table.name] = found
            if "id" in table.c:
                ids[table.name] = {r["id"] for r in found}
    return Template(stage, review, trail, rows)


def build_templates(settings: Settings, scratch: Path) -> tuple[list[Template], list[Row]]:
    """Templates of every stage (STAGE_SHARES) driven through the real services in a scratch SQLite
    file, and every account there (the team copied for each group of reviews)."""
    from api.demo import load_demo
    from tests.support import Journey, People

    url = f"sqlite:///{scratch / 'templates.db'}"
    migrate.upgrade(url)
    services = build_services(settings.model_copy(update={"database_url": url}))
    try:
        load_demo(services)
        people = People(services.sessions)
        for stage in (State.SCREENING, State.SCOPING, State.CASE_GROUP, State.DATA_GATHERING):
            Journey(services.reviews, people).to(stage)
        paused = Journey(services.reviews, people).to(State.DATA_GATHERING)
        templates = _read_all(services)
        _fire_further(services, paused.review_id)
        more = [t for t in _read_all(services) if t.stage not in {x.stage for x in templates}]
        with services.engine.connect() as connection:
            users = [dict(r._mapping) for r in connection.execute(select(Base.metadata.tables["users"]))]
        return templates + more, users
    finally:
        services.engine.dispose()


def _read_all(services: Services) -> list[Template]:
    reviews = Base.metadata.tables["reviews"]
    with services.engine.connect() as connection:
        found = connection.execute(select(reviews.c.id, reviews.c.state).order_by(reviews.c.id)).all()
        seen: dict[str, Template] = {}
        for review_id, stage in found:
            if stage not in seen:
                seen[stage] = read_template(connection, review_id, stage)
        return list(seen.values())


def _fire_further(services: Services, data_gathering_review: int) -> None:
    """The stages the demo and the journeys stop short of: close the published review (Alice),
    approve the one at sign-off (Andrew), draft the findings of the one at analysis (Benjamin), pause
    one at data gathering (each by the member whose trigger it is)."""
    reviews = Base.metadata.tables["reviews"]
    memberships = Base.metadata.tables["memberships"]
    moves = [
        (State.PUBLISHED, "close", "coordinator", {}),
        (State.SIGN_OFF, "approve", "chair", {}),
        (State.ANALYSIS, "draft_findings", "lead_reviewer", {}),
        (None, "pause", "chair", {"reason": "Criminal proceedings."}),
    ]
    for state, trigger, role, params in moves:
        with services.engine.connect() as connection:
            where = reviews.c.state == state.value if state else reviews.c.id == data_gathering_review
            review_id, version = connection.execute(
                select(reviews.c.id, reviews.c.version).where(where).order_by(reviews.c.id).limit(1)
            ).one()
            actor = connection.scalar(
                select(memberships.c.user_id).where(
                    memberships.c.review_id == review_id, memberships.c.role == role
                )
            )
        try:
            if trigger == "draft_findings":
                version = _waive_panel_analyses(services, review_id)
            services.reviews.fire(review_id, trigger, actor, version, **params)
        except Exception as refused:  # a stage the services refuse is left out of the dataset, said
            print(f"template: {trigger} on review {review_id} refused ({refused}); that stage is left out")


def _waive_panel_analyses(services: Services, review_id: int) -> int:
    """The coordinator waives every panel analysis not submitted (as `draft_findings` needs)."""
    from findings.analysis.panel import WaivePanelAnalysis

    memberships = Base.metadata.tables["memberships"]
    submissions = Base.metadata.tables["panel_submissions"]
    with services.engine.connect() as connection:
        coordinator = connection.scalar(
            select(memberships.c.user_id).where(
                memberships.c.review_id == review_id, memberships.c.role == "coordinator"
            )
        )
        submitted = select(submissions.c.membership_id).where(submissions.c.status == "submitted")
        waiting = connection.scalars(
            select(memberships.c.id).where(
                memberships.c.review_id == review_id,
                memberships.c.role == "panel_member",
                memberships.c.id.not_in(submitted),
            )
        ).all()
    for membership_id in waiting:
        command = WaivePanelAnalysis(membership_id=membership_id, reason="Their agency's account suffices.")
        services.panel.waive(review_id=review_id, actor=coordinator, command=command)
    return services.reviews.get(review_id, coordinator).review.version


# ---- copying ---------------------------------------------------------------------------------


@dataclass
class Ids:
    """The next free id of each table, from the target database."""

    next: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, connection: Connection) -> Ids:
        ids = cls()
        for table in [*Base.metadata.sorted_tables]:
            if "id" in table.c and table.name not in {"alembic_version"}:
                ids.next[table.name] = (connection.scalar(select(func.max(table.c.id))) or 0) + 1
        return ids

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class Batch:
    rows: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, row: Row) -> None:
        self.rows[table].append(row)


class Copier:
    """Copies templates into a batch with new ids, people of a team, extra entries and findings."""

    def __init__(
        self, templates: list[Template], users: list[Row], ids: Ids, extra_entries: int, extra_findings: int
    ):
        self.templates, self.users, self.ids = templates, users, ids
        self.extra_entries, self.extra_findings = extra_entries, extra_findings
        self.teams: dict[int, dict[int, int]] = {}

    def team(self, number: int, batch: Batch) -> dict[int, int]:
        """The accounts of team `number` (copies of the scratch accounts), made the first time."""
        if number not in self.teams:
            mapping = {}
            for user in self.users:
                new = self.ids.take("users")
                mapping[user["id"]] = new
                batch.add(
                    "users",
                    user | {"id": new, "email": f"t{number}.{user['email']}", "oidc_subject": None},
                )
            self.teams[number] = mapping
        return self.teams[number]

    def copy(self, template: Template, team: dict[int, int], batch: Batch) -> None:
        review_id = self.ids.take("reviews")
        mapped: dict[tuple[str, Any], Any] = {("reviews", template.review["id"]): review_id}
        for table in _tables():
            for row in template.rows.get(table.name, []):
                batch.add(table.name, self._row(table, row, mapped, team))
        trail = [dict(entry) for entry in template.audit]
        bumps = self._pad(template, review_id, mapped, team, trail, batch)
        self._chain(review_id, trail, mapped, team, batch)
        review = template.review | {
            "id": review_id,
            "version": template.review["version"] + bumps,
            "audit_count": len(trail),
            "audit_head": trail[-1]["hash"] if trail else audit.GENESIS,
        }
        batch.add("reviews", review)

    def _row(self, table: Table, row: Row, mapped: dict[tuple[str, Any], Any], team: dict[int, int]) -> Row:
        copied = dict(row)
        for column in table.columns:
            value = row[column.name]
            if value is None:
                continue
            for fk in column.foreign_keys:
                target = fk.column.table.name
                copied[column.name] = team[value] if target == "users" else mapped[(target, value)]
        if "id" in table.c and len(table.primary_key.columns) == 1:
            copied["id"] = self.ids.take(table.name)
            mapped[(table.name, row["id"])] = copied["id"]
        return copied

    def _pad(
        self,
        template: Template,
        review_id: int,
        mapped: dict[tuple[str, Any], Any],
        team: dict[int, int],
        trail: list[Row],
        batch: Batch,
    ) -> int:
        """The extra entries and findings, and their audit rows in the trail; answers how many
        changes of the review they are (its version goes up by one for each)."""
        bumps = 0
        narratives = [n for n in template.rows.get("agency_narratives", []) if n["exemption"] is None]
        entries = template.rows.get("narrative_entries", [])
        if narratives and entries and self.extra_entries:
            per_narrative = math.ceil(self.extra_entries / len(narratives))
            for narrative in narratives:
                own = [e for e in entries if e["narrative_id"] == narrative["id"]] or entries
                start = max((e["seq"] for e in own if e["narrative_id"] == narrative["id"]), default=0)
                new_narrative = mapped[("agency_narratives", narrative["id"])]
                for i, entry in zip(range(per_narrative), itertools.cycle(own), strict=False):
                    batch.add(
                        "narrative_entries",
                        entry
                        | {
                            "id": self.ids.take("narrative_entries"),
                            "narrative_id": new_narrative,
                            "review_id": review_id,
                            "seq": start + i + 1,
                        },
                    )
                at = _after(trail, lambda e, a=narrative["agency"]: e["params"].get("agency") == a)
                actor = trail[at]["actor_id"] if at < len(trail) else trail[-1]["actor_id"]
                trail.insert(
                    at + 1,
                    _entry(
                        trail[at],
                        "import_narrative",
                        actor,
                        {"agency": narrative["agency"], "entries": per_narrative, "replaced": 0},
                    ),
                )
                for entry in trail:
                    if (
                        entry["action"] == "submit_narrative"
                        and entry["params"].get("agency") == narrative["agency"]
                    ):
                        entry["params"] = entry["params"] | {
                            "entries": entry["params"]["entries"] + per_narrative
                        }
                bumps += 1
            copies = batch.rows["agency_narratives"][-template.count("agency_narratives") :]
            for copy in copies:
                if copy["exemption"] is None:
                    copy["version"] += 1  # the import changed it
        findings_ = template.rows.get("findings", [])
        if findings_ and self.extra_findings:
            last = _after(trail, lambda e: e["action"] == "add_finding")
            number = max(f["number"] for f in findings_)
            for i, finding in zip(range(self.extra_findings), itertools.cycle(findings_), strict=False):
                new_id = self.ids.take("findings")
                number += 1
                batch.add(
                    "findings",
                    finding | {"id": new_id, "review_id": review_id, "number": number},
                )
                row = _entry(
                    trail[last],
                    "add_finding",
                    trail[last]["actor_id"],
                    {"finding_id": new_id, "number": number},
                )
                row["mapped"] = True  # its ids are the copy's already
                trail.insert(last + 1 + i, row)
                bumps += 1
        return bumps

    def _chain(
        self,
        review_id: int,
        trail: list[Row],
        mapped: dict[tuple[str, Any], Any],
        team: dict[int, int],
        batch: Batch,
    ) -> None:
        prev = audit.GENESIS
        for seq, entry in enumerate(trail, start=1):
            params = entry["params"] if entry.pop("mapped", False) else _params(entry, mapped, team)
            fields = dict(
                review_id=review_id,
                seq=seq,
                at=entry["at"],
                actor_id=team[entry["actor_id"]] if entry["actor_id"] is not None else None,
                action=entry["action"],
                from_state=entry["from_state"],
                to_state=entry["to_state"],
                reason=entry["reason"],
                params=params,
                prev_hash=prev,
                via=entry["via"],
            )
            prev = audit.entry_hash(**fields)
            entry.clear()
            entry.update(fields, id=self.ids.take("audit_entries"), hash=prev)
            batch.add("audit_entries", entry)


def _after(trail: list[Row], matches: Callable[[Row], bool]) -> int:
    """The index of the last row that matches (the end of the trail when none does)."""
    found = [i for i, entry in enumerate(trail) if matches(entry)]
    return found[-1] if found else len(trail) - 1


def _entry(beside: Row, action: str, actor: int | None, params: Row) -> Row:
    return dict(
        at=beside["at"],
        actor_id=actor,
        action=action,
        from_state=None,
        to_state=None,
        reason=None,
        params=params,
        via=beside["via"],
        prev_hash="",
        hash="",
    )


def _params(entry: Row, mapped: dict[tuple[str, Any], Any], team: dict[int, int]) -> Row:
    params = dict(entry["params"])
    for key, value in params.items():
        table = (
            "register_entries" if key == "entry_id" and "register" in entry["action"] else PARAM_IDS.get(key)
        )
        if table and isinstance(value, list):
            params[key] = [mapped.get((table, v), v) for v in value]
        elif table:
            params[key] = mapped.get((table, value), value)
        elif key in PARAM_USERS and value in team:
            params[key] = team[value]
    return params


# ---- writing ---------------------------------------------------------------------------------


def write(connection: Connection, batch: Batch) -> None:
    """Every row of the batch, parents first: COPY on PostgreSQL, executemany elsewhere."""
    order = [
        "users",
        "reviews",
        *[
            t.name
            for t in Base.metadata.sorted_tables
            if t.name in batch.rows and t.name not in {"users", "reviews"}
        ],
    ]
    for name in order:
        rows = batch.rows.get(name)
        if not rows:
            continue
        table = Base.metadata.tables[name]
        if connection.dialect.name == "postgresql":
            _copy(connection, table, rows)
        else:
            connection.execute(table.insert(), rows)


def _copy(connection: Connection, table: Table, rows: list[Row]) -> None:
    columns: list[Column[Any]] = list(table.columns)
    names = ", ".join(f'"{c.name}"' for c in columns)
    json_columns = {c.name for c in columns if isinstance(c.type, JSON)}
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row.get(c.name), default=str) if c.name in json_columns else row.get(c.name)
                    for c in columns
                ]
            )


def _reset_sequences(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement and len(table.primary_key.columns) == 1:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table.name}"))'
                )
            )
    connection.execute(text("ANALYZE"))


@dataclass(frozen=True)
class Generated:
    reviews: int
    findings: int
    entries: int
    audit_rows: int
    users: int
    seconds_templates: float
    seconds_rows: float

    def __str__(self) -> str:
        return (
            f"{self.reviews:,} reviews, {self.findings:,} findings, {self.entries:,} narrative entries, "
            f"{self.audit_rows:,} audit rows, {self.users:,} accounts; "
            f"templates {self.seconds_templates:.1f} s, "
            f"rows {self.seconds_rows:.1f} s"
        )


def stages(count: int, templates: list[Template]) -> list[Template]:
    """`count` templates in the shares of STAGE_SHARES (of the stages there are templates of),
    interleaved so any prefix has every stage."""
    by_stage = {t.stage: t for t in templates}
    shares = {stage: share for stage, share in STAGE_SHARES.items() if stage in by_stage}
    total = sum(shares.values())
    chosen: list[Template] = []
    credit = dict.fromkeys(shares, 0.0)
    for _ in range(count):
        for stage in shares:
            credit[stage] += shares[stage] / total
        stage = max(credit, key=lambda s: credit[s])
        credit[stage] -= 1
        chosen.append(by_stage[stage])
    return chosen


def generate(
    engine: Engine, settings: Settings, reviews: int, log: Callable[[str], None] = print
) -> Generated:
    """`reviews` reviews in the (migrated) database of `engine`, sealed with `settings`' register key."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        templates, users = build_templates(settings, Path(scratch))
    built = time.perf_counter()
    plan = stages(reviews, templates)
    with_entries = [t for t in plan if t.count("narrative_entries") and t.count("agency_narratives")]
    with_findings = [t for t in plan if t.count("findings")]
    own_entries = sum(t.count("narrative_entries") for t in plan)
    own_findings = sum(t.count("findings") for t in plan)
    extra_entries = max(0, round((ENTRIES_PER_REVIEW * reviews - own_entries) / max(1, len(with_entries))))
    extra_findings = max(
        0, round((FINDINGS_PER_REVIEW * reviews - own_findings) / max(1, len(with_findings)))
    )
    counts: dict[str, int] = defaultdict(int)
    with engine.begin() as connection:
        ids = Ids.of(connection)
    copier = Copier(templates, users, ids, extra_entries, extra_findings)
    for start in range(0, reviews, CHUNK):
        batch = Batch()
        for i, template in enumerate(plan[start : start + CHUNK], start=start):
            copier.copy(template, copier.team(i // REVIEWS_PER_TEAM, batch), batch)
        with engine.begin() as connection:
            write(connection, batch)
        for name, rows in batch.rows.items():
            counts[name] += len(rows)
        log(f"  {min(start + CHUNK, reviews):,} / {reviews:,} reviews")
    with engine.begin() as connection:
        _reset_sequences(connection)
        log(f"  the learning repository's index: {index.rebuild(connection):,} entries")
        log(f"  the trends' counts: {trend_counts.rebuild(connection):,} rows")
    return Generated(
        counts["reviews"],
        counts["findings"],
        counts["narrative_entries"],
        counts["audit_entries"],
        counts["users"],
        built - started,
        time.perf_counter() - built,
    )


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a database (migrated here if it is not)")
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--register-key", help="seal the register with this key [TUNNELVIEW_REGISTER_KEY]")
    args = parser.parse_args(list(argv) if argv is not None else None)
    settings = get_settings()
    update: dict[str, Any] = {"database_url": args.database_url}
    if args.register_key:
        update["register_key"] = args.register_key
    settings = settings.model_copy(update=update)
    migrate.upgrade(args.database_url)
    engine = make_engine(args.database_url)
    try:
        print(generate(engine, settings, args.reviews))
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()

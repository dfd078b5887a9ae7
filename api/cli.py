"""The `tunnelview` command line. User mistakes print one clear line and exit non-zero."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import cli_documents
from api.cli_common import actor_id as _actor_id
from api.cli_common import fail, read_file, services_for, user_errors
from findings.exchange import provenance
from findings.exchange.provenance import ProvenanceReport
from workflow import accounts, audit, migrate, people
from workflow.machine import mermaid
from workflow.models import Review
from workflow.settings import get_settings

app = typer.Typer(
    help="Tunnelview: systems-approach case reviews.", no_args_is_help=True, pretty_exceptions_enable=False
)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
reviews_app = typer.Typer(help="Reviews.", no_args_is_help=True)
audit_app = typer.Typer(help="Audit logs.", no_args_is_help=True)
workflow_app = typer.Typer(help="The review lifecycle.", no_args_is_help=True)
register_app = typer.Typer(help="The sealed identity register's keys.", no_args_is_help=True)
outbox_app = typer.Typer(help="The outbox of emails (docs/notifications.md).", no_args_is_help=True)
repository_app = typer.Typer(
    help="The learning repository and the reviews published elsewhere (docs/learning-repository.md).",
    no_args_is_help=True,
)
for sub, name in (
    (db_app, "db"),
    (users_app, "users"),
    (reviews_app, "reviews"),
    (audit_app, "audit"),
    (workflow_app, "workflow"),
    (register_app, "register"),
    (outbox_app, "outbox"),
    (repository_app, "repository"),
):
    app.add_typer(sub, name=name)


cli_documents.register(app)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Run the migrations up to REVISION (default: the newest)."""
    with user_errors():
        migrate.upgrade(get_settings().database_url, revision)
    typer.echo(f"Database at {revision}.")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Sign-in email address.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[str, typer.Option(help="admin, coordinator, chair or member.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Create a user account. The password is prompted for (never echoed) or read from stdin."""
    password = _new_password(password_stdin)
    with user_errors():
        user = services_for().accounts.create(None, email=email, name=name, role=role, password=password)
    typer.echo(f"Created user {user.id}: {user.email} ({user.global_role}).")


@users_app.command("reset-password")
def users_reset_password(
    email: Annotated[str, typer.Option(help="The account's sign-in email address.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from stdin.")
    ] = False,
) -> None:
    """Give an account a new password; its tokens and sessions stop working. Audited in the accounts log."""
    password = _new_password(password_stdin)
    with user_errors():
        services = services_for()
        user = services.accounts.reset_password(None, _actor_id(services, email), password=password)
    typer.echo(f"New password set for {user.email}; signed out everywhere.")


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("list")
def users_list() -> None:
    """List user accounts."""
    with user_errors(), services_for().sessions() as session:
        users, total = people.list_users(session, limit=10_000)
        for user in users:
            status = "" if user.active else "  (inactive)"
            typer.echo(f"{user.id:>4}  {user.email:<40} {user.global_role:<12} {user.name}{status}")
        typer.echo(f"{total} user(s).")


@reviews_app.command("list")
def reviews_list(as_email: Annotated[str, typer.Option("--as", help="Act as this user.")]) -> None:
    """List the reviews this user is a member of."""
    with user_errors():
        services = services_for(as_email)
        details, total = services.reviews.list_for(_actor_id(services, as_email), limit=1000)
        for d in details:
            typer.echo(
                f"{d.review.id:>4}  {d.review.state:<15} {d.review.child_pseudonym:<20} "
                f"{d.review_type or 'route not decided'}  (version {d.review.version})"
            )
        typer.echo(f"{total} review(s).")


@reviews_app.command("show")
def reviews_show(
    review_id: int, as_email: Annotated[str, typer.Option("--as", help="Act as this user.")]
) -> None:
    """Show a review: stage, regime, clocks and the actions open to this user."""
    with user_errors():
        services = services_for(as_email)
        actor = _actor_id(services, as_email)
        d = services.reviews.get(review_id, actor)
        r = d.review
        typer.echo(f"Review {r.id}: {r.child_pseudonym}")
        typer.echo(f"  stage:   {r.state}   version: {r.version}")
        typer.echo(f"  regime:  {d.regime.title} (v{d.regime.version})")
        typer.echo(f"  type:    {d.review_type or 'route not decided'}")
        if d.recommendation:
            typer.echo(f"  recommended route: {d.regime.route_name(d.recommendation.route)}")
        if r.publication_hold:
            typer.echo(f"  publication hold: {r.publication_hold_reason}")
        for clock in d.clocks:
            state = (
                "met"
                if clock.met_on
                else ("OVERDUE" if clock.overdue else f"{clock.days_remaining} {clock.days_word} left")
            )
            typer.echo(f"  clock:   {clock.label}: {clock.due:%a %d %b %Y} ({state})")
        for option in services.reviews.allowed_triggers(review_id, actor):
            mark = "can" if option.allowed else "cannot"
            typer.echo(f"  {mark}: {option.trigger.value}")
            for reason in option.reasons:
                typer.echo(f"      - {reason}")


@reviews_app.command("fire")
def reviews_fire(
    review_id: int,
    trigger: str,
    as_email: Annotated[str, typer.Option("--as", help="Act as this user.")],
    param: Annotated[list[str] | None, typer.Option(help="A trigger parameter as key=value.")] = None,
    version: Annotated[int | None, typer.Option(help="Expected version (default: the current one).")] = None,
) -> None:
    """Fire TRIGGER on a review, e.g. decide --param route=statutory --param rationale=..."""
    params: dict[str, str] = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise fail(f"Parameter '{item}' must look like key=value.")
        params[key] = value
    with user_errors():
        services = services_for(as_email)
        actor = _actor_id(services, as_email)
        expected = version if version is not None else services.reviews.get(review_id, actor).review.version
        review = services.reviews.fire(review_id, trigger, actor, expected, **params)
        typer.echo(f"Review {review.id} is now at '{review.state}' (version {review.version}).")


@repository_app.command("import-external")
def repository_import_external(
    file: Annotated[str, typer.Argument(help="The catalogue (CSV), or '-' for stdin.")],
    as_email: Annotated[str, typer.Option("--as", help="Act as this coordinator or chair.")] = "",
) -> None:
    """Import a catalogue of reviews published elsewhere: columns title, partnership, year, themes
    (separated by ';'), learning_summary, link. A file with any bad row is refused with every problem
    and where it stands; nothing is saved. A link already in the catalogue updates that review."""
    from findings.analysis.chronology import CsvImportError

    if not as_email:
        raise fail("Say who is asking: --as EMAIL.")
    data = read_file(file)
    with user_errors():
        services = services_for(as_email)
        try:
            result = services.catalogue.import_csv(actor=_actor_id(services, as_email), data=data)
        except CsvImportError as error:
            typer.echo(f"Error: {file} cannot be imported; nothing was saved:", err=True)
            for where, problem in error.errors.items():
                typer.echo(f"  - {where}: {problem}", err=True)
            raise typer.Exit(code=1) from None
    typer.echo(f"Imported {result.added} new review(s) published elsewhere; {result.updated} updated.")


@repository_app.command("reindex")
def repository_reindex() -> None:
    """Build every entry of the repository's index and the trends' counts anew from the data (they
    are kept in step with every change; this is for a database changed past the application)."""
    from findings.learning import counts
    from findings.learning.index import rebuild

    with user_errors():
        services = services_for()
        with services.engine.begin() as connection:
            count = rebuild(connection)
            counts.rebuild(connection)
    typer.echo(f"The repository holds {count} entries.")


@audit_app.command("verify")
def audit_verify(review_id: int) -> None:
    """Check the hash chain of a review's audit log, and its anchor on the review: 'intact', or every
    problem (an entry changed, entries missing, after which entry and how many). For an imported
    review, its provenance too: the log and documents its file carried, against their own hashes."""
    with user_errors(), services_for().sessions() as session:
        reports: list[audit.ChainReport | ProvenanceReport] = [audit.verify(session, review_id)]
        kept = provenance.verify(session, review_id)
        if kept is not None:
            reports.append(kept)
    _report_chain(*reports)


@audit_app.command("verify-accounts")
def audit_verify_accounts() -> None:
    """Check the hash chain of the accounts log and its anchor: 'intact', or every problem."""
    with user_errors(), services_for().sessions() as session:
        _report_chain(accounts.verify(session))


@audit_app.command("verify-all")
def audit_verify_all() -> None:
    """Check the hash chain of every review's audit log and of the accounts log (after a restore)."""
    with user_errors(), services_for().sessions() as session:
        _report_all_chains(session)


def _report_all_chains(session: Session) -> None:
    review_ids = list(session.scalars(select(Review.id).order_by(Review.id)))
    reports = [(f"Review {i}'s audit log", audit.verify(session, i)) for i in review_ids]
    reports.append(("The accounts log", accounts.verify(session)))
    broken = [f"{name}: {report}" for name, report in reports if not report.intact]
    for problem in broken:
        typer.echo(problem, err=True)
    if broken:
        raise typer.Exit(code=1)
    typer.echo(f"Audit logs: all {len(review_ids)} reviews' chains intact; the accounts log intact.")


def _report_chain(*reports: audit.ChainReport | ProvenanceReport) -> None:
    for report in reports:
        typer.echo(str(report), err=not report.intact)
    if not all(report.intact for report in reports):
        raise typer.Exit(code=1)


@register_app.command("new-key")
def register_new_key() -> None:
    """Print a new register key (a Fernet key) to put first in TUNNELVIEW_REGISTER_KEY."""
    from cryptography.fernet import Fernet

    typer.echo(Fernet.generate_key().decode("ascii"))


@register_app.command("rotate-key")
def register_rotate_key() -> None:
    """Re-seal every register entry with the first (newest) key in TUNNELVIEW_REGISTER_KEY, in one
    transaction. Afterwards the older keys can be removed (docs/deployment.md)."""
    from findings.publication.register import register_cipher, rotate_keys

    settings = get_settings()
    with user_errors():
        cipher = register_cipher(settings)
        with services_for().sessions() as session:
            count = rotate_keys(session, cipher)
            session.commit()
    typer.echo(f"Re-sealed {count} register entries with the first key in TUNNELVIEW_REGISTER_KEY.")
    if len(settings.register_keys()) > 1:
        typer.echo(
            "Every entry now opens with that key alone: remove the older keys from "
            "TUNNELVIEW_REGISTER_KEY and restart every worker."
        )


@register_app.command("check")
def register_check() -> None:
    """Open every register entry with the configured keys: all of them, or the ones that do not open."""
    with user_errors(), services_for().sessions() as session:
        _report_register(session)


def _report_register(session: Session) -> None:
    from findings.publication.register import register_cipher, unreadable_entries

    total, unreadable = unreadable_entries(session, register_cipher(get_settings()))
    if unreadable:
        typer.echo(
            f"{len(unreadable)} of {total} register entries open with no configured key (ids "
            f"{', '.join(map(str, unreadable))}): put the key that sealed them back in "
            "TUNNELVIEW_REGISTER_KEY.",
            err=True,
        )
        raise typer.Exit(code=1)
    typer.echo(f"Register: all {total} entries open with the configured keys.")


@app.command("backup")
def backup(
    output: Annotated[str, typer.Argument(help="The file to write (gzipped JSON lines).")],
) -> None:
    """Write the whole database to one file, from one consistent snapshot (the server can keep
    running). The register keys are not in it: keep them safe, apart from it."""
    from workflow.backup import write_backup

    with user_errors():
        engine = services_for().engine
        try:  # readable by its owner alone: it holds every review's text
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise fail(f"{output} already exists; choose a new file name.") from None
        except OSError as error:
            raise fail(f"Cannot write {output}: {error.strerror}.") from None
        try:
            with os.fdopen(descriptor, "wb") as out:
                summary = write_backup(engine, out)
        except BaseException:
            os.unlink(output)  # never leave half a backup that looks like one
            raise
    typer.echo(
        f"Backed up {summary.total} rows of {len(summary.rows)} tables (revision "
        f"{', '.join(summary.revision)}) to {output}. The sealed register is in it, sealed; its keys "
        "are not: keep TUNNELVIEW_REGISTER_KEY with the backup's secrets, never beside the file."
    )


@app.command("restore")
def restore(
    backup_file: Annotated[str, typer.Argument(help="A file written by `tunnelview backup`.")],
) -> None:
    """Restore a backup into the new, empty database at TUNNELVIEW_DATABASE_URL (migrated to the
    backup's revision first), in one transaction; then verify every audit chain and open every register
    entry with the configured keys."""
    from workflow.backup import restore_backup

    url = get_settings().database_url
    with user_errors():
        try:
            with open(backup_file, "rb") as source:
                summary = restore_backup(url, source)
        except OSError as error:
            raise fail(f"Cannot read {backup_file}: {error.strerror}.") from None
    revision = ", ".join(summary.revision)
    typer.echo(f"Restored {summary.total} rows of {len(summary.rows)} tables (revision {revision}).")
    if set(summary.revision) != migrate.heads():
        typer.echo(
            "The backup is from an older version: run `tunnelview db upgrade`, then "
            "`tunnelview audit verify-all` and `tunnelview register check`."
        )
        return
    with user_errors(), services_for().sessions() as session:
        _report_all_chains(session)
        _report_register(session)


@workflow_app.command("diagram")
def workflow_diagram() -> None:
    """Print the Mermaid state diagram, generated from the transition table."""
    typer.echo(mermaid(), nl=False)


@app.command("remind")
def remind() -> None:
    """Queue today's reminders: statutory deadlines due within 5 working days or overdue, and the
    board's overdue actions. Run it daily from cron (or let the server's loop do it); running it
    again queues nothing new."""
    with user_errors():
        queued = services_for().reminders.run()
    typer.echo(f"{queued} reminder(s) queued.")


@outbox_app.command("send")
def outbox_send() -> None:
    """Send what is due in the outbox now (the daily digests of the days that are over included);
    failures are retried later with backoff. Safe beside other senders: no message goes twice."""
    with user_errors():
        report = services_for().outbox().run()
    typer.echo(f"Outbox: {report}.")
    if report.failed or report.stuck:
        raise typer.Exit(code=1)


@app.command("demo")
def demo(
    serve_too: Annotated[bool, typer.Option("--serve", help="Serve the app afterwards.")] = False,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Load the demo reviews (idempotent) and print the demo logins."""
    from api.demo import DEMO_PASSWORD, load_demo

    with user_errors():
        migrate.upgrade(get_settings().database_url)
        logins = load_demo(services_for())
    typer.echo("Demo logins (password for all: " + DEMO_PASSWORD + "):")
    for email, role in logins:
        typer.echo(f"  {email:<36} {role}")
    if serve_too:
        serve(host=host, port=port)


# How long uvicorn's supervisor waits for a worker to answer its ping before it kills and replaces
# it. Its default, 5 s, is shorter than a worker takes to import the application on a busy host (and
# than a ping can wait behind a worker's request threads under load), so workers were killed in a loop.
WORKER_HEALTHCHECK_SECONDS = 30


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Listen on this address [TUNNELVIEW_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Listen on this port [TUNNELVIEW_PORT].")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes [TUNNELVIEW_WORKERS].")] = None,
) -> None:
    """Serve the web application and the API with uvicorn, in one or more worker processes."""
    from api import server
    from api.logs import log_config

    settings = get_settings()
    with user_errors():
        settings.check_safe_to_serve()  # refuse here, once, rather than in every worker
    host = host or settings.host
    port = port or settings.port
    typer.echo(f"Tunnelview on http://{host}:{port} ({workers or settings.workers} worker(s))")
    # glibc gives each thread that allocates its own malloc arena (up to 8 a core), and each keeps
    # what it freed: two arenas hold a worker's memory some 20 MB lower under load (docs/deployment.md).
    # Set here for the worker processes uvicorn spawns; an operator's own value wins.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    server.run(
        "api.main:create_app",  # the factory: each worker builds its app from the environment
        factory=True,
        host=host,
        port=port,
        workers=workers or settings.workers,
        log_config=log_config(settings),
        access_log=False,  # Tunnelview's own access line never logs the query string
        proxy_headers=False,  # the app believes X-Forwarded-* only from TUNNELVIEW_TRUSTED_PROXIES
        server_header=False,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

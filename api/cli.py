"""The `tunnelview` command line. User mistakes print one clear line and exit non-zero."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from api.wiring import Services, build_services
from workflow import accounts, audit, migrate, people
from workflow.errors import DomainError, TriggerRefused
from workflow.machine import mermaid
from workflow.principal import command_line
from workflow.regimes import UnknownRegime
from workflow.settings import UnsafeSettings, get_settings

app = typer.Typer(
    help="Tunnelview: systems-approach case reviews.", no_args_is_help=True, pretty_exceptions_enable=False
)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
reviews_app = typer.Typer(help="Reviews.", no_args_is_help=True)
audit_app = typer.Typer(help="Audit logs.", no_args_is_help=True)
workflow_app = typer.Typer(help="The review lifecycle.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (users_app, "users"),
    (reviews_app, "reviews"),
    (audit_app, "audit"),
    (workflow_app, "workflow"),
):
    app.add_typer(sub, name=name)


def fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code=1)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a person can cause into one line on stderr and exit code 1."""
    try:
        yield
    except TriggerRefused as error:
        typer.echo(f"Refused: '{error.trigger}' cannot happen yet:", err=True)
        for reason in error.reasons:
            typer.echo(f"  - {reason}", err=True)
        raise typer.Exit(code=1) from None
    except (DomainError, UnknownRegime, UnsafeSettings) as error:
        raise fail(str(error)) from None
    except OperationalError as error:
        raise fail(
            f"The database cannot be used: {error.orig}. Did you run 'tunnelview db upgrade'?"
        ) from None


def services_for(acting_for: str | None = None) -> Services:
    """The services of one command. Every audit row they write names the operator: the command line,
    the OS user who ran it and the account it acts for (`--as`)."""
    return build_services(get_settings(), operator=command_line(acting_for))


def _actor_id(services: Services, email: str) -> int:
    with services.sessions() as session:
        user = people.find_by_email(session, email)
        if user is None:
            raise fail(f"No user has the email address '{email}'.")
        return user.id


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


@app.command("report")
def report(
    review_ids: Annotated[
        list[int] | None, typer.Argument(help="The review (board: the published reviews; none = all).")
    ] = None,
    kind: Annotated[str, typer.Option(help="full, practitioner or board.")] = "full",
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or md.")] = "html",
    output: Annotated[str, typer.Option("-o", "--output", help="Write to this file ('-' for stdout).")] = "-",
    as_email: Annotated[str, typer.Option("--as", help="Act as this user.")] = "",
) -> None:
    """Write a review's report or practitioner briefing (its published document once published), or a
    board briefing over several published reviews."""
    from findings.publication.render import DocumentKind, Format

    if kind not in ("full", "practitioner", "board"):
        raise fail("--kind must be full, practitioner or board.")
    if fmt not in ("html", "pdf", "md"):
        raise fail("--format must be html, pdf or md.")
    if not as_email:
        raise fail("Say who is asking: --as EMAIL.")
    ids = list(review_ids or [])
    if kind != "board" and len(ids) != 1:
        raise fail(f"A {kind} report is of one review: give one review id.")
    with user_errors():
        services = services_for(as_email)
        actor = _actor_id(services, as_email)
        if kind == "board":
            document = services.reports.board_briefing(actor=actor, review_ids=ids or None, fmt=Format(fmt))
        else:
            document = services.reports.document(
                review_id=ids[0], actor=actor, kind=DocumentKind(kind), fmt=Format(fmt)
            )
    _write(output, document.content)
    if output != "-":
        typer.echo(f"Wrote {output} ({len(document.content)} bytes, sha256 {document.sha256}).")


def _write(output: str, content: bytes) -> None:
    if output == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        with open(output, "wb") as out:
            out.write(content)
    except OSError as error:
        raise fail(f"Cannot write {output}: {error.strerror}.") from None


@app.command("export")
def export_review(
    review_id: int,
    output: Annotated[str, typer.Option("-o", "--output", help="Write to this file ('-' for stdout).")] = "-",
    as_email: Annotated[str, typer.Option("--as", help="Act as this user (the review's coordinator).")] = "",
) -> None:
    """Export a whole review as JSON (everything but the sealed register; docs/export.md)."""
    from findings.exchange.export import dumps

    if not as_email:
        raise fail("Say who is asking: --as EMAIL.")
    with user_errors():
        services = services_for(as_email)
        document = services.exports.export(review_id=review_id, actor=_actor_id(services, as_email))
    _write(output, dumps(document).encode("utf-8"))
    if output != "-":
        typer.echo(f"Exported review {review_id} to {output}.")


@app.command("import")
def import_review(
    file: Annotated[str, typer.Argument(help="A review export (JSON), or '-' for stdin.")],
    as_email: Annotated[str, typer.Option("--as", help="Act as this coordinator.")] = "",
) -> None:
    """Import a review exported from another Tunnelview: new ids, the same content. A malformed file is
    refused with every problem and where it stands; nothing is saved."""
    from workflow.errors import InvalidInput

    if not as_email:
        raise fail("Say who is asking: --as EMAIL.")
    try:
        data = sys.stdin.buffer.read() if file == "-" else open(file, "rb").read()  # noqa: SIM115
    except OSError as error:
        raise fail(f"Cannot read {file}: {error.strerror}.") from None
    with user_errors():
        try:
            services = services_for(as_email)
            review = services.exports.import_(data=data, actor=_actor_id(services, as_email))
        except InvalidInput as error:
            typer.echo(f"Error: {file} cannot be imported; nothing was saved:", err=True)
            for where, problem in error.errors.items():
                typer.echo(f"  - {where}: {problem}", err=True)
            raise typer.Exit(code=1) from None
    typer.echo(f"Imported as review {review.id} ({review.child_pseudonym}, at '{review.state}').")


class LensKind(StrEnum):
    statement = "statement"
    question = "question"
    narrative = "narrative"


@app.command("lens")
def lens(
    text: Annotated[str, typer.Argument(help="The text to check ('-' reads it from stdin).")],
    kind: Annotated[LensKind, typer.Option(help="What the text is.")],
    review_id: Annotated[
        int | None, typer.Option("--review", help="Look for the names of this review's people too.")
    ] = None,
    as_email: Annotated[str, typer.Option("--as", help="Act as this member (with --review).")] = "",
) -> None:
    """Check any text through the systems lens: blame or hindsight language, a training or procedure
    reminder (a question), and with --review a person named. Prints each warning on its own line, or
    'no warnings'; exits 0 either way."""
    from pydantic import ValidationError

    from findings.analysis import quality
    from findings.analysis.lens import CheckText
    from workflow.commands import invalid_input

    words = sys.stdin.read() if text == "-" else text
    with user_errors():
        try:
            command = CheckText.model_validate({"kind": kind.value, "text": words, "review_id": review_id})
        except ValidationError as error:
            raise invalid_input(error) from None
        if review_id is None:
            found = quality.lens(command.kind, command.text)
            problem = None
        else:
            if not as_email:
                raise fail("Say who is asking: --as EMAIL (a member of the review).")
            services = services_for(as_email)
            lensed = services.lens.check(actor=_actor_id(services, as_email), command=command)
            found, problem = lensed.warnings, lensed.register_problem
    if problem:
        typer.echo(f"Note: {problem}; only the members' names were looked for.", err=True)
    for warning in found:
        typer.echo(f"{warning.severity.value}: {warning.in_words()} {warning.suggestion}")
    if not found:
        typer.echo("no warnings")


@audit_app.command("verify")
def audit_verify(review_id: int) -> None:
    """Check the hash chain of a review's audit log: 'intact' or the first broken link."""
    with user_errors(), services_for().sessions() as session:
        _report_chain(audit.verify(session, review_id))


@audit_app.command("verify-accounts")
def audit_verify_accounts() -> None:
    """Check the hash chain of the accounts log: 'intact' or the first broken link."""
    with user_errors(), services_for().sessions() as session:
        _report_chain(accounts.verify(session))


def _report_chain(report: audit.ChainReport) -> None:
    if not report.intact:
        typer.echo(str(report), err=True)
        raise typer.Exit(code=1)
    typer.echo(str(report))


@workflow_app.command("diagram")
def workflow_diagram() -> None:
    """Print the Mermaid state diagram, generated from the transition table."""
    typer.echo(mermaid(), nl=False)


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


@app.command("serve")
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the web application and the API with uvicorn."""
    import uvicorn

    from api.main import create_app
    from api.middleware import configure_logging

    with user_errors():
        application = create_app()
    configure_logging()  # one JSON line per request on stderr
    typer.echo(f"Tunnelview on http://{host}:{port}")
    uvicorn.run(application, host=host, port=port, log_level="warning")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

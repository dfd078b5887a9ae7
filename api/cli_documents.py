"""The `tunnelview` commands that write or read documents: a review's report or briefing, the partners'
yearly report, a review's export and import, and the systems lens over any text."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from api.cli_common import actor_id as _actor_id
from api.cli_common import fail, read_file, services_for, user_errors


class LensKind(StrEnum):
    statement = "statement"
    question = "question"
    narrative = "narrative"


def register(app: typer.Typer) -> None:
    """Add these commands to the `tunnelview` command line."""
    app.command("report")(report)
    app.command("yearly-report")(yearly_report)
    app.command("export")(export_review)
    app.command("import")(import_review)
    app.command("lens")(lens)


def report(
    review_ids: Annotated[
        list[int] | None, typer.Argument(help="The review (board: the published reviews; none = all).")
    ] = None,
    kind: Annotated[str, typer.Option(help="full, practitioner or board.")] = "full",
    fmt: Annotated[str, typer.Option("--format", help="html, pdf, md or docx (Word).")] = "html",
    output: Annotated[str, typer.Option("-o", "--output", help="Write to this file ('-' for stdout).")] = "-",
    as_email: Annotated[str, typer.Option("--as", help="Act as this user.")] = "",
) -> None:
    """Write a review's report or practitioner briefing (its published document once published), or a
    board briefing over several published reviews."""
    from findings.publication.render import DocumentKind, Format

    if kind not in ("full", "practitioner", "board"):
        raise fail("--kind must be full, practitioner or board.")
    if fmt not in ("html", "pdf", "md", "docx"):
        raise fail("--format must be html, pdf, md or docx.")
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


def yearly_report(
    start: Annotated[str, typer.Option(help="The first day, YYYY-MM-DD (default: the last 1 April).")] = "",
    end: Annotated[str, typer.Option(help="The last day, YYYY-MM-DD (default: the 31 March after).")] = "",
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or docx (Word).")] = "pdf",
    output: Annotated[str, typer.Option("-o", "--output", help="Write to this file ('-' for stdout).")] = "-",
    as_email: Annotated[str, typer.Option("--as", help="Act as this user (a coordinator or chair).")] = "",
) -> None:
    """Write the safeguarding partners' yearly report for a period (the reviews the user may see)."""
    from pydantic import ValidationError

    from findings.learning.yearly import YearlyPeriod
    from findings.publication.render import Format

    if fmt not in ("html", "pdf", "docx"):
        raise fail("--format must be html, pdf or docx.")
    if not as_email:
        raise fail("Say who is asking: --as EMAIL.")
    with user_errors():
        services = services_for(as_email)
        default = services.yearly.default_period()
        try:
            period = YearlyPeriod.model_validate({"start": start or default.start, "end": end or default.end})
        except ValidationError:
            raise fail("--start and --end are days written YYYY-MM-DD, e.g. 2026-04-01.") from None
        document = services.yearly.document(
            actor=_actor_id(services, as_email), period=period, fmt=Format(fmt)
        )
    _write(output, document.content)
    if output != "-":
        typer.echo(f"Wrote {output} ({len(document.content)} bytes).")


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


def import_review(
    file: Annotated[str, typer.Argument(help="A review export (JSON), or '-' for stdin.")],
    as_email: Annotated[str, typer.Option("--as", help="Act as this coordinator.")] = "",
) -> None:
    """Import a review exported from another Tunnelview: new ids, the same content, at 'referred'
    whatever the file says (its log and publication kept as provenance). A malformed file is refused
    with every problem and where it stands; nothing is saved."""
    from workflow.errors import InvalidInput

    if not as_email:
        raise fail("Say who is asking: --as EMAIL.")
    data = read_file(file)
    with user_errors():
        try:
            services = services_for(as_email)
            review = services.exports.import_(data=data, actor=_actor_id(services, as_email))
        except InvalidInput as error:
            typer.echo(f"Error: {file} cannot be imported; nothing was saved:", err=True)
            for where, problem in error.errors.items():
                typer.echo(f"  - {where}: {problem}", err=True)
            raise typer.Exit(code=1) from None
        kept = services.exports.provenance(review_id=review.id, actor=_actor_id(services, as_email))
    typer.echo(f"Imported as review {review.id} ({review.child_pseudonym}, at '{review.state}').")
    if kept is not None:
        documents = len(kept.documents)
        publication = f" and its frozen publication ({documents} documents)" if documents else ""
        typer.echo(
            f"The file had it at '{kept.record.state}'; its log ({len(kept.history)} entries){publication}"
            f" are kept as provenance, not as this review's (`tunnelview audit verify {review.id}`)."
        )


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

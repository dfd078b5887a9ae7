"""What every `tunnelview` command shares: one clear line for a user's mistake, the services of one
command (which name the operator in the audit), and the account a command acts for."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.exc import OperationalError

from api.wiring import Services, build_services
from workflow import people
from workflow.errors import DomainError, TriggerRefused
from workflow.notifications.smtp import NotConfigured
from workflow.principal import command_line
from workflow.regimes import UnknownRegime
from workflow.settings import UnsafeSettings, get_settings


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
    except (DomainError, UnknownRegime, UnsafeSettings, NotConfigured) as error:
        raise fail(str(error)) from None
    except OperationalError as error:
        raise fail(
            f"The database cannot be used: {error.orig}. Did you run 'tunnelview db upgrade'?"
        ) from None


def services_for(acting_for: str | None = None) -> Services:
    """The services of one command. Every audit row they write names the operator: the command line,
    the OS user who ran it and the account it acts for (`--as`)."""
    return build_services(get_settings(), operator=command_line(acting_for))


def actor_id(services: Services, email: str) -> int:
    with services.sessions() as session:
        user = people.find_by_email(session, email)
        if user is None:
            raise fail(f"No user has the email address '{email}'.")
        return user.id


def read_file(file: str) -> bytes:
    """The bytes of `file` ("-": standard input); a file that can't be read fails with why."""
    try:
        if file == "-":
            return sys.stdin.buffer.read()
        with open(file, "rb") as source:
            return source.read()
    except OSError as error:
        raise fail(f"Cannot read {file}: {error.strerror}.") from None

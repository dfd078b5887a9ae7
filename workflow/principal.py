"""Who is at the controls when a change does not come from a signed-in person's browser or token.

The command line acts for an account named with `--as` (or for no account, e.g. `users create`), but
the person typing is an OS user on the server. Every audit row written through such a session names
that operator in its `via` column (part of the row's hash), so the log never shows a silent
impersonation. The operator travels with the session factory the CLI builds (`Session.info`), read
back through `operator_of`, never through a global.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from sqlalchemy.orm import Session

OPERATOR_KEY = "tunnelview.operator"
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Operator:
    channel: str
    os_user: str
    acting_for: str | None = None

    def __str__(self) -> str:
        words = f"{self.channel}, OS user {self.os_user}"
        return words + (f", acting for {self.acting_for}" if self.acting_for else "")


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return f"uid {os.getuid()}"


def command_line(acting_for: str | None = None) -> Operator:
    return Operator(COMMAND_LINE, os_user(), acting_for)


def session_info(operator: Operator | None) -> dict[str, Operator]:
    """The `info` of a session factory whose sessions act through `operator`."""
    return {OPERATOR_KEY: operator} if operator is not None else {}


def operator_of(session: Session) -> Operator | None:
    operator = session.info.get(OPERATOR_KEY)
    return operator if isinstance(operator, Operator) else None


def via_of(session: Session) -> str | None:
    """The words for an audit row's `via`: None for a person signed in to the app."""
    operator = operator_of(session)
    return None if operator is None else str(operator)

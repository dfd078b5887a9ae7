"""Errors of the analysis in the domain's words. Each is a subclass of a `workflow.errors` error,
so `api/` maps it to the same HTTP answer without knowing about it."""

from __future__ import annotations

from workflow.errors import DomainError, StaleReview

REGISTER_UNREADABLE = (
    "The sealed identity register cannot be read, so no check can see the real names it holds "
    "(tell your administrator: {error})"
)


class RegisterUnreadable(DomainError):
    """The sealed register cannot be opened (a missing or wrong key): every check that needs its real
    names must refuse rather than pass without them."""

    def reason(self) -> str:
        return REGISTER_UNREADABLE.format(error=str(self).rstrip("."))


class StaleObject(StaleReview):
    """An edit made against a version of an object (episode, finding, ...) that is no longer current."""

    def __init__(self, kind: str, expected: int | None, current: int | None) -> None:
        super().__init__(expected, current)
        self.kind = kind
        self.args = (
            f"Someone else changed this {kind}: you were working on version {expected}, it is now at "
            f"version {current}. Reload it and make your change again.",
        )

    def __str__(self) -> str:
        return str(self.args[0])

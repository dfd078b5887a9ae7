"""Errors in the domain's own words. `api/` maps each to an HTTP answer in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a person can cause and be told about."""


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does (need-to-know)."""


class NotPermitted(DomainError):
    """The caller is a member of the review but their role may not do this."""


class StaleReview(DomainError):
    """The change was made against a version of the review that is no longer current."""

    def __init__(self, expected: int | None, current: int | None) -> None:
        self.expected = expected
        self.current = current
        if expected is not None and current is not None:
            detail = f"you were working on version {expected}, it is now at version {current}"
        elif expected is None and current is not None:
            detail = f"say which version you were working on (it is now at version {current})"
        else:
            detail = "it was changed while your change was being saved"
        super().__init__(f"Someone else changed this review: {detail}. Reload it and make your change again.")


class TriggerRefused(DomainError):
    """A trigger was refused: every unmet guard, in words a coordinator understands."""

    def __init__(self, trigger: str, reasons: list[str] | tuple[str, ...]) -> None:
        self.trigger = trigger
        self.reasons = tuple(reasons)
        super().__init__(f"'{trigger}' was refused: " + " ".join(self.reasons))


class NotAtThisStage(TriggerRefused):
    """A change the review's current stage does not allow (or a final review)."""

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(action, [reason])


class InvalidInput(DomainError):
    """Input that cannot be accepted; `errors` maps each field to what to fix."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))

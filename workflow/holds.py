"""The publication hold: set and cleared with a reason (criminal proceedings, inquest, family court).
It blocks `publish` only; the review itself goes on."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from workflow.commands import Command, Reason, required
from workflow.edits import EditService
from workflow.errors import InvalidInput
from workflow.service import ReviewDetail

NO_REASON = "Give the reason for setting or clearing the hold."


class SetPublicationHold(Command):
    reason: Annotated[Reason, required(NO_REASON)] = Field(
        description="Why the hold is set: proceedings, inquest, ..."
    )


class ClearPublicationHold(Command):
    reason: Annotated[Reason, required(NO_REASON)] = Field(description="Why the hold is cleared.")


class HoldService(EditService):
    def set(
        self, *, review_id: int, actor: int, expected_version: int | None, command: SetPublicationHold
    ) -> ReviewDetail:
        """Set a publication hold (coordinator or chair)."""
        return self._hold(review_id, actor, expected_version, held=True, reason=command.reason)

    def clear(
        self, *, review_id: int, actor: int, expected_version: int | None, command: ClearPublicationHold
    ) -> ReviewDetail:
        """Clear the publication hold (coordinator or chair), with the reason."""
        return self._hold(review_id, actor, expected_version, held=False, reason=command.reason)

    def _hold(
        self, review_id: int, actor: int, expected_version: int | None, *, held: bool, reason: str
    ) -> ReviewDetail:
        with self.editing(review_id, actor, expected_version, "set_publication_hold") as edit:
            review = edit.review
            if held == review.publication_hold:
                already = (
                    "A publication hold is already in force."
                    if held
                    else "There is no publication hold to clear."
                )
                raise InvalidInput({"held": already})
            review.publication_hold = held
            review.publication_hold_reason = reason if held else None
            edit.audit("set_publication_hold" if held else "clear_publication_hold", reason)
            return edit.detail()

"""The statutory records of a review in the export format (`findings.exchange.document`): the
notification to the national panel and the rapid review with the panel's response (WT2023 from
version 2, `workflow.statutory`). Optional parts of format version 1: a document without them imports
as a review without them.

Each is the record as the review holds it, field for field; neither names a person. What the schema
cannot say is checked by `problems`: the regime has these records, and the panel's response follows a
rapid review that was sent, as `workflow.statutory` lets it be recorded.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from workflow import regimes
from workflow.commands import AnyDate, ClockDate
from workflow.statutory import AgeBand, CriteriaMet, PanelResponse, Sex, Status, YesNo

Text = Annotated[str, Field(max_length=100_000)]
Short = Annotated[str, Field(max_length=200)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PanelNotificationX(_Record):
    age_band: AgeBand | None = None
    sex: Sex | None = None
    ethnicity: Short = ""
    incident_date: AnyDate | None = None
    area: Short = ""
    known_to: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=200)] = []
    child_protection_plan: Status | None = None
    looked_after: Status | None = None
    other_children: Text = ""
    circumstances: Text = ""
    immediate_actions: Text = ""
    sent_on: ClockDate | None = None


class RapidReviewX(_Record):
    facts: Text = ""
    immediate_action: Text = ""
    agencies_involvement: Text = ""
    learning: Text = ""
    lcspr_criteria_met: CriteriaMet | None = None
    lcspr_reasons: Text = ""
    national_review: YesNo | None = None
    national_review_reasons: Text = ""
    sent_on: ClockDate | None = None
    panel_response: PanelResponse | None = None
    panel_response_reasons: Text = ""
    panel_response_on: ClockDate | None = None


def problems(
    regime_key: str,
    regime_version: int,
    notification: PanelNotificationX | None,
    rapid: RapidReviewX | None,
) -> dict[str, str]:
    """Field path -> what is wrong with the statutory records of a document whose schema holds."""
    errors: dict[str, str] = {}
    try:
        regime = regimes.get(regime_key, regime_version)
    except Exception:
        return errors  # the document's own check names the unknown regime
    for key, record in (("panel_notification", notification), ("rapid_review", rapid)):
        if record is not None and not regime.incidents:
            errors[key] = (
                f"The review runs under {regime.title}, which has no notification form or rapid review "
                "of its own."
            )
    if rapid is None:
        return errors
    responded = rapid.panel_response is not None
    if responded and rapid.sent_on is None:
        errors["rapid_review.panel_response"] = (
            "The panel's response follows a rapid review that was sent: give `sent_on`."
        )
    if responded != (rapid.panel_response_on is not None):
        errors["rapid_review.panel_response_on"] = (
            "The day of the panel's response is given with the response, and only then."
        )
    if _before(rapid.panel_response_on, rapid.sent_on):
        errors["rapid_review.panel_response_on"] = (
            "The panel's response cannot come before the rapid review was sent."
        )
    if rapid.panel_response == "disagrees" and not rapid.panel_response_reasons.strip():
        errors["rapid_review.panel_response_reasons"] = "Give the panel's reasons for disagreeing."
    return errors


def _before(day: date | None, other: date | None) -> bool:
    return day is not None and other is not None and day < other

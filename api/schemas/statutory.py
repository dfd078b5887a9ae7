"""The notification to the national panel and the rapid review with the panel's response (WT2023)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from workflow.regimes.base import RECIPIENT_NAMES
from workflow.statutory import StatutoryRecord


class StatutoryFollowsOut(BaseModel):
    incidents: list[str] = Field(description="The notifiable incidents answered yes in the criteria check.")
    notified: list[str] = Field(description="Who must be notified, in words.")
    rapid_review: bool = Field(description="Whether a rapid review follows.")


class NotificationOut(BaseModel):
    review_id: int
    version: int = Field(description="The review's version (the ETag of a change).")
    child_pseudonym: str
    follows: StatutoryFollowsOut
    age_band: str | None
    sex: str | None
    ethnicity: str
    incident_date: date | None
    area: str
    known_to: list[str]
    child_protection_plan: str | None
    looked_after: str | None
    other_children: str
    circumstances: str
    immediate_actions: str
    sent_on: date | None = Field(description="The day it was sent: meets the 5-working-day clock.")
    missing: list[str] = Field(description="What it still lacks before it can be sent.")

    @classmethod
    def of(cls, record: StatutoryRecord) -> NotificationOut:
        n, review = record.notification, record.detail.review
        return cls(
            review_id=review.id,
            version=review.version,
            child_pseudonym=review.child_pseudonym,
            follows=_follows(record),
            age_band=n.age_band,
            sex=n.sex,
            ethnicity=n.ethnicity,
            incident_date=n.incident_date,
            area=n.area,
            known_to=list(n.known_to),
            child_protection_plan=n.child_protection_plan,
            looked_after=n.looked_after,
            other_children=n.other_children,
            circumstances=n.circumstances,
            immediate_actions=n.immediate_actions,
            sent_on=n.sent_on,
            missing=list(record.notification_missing),
        )


class PanelResponseOut(BaseModel):
    response: str | None = Field(description="agrees, disagrees or national_review; null until recorded.")
    reasons: str
    on: date | None


class RapidReviewOut(BaseModel):
    review_id: int
    version: int = Field(description="The review's version (the ETag of a change).")
    child_pseudonym: str
    follows: StatutoryFollowsOut
    facts: str
    immediate_action: str
    agencies_involvement: str
    learning: str
    lcspr_criteria_met: str | None
    lcspr_reasons: str
    national_review: str | None
    national_review_reasons: str
    sent_on: date | None = Field(
        description="The day it was sent to the panel: meets the 15-working-day clock."
    )
    panel_response: PanelResponseOut
    missing: list[str] = Field(description="What it still lacks before it can be sent.")

    @classmethod
    def of(cls, record: StatutoryRecord) -> RapidReviewOut:
        r, review = record.rapid_review, record.detail.review
        return cls(
            review_id=review.id,
            version=review.version,
            child_pseudonym=review.child_pseudonym,
            follows=_follows(record),
            facts=r.facts,
            immediate_action=r.immediate_action,
            agencies_involvement=r.agencies_involvement,
            learning=r.learning,
            lcspr_criteria_met=r.lcspr_criteria_met,
            lcspr_reasons=r.lcspr_reasons,
            national_review=r.national_review,
            national_review_reasons=r.national_review_reasons,
            sent_on=r.sent_on,
            panel_response=PanelResponseOut(
                response=r.panel_response, reasons=r.panel_response_reasons, on=r.panel_response_on
            ),
            missing=list(record.rapid_review_missing),
        )


def _follows(record: StatutoryRecord) -> StatutoryFollowsOut:
    follows = record.follows
    return StatutoryFollowsOut(
        incidents=[i.label for i in follows.incidents],
        notified=[RECIPIENT_NAMES[r] for r in follows.notified],
        rapid_review=follows.rapid_review,
    )

"""The family's involvement, the lead reviewers' independence and the quality self-assessment."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from findings.analysis.family import MEANS_LABELS, WISH_LABELS, Means, Wishes
from findings.analysis.independence import LeadReviewer
from findings.analysis.markers import RATING_LABELS, Rating
from findings.analysis.models import FamilyContact, FamilyMember, IndependenceDeclaration, MarkerAssessment
from findings.analysis.self_assessment import MarkerView


class FamilyContactOut(BaseModel):
    id: int
    on: date
    means: Means
    note: str = Field(description="For the review team; not printed in the report.")

    @classmethod
    def of(cls, contact: FamilyContact) -> FamilyContactOut:
        return cls(id=contact.id, on=contact.contacted_on, means=contact.means, note=contact.note)  # type: ignore[arg-type]


class FamilyMemberOut(BaseModel):
    id: int
    pseudonym: str
    relationship: str
    invited_on: date | None
    wishes: Wishes
    wishes_label: str
    views: str = Field(description="Their views as heard; printed in the full report.")
    draft_shared_on: date | None = Field(description="The day the draft report was shared with them.")
    contacts: list[FamilyContactOut]
    version: int = Field(description='Send it back as If-Match: "<version>" with a change.')

    @classmethod
    def of(cls, member: FamilyMember) -> FamilyMemberOut:
        return cls(
            id=member.id,
            pseudonym=member.pseudonym,
            relationship=member.relationship_to_child,
            invited_on=member.invited_on,
            wishes=member.wishes,  # type: ignore[arg-type]
            wishes_label=WISH_LABELS[member.wishes],
            views=member.views,
            draft_shared_on=member.draft_shared_on,
            contacts=[FamilyContactOut.of(c) for c in member.contacts],
            version=member.version,
        )


class FamilyList(BaseModel):
    items: list[FamilyMemberOut]
    total: int


class DeclarationOut(BaseModel):
    id: int
    statement: str = Field(description="Printed in the full report's methodology, by number, never by name.")
    declared_on: date
    version: int = Field(description='Send it back as If-Match: "<version>" to change it.')

    @classmethod
    def of(cls, declaration: IndependenceDeclaration) -> DeclarationOut:
        return cls(
            id=declaration.id,
            statement=declaration.statement,
            declared_on=declaration.declared_on,
            version=declaration.version,
        )


class LeadReviewerOut(BaseModel):
    membership_id: int
    name: str
    declaration: DeclarationOut | None = Field(description="Null until they declare their independence.")

    @classmethod
    def of(cls, lead: LeadReviewer) -> LeadReviewerOut:
        return cls(
            membership_id=lead.membership_id,
            name=lead.name,
            declaration=DeclarationOut.of(lead.declaration) if lead.declaration else None,
        )


class IndependenceList(BaseModel):
    items: list[LeadReviewerOut]


__all__ = [
    "MEANS_LABELS",
    "AssessmentOut",
    "DeclarationOut",
    "FamilyContactOut",
    "FamilyList",
    "FamilyMemberOut",
    "IndependenceList",
    "LeadReviewerOut",
    "MarkerOut",
    "SelfAssessmentOut",
]


# ---- the quality self-assessment ------------------------------------------------------------------


class SuggestionOut(BaseModel):
    rating: Rating
    rating_label: str
    evidence: str = Field(description="Why, from the review's data.")


class AssessmentOut(BaseModel):
    rating: Rating
    rating_label: str
    comment: str = Field(description="Printed in the full report's appendix.")
    version: int = Field(description='Send it back as If-Match: "<version>" to change it.')

    @classmethod
    def of(cls, row: MarkerAssessment) -> AssessmentOut:
        return cls(
            rating=row.rating,  # type: ignore[arg-type]
            rating_label=RATING_LABELS[row.rating],
            comment=row.comment,
            version=row.version,
        )


class MarkerOut(BaseModel):
    key: str
    title: str
    description: str = Field(description="What good looks like.")
    suggested: SuggestionOut | None = Field(
        description="What the review's data suggests (null where the data cannot say)."
    )
    assessment: AssessmentOut | None = Field(description="The coordinator's assessment; null until made.")

    @classmethod
    def of(cls, view: MarkerView) -> MarkerOut:
        suggested = view.suggestion
        return cls(
            key=view.marker.key,
            title=view.marker.title,
            description=view.marker.description,
            suggested=SuggestionOut(
                rating=suggested.rating,
                rating_label=RATING_LABELS[suggested.rating],
                evidence=suggested.evidence,
            )
            if suggested
            else None,
            assessment=AssessmentOut.of(view.assessment) if view.assessment else None,
        )


class SelfAssessmentOut(BaseModel):
    items: list[MarkerOut]
    assessed: int = Field(description="How many markers the coordinator has assessed.")
    total: int

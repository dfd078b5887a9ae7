"""Typed SQLAlchemy models of the analysis: narratives, conversations, key practice episodes,
contributory factors, panel submissions, good practice, findings, board responses, actions, themes
and warning acknowledgements.

Models hold data. Every object a person edits carries its own `version` (optimistic locking): an edit
names the version it was made against and its service refuses a stale one. Decisions (quality
warnings, the guard facts, views) are pure functions elsewhere.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from workflow.models import Base, utcnow

NARRATIVE_STATUSES = ("draft", "submitted", "returned")
VALENCES = ("good", "problematic", "mixed")
FINDING_STATUSES = ("draft", "agreed")
PANEL_STATUSES = ("draft", "submitted", "waived")
ACTION_STATUSES = ("planned", "in_progress", "done", "verified")


def _link(name: str, left: str, right: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column(f"{left}_id", ForeignKey(f"{left}s.id", ondelete="CASCADE"), primary_key=True),
        # The key leads with the left id; the right one needs its own index (lookups, cascades).
        Column(f"{right}_id", ForeignKey(f"{right}s.id", ondelete="CASCADE"), primary_key=True, index=True),
    )


episode_entries = Table(
    "episode_entries",
    Base.metadata,
    Column("episode_id", ForeignKey("episodes.id", ondelete="CASCADE"), primary_key=True),
    Column("entry_id", ForeignKey("narrative_entries.id", ondelete="CASCADE"), primary_key=True, index=True),
)
episode_conversations = _link("episode_conversations", "episode", "conversation")
factor_episodes = _link("factor_episodes", "factor", "episode")
finding_episodes = _link("finding_episodes", "finding", "episode")


class _Versioned:
    """An object edited by people: its own version, bumped on every change (optimistic locking)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class AgencyNarrative(_Versioned, Base):
    """One agency's account of its involvement in a review: a draft until submitted, read-only once
    submitted unless returned. An exemption (recorded by the coordinator) stands in for a narrative."""

    __tablename__ = "agency_narratives"
    __table_args__ = (UniqueConstraint("review_id", "agency", name="uq_agency_narratives_review_agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    returned_reason: Mapped[str | None] = mapped_column(Text, default=None)
    exemption: Mapped[str | None] = mapped_column(Text, default=None)

    entries: Mapped[list[NarrativeEntry]] = relationship(
        back_populates="narrative",
        cascade="all, delete-orphan",
        order_by="NarrativeEntry.seq",
        lazy="selectin",
        passive_deletes=True,
    )

    @property
    def editable(self) -> bool:
        return self.status in ("draft", "returned")


class NarrativeEntry(_Versioned, Base):
    """A dated entry of an agency narrative. `aware` maps each other agency that knew of it to the
    day it knew (the entry's own date when it knew at the time)."""

    __tablename__ = "narrative_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    narrative_id: Mapped[int] = mapped_column(
        ForeignKey("agency_narratives.id", ondelete="CASCADE"), index=True
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    occurred_on: Mapped[date] = mapped_column(Date)
    occurred_at: Mapped[time | None] = mapped_column(Time, default=None)
    what_happened: Mapped[str] = mapped_column(Text)
    source_record: Mapped[str] = mapped_column(String(300), default="")
    aware: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    significant: Mapped[bool] = mapped_column(Boolean, default=False)

    narrative: Mapped[AgencyNarrative] = relationship(back_populates="entries")


class Conversation(_Versioned, Base):
    """A structured conversation with a practitioner, under the headings of DESIGN §2."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    held_on: Mapped[date | None] = mapped_column(Date, default=None)
    overview: Mapped[str] = mapped_column(Text, default="")
    turning_points: Mapped[str] = mapped_column(Text, default="")
    mindset: Mapped[str] = mapped_column(Text, default="")
    contributory_factors: Mapped[str] = mapped_column(Text, default="")
    went_well: Mapped[str] = mapped_column(Text, default="")
    queries: Mapped[str] = mapped_column(Text, default="")
    suggested_changes: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    comments: Mapped[list[ConversationComment]] = relationship(
        cascade="all, delete-orphan", order_by="ConversationComment.id", lazy="selectin", passive_deletes=True
    )


class ConversationComment(Base):
    __tablename__ = "conversation_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)


class Episode(_Versioned, Base):
    """A key practice episode: neutral by design (good, problematic or mixed)."""

    __tablename__ = "episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[date | None] = mapped_column(Date, default=None)
    period_end: Mapped[date | None] = mapped_column(Date, default=None)
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    what_happened: Mapped[str] = mapped_column(Text, default="")
    view_from_tunnel: Mapped[str] = mapped_column(Text, default="")
    valence: Mapped[str] = mapped_column(String(20))
    appraisal: Mapped[str] = mapped_column(Text, default="")
    appraisal_reference: Mapped[str] = mapped_column(Text, default="")
    explanation: Mapped[str] = mapped_column(Text, default="")

    entries: Mapped[list[NarrativeEntry]] = relationship(
        secondary=episode_entries, lazy="selectin", order_by="NarrativeEntry.occurred_on"
    )
    conversations: Mapped[list[Conversation]] = relationship(
        secondary=episode_conversations, lazy="selectin", order_by="Conversation.id"
    )
    factors: Mapped[list[Factor]] = relationship(
        secondary=factor_episodes, back_populates="episodes", lazy="selectin", order_by="Factor.id"
    )

    @property
    def entry_ids(self) -> list[int]:
        return [e.id for e in self.entries]

    @property
    def conversation_ids(self) -> list[int]:
        return [c.id for c in self.conversations]


class Factor(_Versioned, Base):
    """A contributory factor, coded under a framework (DESIGN §5.3)."""

    __tablename__ = "factors"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    framework: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)

    episodes: Mapped[list[Episode]] = relationship(
        secondary=factor_episodes, back_populates="factors", lazy="selectin", order_by="Episode.number"
    )

    @property
    def episode_ids(self) -> list[int]:
        return [e.id for e in self.episodes]


class PanelSubmission(_Versioned, Base):
    """A panel member's own analysis: private to its author and the lead reviewers until submitted.
    `proposed_factors` holds factor proposals (framework, level, category, description, evidence,
    episode_ids) that a lead reviewer may adopt as factors."""

    __tablename__ = "panel_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    appraisal: Mapped[str] = mapped_column(Text, default="")
    episode_notes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    proposed_factors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    waiver_reason: Mapped[str | None] = mapped_column(Text, default=None)


class GoodPractice(_Versioned, Base):
    __tablename__ = "good_practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    what_went_well: Mapped[str] = mapped_column(Text)
    what_enabled_it: Mapped[str] = mapped_column(Text, default="")
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    episode_id: Mapped[int | None] = mapped_column(
        ForeignKey("episodes.id", ondelete="SET NULL"), default=None, index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class Finding(_Versioned, Base):
    """A finding about the system (DESIGN §5.4)."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(60), default=None)
    statement: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str] = mapped_column(Text, default="")
    how_it_showed: Mapped[str] = mapped_column(Text, default="")
    why_it_matters: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="draft")

    episodes: Mapped[list[Episode]] = relationship(
        secondary=finding_episodes, lazy="selectin", order_by="Episode.number"
    )
    evidence: Mapped[list[FindingEvidence]] = relationship(
        cascade="all, delete-orphan", order_by="FindingEvidence.id", lazy="selectin", passive_deletes=True
    )
    questions: Mapped[list[BoardQuestion]] = relationship(
        cascade="all, delete-orphan", order_by="BoardQuestion.number", lazy="selectin", passive_deletes=True
    )
    comments: Mapped[list[FindingComment]] = relationship(
        cascade="all, delete-orphan", order_by="FindingComment.id", lazy="selectin", passive_deletes=True
    )
    response: Mapped[BoardResponse | None] = relationship(
        cascade="all, delete-orphan", lazy="selectin", passive_deletes=True
    )

    @property
    def episode_ids(self) -> list[int]:
        return [e.id for e in self.episodes]


class FindingEvidence(Base):
    """Evidence that a finding is not a quirk of this case, with its reference."""

    __tablename__ = "finding_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(Text)


class BoardQuestion(Base):
    """A question for the board, asked by a finding."""

    __tablename__ = "board_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class FindingComment(Base):
    """A comment on a draft finding (case group and review team), kept with its author and time."""

    __tablename__ = "finding_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)


class BoardResponse(_Versioned, Base):
    """The board's response to one finding."""

    __tablename__ = "board_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), unique=True)
    response: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class Action(_Versioned, Base):
    """An action of the board's response: owner agency, due date, status, evidence of impact.
    Overdue is derived (`findings.analysis.board.is_overdue`), never stored."""

    __tablename__ = "board_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[int | None] = mapped_column(
        ForeignKey("findings.id", ondelete="SET NULL"), default=None, index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_agency: Mapped[str | None] = mapped_column(String(200), default=None)
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str | None] = mapped_column(String(20), default="planned")
    evidence_of_impact: Mapped[str] = mapped_column(Text, default="")


class ReviewTheme(Base):
    """A theme tagged on a review as a whole."""

    __tablename__ = "review_themes"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(80), primary_key=True)


class PartnershipTheme(Base):
    """A theme the partnership added to the vocabulary of DESIGN §6."""

    __tablename__ = "partnership_themes"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WarningAcknowledgement(Base):
    """A lead reviewer's acknowledgement of one quality warning (by its fingerprint), with a reason."""

    __tablename__ = "warning_acknowledgements"
    __table_args__ = (
        UniqueConstraint("review_id", "fingerprint", name="uq_warning_acknowledgements_review_fingerprint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(40))
    warning: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# ---- the family, the lead reviewers' independence, the quality self-assessment ---------------------

FAMILY_WISHES = ("not_yet_known", "taking_part", "declined")
CONTACT_MEANS = ("meeting", "telephone", "video", "letter", "email", "other")
MARKER_RATINGS = ("met", "partly", "not_met")


class FamilyMember(_Versioned, Base):
    """A member of the child's family, by pseudonym and relationship (never a real name: the sealed
    register holds identities), invited to take part in the review, with their views as heard."""

    __tablename__ = "family_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(100))
    relationship_to_child: Mapped[str] = mapped_column(String(100))
    invited_on: Mapped[date | None] = mapped_column(Date, default=None)
    wishes: Mapped[str] = mapped_column(String(20), default="not_yet_known")
    views: Mapped[str] = mapped_column(Text, default="")
    draft_shared_on: Mapped[date | None] = mapped_column(Date, default=None)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    contacts: Mapped[list[FamilyContact]] = relationship(
        back_populates="member",
        cascade="all, delete-orphan",
        order_by="(FamilyContact.contacted_on, FamilyContact.id)",
        lazy="selectin",
    )


class FamilyContact(Base):
    """One contact with a family member: the day, how, and a note kept for the review team (not
    printed in the report)."""

    __tablename__ = "family_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    family_member_id: Mapped[int] = mapped_column(
        ForeignKey("family_members.id", ondelete="CASCADE"), index=True
    )
    contacted_on: Mapped[date] = mapped_column(Date)
    means: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    member: Mapped[FamilyMember] = relationship(back_populates="contacts")


class IndependenceDeclaration(_Versioned, Base):
    """A lead reviewer's declaration of independence from the agencies involved, with its day."""

    __tablename__ = "independence_declarations"
    __table_args__ = (
        UniqueConstraint("review_id", "membership_id", name="uq_independence_declarations_member"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    declared_on: Mapped[date] = mapped_column(Date)


class MarkerAssessment(_Versioned, Base):
    """The coordinator's assessment of the review against one quality marker
    (`findings.analysis.markers.MARKERS`): met, partly or not met, with a comment."""

    __tablename__ = "marker_assessments"
    __table_args__ = (UniqueConstraint("review_id", "marker", name="uq_marker_assessments_review_marker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    marker: Mapped[str] = mapped_column(String(60))
    rating: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    assessed_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


# The learning repository's index follows every change of these tables in the same transaction: its
# listeners are installed wherever the analysis's tables are (`findings.learning.index`).
import findings.learning.index  # noqa: E402, F401

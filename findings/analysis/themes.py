"""Themes (DESIGN §6): the partnership's vocabulary (built in, and its own additions) and the themes a
review as a whole carries. The built-in vocabulary is data, in `findings.analysis.vocabulary`; a
finding's themes change with the finding (`findings.analysis.findings`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import Field
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from findings.analysis.base import AnalysisService
from findings.analysis.models import PartnershipTheme, ReviewTheme
from findings.analysis.vocabulary import BUILT_IN_THEMES, theme_key
from workflow.commands import MAX_ITEMS, Command, Key, Name, required
from workflow.errors import InvalidInput, NotPermitted
from workflow.policy import EVERYONE

# Who may add to the partnership's vocabulary: a global role, not a review role (the vocabulary is
# the partnership's, not one review's), so it is checked here rather than in `workflow.policy`.
VOCABULARY_KEEPERS = frozenset({"coordinator", "chair"})


class AddTheme(Command):
    label: Annotated[Name, required("Name the theme.")] = Field(
        description="The new theme's name; its key is made from it."
    )


class SetReviewThemes(Command):
    themes: list[Key] = Field(max_length=MAX_ITEMS, description="Theme keys; replaces the review's tags.")


def vocabulary_of(session: Session) -> dict[str, str]:
    """The themes a review or finding can carry: DESIGN §6's and the partnership's own, key -> label."""
    added = {t.key: t.label for t in session.scalars(select(PartnershipTheme).order_by(PartnershipTheme.key))}
    return BUILT_IN_THEMES | added


def chosen_themes(session: Session, themes: Iterable[str], field: str) -> list[str]:
    """The themes chosen, each once, in the order given; InvalidInput naming any not in the vocabulary."""
    vocabulary = vocabulary_of(session)
    chosen = list(dict.fromkeys(t.strip() for t in themes if t and t.strip()))
    unknown = [t for t in chosen if t not in vocabulary]
    if unknown:
        raise InvalidInput(
            {field: f"Unknown theme(s): {', '.join(unknown)}. Add them to the vocabulary first."}
        )
    return chosen


class ThemeService(AnalysisService):
    def vocabulary(self, *, actor: int) -> dict[str, str]:
        """The themes a review or finding can carry (any signed-in person)."""
        with self._reviews.session() as session:
            self._reviews.active_user(session, actor)
            return vocabulary_of(session)

    def add(self, *, actor: int, command: AddTheme) -> PartnershipTheme:
        """Add a theme to the partnership's vocabulary (a coordinator or chair of the partnership)."""
        with self._reviews.session() as session:
            user = self._reviews.active_user(session, actor)
            if user.global_role not in VOCABULARY_KEEPERS:
                raise NotPermitted("Only a review coordinator or chair may add a theme.")
            key = theme_key(command.label)
            if not key:
                raise InvalidInput({"label": "A theme needs at least one letter or digit."})
            if key in vocabulary_of(session):
                raise InvalidInput({"label": f"The theme '{key}' already exists."})
            theme = PartnershipTheme(key=key[:80], label=command.label, added_by=actor)
            session.add(theme)
            try:
                session.commit()
            except IntegrityError as error:
                session.rollback()
                raise InvalidInput({"label": f"The theme '{key}' already exists."}) from error
            return theme

    def set_for_review(self, *, review_id: int, actor: int, command: SetReviewThemes) -> list[str]:
        """Tag the review as a whole with themes (replaces the previous tags)."""
        with self.change(review_id, actor, "set_review_themes") as ctx:
            chosen = chosen_themes(ctx.session, command.themes, "themes")
            ctx.session.execute(delete(ReviewTheme).where(ReviewTheme.review_id == ctx.review.id))
            ctx.session.add_all(ReviewTheme(review_id=ctx.review.id, theme=t) for t in chosen)
            ctx.audit("set_review_themes", themes=chosen)
            return chosen

    def of_review(self, *, review_id: int, actor: int) -> list[str]:
        """The themes the review as a whole is tagged with, by key (every member)."""
        with self.read(review_id, actor, EVERYONE) as ctx:
            query = select(ReviewTheme.theme).where(ReviewTheme.review_id == ctx.review.id)
            return list(ctx.session.scalars(query.order_by(ReviewTheme.theme)))

"""statutory: the notification to the national panel and the rapid review with the panel's response

Revision ID: 0011_statutory
Revises: 0010_oidc
Create Date: 2026-12-03 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011_statutory'
down_revision = '0010_oidc'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'panel_notifications',
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('age_band', sa.String(length=20), nullable=True),
        sa.Column('sex', sa.String(length=20), nullable=True),
        sa.Column('ethnicity', sa.String(length=200), nullable=False),
        sa.Column('incident_date', sa.Date(), nullable=True),
        sa.Column('area', sa.String(length=200), nullable=False),
        sa.Column('known_to', sa.JSON(), nullable=False),
        sa.Column('child_protection_plan', sa.String(length=20), nullable=True),
        sa.Column('looked_after', sa.String(length=20), nullable=True),
        sa.Column('other_children', sa.Text(), nullable=False),
        sa.Column('circumstances', sa.Text(), nullable=False),
        sa.Column('immediate_actions', sa.Text(), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['review_id'], ['reviews.id'],
            name=op.f('fk_panel_notifications_review_id_reviews'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('review_id', name=op.f('pk_panel_notifications')),
    )
    op.create_table(
        'rapid_reviews',
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('facts', sa.Text(), nullable=False),
        sa.Column('immediate_action', sa.Text(), nullable=False),
        sa.Column('agencies_involvement', sa.Text(), nullable=False),
        sa.Column('learning', sa.Text(), nullable=False),
        sa.Column('lcspr_criteria_met', sa.String(length=20), nullable=True),
        sa.Column('lcspr_reasons', sa.Text(), nullable=False),
        sa.Column('national_review', sa.String(length=20), nullable=True),
        sa.Column('national_review_reasons', sa.Text(), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=True),
        sa.Column('panel_response', sa.String(length=20), nullable=True),
        sa.Column('panel_response_reasons', sa.Text(), nullable=False),
        sa.Column('panel_response_on', sa.Date(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['review_id'], ['reviews.id'],
            name=op.f('fk_rapid_reviews_review_id_reviews'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('review_id', name=op.f('pk_rapid_reviews')),
    )


def downgrade() -> None:
    op.drop_table('rapid_reviews')
    op.drop_table('panel_notifications')

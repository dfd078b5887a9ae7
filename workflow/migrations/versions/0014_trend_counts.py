"""trend counts: what the trends count in each review (kind review, finding by category, theme by
category and theme, factor by code, with the review's year, regime, route and whether it published
its report), and the published reviews' counts added up by year, regime and route; kept in step with
every change like the learning repository's index, built for the data already there

Revision ID: 0014_trend_counts
Revises: 0013_learning_search
Create Date: 2026-12-03 13:30:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014_trend_counts'
down_revision = '0013_learning_search'
branch_labels = None
depends_on = None


def _counted() -> list[sa.Column]:
    return [
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('category', sa.String(length=60), nullable=False),
        sa.Column('theme', sa.String(), nullable=False),
        sa.Column('factor', sa.String(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('regime', sa.String(length=20), nullable=False),
        sa.Column('route', sa.String(length=20), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('trend_counts',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('public', sa.Boolean(), server_default='0', nullable=False),
    *_counted(),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_trend_counts_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', 'kind', 'category', 'theme', 'factor', name=op.f('pk_trend_counts'))
    )
    op.create_table('trend_totals',
    *_counted(),
    sa.PrimaryKeyConstraint('year', 'regime', 'route', 'kind', 'category', 'theme', 'factor', name=op.f('pk_trend_totals'))
    )

    # The counts of the data already there, built by the code that keeps them in step.
    from findings.learning.counts import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table('trend_totals')
    op.drop_table('trend_counts')

"""report texts: case summary, methodology note, board response and the practitioner briefing

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('partnership', sa.String(length=200), nullable=False),
    sa.Column('case_summary', sa.Text(), nullable=False),
    sa.Column('methodology_note', sa.Text(), nullable=False),
    sa.Column('board_response', sa.Text(), nullable=False),
    sa.Column('briefing', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_report_texts_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_texts'))
    )
    with op.batch_alter_table('report_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_texts_review_id'), ['review_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('report_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_texts_review_id'))
    op.drop_table('report_texts')

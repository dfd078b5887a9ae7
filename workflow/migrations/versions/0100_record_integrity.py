"""record integrity: the anchor of every audit chain (a review's count and newest hash on its row,
the accounts log's in a one-row table), filled in from the chains as they stand

Revision ID: record_integrity
Revises: 0007_indexes
Create Date: 2026-12-03 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'record_integrity'
down_revision = '0007_indexes'
branch_labels = None
depends_on = None

GENESIS = '0' * 64


def upgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('audit_head', sa.String(length=64), server_default=GENESIS, nullable=False))
    # Each chain is anchored where it ends now: its highest number (so a row already missing from the
    # middle still shows as missing) and that row's hash.
    op.execute(
        "UPDATE reviews SET"
        " audit_count = COALESCE((SELECT MAX(seq) FROM audit_entries WHERE review_id = reviews.id), 0),"
        f" audit_head = COALESCE((SELECT hash FROM audit_entries WHERE review_id = reviews.id"
        f" ORDER BY seq DESC LIMIT 1), '{GENESIS}')"
    )
    op.create_table('account_audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('head', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_audit_head'))
    )
    op.execute(
        "INSERT INTO account_audit_head (id, count, head) SELECT 1,"
        " COALESCE((SELECT MAX(seq) FROM account_audit), 0),"
        f" COALESCE((SELECT hash FROM account_audit ORDER BY seq DESC LIMIT 1), '{GENESIS}')"
    )


def downgrade() -> None:
    op.drop_table('account_audit_head')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('audit_head')
        batch_op.drop_column('audit_count')

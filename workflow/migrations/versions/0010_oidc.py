"""oidc: each account remembers its subject at the single sign-on provider

Revision ID: oidc
Revises: 0008_notifications
Create Date: 2026-12-02 06:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010_oidc'
down_revision = '0009_record_integrity'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('oidc_subject', sa.String(length=255), nullable=True))
    op.create_index(op.f('ix_users_oidc_subject'), 'users', ['oidc_subject'], unique=True)


def downgrade() -> None:
    op.drop_index(op.f('ix_users_oidc_subject'), table_name='users')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('oidc_subject')

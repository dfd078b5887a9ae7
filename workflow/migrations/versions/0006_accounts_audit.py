"""accounts audit: the hash-chained log of account changes, and the operator (`via`) of audit rows

Revision ID: 0006_accounts
Revises: 0005
Create Date: 2026-12-02 00:47:40.152685
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006_accounts'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('via', sa.String(length=300), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['users.id'], name=op.f('fk_account_audit_account_id_users')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_account_audit_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_audit')),
    sa.UniqueConstraint('seq', name=op.f('uq_account_audit_seq'))
    )
    with op.batch_alter_table('account_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_audit_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_audit_actor_id'), ['actor_id'], unique=False)

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via', sa.String(length=300), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('via')

    with op.batch_alter_table('account_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_audit_actor_id'))
        batch_op.drop_index(batch_op.f('ix_account_audit_account_id'))

    op.drop_table('account_audit')

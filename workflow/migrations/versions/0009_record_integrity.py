"""record integrity: the anchor of every audit chain (a review's count and newest hash on its row,
the accounts log's in a one-row table), filled in from the chains as they stand; and the provenance
of imported reviews (what the file said of the review's past, kept apart from this system's record)

Revision ID: record_integrity
Revises: 0007_indexes
Create Date: 2026-12-03 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009_record_integrity'
down_revision = '0008_notifications'
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


    op.create_table('imported_provenance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.Integer(), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('format_version', sa.Integer(), nullable=False),
    sa.Column('exported_at', sa.DateTime(), nullable=False),
    sa.Column('source_review_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('paused_from', sa.String(length=30), nullable=True),
    sa.Column('route', sa.String(length=20), nullable=True),
    sa.Column('decision_rationale', sa.Text(), nullable=True),
    sa.Column('departure_rationale', sa.Text(), nullable=True),
    sa.Column('history_count', sa.Integer(), nullable=False),
    sa.Column('history_hashed', sa.Boolean(), nullable=False),
    sa.Column('history_head', sa.String(length=64), nullable=True),
    sa.Column('history_digest', sa.String(length=64), nullable=False),
    sa.Column('publication_variant', sa.String(length=30), nullable=True),
    sa.Column('publication_digest', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by'], ['users.id'], name=op.f('fk_imported_provenance_imported_by_users')),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], name=op.f('fk_imported_provenance_published_by_users')),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_imported_provenance_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_provenance'))
    )
    with op.batch_alter_table('imported_provenance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_provenance_imported_by'), ['imported_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_imported_provenance_published_by'), ['published_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_imported_provenance_review_id'), ['review_id'], unique=True)

    op.create_table('imported_audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provenance_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('source_actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('from_state', sa.String(length=30), nullable=True),
    sa.Column('to_state', sa.String(length=30), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('via', sa.String(length=300), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_imported_audit_entries_actor_id_users')),
    sa.ForeignKeyConstraint(['provenance_id'], ['imported_provenance.id'], name=op.f('fk_imported_audit_entries_provenance_id_imported_provenance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_audit_entries')),
    sa.UniqueConstraint('provenance_id', 'seq', name='uq_imported_audit_seq')
    )
    with op.batch_alter_table('imported_audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_imported_audit_entries_provenance_id'), ['provenance_id'], unique=False)

    op.create_table('imported_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provenance_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('media_type', sa.String(length=60), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['provenance_id'], ['imported_provenance.id'], name=op.f('fk_imported_documents_provenance_id_imported_provenance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_documents'))
    )
    with op.batch_alter_table('imported_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_documents_provenance_id'), ['provenance_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('imported_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_documents_provenance_id'))
    op.drop_table('imported_documents')
    with op.batch_alter_table('imported_audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_audit_entries_provenance_id'))
        batch_op.drop_index(batch_op.f('ix_imported_audit_entries_actor_id'))
    op.drop_table('imported_audit_entries')
    with op.batch_alter_table('imported_provenance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_provenance_review_id'))
        batch_op.drop_index(batch_op.f('ix_imported_provenance_published_by'))
        batch_op.drop_index(batch_op.f('ix_imported_provenance_imported_by'))
    op.drop_table('imported_provenance')
    op.drop_table('account_audit_head')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_column('audit_head')
        batch_op.drop_column('audit_count')

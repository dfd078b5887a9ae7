"""indexes on every foreign key column that had none (the link tables' second columns, the
episode of good practice, and the columns that name a user)

Revision ID: 0007_indexes
Revises: 0006_accounts
Create Date: 2026-12-02 02:00:00.000000
"""
from __future__ import annotations

from alembic import op


revision = '0007_indexes'
down_revision = '0006_accounts'
branch_labels = None
depends_on = None

INDEXED = (
    ('agency_narratives', 'submitted_by'),
    ('audit_entries', 'actor_id'),
    ('board_responses', 'recorded_by'),
    ('conversation_comments', 'author_id'),
    ('conversations', 'author_id'),
    ('episode_conversations', 'conversation_id'),
    ('episode_entries', 'entry_id'),
    ('factor_episodes', 'episode_id'),
    ('factors', 'proposed_by'),
    ('finding_comments', 'author_id'),
    ('finding_episodes', 'episode_id'),
    ('good_practice', 'author_id'),
    ('good_practice', 'episode_id'),
    ('panel_submissions', 'author_id'),
    ('partnership_themes', 'added_by'),
    ('published_reports', 'published_by'),
    ('register_entries', 'created_by'),
    ('register_entries', 'updated_by'),
    ('warning_acknowledgements', 'by'),
)


def upgrade() -> None:
    for table, column in INDEXED:
        op.create_index(op.f(f'ix_{table}_{column}'), table, [column], unique=False)


def downgrade() -> None:
    for table, column in reversed(INDEXED):
        op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)

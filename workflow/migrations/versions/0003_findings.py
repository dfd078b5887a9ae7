"""findings: narratives, conversations, episodes, factors, panel submissions, good practice,
findings, board responses, actions, themes, warning acknowledgements

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 18:22:54.050019
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agency_narratives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('agency', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.Column('returned_reason', sa.Text(), nullable=True),
    sa.Column('exemption', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_agency_narratives_review_id_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_agency_narratives_submitted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_narratives')),
    sa.UniqueConstraint('review_id', 'agency', name='uq_agency_narratives_review_agency')
    )
    with op.batch_alter_table('agency_narratives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_narratives_review_id'), ['review_id'], unique=False)

    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('overview', sa.Text(), nullable=False),
    sa.Column('turning_points', sa.Text(), nullable=False),
    sa.Column('mindset', sa.Text(), nullable=False),
    sa.Column('contributory_factors', sa.Text(), nullable=False),
    sa.Column('went_well', sa.Text(), nullable=False),
    sa.Column('queries', sa.Text(), nullable=False),
    sa.Column('suggested_changes', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_conversations_author_id_users')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['users.id'], name=op.f('fk_conversations_practitioner_id_users')),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_conversations_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations'))
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_practitioner_id'), ['practitioner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_review_id'), ['review_id'], unique=False)

    op.create_table('episodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('agencies', sa.JSON(), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('view_from_tunnel', sa.Text(), nullable=False),
    sa.Column('valence', sa.String(length=20), nullable=False),
    sa.Column('appraisal', sa.Text(), nullable=False),
    sa.Column('appraisal_reference', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_episodes_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_episodes'))
    )
    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_episodes_review_id'), ['review_id'], unique=False)

    op.create_table('factors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('framework', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposed_by'], ['users.id'], name=op.f('fk_factors_proposed_by_users')),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_factors_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factors'))
    )
    with op.batch_alter_table('factors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_factors_review_id'), ['review_id'], unique=False)

    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=True),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('how_it_showed', sa.Text(), nullable=False),
    sa.Column('why_it_matters', sa.Text(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_findings_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings'))
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_review_id'), ['review_id'], unique=False)

    op.create_table('partnership_themes',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_partnership_themes_added_by_users')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_partnership_themes'))
    )
    op.create_table('review_themes',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_themes_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', 'theme', name=op.f('pk_review_themes'))
    )
    op.create_table('warning_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('warning', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by'], ['users.id'], name=op.f('fk_warning_acknowledgements_by_users')),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_warning_acknowledgements_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_acknowledgements')),
    sa.UniqueConstraint('review_id', 'fingerprint', name='uq_warning_acknowledgements_review_fingerprint')
    )
    with op.batch_alter_table('warning_acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_acknowledgements_review_id'), ['review_id'], unique=False)

    op.create_table('board_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_agency', sa.String(length=200), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('evidence_of_impact', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_board_actions_finding_id_findings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_board_actions_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_actions'))
    )
    with op.batch_alter_table('board_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_actions_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_board_actions_review_id'), ['review_id'], unique=False)

    op.create_table('board_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_board_questions_finding_id_findings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_questions'))
    )
    with op.batch_alter_table('board_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_questions_finding_id'), ['finding_id'], unique=False)

    op.create_table('board_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_board_responses_finding_id_findings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_board_responses_recorded_by_users')),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_board_responses_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_responses')),
    sa.UniqueConstraint('finding_id', name=op.f('uq_board_responses_finding_id'))
    )
    with op.batch_alter_table('board_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_responses_review_id'), ['review_id'], unique=False)

    op.create_table('conversation_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_conversation_comments_author_id_users')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_comments_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_comments'))
    )
    with op.batch_alter_table('conversation_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_comments_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('episode_conversations',
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_episode_conversations_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_episode_conversations_episode_id_episodes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('episode_id', 'conversation_id', name=op.f('pk_episode_conversations'))
    )
    op.create_table('factor_episodes',
    sa.Column('factor_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_factor_episodes_episode_id_episodes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['factor_id'], ['factors.id'], name=op.f('fk_factor_episodes_factor_id_factors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('factor_id', 'episode_id', name=op.f('pk_factor_episodes'))
    )
    op.create_table('finding_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_finding_comments_author_id_users')),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_comments_finding_id_findings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_comments'))
    )
    with op.batch_alter_table('finding_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_comments_finding_id'), ['finding_id'], unique=False)

    op.create_table('finding_episodes',
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_finding_episodes_episode_id_episodes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_episodes_finding_id_findings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('finding_id', 'episode_id', name=op.f('pk_finding_episodes'))
    )
    op.create_table('finding_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('reference', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_evidence_finding_id_findings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_evidence'))
    )
    with op.batch_alter_table('finding_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_evidence_finding_id'), ['finding_id'], unique=False)

    op.create_table('good_practice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('what_went_well', sa.Text(), nullable=False),
    sa.Column('what_enabled_it', sa.Text(), nullable=False),
    sa.Column('agencies', sa.JSON(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_good_practice_author_id_users')),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_good_practice_episode_id_episodes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_good_practice_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_good_practice'))
    )
    with op.batch_alter_table('good_practice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_good_practice_review_id'), ['review_id'], unique=False)

    op.create_table('narrative_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('narrative_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('occurred_at', sa.Time(), nullable=True),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('source_record', sa.String(length=300), nullable=False),
    sa.Column('aware', sa.JSON(), nullable=False),
    sa.Column('significant', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['narrative_id'], ['agency_narratives.id'], name=op.f('fk_narrative_entries_narrative_id_agency_narratives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_narrative_entries_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_narrative_entries'))
    )
    with op.batch_alter_table('narrative_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_narrative_entries_narrative_id'), ['narrative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_narrative_entries_review_id'), ['review_id'], unique=False)

    op.create_table('panel_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('appraisal', sa.Text(), nullable=False),
    sa.Column('episode_notes', sa.JSON(), nullable=False),
    sa.Column('proposed_factors', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('waiver_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_panel_submissions_author_id_users')),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_panel_submissions_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_panel_submissions_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_submissions')),
    sa.UniqueConstraint('membership_id', name=op.f('uq_panel_submissions_membership_id'))
    )
    with op.batch_alter_table('panel_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_submissions_review_id'), ['review_id'], unique=False)

    op.create_table('episode_entries',
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['narrative_entries.id'], name=op.f('fk_episode_entries_entry_id_narrative_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_episode_entries_episode_id_episodes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('episode_id', 'entry_id', name=op.f('pk_episode_entries'))
    )


def downgrade() -> None:
    op.drop_table('episode_entries')
    with op.batch_alter_table('panel_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_submissions_review_id'))

    op.drop_table('panel_submissions')
    with op.batch_alter_table('narrative_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_narrative_entries_review_id'))
        batch_op.drop_index(batch_op.f('ix_narrative_entries_narrative_id'))

    op.drop_table('narrative_entries')
    with op.batch_alter_table('good_practice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_good_practice_review_id'))

    op.drop_table('good_practice')
    with op.batch_alter_table('finding_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_evidence_finding_id'))

    op.drop_table('finding_evidence')
    op.drop_table('finding_episodes')
    with op.batch_alter_table('finding_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_comments_finding_id'))

    op.drop_table('finding_comments')
    op.drop_table('factor_episodes')
    op.drop_table('episode_conversations')
    with op.batch_alter_table('conversation_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_comments_conversation_id'))

    op.drop_table('conversation_comments')
    with op.batch_alter_table('board_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_responses_review_id'))

    op.drop_table('board_responses')
    with op.batch_alter_table('board_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_questions_finding_id'))

    op.drop_table('board_questions')
    with op.batch_alter_table('board_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_actions_review_id'))
        batch_op.drop_index(batch_op.f('ix_board_actions_finding_id'))

    op.drop_table('board_actions')
    with op.batch_alter_table('warning_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_acknowledgements_review_id'))

    op.drop_table('warning_acknowledgements')
    op.drop_table('review_themes')
    op.drop_table('partnership_themes')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_findings_review_id'))

    op.drop_table('findings')
    with op.batch_alter_table('factors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_factors_review_id'))

    op.drop_table('factors')
    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_episodes_review_id'))

    op.drop_table('episodes')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_review_id'))
        batch_op.drop_index(batch_op.f('ix_conversations_practitioner_id'))

    op.drop_table('conversations')
    with op.batch_alter_table('agency_narratives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_narratives_review_id'))

    op.drop_table('agency_narratives')

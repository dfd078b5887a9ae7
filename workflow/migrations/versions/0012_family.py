"""family: the family's involvement, the lead reviewers' independence, the quality self-assessment

Revision ID: 0012_family
Revises: 0011_statutory
Create Date: 2026-12-03 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012_family'
down_revision = '0011_statutory'
branch_labels = None
depends_on = None


def _versioned() -> list[sa.Column[object]]:
    return [
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        'family_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('pseudonym', sa.String(length=100), nullable=False),
        sa.Column('relationship_to_child', sa.String(length=100), nullable=False),
        sa.Column('invited_on', sa.Date(), nullable=True),
        sa.Column('wishes', sa.String(length=20), nullable=False),
        sa.Column('views', sa.Text(), nullable=False),
        sa.Column('draft_shared_on', sa.Date(), nullable=True),
        sa.Column('recorded_by', sa.Integer(), nullable=False),
        *_versioned(),
        sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_family_members_recorded_by_users')),
        sa.ForeignKeyConstraint(
            ['review_id'], ['reviews.id'], name=op.f('fk_family_members_review_id_reviews'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_family_members')),
    )
    op.create_index(op.f('ix_family_members_review_id'), 'family_members', ['review_id'])
    op.create_index(op.f('ix_family_members_recorded_by'), 'family_members', ['recorded_by'])
    op.create_table(
        'family_contacts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('family_member_id', sa.Integer(), nullable=False),
        sa.Column('contacted_on', sa.Date(), nullable=False),
        sa.Column('means', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['family_member_id'],
            ['family_members.id'],
            name=op.f('fk_family_contacts_family_member_id_family_members'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_family_contacts_recorded_by_users')),
        sa.ForeignKeyConstraint(
            ['review_id'], ['reviews.id'], name=op.f('fk_family_contacts_review_id_reviews'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_family_contacts')),
    )
    op.create_index(op.f('ix_family_contacts_review_id'), 'family_contacts', ['review_id'])
    op.create_index(op.f('ix_family_contacts_family_member_id'), 'family_contacts', ['family_member_id'])
    op.create_index(op.f('ix_family_contacts_recorded_by'), 'family_contacts', ['recorded_by'])
    op.create_table(
        'independence_declarations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('membership_id', sa.Integer(), nullable=False),
        sa.Column('statement', sa.Text(), nullable=False),
        sa.Column('declared_on', sa.Date(), nullable=False),
        *_versioned(),
        sa.ForeignKeyConstraint(
            ['membership_id'],
            ['memberships.id'],
            name=op.f('fk_independence_declarations_membership_id_memberships'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['review_id'],
            ['reviews.id'],
            name=op.f('fk_independence_declarations_review_id_reviews'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_independence_declarations')),
        sa.UniqueConstraint('review_id', 'membership_id', name='uq_independence_declarations_member'),
    )
    op.create_index(op.f('ix_independence_declarations_review_id'), 'independence_declarations', ['review_id'])
    op.create_index(
        op.f('ix_independence_declarations_membership_id'), 'independence_declarations', ['membership_id']
    )
    op.create_table(
        'marker_assessments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('marker', sa.String(length=60), nullable=False),
        sa.Column('rating', sa.String(length=20), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('assessed_by', sa.Integer(), nullable=False),
        *_versioned(),
        sa.ForeignKeyConstraint(['assessed_by'], ['users.id'], name=op.f('fk_marker_assessments_assessed_by_users')),
        sa.ForeignKeyConstraint(
            ['review_id'], ['reviews.id'], name=op.f('fk_marker_assessments_review_id_reviews'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_marker_assessments')),
        sa.UniqueConstraint('review_id', 'marker', name='uq_marker_assessments_review_marker'),
    )
    op.create_index(op.f('ix_marker_assessments_review_id'), 'marker_assessments', ['review_id'])
    op.create_index(op.f('ix_marker_assessments_assessed_by'), 'marker_assessments', ['assessed_by'])


def downgrade() -> None:
    op.drop_table('marker_assessments')
    op.drop_table('independence_declarations')
    op.drop_table('family_contacts')
    op.drop_table('family_members')

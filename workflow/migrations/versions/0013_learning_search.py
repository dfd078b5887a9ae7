"""learning search: the learning repository's entries (one per finding, question, board response,
episode, factor, published report and review published elsewhere), the catalogue of reviews
published elsewhere, and the full-text index over the entries (SQLite FTS5 kept in step by triggers;
PostgreSQL a stored tsvector with a GIN index), built for the data already there

Revision ID: 0013_learning_search
Revises: 0012_family
Create Date: 2026-12-03 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013_learning_search'
down_revision = '0012_family'
branch_labels = None
depends_on = None

SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_entries',"
    " content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entries_added AFTER INSERT ON search_entries BEGIN"
    " INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_entries_removed AFTER DELETE ON search_entries BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER search_entries_changed AFTER UPDATE ON search_entries BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);"
    " INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)
POSTGRES_INDEX = (
    "ALTER TABLE search_entries ADD COLUMN document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') ||"
    " setweight(to_tsvector('english', coalesce(body, '')), 'B')) STORED",
    "CREATE INDEX ix_search_entries_document ON search_entries USING gin (document)",
    # What everyone signed in may see, on its own: most of a search runs over it alone.
    "CREATE INDEX ix_search_entries_public_document ON search_entries USING gin (document) WHERE public",
)


def upgrade() -> None:
    op.create_table('external_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('partnership', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('learning_summary', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=1000), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by'], ['users.id'], name=op.f('fk_external_reviews_imported_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_reviews')),
    sa.UniqueConstraint('link', name='uq_external_reviews_link')
    )
    with op.batch_alter_table('external_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_reviews_imported_by'), ['imported_by'], unique=False)

    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.Column('external_review_id', sa.Integer(), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=400), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('finding_category', sa.String(length=60), nullable=True),
    sa.Column('factor_categories', sa.JSON(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('agencies', sa.JSON(), nullable=False),
    sa.Column('regime', sa.String(length=20), nullable=True),
    sa.Column('route', sa.String(length=20), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('public', sa.Boolean(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['external_review_id'], ['external_reviews.id'], name=op.f('fk_search_entries_external_review_id_external_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_search_entries_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    sa.UniqueConstraint('kind', 'source_id', name='uq_search_entries_kind_source_id')
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entries_external_review_id'), ['external_review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_finding_category'), ['finding_category'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_review_id'), ['review_id'], unique=False)
        batch_op.create_index('ix_search_entries_year', ['year'], unique=False)
        batch_op.create_index('ix_search_entries_public_year', ['public', 'year'], unique=False)

    for statement in SQLITE_INDEX if op.get_bind().dialect.name == 'sqlite' else POSTGRES_INDEX:
        op.execute(statement)

    # The entries of the data already there, built by the code that keeps them in step.
    from findings.learning.index import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('search_entries_added', 'search_entries_removed', 'search_entries_changed'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS search_fts')
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_search_entries_public_year')
        batch_op.drop_index('ix_search_entries_year')
        batch_op.drop_index(batch_op.f('ix_search_entries_review_id'))
        batch_op.drop_index(batch_op.f('ix_search_entries_finding_id'))
        batch_op.drop_index(batch_op.f('ix_search_entries_finding_category'))
        batch_op.drop_index(batch_op.f('ix_search_entries_external_review_id'))
    op.drop_table('search_entries')
    with op.batch_alter_table('external_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_reviews_imported_by'))
    op.drop_table('external_reviews')

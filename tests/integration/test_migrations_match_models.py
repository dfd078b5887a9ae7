"""The migrations and the models agree: autogenerate finds nothing to add on a migrated database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from workflow.models import Base


def test_autogenerate_finds_no_difference_after_upgrading(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []

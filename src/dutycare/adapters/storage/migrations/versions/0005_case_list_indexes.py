"""case list indexes: filters by status and region read in case order; withdrawn events found without a scan

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The one-column indexes are prefixes of the new ones, which also give the list its order (position) and end
    # with the id, so that counting the cases a viewer may see reads the index alone.
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_status')
        batch_op.drop_index('ix_cases_region')
        batch_op.create_index('ix_cases_position', ['position', 'id'], unique=False)
        batch_op.create_index('ix_cases_status_position', ['status', 'position', 'id'], unique=False)
        batch_op.create_index('ix_cases_region_position', ['region', 'position', 'id'], unique=False)
        batch_op.create_index('ix_cases_region_status_position', ['region', 'status', 'position', 'id'],
                              unique=False)
    # Only withdrawn events are in it (few), so searches and event counts can leave them out without reading
    # every event row, and writing a live event costs it nothing.
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_withdrawn', ['id'], unique=False,
                              sqlite_where=sa.text('deleted_at IS NOT NULL'),
                              postgresql_where=sa.text('deleted_at IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_withdrawn')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_region_status_position')
        batch_op.drop_index('ix_cases_region_position')
        batch_op.drop_index('ix_cases_status_position')
        batch_op.drop_index('ix_cases_position')
        batch_op.create_index('ix_cases_region', ['region'], unique=False)
        batch_op.create_index('ix_cases_status', ['status'], unique=False)

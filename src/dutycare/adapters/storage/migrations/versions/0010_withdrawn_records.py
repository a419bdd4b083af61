"""withdrawn records: cases, people, sources and institutions can be withdrawn as events can

Revision ID: 0010
Revises: 0015
Create Date: 2026-12-01 23:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0015'
branch_labels = None
depends_on = None

TABLES = ('people', 'institutions', 'sources', 'cases')


def upgrade() -> None:
    # A withdrawn record stays stored (the ledger keeps its history) and leaves every list, page and reference.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('deleted_at', sa.String(length=40), nullable=True))
            batch_op.add_column(sa.Column('deleted_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_withdrawn', ['id'], unique=False,
                              sqlite_where=sa.text('deleted_at IS NOT NULL'),
                              postgresql_where=sa.text('deleted_at IS NOT NULL'))


def downgrade() -> None:
    # Older versions know no withdrawn case, person, source or institution: those rows would show again, so the
    # downgrade refuses while any exists.
    bind = op.get_bind()
    for table in TABLES:
        count = bind.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE deleted_at IS NOT NULL")).scalar()
        if count:
            raise RuntimeError(f"{count} withdrawn row(s) in {table}: an older version would show them again")
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_withdrawn')
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('deleted_reason')
            batch_op.drop_column('deleted_at')

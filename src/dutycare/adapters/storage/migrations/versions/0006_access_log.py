"""access log: users, tokens, case restrictions and audit rows entered in a second Merkle log with checkpoints

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 19:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_entries',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=80), nullable=False),
    sa.Column('entry', sa.LargeBinary(), nullable=False),
    sa.Column('leaf_hash', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_access_entries'))
    )
    with op.batch_alter_table('access_entries', schema=None) as batch_op:
        batch_op.create_index('ix_access_entries_entity', ['entity', 'entity_id', 'seq'], unique=False)
    op.create_table('access_checkpoints',
    sa.Column('size', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('root', sa.LargeBinary(), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('size', name=op.f('pk_access_checkpoints'))
    )
    # Users, tokens, restrictions and audit rows from before this revision are entered as they stand now: from
    # here on, a change made outside dutycare fails 'ledger verify'.
    from dutycare.adapters.storage.access_records import enter_existing

    enter_existing(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('access_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_access_entries_entity')
    op.drop_table('access_entries')
    op.drop_table('access_checkpoints')

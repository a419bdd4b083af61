"""complaint drafts: letters drafted from a case, sealed, with the cases they belong to

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-01 22:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaint_drafts',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('complaint_event_id', sa.String(length=80), nullable=True),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_drafts'))
    )
    op.create_table('complaint_draft_cases',
    sa.Column('draft_id', sa.String(length=80), nullable=False),
    sa.Column('case_id', sa.String(length=80), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_complaint_draft_cases_case_id_cases')),
    sa.ForeignKeyConstraint(['draft_id'], ['complaint_drafts.id'],
                            name=op.f('fk_complaint_draft_cases_draft_id_complaint_drafts')),
    sa.PrimaryKeyConstraint('draft_id', 'case_id', name=op.f('pk_complaint_draft_cases'))
    )
    with op.batch_alter_table('complaint_draft_cases', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_draft_cases_case_id', ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('complaint_draft_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_draft_cases_case_id')
    op.drop_table('complaint_draft_cases')
    op.drop_table('complaint_drafts')

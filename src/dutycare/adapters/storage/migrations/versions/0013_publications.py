"""publications: approved reports with their files, covered by the ledger

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-01 23:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'publications',
        sa.Column('id', sa.String(80), nullable=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('lang', sa.String(5), nullable=False),
        sa.Column('filters', sa.Text(), nullable=False),
        sa.Column('population_sha256', sa.String(64), nullable=False),
        sa.Column('population_size', sa.Integer(), nullable=False),
        sa.Column('population', sa.Text(), nullable=False),
        sa.Column('files', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(200), nullable=False),
        sa.Column('created_at', sa.String(40), nullable=False),
        sa.Column('approved_by', sa.String(200)),
        sa.Column('approved_at', sa.String(40)),
        sa.PrimaryKeyConstraint('id', name='pk_publications'),
    )
    op.create_table(
        'publication_files',
        sa.Column('publication_id', sa.String(80), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['publication_id'], ['publications.id'],
                                name='fk_publication_files_publication_id_publications'),
        sa.PrimaryKeyConstraint('publication_id', 'name', name='pk_publication_files'),
    )


def downgrade() -> None:
    op.drop_table('publication_files')
    op.drop_table('publications')

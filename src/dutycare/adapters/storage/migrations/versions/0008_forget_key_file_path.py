"""forget the key file path: the database no longer records where its key file is kept

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-01 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None

_meta = sa.table('meta', sa.column('key', sa.String), sa.column('value', sa.Text))


def upgrade() -> None:
    # A copy of the database must not say where its key is (a removable disk's mount point, a user's folder).
    # From now on the key file is found from --key-file / DUTYCARE_KEY_FILE or the default per-database path.
    op.execute(_meta.delete().where(_meta.c.key == 'key_file'))


def downgrade() -> None:
    # The path is gone and cannot be rebuilt; older versions then ask for --key-file, which is safe.
    pass

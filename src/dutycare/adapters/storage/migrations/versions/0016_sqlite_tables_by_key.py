"""SQLite keeps the search and link tables in their key's order alone (WITHOUT ROWID)

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-02 08:00:00.000000

Each of these tables is nothing but its primary key (and a short column or two). As an ordinary SQLite table it
was stored twice: once in rowid order and once more as the key's own index, and every insert went into both.
Stored by the key alone, a 100,000-event database is about a fifth smaller and its bulk import writes less.
PostgreSQL has no such option and is left as it is.
"""

from __future__ import annotations

from alembic import op

revision = '0016'
down_revision = '0010'
branch_labels = None
depends_on = None

TABLES = ('search_terms', 'search_postings', 'event_cases', 'event_sources')


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name in TABLES:
        with op.batch_alter_table(name, recreate='always', table_kwargs={'sqlite_with_rowid': with_rowid}):
            pass


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)

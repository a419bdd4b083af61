"""search postings: a word's cases in case-list order, so that a common word costs what a page costs

Revision ID: 0015
Revises: 0008
Create Date: 2026-12-01 22:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None

_terms = sa.table('search_terms', sa.column('term', sa.String), sa.column('kind', sa.String),
                  sa.column('record_id', sa.String))
_postings = sa.table('search_postings', sa.column('term', sa.String), sa.column('position', sa.BigInteger),
                     sa.column('case_id', sa.String), sa.column('kind', sa.String), sa.column('record_id', sa.String))
_cases = sa.table('cases', sa.column('id', sa.String), sa.column('position', sa.BigInteger),
                  sa.column('person_id', sa.String))
_event_cases = sa.table('event_cases', sa.column('event_id', sa.String), sa.column('case_id', sa.String))
_events = sa.table('events', sa.column('id', sa.String), sa.column('deleted_at', sa.String))
_COLUMNS = ['term', 'position', 'case_id', 'kind', 'record_id']


def _postings_of(kind: str) -> sa.Insert:
    # The same derivation as adapters.storage.search_store.posting_rows, written out here so that this
    # migration keeps meaning what it meant when later code changes.
    s, c = _terms.c, _cases.c
    where = [s.kind == kind]
    if kind == 'case':
        source = _terms.join(_cases, c.id == s.record_id)
    elif kind == 'person':
        source = _terms.join(_cases, c.person_id == s.record_id)
    else:
        source = (_terms.join(_event_cases, _event_cases.c.event_id == s.record_id)
                  .join(_cases, c.id == _event_cases.c.case_id))
        where.append(s.record_id.not_in(sa.select(_events.c.id).where(_events.c.deleted_at.is_not(None))))
    rows = sa.select(s.term, c.position, c.id, s.kind, s.record_id).select_from(source).where(*where)
    return _postings.insert().from_select(_COLUMNS, rows)


def upgrade() -> None:
    op.create_table('search_postings',
    sa.Column('term', sa.String(length=32), nullable=False),
    sa.Column('position', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('case_id', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('record_id', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('term', 'position', 'case_id', 'kind', 'record_id', name=op.f('pk_search_postings'))
    )
    with op.batch_alter_table('search_postings', schema=None) as batch_op:
        batch_op.create_index('ix_search_postings_record', ['kind', 'record_id'], unique=False)
    # The words of each record are kept in record order now (writing and removing a record's words touch one
    # place); nothing reads them by word any more.
    with op.batch_alter_table('search_terms', schema=None, recreate='always') as batch_op:
        batch_op.drop_index('ix_search_terms_record')
        batch_op.drop_constraint('pk_search_terms', type_='primary')
        batch_op.create_primary_key('pk_search_terms', ['kind', 'record_id', 'term'])
    for kind in ('case', 'person', 'event'):
        op.execute(_postings_of(kind))


def downgrade() -> None:
    with op.batch_alter_table('search_terms', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint('pk_search_terms', type_='primary')
        batch_op.create_primary_key('pk_search_terms', ['term', 'kind', 'record_id'])
        batch_op.create_index('ix_search_terms_record', ['kind', 'record_id'], unique=False)
    with op.batch_alter_table('search_postings', schema=None) as batch_op:
        batch_op.drop_index('ix_search_postings_record')
    op.drop_table('search_postings')

"""Tables of the staff application: organisations, users, sessions, API tokens, case restrictions, audit, the
access log, search.

They live on the same ``metadata`` as the case record so that one Alembic history covers everything.
Secrets are never stored as given: passwords as Argon2id hashes, session and API tokens as SHA-256 digests,
TOTP secrets sealed with the organisation key, search terms as keyed HMACs.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text

from dutycare.adapters.storage.tables import ID, metadata

organisations = Table(
    "organisations", metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

users = Table(
    "users", metadata,
    Column("id", String(ID), primary_key=True),
    Column("organisation_id", String(ID), ForeignKey("organisations.id"), nullable=False),
    Column("name", String(80), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("totp_sealed", LargeBinary),
    Column("totp_version", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(40), nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("second_factor_done", Boolean, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("last_seen_at", String(40), nullable=False),
    Index("ix_sessions_user_id", "user_id"),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("last_used_at", String(40)),
    Column("revoked_at", String(40)),
    Index("ix_api_tokens_user_id", "user_id"),
)

login_failures = Table(
    "login_failures", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Index("ix_login_failures_key", "key", "at"),
)

restricted_cases = Table(
    "restricted_cases", metadata,
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Column("restricted_at", String(40), nullable=False),
    Column("restricted_by", String(80), nullable=False),
)

case_access = Table(
    "case_access", metadata,
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Column("user_id", String(ID), ForeignKey("users.id"), primary_key=True),
    Index("ix_case_access_user_id", "user_id"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("user_id", String(ID)),
    Column("user_name", String(80), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target_kind", String(40), nullable=False),
    Column("target_id", String(ID), nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_audit_log_target", "target_kind", "target_id"),
)

# The access log: users, tokens, case restrictions and audit rows, entered as in the case ledger but in a log
# of its own (its own origin and checkpoints), so proof bundles of the case record do not carry who read what.
access_entries = Table(
    "access_entries", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", String(ID), nullable=False),
    Column("entry", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary, nullable=False),
    Index("ix_access_entries_entity", "entity", "entity_id", "seq"),
)

access_checkpoints = Table(
    "access_checkpoints", metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary, nullable=False),
    Column("at", String(40), nullable=False),
    Column("note", Text, nullable=False),
)

# The words of each record (what verification compares with the ledger-covered records), kept in record order
# so that writing a record's words and removing them touch one place of the table (migration 0015).
search_terms = Table(
    "search_terms", metadata,
    Column("kind", String(10), primary_key=True),
    Column("record_id", String(ID), primary_key=True),
    Column("term", String(32), primary_key=True),
    sqlite_with_rowid=False,  # nothing but its key: stored once, in the key's order (migration 0016)
)

# The same words as posting lists per case: for every word, the cases whose text, person or live events hold it,
# in case-list order (position), each with the record it comes from. A search reads a word's cases in list order
# and stops when the page is full, so a word in 75,000 cases costs what a page costs (migration 0015).
search_postings = Table(
    "search_postings", metadata,
    Column("term", String(32), primary_key=True),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("case_id", String(ID), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("record_id", String(ID), primary_key=True),
    Index("ix_search_postings_record", "kind", "record_id"),
    sqlite_with_rowid=False,
)

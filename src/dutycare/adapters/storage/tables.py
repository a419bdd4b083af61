"""The relational schema, shared by SQLite and PostgreSQL.

Columns that rules, filters and statistics need stay in plaintext; everything that could identify a person
(names, contacts, free text, testimony) lives in one sealed blob per row, encrypted with its own data key.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from dutycare.domain.limits import MAX_DATE_LENGTH, MAX_ID_LENGTH, MAX_JURISDICTION_LENGTH, MAX_REGION_LENGTH

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = MAX_ID_LENGTH  # the interchange parser refuses longer ids, over-long regions and the like (domain.limits)

meta = Table(
    "meta", metadata,
    Column("key", String(80), primary_key=True),
    Column("value", Text, nullable=False),
)

people = Table(
    "people", metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("role", String(20), nullable=False),
    Column("service_status", String(20), nullable=False),
    Column("age", Integer),
    Column("age_as_of", String(MAX_DATE_LENGTH)),
    Column("birth_year", Integer),
    Column("sealed", LargeBinary, nullable=False),
    Column("deleted_at", String(40)),
    Column("deleted_reason", Text),
)

institutions = Table(
    "institutions", metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("type", String(40), nullable=False),
    Column("region", String(MAX_REGION_LENGTH)),
    Column("parent_id", String(ID)),
    Column("jurisdiction", String(MAX_JURISDICTION_LENGTH), nullable=False),
    Column("deleted_at", String(40)),
    Column("deleted_reason", Text),
)

sources = Table(
    "sources", metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("reliability", String(2), nullable=False),
    Column("date", String(MAX_DATE_LENGTH)),
    Column("publisher", Text),
    Column("sealed", LargeBinary, nullable=False),
    Column("deleted_at", String(40)),
    Column("deleted_reason", Text),
)

cases = Table(
    "cases", metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("person_id", String(ID), ForeignKey("people.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("region", String(MAX_REGION_LENGTH)),
    Column("opened", String(MAX_DATE_LENGTH)),
    Column("sealed", LargeBinary, nullable=False),
    Column("deleted_at", String(40)),
    Column("deleted_reason", Text),
    Index("ix_cases_person_id", "person_id"),
    # The staff case list filters by status and region and reads in case order; the id last lets it count the
    # cases a viewer may see from the index alone (migration 0005).
    Index("ix_cases_position", "position", "id"),
    Index("ix_cases_status_position", "status", "position", "id"),
    Index("ix_cases_region_position", "region", "position", "id"),
    Index("ix_cases_region_status_position", "region", "status", "position", "id"),
    # Withdrawn cases only (migration 0010): lists leave them out without reading every case.
    Index("ix_cases_withdrawn", "id", sqlite_where=text("deleted_at IS NOT NULL"),
          postgresql_where=text("deleted_at IS NOT NULL")),
)

events = Table(
    "events", metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(40), nullable=False),
    Column("date", String(MAX_DATE_LENGTH), nullable=False),
    Column("date_start", Date, nullable=False),
    Column("date_end", Date, nullable=False),
    Column("institution_id", String(ID), ForeignKey("institutions.id")),
    Column("details", Text, nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("deleted_at", String(40)),
    Column("deleted_reason", Text),
    Index("ix_events_institution_id", "institution_id"),
    Index("ix_events_type", "type"),
    # Withdrawn events only (migration 0005): searches and counts leave them out without reading every event.
    Index("ix_events_withdrawn", "id", sqlite_where=text("deleted_at IS NOT NULL"),
          postgresql_where=text("deleted_at IS NOT NULL")),
)

event_cases = Table(
    "event_cases", metadata,
    Column("event_id", String(ID), ForeignKey("events.id"), primary_key=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Column("ordinal", Integer, nullable=False),
    Index("ix_event_cases_case_id", "case_id"),
    sqlite_with_rowid=False,  # link rows, stored once in their key's order (migration 0016)
)

event_sources = Table(
    "event_sources", metadata,
    Column("event_id", String(ID), ForeignKey("events.id"), primary_key=True),
    Column("ordinal", Integer, primary_key=True),
    Column("source_id", String(ID), ForeignKey("sources.id"), nullable=False),
    Column("locator", Text),
    sqlite_with_rowid=False,
)

ledger_entries = Table(
    "ledger_entries", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", String(ID), nullable=False),
    Column("entry", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary, nullable=False),
    Index("ix_ledger_entries_entity", "entity", "entity_id", "seq"),
)

checkpoints = Table(
    "checkpoints", metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary, nullable=False),
    Column("at", String(40), nullable=False),
    Column("note", Text, nullable=False),
)

findings = Table(
    "findings", metadata,
    Column("key", String(80), primary_key=True),
    Column("rule_id", String(20), nullable=False),
    Column("scope", String(20), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("certainty", String(20), nullable=False),
    Column("institution_id", String(ID)),
    Column("event_ids", Text, nullable=False),
    Column("explanation_ru", Text, nullable=False),
    Column("explanation_en", Text, nullable=False),
    Column("evaluated_at", String(40), nullable=False),
    Index("ix_findings_rule_id", "rule_id"),
)

finding_cases = Table(
    "finding_cases", metadata,
    Column("finding_key", String(80), ForeignKey("findings.key", ondelete="CASCADE"), primary_key=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Index("ix_finding_cases_case_id", "case_id"),
)

evidence = Table(
    "evidence", metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_id", String(ID), ForeignKey("events.id"), nullable=False),
    Column("derived_from", String(ID), ForeignKey("evidence.id")),
    Column("source_id", String(ID), ForeignKey("sources.id")),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(200), nullable=False),
    Column("stored_path", Text, nullable=False),
    Column("added_by", String(200), nullable=False),
    Column("added_at", String(40), nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Index("ix_evidence_event_id", "event_id"),
)

# Complaint drafts (migration 0012): the letter's whole content, applicants' names and addresses included, is
# sealed; only what lists and visibility need stays plain.
complaint_drafts = Table(
    "complaint_drafts", metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("complaint_event_id", String(ID)),
    Column("sealed", LargeBinary, nullable=False),
)

complaint_draft_cases = Table(
    "complaint_draft_cases", metadata,
    Column("draft_id", String(ID), ForeignKey("complaint_drafts.id"), primary_key=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), primary_key=True),
    Column("ordinal", Integer, nullable=False),
    Index("ix_complaint_draft_cases_case_id", "case_id"),
)

# Publications (migration 0013): an approved report's files are kept byte for byte, so the SHA-256 the ledger
# recorded for each can be checked again at any time; the population is the sorted case ids it covers.
publications = Table(
    "publications", metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("lang", String(5), nullable=False),
    Column("filters", Text, nullable=False),
    Column("population_sha256", String(64), nullable=False),
    Column("population_size", Integer, nullable=False),
    Column("population", Text, nullable=False),
    Column("files", Text, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("approved_by", String(200)),
    Column("approved_at", String(40)),
)

publication_files = Table(
    "publication_files", metadata,
    Column("publication_id", String(ID), ForeignKey("publications.id"), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

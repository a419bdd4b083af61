"""Read-only queries the entrypoints run; they change nothing and write no ledger entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dutycare.domain.model import Case, Institution, Person


@dataclass(frozen=True)
class CaseFilter:
    """What a case list may be narrowed by."""

    status: str | None = None
    region: str | None = None
    institution_id: str | None = None
    case_ids: frozenset[str] | None = None


@dataclass(frozen=True)
class CaseRow:
    """One line of a case list: the case, its person and how many events it has."""

    case: Case
    person: Person
    event_count: int


@dataclass(frozen=True)
class FindingRow:
    """A finding as stored: what the case list and pages read without re-evaluating rules."""

    key: str
    rule_id: str
    scope: str
    severity: str
    certainty: str
    case_ids: tuple[str, ...]
    event_ids: tuple[str, ...]
    institution_id: str | None
    explanation_ru: str
    explanation_en: str
    evaluated_at: str


SEARCH_COUNT_LIMIT = 1000
"""A text search counts its cases up to this many and one more: a total above it means "more than this many"
(counting every case a common word is in would cost far more than showing a page of them)."""


@dataclass(frozen=True)
class CaseQuery:
    """What a staff case list may be narrowed by."""

    status: str | None = None
    region: str | None = None
    institution_id: str | None = None
    rule_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None


@dataclass(frozen=True)
class FilterChoices:
    """The values the case-list filters offer."""

    statuses: tuple[str, ...]
    regions: tuple[str, ...]
    institutions: tuple[Institution, ...]
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    seq: int
    at: str
    user_id: str | None
    user_name: str
    action: str
    target_kind: str
    target_id: str
    detail: str


@dataclass(frozen=True)
class RecordState:
    """A stored record's full current state (in interchange form), or the reason it cannot be read."""

    entity: str
    id: str
    case_ids: tuple[str, ...]
    record: dict[str, Any] | None
    unreadable: str | None = None


@dataclass(frozen=True)
class RowFacts:
    """A stored record's bookkeeping columns, read as stored, for verification against the ledger."""

    entity: str
    id: str
    position: object
    version: object
    derived: dict[str, object]


@dataclass(frozen=True)
class GroupCount:
    """One group of a pattern table as the database counts it: its key, its cases and those with the measure."""

    key: str
    cases: int
    with_measure: int

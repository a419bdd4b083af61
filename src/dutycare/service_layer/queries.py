"""Read-only queries the entrypoints run; they change nothing and write no ledger entry."""

from __future__ import annotations

from dataclasses import dataclass

from dutycare.domain.model import Case, Person


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

"""The unit of work: one transaction in which a write, its ledger entries and its findings happen together."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Protocol, Self

from dutycare.domain.events import Event
from dutycare.domain.evidence import EvidenceFile
from dutycare.domain.model import Case, CaseFile, Institution, Person, Timeline
from dutycare.service_layer.changes import Change
from dutycare.service_layer.queries import CaseFilter, CaseRow
from dutycare.service_layer.search import SearchIndex


class Records(Protocol):
    """The case-record repository the services use."""

    def has(self, kind: str, record_id: str) -> bool: ...
    def event_type(self, event_id: str) -> str | None: ...
    def count(self, kind: str) -> int: ...
    def add_case_file(self, cf: CaseFile) -> None: ...
    def add_events(self, events: Sequence[Event]) -> None: ...
    def case(self, case_id: str) -> Case: ...
    def event(self, event_id: str) -> Event: ...
    def replace_event(self, event: Event) -> int: ...
    def tombstone_event(self, event_id: str, at: str, reason: str) -> Event: ...
    def person(self, person_id: str) -> Person: ...
    def timeline(self, case_id: str) -> Timeline: ...
    def institutions_by_id(self, ids: Iterable[str] | None = None) -> dict[str, Institution]: ...
    def events_at_institutions(self, institution_ids: Iterable[str]) -> list[Event]: ...
    def all_records(self) -> CaseFile: ...
    def add_evidence(self, ev: EvidenceFile, stored_path: str) -> None: ...
    def evidence(self, evidence_id: str) -> EvidenceFile: ...
    def evidence_of_case(self, case_id: str) -> list[EvidenceFile]: ...
    def list_cases(self, flt: CaseFilter, limit: int = 50, offset: int = 0) -> tuple[list[CaseRow], int]: ...


class Ledger(Protocol):
    """The append-only log every write is entered in."""

    def append(self, changes: Iterable[Change], actor: str) -> int:
        """Append one entry per change; return the new tree size."""
        ...


class UnitOfWork(abc.ABC):
    """A transaction over the repositories; it rolls back unless commit() is called."""

    records: Records
    ledger: Ledger
    search: SearchIndex
    actor: str

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None:
        """Make everything written in this unit permanent."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard everything written in this unit that was not committed."""

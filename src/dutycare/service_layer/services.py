"""Use cases on the case record. Each write happens in one unit of work together with its ledger entries."""

from __future__ import annotations

from typing import Any

from dutycare.domain.interchange import case_file_to_dict
from dutycare.domain.limits import MAX_OFFSET
from dutycare.domain.model import Timeline
from dutycare.service_layer.bulk_import import DocumentRecords, ImportResult, import_records
from dutycare.service_layer.ports import UnitOfWork
from dutycare.service_layer.queries import CaseFilter, CaseRow

__all__ = ["ImportResult", "case_timeline", "export_case_file", "import_case_file", "list_cases", "record_counts"]


def import_case_file(uow: UnitOfWork, document: Any) -> ImportResult:
    """Validate a whole interchange document against the database and write it, or write nothing."""
    return import_records(uow, DocumentRecords(document))


def export_case_file(uow: UnitOfWork) -> dict[str, Any]:
    """Every record, as one interchange document."""
    with uow:
        return case_file_to_dict(uow.records.all_records())


def case_timeline(uow: UnitOfWork, case_id: str) -> Timeline:
    """One case with its person and its events in date order."""
    with uow:
        return uow.records.timeline(case_id)


def record_counts(uow: UnitOfWork) -> dict[str, int]:
    """How many records of each kind the database holds."""
    with uow:
        return {kind: uow.records.count(kind) for kind in ("person", "institution", "source", "case", "event")}


def list_cases(uow: UnitOfWork, flt: CaseFilter, limit: int = 50, offset: int = 0) -> tuple[list[CaseRow], int]:
    """A page of cases matching a filter, and how many match in all."""
    with uow:
        return uow.records.list_cases(flt, max(1, limit), min(max(0, offset), MAX_OFFSET))

"""What every write does besides changing rows, inside the same transaction: ledger, search index, findings."""

from __future__ import annotations

from collections.abc import Iterable

from dutycare.service_layer.changes import Change
from dutycare.service_layer.findings import affected_cases, refresh_findings
from dutycare.service_layer.ports import UnitOfWork
from dutycare.service_layer.search import index_changes


def apply_changes(uow: UnitOfWork, changes: Iterable[Change]) -> int:
    """Enter the changes in the ledger, index them for search and refresh the findings they touch.

    Every write path calls this before committing, so a write without its ledger entry cannot be committed.
    Returns the new size of the ledger.
    """
    batch = list(changes)
    size = uow.ledger.append(batch, uow.actor)
    index_changes(uow.search, batch)
    refresh_findings(uow, affected_cases(batch))
    return size

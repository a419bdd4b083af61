"""A synthetic data set (seed 7) with a coordinator, an analyst and a partner, on each back end."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from patterns_helpers import CASES, PASSWORD, SEED, Synth

from dutycare.adapters.importers import open_source
from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.adapters.storage.bulk_writer import SqlBulkStore
from dutycare.bootstrap import Dutycare
from dutycare.service_layer import accounts
from dutycare.service_layer.bulk_import import import_records
from dutycare.synth import write_jsonl

# The attacker of disclosure control lives beside the unit tests of the disclosure function.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "patterns"))


@pytest.fixture
def synth(app: Dutycare, tmp_path: Path) -> Synth:
    """The seed-7 data set of 2,000 cases, imported, with one user of each role that matters here."""
    path = tmp_path / "synth.jsonl"
    with path.open("w", encoding="utf-8") as f:
        write_jsonl(f, CASES, SEED)
    result = import_records(app.uow(), open_source(path), SqlBulkStore.for_uow)
    assert len(result.case_ids) == CASES
    now = datetime.now(UTC)
    uow = lambda: StaffSqlUnitOfWork.like(app.uow())  # noqa: E731
    coordinator, _ = accounts.add_user(uow(), "coord", "coordinator", now, by=None, password=PASSWORD)
    analyst, _ = accounts.add_user(uow(), "analyst", "analyst", now, by=coordinator, password=PASSWORD)
    partner, _ = accounts.add_user(uow(), "partner", "partner", now, by=coordinator, password=PASSWORD)
    return Synth(app, coordinator, analyst, partner)

"""A synthetic data set (seed 7) with a coordinator, an analyst and a partner, on each back end."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from patterns_helpers import CASES, PASSWORD, SEED, Synth

from db_templates import Fill, Templates
from dutycare.adapters.importers import open_source
from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.adapters.storage.bulk_writer import SqlBulkStore
from dutycare.bootstrap import Dutycare
from dutycare.service_layer import accounts
from dutycare.service_layer.access import User
from dutycare.service_layer.bulk_import import import_records
from dutycare.synth import write_jsonl

# The attacker of disclosure control lives beside the unit tests of the disclosure function.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "patterns"))


def _import_synth(app: Dutycare, scratch: Path) -> tuple[User, User, User]:
    """Import the seed-7 data set of 2,000 cases and add one user of each role that matters here."""
    scratch.mkdir()
    path = scratch / "synth.jsonl"
    with path.open("w", encoding="utf-8") as f:
        write_jsonl(f, CASES, SEED)
    result = import_records(app.uow(), open_source(path), SqlBulkStore.for_uow)
    assert result.counts["cases"] == CASES
    now = datetime.now(UTC)
    uow = lambda: StaffSqlUnitOfWork.like(app.uow())  # noqa: E731
    coordinator, _ = accounts.add_user(uow(), "coord", "coordinator", now, by=None, password=PASSWORD)
    analyst, _ = accounts.add_user(uow(), "analyst", "analyst", now, by=coordinator, password=PASSWORD)
    partner, _ = accounts.add_user(uow(), "partner", "partner", now, by=coordinator, password=PASSWORD)
    return coordinator, analyst, partner


@pytest.fixture
def app_contents(request: pytest.FixtureRequest) -> tuple[str, Fill | None]:
    """A test of the data set gets ``app`` holding it (imported into a template, once); any other gets it empty."""
    return ("synth", _import_synth) if "synth" in request.fixturenames else ("empty", None)


@pytest.fixture
def synth(app: Dutycare, app_contents: tuple[str, Fill | None], db_templates: Templates) -> Synth:
    """The seed-7 data set of 2,000 cases, imported, with one user of each role that matters here."""
    backend = "postgresql" if "://" in app.settings.db else "sqlite"
    coordinator, analyst, partner = db_templates.get(backend, *app_contents).made  # type: ignore[misc]
    return Synth(app, coordinator, analyst, partner)

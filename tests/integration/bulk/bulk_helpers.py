"""Shared steps of the bulk import tests: synthetic files, imports through the bulk writer, database snapshots."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from dutycare.adapters.importers import open_source
from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.access_tables import search_terms
from dutycare.adapters.storage.bulk_writer import SqlBulkStore
from dutycare.bootstrap import Dutycare
from dutycare.service_layer import ledger_service, services
from dutycare.service_layer.bulk_import import ImportResult, RecordSource, import_records
from dutycare.synth import write_jsonl

SECTIONS = {"person": "people", "institution": "institutions", "source": "sources", "case": "cases",
            "event": "events"}


def synth_lines(cases: int, seed: int = 1) -> list[str]:
    """A synthetic data set's lines (header first)."""
    out = io.StringIO()
    write_jsonl(out, cases, seed)
    return out.getvalue().splitlines()


def write_lines(path: Path, lines: list[str]) -> Path:
    """Write JSON Lines."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def as_case_file(lines: list[str]) -> dict[str, Any]:
    """The same records as one interchange document."""
    doc: dict[str, Any] = {"format": "dutycare-case-file", "format_version": 1, **{s: [] for s in SECTIONS.values()}}
    for line in lines:
        rec = json.loads(line)
        if "record" in rec:
            doc[SECTIONS[rec.pop("record")]].append(rec)
    return doc


def bulk_import(app: Dutycare, path: Path, **options: Any) -> ImportResult:
    """Import a file the way the command line does."""
    return import_records(app.uow(), open_source(path, **options), SqlBulkStore.for_uow)


class CountingSource:
    """A source that counts how often it is read from the beginning."""

    def __init__(self, inner: RecordSource) -> None:
        self.inner = inner
        self.reads = 0

    def items(self):  # type: ignore[no-untyped-def]
        self.reads += 1
        return self.inner.items()

    def progress(self) -> tuple[int, int]:
        return self.inner.progress()

    def digest(self) -> str | None:
        return self.inner.digest()


def snapshot(app: Dutycare) -> dict[str, Any]:
    """Everything an import could change: records, ledger entries, search and findings rows."""
    with app.engine.connect() as conn:
        ledger = [(int(s), bytes(e)) for s, e in conn.execute(select(t.ledger_entries.c.seq, t.ledger_entries.c.entry)
                                                               .order_by(t.ledger_entries.c.seq))]
        terms = conn.execute(select(func.count()).select_from(search_terms)).scalar_one()
        findings = conn.execute(select(func.count()).select_from(t.findings)).scalar_one()
    return {"export": services.export_case_file(app.uow()), "ledger": ledger, "terms": terms, "findings": findings}


def verified(app: Dutycare) -> bool:
    """Whether `ledger verify` finds everything in order."""
    result = ledger_service.verify(app.uow(), app.trusted_key(), app.file_hasher())
    assert result.ok, [str(p) for p in result.record_problems[:5]] + [p.message for p in result.log.problems[:5]]
    return result.ok

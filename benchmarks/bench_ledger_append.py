"""Ledger entries appended per second while importing the canonical scenario many times over.

Each copy of the scenario gets its own ids, is imported in its own unit of work (validation, sealing, rows, ledger
entries, commit), and the figure is ledger entries per second. The baseline, measured in the same run, hashes the
same entry bytes with hashlib alone, so the ratio shows what storage and encryption cost on top of hashing.

    python benchmarks/bench_ledger_append.py [--copies 200] [--postgres URL]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dutycare.adapters.storage import tables as t
from dutycare.bootstrap import initialise
from dutycare.domain.events import EVENT_SPECS, EventType
from dutycare.scenario import load_scenario
from dutycare.service_layer import services
from dutycare.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import postgres_schema
from common import report as bench_report


def relabel(doc: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A copy of a case file with every id and reference prefixed."""
    def p(x: str) -> str:
        return prefix + x

    out: dict[str, Any] = {"format": doc["format"], "format_version": doc["format_version"]}
    out["people"] = [{**r, "id": p(r["id"])} for r in doc["people"]]
    out["institutions"] = [{**r, "id": p(r["id"]), **({"parent": p(r["parent"])} if "parent" in r else {})}
                           for r in doc["institutions"]]
    out["sources"] = [{**r, "id": p(r["id"])} for r in doc["sources"]]
    out["cases"] = [{**r, "id": p(r["id"]), "person": p(r["person"])} for r in doc["cases"]]
    events = []
    for e in doc["events"]:
        spec = EVENT_SPECS[EventType(e["type"])]
        details = dict(e.get("details", {}))
        for f in spec.fields:
            if f.is_reference and f.name in details:
                value = details[f.name]
                details[f.name] = [p(v) for v in value] if isinstance(value, list) else p(value)
        events.append({**e, "id": p(e["id"]), "cases": [p(c) for c in e["cases"]],
                       **({"institution": p(e["institution"])} if "institution" in e else {}),
                       "sources": [{**s, "source": p(s["source"])} for s in e["sources"]], "details": details})
    out["events"] = events
    return out


def run(db: str, workdir: Path, copies: int) -> tuple[float, float, int]:
    """Import the scenario `copies` times; return (entries/s, baseline hashes/s, entries)."""
    app = initialise(Settings(db=db, key_file=workdir / "keys" / "bench.key", vault=workdir / "data" / "vault",
                              actor="bench"))
    base = load_scenario()
    docs = [relabel(base, f"c{i}-") for i in range(copies)]
    start = time.perf_counter()
    for doc in docs:
        services.import_case_file(app.uow(), doc)
    elapsed = time.perf_counter() - start
    with app.engine.connect() as conn:
        entries = [bytes(r[0]) for r in conn.execute(select(t.ledger_entries.c.entry))]
    app.close()
    start = time.perf_counter()
    for e in entries:
        hashlib.sha256(b"\x00" + e).digest()
    hashed = time.perf_counter() - start
    return len(entries) / elapsed, len(entries) / hashed, len(entries)


def main() -> None:
    """Print entries/s on SQLite (and PostgreSQL if given) with the hashing baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql://127.0.0.1:5432/test",
                        help="a PostgreSQL database to measure in (a temporary schema is made and dropped); '' skips")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres_schema(args.postgres) as pg_url:
        work = Path(tmp)
        targets = [("SQLite", str(work / "data" / "bench.db"))]
        if pg_url:
            targets.append(("PostgreSQL", pg_url))
        print(f"{'back end':<12} {'entries':>9} {'entries/s':>11} {'hashlib/s':>12} {'ratio':>8}")
        for name, db in targets:
            rate, baseline, n = run(db, work / name, args.copies)
            print(f"{name:<12} {n:>9} {rate:>11.0f} {baseline:>12.0f} {baseline / rate:>7.1f}×")
            bench_report(f"ledger appends through the ordinary import, {name}", round(rate), "entries/s",
                         baseline=round(baseline), baseline_label="hashlib, one leaf hash per entry",
                         ratio=round(baseline / rate, 1))


if __name__ == "__main__":
    main()

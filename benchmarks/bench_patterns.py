"""Pattern tables and a full PDF report over many synthetic cases, against one plain SQL GROUP BY.

A `dutycare synth` data set (seed 7) is imported into a new SQLite database; then, as a coordinator sees them, the
facility, quarter, region and rule tables are made (SQL aggregates, statistics, disclosure control), and a whole
publication is built (those tables, charts, HTML, PDF by WeasyPrint, ledger entry). The baseline, measured in
the same run, is one GROUP BY over the same events counting cases and refusals per institution, which is the
least any pattern table must do. Memory: the peak resident size after the first round of tables and after a
third, so a leak or a whole-record load shows as growth.

    python benchmarks/bench_patterns.py [--cases 100000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from dutycare.adapters.importers import open_source
from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.adapters.storage.bulk_writer import SqlBulkStore
from dutycare.bootstrap import initialise, open_dutycare
from dutycare.service_layer import accounts, patterns, publications
from dutycare.service_layer.bulk_import import import_records
from dutycare.service_layer.pattern_model import PatternRequest
from dutycare.service_layer.publications import PublicationRequest
from dutycare.settings import Settings
from dutycare.synth import write_jsonl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, report

TABLES_TARGET_S = 5.0
REPORT_TARGET_S = 60.0
BASELINE = text("""SELECT e.institution_id, COUNT(DISTINCT ec.case_id),
                          COUNT(DISTINCT CASE WHEN e.type = 'treatment_refused' THEN ec.case_id END)
                   FROM events e JOIN event_cases ec ON ec.event_id = e.id
                   WHERE e.deleted_at IS NULL GROUP BY e.institution_id""")


def peak_mib() -> float:
    """The process's peak resident size so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="Keep the database in this folder and use it again next time.")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        settings = Settings(db=str(base / "data" / "bench.db"), key_file=base / "keys" / "org.key",
                            vault=base / "data" / "vault", actor="bench")
        if (base / "data" / "bench.db").exists():
            dc = open_dutycare(settings)
        else:
            base.mkdir(parents=True, exist_ok=True)
            data = base / "synth.jsonl"
            with data.open("w", encoding="utf-8") as f:
                write_jsonl(f, args.cases, 7)
            dc = initialise(settings)
            started = time.perf_counter()
            import_records(dc.uow(), open_source(data), SqlBulkStore.for_uow)
            print(f"imported {args.cases} cases in {time.perf_counter() - started:.1f} s (setup, not measured)")
            accounts.add_user(StaffSqlUnitOfWork.like(dc.uow()), "boss", "coordinator", datetime.now(UTC), by=None,
                              password="benchmark-password")
        uow = lambda: StaffSqlUnitOfWork.like(dc.uow())  # noqa: E731
        boss = accounts.user_by_name(uow(), "boss")

        started = time.perf_counter()
        with dc.engine.connect() as conn:
            rows = conn.execute(BASELINE).all()
        baseline = time.perf_counter() - started
        print(f"baseline: one GROUP BY over the events, {len(rows)} institutions, {baseline:.2f} s")

        rounds: list[float] = []
        peaks: list[float] = []
        each: dict[str, float] = {}
        for _ in range(3):
            started = time.perf_counter()
            for grouping in ("facility", "quarter", "region", "rule"):
                began = time.perf_counter()
                table = patterns.pattern_table(uow(), boss, PatternRequest(grouping=grouping))
                each[grouping] = min(each.get(grouping, 1e9), time.perf_counter() - began)
                assert table.publishable
            rounds.append(time.perf_counter() - started)
            peaks.append(peak_mib())
        print("each table (best of three): " + ", ".join(f"{g} {s:.2f} s" for g, s in each.items()))
        tables = min(rounds)
        print(f"four pattern tables: {', '.join(f'{r:.2f}' for r in rounds)} s; peak memory "
              f"{', '.join(f'{p:.0f}' for p in peaks)} MiB")
        report("pattern tables (facility, quarter, region, rule)", round(tables, 3), "s", baseline=round(baseline, 3),
               baseline_label="one SQL GROUP BY over the same events", ratio=round(tables / baseline, 2),
               target=f"≤ {TABLES_TARGET_S:.0f} s", met=tables <= TABLES_TARGET_S, cases=args.cases)

        started = time.perf_counter()
        record = publications.build_publication(uow(), boss, PublicationRequest(title="Отказы в лечении"),
                                                dc.reports(), datetime.now(UTC), 10)
        full = time.perf_counter() - started
        pdf = next(f for f in record["files"] if f["name"] == "report.pdf")  # type: ignore[attr-defined]
        print(f"full publication (tables, charts, HTML, PDF {pdf['size']} bytes, ledger): {full:.1f} s")
        report("full PDF report", round(full, 2), "s", baseline=round(baseline, 3),
               baseline_label="one SQL GROUP BY over the same events", ratio=round(full / baseline, 2),
               target=f"≤ {REPORT_TARGET_S:.0f} s", met=full <= REPORT_TARGET_S, cases=args.cases)
        growth = peaks[-1] - peaks[0]
        report("peak memory growth over three rounds of tables", round(growth, 1), "MiB",
               target="flat (≤ 5 MiB)", met=growth <= 5, peak_mib=round(peak_mib(), 1), cases=args.cases)
        dc.close()


if __name__ == "__main__":
    main()

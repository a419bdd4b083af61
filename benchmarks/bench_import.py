"""Events imported per second from a synthetic JSON Lines file, on SQLite and PostgreSQL, with peak memory.

The import runs in its own process, exactly as `dutycare import` runs it (one pass that checks and writes with
encryption, ledger entries, search index and findings; one commit); its wall time is measured from outside, and
its peak resident memory (VmHWM) by the process itself. The baselines, measured in the same run, write the very
rows the import stored in the events table into a bare table with the same columns: `executemany` in one
transaction on SQLite, binary `COPY` on PostgreSQL. The ratio says how many times longer the whole import took
than that plain write.

Imports of a tenth and of three tenths of the file, each into another new database, show how the peak memory grows
with the file.

    python benchmarks/bench_import.py [--events 1000000] [--backend sqlite|postgresql|both] [--postgres URL]
        [--workdir DIR] [--no-growth]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, report

EVENTS_PER_CASE = 9.3  # what the synthetic generator makes on average
TARGET_RATE = 20_000  # events/s on the 2-core machine of issue 16
TARGET_RATIO = 12
TARGET_MIB = 500
EVENT_COLUMNS = ("id", "position", "version", "type", "date", "date_start", "date_end", "institution_id", "details",
                 "sealed", "deleted_at", "deleted_reason")


# -- the import, in a process of its own -----------------------------------------------------------------------
def child(db: str, key_file: str, source: str) -> None:
    """Import one file with a clock on each phase; print the result as JSON (run as a subprocess)."""
    from dutycare.adapters.importers import open_source
    from dutycare.adapters.storage.bulk_writer import SqlBulkStore
    from dutycare.bootstrap import open_dutycare
    from dutycare.service_layer.bulk_import import import_records
    from dutycare.settings import Settings

    class PhaseClock:
        def __init__(self) -> None:
            self.phase, self.at, self.seconds = "", time.perf_counter(), {}

        def start(self, phase: str) -> None:
            self.finish()
            self.phase, self.at = phase, time.perf_counter()

        def update(self, records: int, fraction: float | None) -> None:
            pass

        def finish(self) -> None:
            if self.phase:
                self.seconds[self.phase] = self.seconds.get(self.phase, 0.0) + time.perf_counter() - self.at
            self.phase = ""

    clock = PhaseClock()
    app = open_dutycare(Settings(db=db, key_file=Path(key_file), actor="bench"))
    try:
        result = import_records(app.uow(), open_source(Path(source)), SqlBulkStore.for_uow, clock)
    finally:
        app.close()
    print(json.dumps({"counts": result.counts, "ledger_size": result.ledger_size, "phases": clock.seconds,
                      "peak_mib": own_peak_mib()}))


def own_peak_mib() -> float:
    """This process's peak resident memory since it started its program (VmHWM).

    Not ru_maxrss: Linux carries that high-water mark over from the parent through fork and exec, so a child started
    while this script holds a baseline's rows in memory would report the parent's size.
    """
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_import(db: str, key_file: Path, source: Path) -> dict[str, Any]:
    """Run the import process; return its result, wall time, CPU time and peak resident memory."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", db, str(key_file), str(source)],
                            stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out = proc.stdout.read() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the import failed:\n{out}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, cpu=usage.ru_utime + usage.ru_stime)
    return result


# -- baselines -------------------------------------------------------------------------------------------------
def sqlite_baseline(imported_db: Path, work: Path) -> float:
    """Seconds to executemany the imported events rows into a bare table in a new database."""
    with sqlite3.connect(imported_db) as src:
        rows = src.execute(f"SELECT {','.join(EVENT_COLUMNS)} FROM events ORDER BY position").fetchall()
    path = work / "baseline.db"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)  # a kept work directory holds the last run's
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE events ({', '.join(EVENT_COLUMNS)})")
    marks = ",".join("?" * len(EVENT_COLUMNS))
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO events VALUES ({marks})", rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def postgres_baseline(url: str) -> float:
    """Seconds to COPY the imported events rows into a bare table (same column types) in the same schema."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(f"SELECT {','.join(EVENT_COLUMNS)} FROM events ORDER BY position").fetchall()
        conn.execute("CREATE TABLE baseline_events (LIKE events)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY baseline_events ({','.join(EVENT_COLUMNS)}) FROM STDIN "
                                            "(FORMAT BINARY)") as copy:
            copy.set_types(["varchar", "int8", "int4", "varchar", "varchar", "date", "date", "varchar", "text",
                            "bytea", "varchar", "text"])
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


# -- one back end ----------------------------------------------------------------------------------------------
def fresh_schema(admin_url: str) -> tuple[str, str]:
    """A new schema on the server and a URL whose search path is it."""
    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in admin_url else "?"
    return schema, f"{admin_url}{sep}options=-csearch_path%3D{schema}"


def drop_schema(admin_url: str, schema: str) -> None:
    """Remove a benchmark schema."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def initialised_import(name: str, db: str, work: Path, source: Path) -> dict[str, Any]:
    """Initialise a new database and import the file into it in a process of its own."""
    from dutycare.bootstrap import initialise
    from dutycare.settings import Settings

    key_file = work / f"keys-{name}" / "bench.key"
    shutil.rmtree(key_file.parent, ignore_errors=True)
    initialise(Settings(db=db, key_file=key_file, vault=work / f"vault-{name}", actor="bench")).close()
    return run_import(db, key_file, source)


def bench_backend(name: str, db: str, work: Path, source: Path, baseline: Any) -> dict[str, Any]:
    """Initialise, import, measure the baseline, report; return the import's result."""
    result = initialised_import(name, db, work, source)
    events = result["counts"]["events"]
    rate = events / result["wall"]
    base_seconds = baseline()
    base_rate = events / base_seconds
    ratio = result["wall"] / base_seconds
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in result["phases"].items())
    print(f"{name}: {events:,} events ({result['ledger_size']:,} records) in {result['wall']:.1f} s = {rate:,.0f} "
          f"events/s; CPU {result['cpu']:.1f} s; peak {result['peak_mib']:,.0f} MiB; {phases}")
    label = "plain executemany into one table" if name == "SQLite" else "plain binary COPY into one table"
    print(f"{name} baseline ({label}): {base_seconds:.2f} s = {base_rate:,.0f} events/s; import is {ratio:.1f}x")
    met = ratio <= TARGET_RATIO and (name != "SQLite" or rate >= TARGET_RATE)
    target = f"within {TARGET_RATIO}x" + (f" (>= {TARGET_RATE:,} events/s here)" if name == "SQLite" else "")
    report(f"import {events:,} events into {name}", round(rate), "events/s", baseline=round(base_rate),
           baseline_label=label, ratio=round(ratio, 1), target=target, met=met, phases=result["phases"],
           cpu_seconds=round(result["cpu"], 1))
    report(f"peak memory of that import ({name})", round(result["peak_mib"]), "MiB", target=f"<= {TARGET_MIB} MiB",
           met=result["peak_mib"] <= TARGET_MIB)
    return result


def memory_growth(name: str, work: Path, events: int, large: dict[str, Any], fresh: Callable[[], str]) -> None:
    """Import a tenth, then three tenths, of the file, each into another new database (``fresh`` gives one); report
    how much the peak grew per 100,000 events from each to the whole file.

    The import's bounded memories (the ids written lately, the word digests, the clocks' end dates) fill within its
    first hundred thousand records or so: from a tenth, the growth counts that filling; from three tenths, on a
    large file, it is the slope that would go on with the file's size."""
    for tenths in (1, 3):
        small = initialised_import(f"{name}-{tenths}-tenths", fresh(), work, synthesise(events * tenths // 10, work))
        extra = large["counts"]["events"] - small["counts"]["events"]
        growth = (large["peak_mib"] - small["peak_mib"]) / extra * 100_000
        label = "a tenth" if tenths == 1 else "three tenths"
        print(f"{name}: {label} of the file ({small['counts']['events']:,} events) peaked at {small['peak_mib']:,.0f} "
              f"MiB; the whole file at {large['peak_mib']:,.0f} MiB: {growth:.1f} MiB more per 100,000 events")
        figure = f"growth of that peak per 100,000 events ({name})" + ("" if tenths == 1 else ", from three tenths")
        report(figure, round(growth, 1), "MiB", baseline=round(small["peak_mib"]),
               baseline_label=f"peak at {small['counts']['events']:,} events", target="flat in file size")


SEED = 2027
"""The synthetic file's seed. Its world has 4 harsh facilities of 33, whose heads deny in public what their cases
show, so that the import refreshes institution findings as a real record's would; the seed used until 2026-12-03
(2026) drew none, and the import's institution findings went unmeasured."""


def synthesise(events: int, work: Path) -> Path:
    """A synthetic file with about this many events (made once per size and kept in the work directory)."""
    cases = max(1, round(events / EVENTS_PER_CASE))
    path = work / f"synth-{cases}-seed{SEED}.jsonl"
    if not path.exists():
        from dutycare.synth import write_jsonl

        started = time.perf_counter()
        with path.open("w", encoding="utf-8") as f:
            write_jsonl(f, cases, SEED)
        print(f"synthesised {cases:,} cases in {time.perf_counter() - started:.0f} s -> {path}")
    return path


def main() -> None:
    """Parse options, run the chosen back ends, print figures."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres", default=os.environ.get("DUTYCARE_TEST_PG", "postgresql://127.0.0.1:5432/test"))
    parser.add_argument("--workdir", type=Path, help="keep the synthetic file and databases here")
    parser.add_argument("--no-growth", dest="growth", action="store_false",
                        help="skip the imports of a tenth and three tenths of the file (how the peak memory grows)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="dutycare-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        source = synthesise(args.events, work)
        if args.backend in ("sqlite", "both"):
            db = work / "sqlite" / "bench.db"
            shutil.rmtree(db.parent, ignore_errors=True)
            large = bench_backend("SQLite", str(db), work, source, lambda: sqlite_baseline(db, work))
            if args.growth:
                def fresh_file() -> str:
                    shutil.rmtree(db.parent, ignore_errors=True)
                    return str(db)

                memory_growth("SQLite", work, args.events, large, fresh_file)
        if args.backend in ("postgresql", "both"):
            schema, url = fresh_schema(args.postgres)
            try:
                large = bench_backend("PostgreSQL", url, work, source, lambda: postgres_baseline(url))
            finally:
                drop_schema(args.postgres, schema)
            if args.growth:
                schemas: list[str] = []

                def fresh_database() -> str:
                    schema, url = fresh_schema(args.postgres)
                    schemas.append(schema)
                    return url

                try:
                    memory_growth("PostgreSQL", work, args.events, large, fresh_database)
                finally:
                    for schema in schemas:
                        drop_schema(args.postgres, schema)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

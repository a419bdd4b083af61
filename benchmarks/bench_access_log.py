"""What entering audit rows in the access log costs: an audited identifying read, and verifying the access log.

    python benchmarks/bench_access_log.py [--db URL] [--reads N]

Baseline, measured in the same run: the same read with its audit row written but not entered in the access log
(the code before the access log). Prints one BENCH line per figure.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete

from dutycare.adapters.storage import access_tables as a
from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.bootstrap import Dutycare, initialise
from dutycare.scenario import load_scenario
from dutycare.service_layer import access_log, accounts, audit, case_views, services
from dutycare.settings import Settings


def _read_without_entry(app: Dutycare, viewer: accounts.User, at: datetime) -> None:
    with StaffSqlUnitOfWork.like(app.uow()) as uow:
        uow.views.case_access("case-c")  # the same reads person_details makes, without the access log entry
        uow.records.person(uow.records.case("case-c").person_id)
        uow.audit.append(audit.iso(at), viewer.id, viewer.name, "read_identifying", "case", "case-c", "baseline")
        uow.commit()


def _timed(label: str, n: int, step: object) -> float:
    start = time.perf_counter()
    for _ in range(n):
        step()  # type: ignore[operator]
    per = (time.perf_counter() - start) / n * 1000
    print(f"BENCH {label}: {per:.2f} ms per read ({n} reads)")
    return per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="a postgresql:// URL (default: a fresh SQLite file)")
    parser.add_argument("--reads", type=int, default=300)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    app = initialise(Settings(db=args.db or str(tmp / "data" / "bench.db"), key_file=tmp / "keys" / "org.key",
                              vault=tmp / "data" / "vault", actor="bench"))
    services.import_case_file(app.uow(), load_scenario())
    now = datetime.now(UTC)
    boss, _ = accounts.add_user(StaffSqlUnitOfWork.like(app.uow()), "boss", "coordinator", now, by=None)
    base = _timed("identifying read, audit row only (baseline)", args.reads,
                  lambda: _read_without_entry(app, boss, now))
    new = _timed("identifying read, audit row entered in the access log", args.reads,
                 lambda: case_views.person_details(StaffSqlUnitOfWork.like(app.uow()), boss, "case-c", now))
    print(f"BENCH ratio: {new / base:.2f}x the baseline")
    with app.engine.begin() as conn:  # the baseline's rows were never entered; verify would rightly flag them
        conn.execute(delete(a.audit_log).where(a.audit_log.c.detail == "baseline"))
    key = app.trusted_key()
    start = time.perf_counter()
    result = access_log.verify(app.uow(), key.key_name, key.public_key_raw, key.check)
    seconds = time.perf_counter() - start
    print(f"BENCH access log verify: {result.records_checked} records, {result.log.size} entries in {seconds:.2f} s"
          f" ({'ok' if result.ok else 'FAILED'})")
    app.close()


if __name__ == "__main__":
    main()

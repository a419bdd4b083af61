"""Benchmark: backing up and restoring a database with a large evidence file, against plainly copying its files.

    python benchmarks/bench_backup.py [--mb 256] [--backend sqlite|postgresql] [--postgres URL]

Setup: the scenario plus one evidence file of --mb MiB of random bytes. The baseline, measured in the same run,
copies the database file (or nothing, on PostgreSQL) and the vault folder with shutil. Backup and restore each run
in a child process that reports its own wall time and peak resident memory (VmHWM), so memory shows whether the
vault is streamed (it should stay far below the file's size). The restore includes its full ledger verification,
which decrypts and hashes every evidence file once more.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine
from common import report as bench_report

MEMORY_TARGET_MB = 150


def _peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _settings(db: str, root: Path, vault: str) -> Any:
    from dutycare.settings import Settings

    return Settings(db=db, key_file=root / "keys" / "org.key", vault=root / vault, actor="bench")


def child(kind: str, db: str, root: Path) -> None:
    """Run one backup or restore in this process and print its time and peak memory."""
    from dutycare.adapters import backup_archive as archive
    from dutycare.adapters.storage.snapshot import SqlDatabase
    from dutycare.entrypoints.cli.backup import _verifier
    from dutycare.service_layer import backup

    identity = archive.load_identity(root / "backup.key")
    settings = _settings(db, root, "vault" if kind == "backup" else "restored-vault")
    started = time.perf_counter()
    if kind == "backup":
        out = root / "bench.backup"
        backup.create_backup(SqlDatabase(db), settings.vault_dir(), None,
                             lambda: archive.ArchiveWriter(out, identity.recipient()), root, datetime.now(UTC))
    else:
        backup.restore_backup(root / "bench.backup", lambda p, s: archive.read_archive(p, identity, s),
                              SqlDatabase(db), settings.vault_dir(), None, lambda: _verifier(settings))
    print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}))


def _run_child(kind: str, db: str, root: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, db, str(root)], capture_output=True,
                          text=True, check=True, env={**os.environ, "XDG_CONFIG_HOME": str(root / "config")})
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _prepare(db: str, root: Path, mb: int) -> None:
    from dutycare.adapters import backup_archive as archive
    from dutycare.bootstrap import initialise
    from dutycare.scenario import load_scenario
    from dutycare.service_layer import evidence, ledger_service, services

    app = initialise(_settings(db, root, "vault"))
    try:
        services.import_case_file(app.uow(), load_scenario())
        scan = root / "scan.bin"
        with open(scan, "wb") as out:
            for _ in range(mb):
                out.write(os.urandom(1024 * 1024))
        evidence.attach_evidence(app.uow(), app.vault(), case_id="case-b", event_id="ev-b-finding", path=scan,
                                 source_id="s-03")
        scan.unlink()
        ledger_service.make_checkpoint(app.uow(), app.signer())
    finally:
        app.close()
    archive.write_identity(root / "backup.key", archive.BackupIdentity.generate())


def _copy_baseline(db: str, root: Path) -> float:
    started = time.perf_counter()
    target = root / "plain-copy"
    shutil.copytree(root / "vault", target / "vault")
    if "://" not in db:
        shutil.copyfile(db, target / "db")
    return time.perf_counter() - started


def _schema(postgres: str, made: list[str]) -> str:
    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    made.append(schema)
    return f"{postgres}?options=-csearch_path%3D{schema}"


def _drop_schemas(postgres: str, made: list[str]) -> None:
    if not made:
        return
    import psycopg

    with psycopg.connect(postgres, autocommit=True) as conn:
        for schema in made:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=256)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres", default="postgresql://127.0.0.1:5432/test")
    args = parser.parse_args()
    print(machine())
    schemas: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        root = Path(tmp)
        os.environ["XDG_CONFIG_HOME"] = str(root / "config")
        sqlite = args.backend == "sqlite"
        try:
            source = str(root / "data" / "dutycare.db") if sqlite else _schema(args.postgres, schemas)
            target = str(root / "restored" / "dutycare.db") if sqlite else _schema(args.postgres, schemas)
            _prepare(source, root, args.mb)
            baseline = _copy_baseline(source, root)
            made = _run_child("backup", source, root)
            restored = _run_child("restore", target, root)
            size_mb = (root / "bench.backup").stat().st_size / 2**20
        finally:
            _drop_schemas(args.postgres, schemas)
    label = f"copying the files with shutil ({args.backend}, {args.mb} MiB evidence)"
    bench_report(f"backup ({args.backend}, {args.mb} MiB evidence)", round(made["seconds"], 2), "s",
                 baseline=round(baseline, 2), baseline_label=label, ratio=round(made["seconds"] / baseline, 1))
    bench_report(f"restore with full verification ({args.backend}, {args.mb} MiB evidence)",
                 round(restored["seconds"], 2), "s", baseline=round(baseline, 2), baseline_label=label,
                 ratio=round(restored["seconds"] / baseline, 1))
    bench_report(f"backup peak memory ({args.mb} MiB evidence, backup file {size_mb:.0f} MiB)",
                 round(made["peak_mb"], 1), "MiB", target=f"under {MEMORY_TARGET_MB} MiB whatever the evidence size",
                 met=made["peak_mb"] < MEMORY_TARGET_MB)
    bench_report(f"restore peak memory ({args.mb} MiB evidence)", round(restored["peak_mb"], 1), "MiB",
                 target=f"under {MEMORY_TARGET_MB} MiB whatever the evidence size",
                 met=restored["peak_mb"] < MEMORY_TARGET_MB)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], Path(sys.argv[4]))
    else:
        main()

"""Backup and restore from the command line, as real processes, on both back ends."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cli_runner import invoke, run

from dutycare.scenario import load_scenario


def _load(cli_env: dict[str, str], tmp_path: Path) -> tuple[str, bytes]:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(load_scenario(), ensure_ascii=False), encoding="utf-8")
    run("import", str(scenario), env=cli_env)
    scan = tmp_path / "заключение.pdf"
    scan.write_bytes(b"%PDF-1.4 knee findings " * 5000)
    added = json.loads(run("evidence", "add", "case-b", "ev-b-finding", str(scan), "--source", "s-03",
                           "--format", "json", env=cli_env).stdout)
    run("ledger", "checkpoint", env=cli_env)
    return added["id"], scan.read_bytes()


def test_keygen_backup_restore_verify(cli_env: dict[str, str], second_db_target: str, tmp_path: Path) -> None:
    evidence_id, scan = _load(cli_env, tmp_path)
    keys = tmp_path / "backup-keys"
    keys.mkdir()
    run("backup", "keygen", str(keys / "backup.key"), env=cli_env)
    assert stat.S_IMODE((keys / "backup.key").stat().st_mode) == 0o600
    out = tmp_path / "dutycare.backup"
    made = json.loads(run("backup", str(out), "--recipient", str(keys / "backup.key.pub"), "--format", "json",
                          env=cli_env).stdout)
    assert made["ledger"]["size"] == 44 and any(m.startswith("vault/") for m in made["members"])

    assert any(m.startswith("checkpoints/") for m in made["members"])  # the database's own checkpoint folder
    restored_env = {**cli_env, "DUTYCARE_DB": second_db_target, "DUTYCARE_VAULT": str(tmp_path / "restored-vault"),
                    "DUTYCARE_CHECKPOINT_DIR": str(tmp_path / "restored-checkpoints")}
    proc = run("restore", str(out), "--identity", str(keys / "backup.key"), "--checkpoints",
               str(tmp_path / "restored-checkpoints"), env=restored_env)
    assert "Verified: OK" in proc.stdout and "1 evidence files checked" in proc.stdout
    verified = json.loads(run("ledger", "verify", "--format", "json", env=restored_env).stdout)
    assert verified["ok"] and verified["size"] == 44 and verified["files_checked"] == 1
    copy = tmp_path / "copy.pdf"
    run("evidence", "get", evidence_id, "--out", str(copy), env=restored_env)
    assert copy.read_bytes() == scan
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    run("export", "--out", str(before), env=cli_env)
    run("export", "--out", str(after), env=restored_env)
    assert before.read_bytes() == after.read_bytes()

    proc = run("restore", str(out), "--identity", str(keys / "backup.key"), env=restored_env, check=False)
    assert proc.returncode == 1 and "already" in proc.stderr


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)  # the PostgreSQL refusals run in integration
def test_damaged_or_foreign_backups_are_refused_with_a_message(cli_env: dict[str, str], second_db_target: str,
                                                               tmp_path: Path) -> None:
    _load(cli_env, tmp_path)
    invoke("backup", "keygen", str(tmp_path / "b.key"), "--public", str(tmp_path / "b.pub"), env=cli_env)
    invoke("backup", "keygen", str(tmp_path / "other.key"), env=cli_env)
    out = tmp_path / "dutycare.backup"
    invoke("backup", "create", str(out), "--recipient", str(tmp_path / "b.pub"), env=cli_env)
    restored_env = {**cli_env, "DUTYCARE_DB": second_db_target, "DUTYCARE_VAULT": str(tmp_path / "restored-vault")}

    data = bytearray(out.read_bytes())
    data[len(data) // 3] ^= 0x01
    changed = tmp_path / "changed.backup"
    changed.write_bytes(bytes(data))
    cut = tmp_path / "cut.backup"
    cut.write_bytes(out.read_bytes()[:-1000])
    cases = [(changed, "b.key", "tampered"), (cut, "b.key", "tampered"), (out, "other.key", "another backup key"),
             (out, "b.pub", "is not a private backup key"), (tmp_path / "none.backup", "b.key", "no backup file")]
    for backup_file, key, message in cases:
        proc = invoke("restore", str(backup_file), "--identity", str(tmp_path / key), env=restored_env, check=False)
        assert proc.returncode == 1 and message in proc.stderr, (backup_file, key, proc.stderr)
    proc = invoke("cases", "list", env=restored_env, check=False)
    assert proc.returncode == 1  # nothing was restored
    assert not (tmp_path / "restored-vault").exists()

    proc = invoke("backup", str(out), "--recipient", str(tmp_path / "b.pub"), env=cli_env, check=False)
    assert proc.returncode == 1 and "already exists" in proc.stderr
    proc = invoke("backup", str(tmp_path / "x.backup"), "--recipient", str(tmp_path / "b.key"), env=cli_env,
                  check=False)
    assert proc.returncode == 1 and "is not a public backup key" in proc.stderr

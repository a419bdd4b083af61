"""The command line acts as a named staff account, never as the operating-system user."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from cli_runner import invoke, run

from dutycare.scenario import load_scenario

pytestmark = pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)


def _without_actor(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != "DUTYCARE_ACTOR"}


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(load_scenario(), ensure_ascii=False), encoding="utf-8")
    return path


def test_commands_on_case_data_refuse_to_run_without_a_named_active_account(cli_env: dict[str, str],
                                                                            tmp_path: Path) -> None:
    bare = _without_actor(cli_env)
    for args in (["import", str(_scenario(tmp_path))], ["export"], ["cases", "list"], ["cases", "show", "case-a"],
                 ["evidence", "list", "case-a"], ["findings"], ["deadlines"], ["users", "list"],
                 ["users", "token", "clerk"], ["users", "add", "anna", "--role", "caseworker"]):
        proc = invoke(*args, env=bare, check=False)
        assert proc.returncode == 1 and "--actor" in proc.stderr, (args, proc.stderr)
    assert "who is not a user" in run("cases", "list", "--actor", "root", env=cli_env, check=False).stderr
    run("users", "add", "anna", "--role", "caseworker", env=cli_env)
    assert run("cases", "list", "--actor", "anna", env=bare).returncode == 0
    assert "only an active coordinator" in run("users", "add", "bob", "--role", "analyst",
                                               env={**cli_env, "DUTYCARE_ACTOR": "anna"}, check=False).stderr
    run("users", "change", "anna", "--suspend", env=cli_env)
    assert "suspended" in run("cases", "list", env={**cli_env, "DUTYCARE_ACTOR": "anna"}, check=False).stderr


def test_the_ledger_and_audit_log_name_the_account_and_exports_are_audited(cli_env: dict[str, str],
                                                                          tmp_path: Path) -> None:
    invoke("import", str(_scenario(tmp_path)), env=cli_env)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 " * 50)
    added = json.loads(invoke("evidence", "add", "case-b", "ev-b-finding", str(scan), "--format", "json",
                              env=cli_env).stdout)
    invoke("evidence", "get", added["id"], "--out", str(tmp_path / "copy.pdf"), env=cli_env)
    invoke("export", "--out", str(tmp_path / "export.json"), env=cli_env)
    with sqlite3.connect(cli_env["DUTYCARE_DB"]) as conn:
        entries = [json.loads(row[0]) for row in conn.execute("SELECT entry FROM ledger_entries")]
        audit = conn.execute("SELECT user_name, action FROM audit_log ORDER BY seq").fetchall()
    assert {e["actor"] for e in entries} == {"cli:clerk"}
    assert audit == [("clerk", "user_created"), ("clerk", "evidence_taken_out"), ("clerk", "export")]
    invoke("ledger", "checkpoint", env=cli_env)
    verified = json.loads(invoke("ledger", "verify", "--format", "json", env=cli_env).stdout)
    assert verified["ok"] and verified["access_log"]["checkpoints_verified"] == 1


def test_a_promoted_account_fails_verify_from_the_command_line(cli_env: dict[str, str]) -> None:
    invoke("users", "add", "pat", "--role", "partner", env=cli_env)
    invoke("ledger", "checkpoint", env=cli_env)
    with sqlite3.connect(cli_env["DUTYCARE_DB"]) as conn:
        conn.execute("UPDATE users SET role = 'coordinator' WHERE name = 'pat'")
        conn.execute("DELETE FROM audit_log WHERE detail LIKE 'pat%'")
    proc = invoke("ledger", "verify", env=cli_env, check=False)
    assert proc.returncode == 1 and "FIRST PROBLEM: access log: user " in proc.stderr, proc.stderr

"""The command line end to end, as a user runs it: real processes, real files, both back ends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import BIN, invoke, run

from dutycare.scenario import load_scenario


def test_import_list_show_export_round_trip(cli_env: dict[str, str], tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(load_scenario(), ensure_ascii=False), encoding="utf-8")
    out = run("import", str(scenario), "--format", "json", env=cli_env).stdout
    assert json.loads(out)["imported"]["events"] == 24
    listing = json.loads(run("cases", "list", "--format", "json", env=cli_env).stdout)
    assert listing["total"] == 3 and listing["cases"][1]["pseudonym"] == "Александр"
    text = run("cases", "show", "case-b", "--lang", "ru", env=cli_env).stdout
    assert "Обвинение в симуляции" in text and "декабрь 2023" in text and "2023-12" not in text
    shown = json.loads(run("cases", "show", "case-a", "--format", "json", env=cli_env).stdout)
    assert [e["id"] for e in shown["events"]][:3] == ["ev-a-injury", "ev-a-finding", "ev-a-recommended"]
    exported = tmp_path / "export.json"
    run("export", "--out", str(exported), env=cli_env)
    assert json.loads(exported.read_text(encoding="utf-8")) == load_scenario()


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_bad_inputs_give_messages_not_tracebacks(cli_env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "dutycare-case-file", "format_version": 1, "people": [', encoding="utf-8")
    proc = run("import", str(broken), env=cli_env, check=False)
    assert proc.returncode == 1 and "malformed JSON" in proc.stderr and "broken.json:1:" in proc.stderr

    doc = load_scenario()
    doc["events"][0]["type"] = "abduction"
    doc["events"][4]["date"] = "2024-02-30"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    proc = run("import", str(bad), env=cli_env, check=False)
    assert proc.returncode == 1
    assert "events[0] (id ev-a-injury).type" in proc.stderr and "events[4] (id ev-a-deployed-1).date" in proc.stderr
    assert json.loads(run("cases", "list", "--format", "json", env=cli_env).stdout)["total"] == 0

    assert "no file" in run("import", str(tmp_path / "missing.json"), env=cli_env, check=False).stderr
    assert "There is no case" in run("cases", "show", "case-x", env=cli_env, check=False).stderr
    proc = run("cases", "list", "--db", str(tmp_path / "nowhere.db"), env=cli_env, check=False)
    assert proc.returncode == 1 and "dutycare init" in proc.stderr


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_wrong_or_missing_key_is_refused_clearly(cli_env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "keys2" / "other.key"
    env = {**cli_env, "DUTYCARE_KEY_FILE": str(other)}
    proc = run("cases", "list", env=env, check=False)
    assert proc.returncode == 1 and "does not exist" in proc.stderr
    from dutycare.adapters.crypto.keys import create_key_file

    other.parent.mkdir()
    create_key_file(other)
    proc = run("cases", "list", env=env, check=False)
    assert proc.returncode == 1 and "does not belong to this database" in proc.stderr


def test_every_command_has_help(tmp_path: Path) -> None:
    env = {**os.environ}
    assert "Usage" in run("--help", env=env).stdout, "the installed entry point answers --help"
    for args in (["init", "--help"], ["import", "--help"], ["export", "--help"], ["demo", "--help"],
                 ["cases", "list", "--help"], ["cases", "show", "--help"]):
        assert "Usage" in invoke(*args, env=env).stdout


def test_demo_loads_the_scenario_and_prints_timelines(tmp_path: Path) -> None:
    env = {**os.environ, "DUTYCARE_LANG": "ru"}
    proc = run("demo", "--db", str(tmp_path / "demo" / "demo.db"), "--no-serve", env=env, check=False)
    if "No such option: --no-serve" in proc.stderr:
        proc = run("demo", "--db", str(tmp_path / "demo" / "demo.db"), env=env)
    assert proc.returncode == 0, proc.stderr
    for marker in ("case-a", "case-b", "case-c", "Максим", "Решение ВВК о годности", "Публичное заявление",
                   "Подписана контрольная точка"):
        assert marker in proc.stdout
    english = run("demo", "--db", str(tmp_path / "demo" / "demo.db"), "--no-serve", "--lang", "en", env=env).stdout
    assert "Fitness decision" in english and "Signed a checkpoint of the ledger" in english


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_evidence_and_ledger_commands(cli_env: dict[str, str], tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(load_scenario(), ensure_ascii=False), encoding="utf-8")
    invoke("import", str(scenario), env=cli_env)
    scan = tmp_path / "заключение.pdf"
    scan.write_bytes(b"%PDF-1.4 knee findings " * 100)
    added = json.loads(invoke("evidence", "add", "case-b", "ev-b-finding", str(scan), "--source", "s-03",
                              "--format", "json", env=cli_env).stdout)
    assert added["media_type"] == "application/pdf" and added["original_name"] == "заключение.pdf"
    listed = json.loads(invoke("evidence", "list", "case-b", "--format", "json", env=cli_env).stdout)
    assert [f["id"] for f in listed] == [added["id"]]
    out = tmp_path / "copy.pdf"
    invoke("evidence", "get", added["id"], "--out", str(out), env=cli_env)
    assert out.read_bytes() == scan.read_bytes()
    proc = invoke("evidence", "add", "case-a", "ev-b-finding", str(scan), env=cli_env, check=False)
    assert proc.returncode == 1 and "is not part of case" in proc.stderr

    invoke("ledger", "checkpoint", env=cli_env)
    verified = json.loads(invoke("ledger", "verify", "--format", "json", env=cli_env).stdout)
    assert verified["ok"] and verified["size"] == 44 and verified["files_checked"] == 1
    proof = json.loads(invoke("ledger", "prove", "5", env=cli_env).stdout)
    assert proof["tree_size"] == 44 and proof["seq"] == 5
    bundle = tmp_path / "bundle"
    invoke("ledger", "export", str(bundle), env=cli_env)
    tool = Path(__file__).resolve().parents[2] / "tools" / "verify_bundle.py"
    assert subprocess.run([sys.executable, str(tool), str(bundle)], capture_output=True).returncode == 0

    import sqlite3

    with sqlite3.connect(cli_env["DUTYCARE_DB"]) as conn:
        conn.execute("UPDATE events SET date = '2024-02' WHERE id = 'ev-b-malingering'")
    proc = invoke("ledger", "verify", env=cli_env, check=False)
    assert proc.returncode == 1 and "FIRST PROBLEM: event ev-b-malingering (case case-b)" in proc.stderr


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_findings_rules_and_deadlines_commands(cli_env: dict[str, str], tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(load_scenario(), ensure_ascii=False), encoding="utf-8")
    invoke("import", str(scenario), env=cli_env)
    found = json.loads(invoke("findings", "case-c", "--format", "json", env=cli_env).stdout)
    assert {f["rule"] for f in found} == {"R2", "R3", "R6", "R8"}
    assert all(f["explanation_ru"] and f["explanation_en"] and f["legal_basis"] for f in found)
    assert "Treatment" in invoke("findings", "case-c", "--lang", "en", env=cli_env).stdout
    rules = json.loads(invoke("rules", "list", "--format", "json", env=cli_env).stdout)
    assert [r["id"] for r in rules][:10] == [f"R{i}" for i in range(1, 11)]
    due = json.loads(invoke("deadlines", "--as-of", "2024-03-01", "--format", "json", env=cli_env).stdout)
    assert due == []  # the joint appeal is a recorded video message: no statutory clock runs
    proc = invoke("deadlines", "--as-of", "tomorrow", env=cli_env, check=False)
    assert proc.returncode == 1 and "YYYY-MM-DD" in proc.stderr


def test_serve_with_several_workers_answers_and_stops_cleanly(cli_env: dict[str, str], tmp_path: Path) -> None:
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--workers", "2"], env=cli_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                    assert response.status == 200
                    assert response.headers["Cache-Control"] == "no-store"
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.communicate()
                time.sleep(0.2)
        workers = subprocess.run(["ps", "--ppid", str(server.pid), "-o", "pid="], capture_output=True, text=True)
        assert len(workers.stdout.split()) == 2
        for _ in range(5):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                assert response.status == 200
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
        assert server.returncode == 0, err
        assert "Traceback" not in err
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_a_hidden_case_does_not_exist_for_a_command_acting_as_a_lawyer(cli_env: dict[str, str],
                                                                         tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(load_scenario(), ensure_ascii=False), encoding="utf-8")
    invoke("import", str(scenario), env=cli_env)
    invoke("users", "add", "lena", "--role", "lawyer", env=cli_env)
    assert "restricted" in invoke("cases", "access", "case-c", "--restrict", env=cli_env).stdout
    lawyer = {**cli_env, "DUTYCARE_ACTOR": "lena"}
    listed = json.loads(invoke("cases", "list", "--format", "json", env=lawyer).stdout)
    assert [c["id"] for c in listed["cases"]] == ["case-a", "case-b"]
    shown = invoke("cases", "show", "case-c", env=lawyer, check=False)
    assert shown.returncode == 1 and "no case 'case-c'" in shown.stderr
    outputs = [invoke("findings", "--format", "json", env=lawyer).stdout,
               invoke("findings", "case-a", "--format", "json", env=lawyer).stdout,
               invoke("deadlines", "--as-of", "2024-03-01", "--format", "json", env=lawyer).stdout,
               invoke("cases", "show", "case-a", "--format", "json", env=lawyer).stdout,
               invoke("export", env=lawyer).stdout]
    assert all("case-c" not in text and "ev-c-" not in text for text in outputs)
    assert any(f["rule"] == "R8" for f in json.loads(outputs[1]))
    assert "case-c" in invoke("findings", "case-a", "--format", "json", env=cli_env).stdout
    refused = invoke("cases", "access", "case-a", "--open", env=lawyer, check=False)
    assert refused.returncode == 1


def _fresh_env(db_target: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUTYCARE_")}
    return {**env, "DUTYCARE_DB": db_target, "DUTYCARE_VAULT": str(tmp_path / "data" / "vault"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "share")}


def test_init_with_a_passphrase_locks_the_database_and_a_wrong_one_fails(db_target: str, tmp_path: Path) -> None:
    env = _fresh_env(db_target, tmp_path)
    out = run("init", "--passphrase", "верная фраза", env=env).stdout
    assert "passphrase" in out and not list((tmp_path / "config").rglob("*.key"))
    proc = run("cases", "list", "--passphrase", "wrong", env=env, check=False)
    assert proc.returncode == 1 and "passphrase is not correct" in proc.stderr
    run("users", "add", "boss", "--role", "coordinator", "--passphrase", "верная фраза", env=env)
    listed = run("cases", "list", "--passphrase", "верная фраза", "--actor", "boss", env=env).stdout
    assert "0 of 0" in listed


def test_a_passphrase_given_to_a_key_file_database_fails(db_target: str, tmp_path: Path) -> None:
    env = _fresh_env(db_target, tmp_path)
    run("init", env=env)
    proc = run("cases", "list", "--passphrase", "wrong", env=env, check=False)
    assert proc.returncode == 1 and "not locked with a passphrase" in proc.stderr


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_unknown_options_are_errors(db_target: str, tmp_path: Path) -> None:
    env = _fresh_env(db_target, tmp_path)
    proc = run("init", "--pasphrase", "x", env=env, check=False)
    assert proc.returncode == 2 and "No such option" in proc.stderr
    assert not Path(db_target).exists()


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_a_failed_init_leaves_no_database_file(db_target: str, tmp_path: Path) -> None:
    env = {**_fresh_env(db_target, tmp_path), "DUTYCARE_KEY_FILE": str(Path(db_target).parent / "org.key")}
    proc = run("init", env=env, check=False)
    assert proc.returncode == 1 and "beside the data" in proc.stderr
    assert not Path(db_target).exists() and not (Path(db_target).parent / "org.key").exists()


def test_a_failed_demo_leaves_no_database_file(tmp_path: Path) -> None:
    env = {**_fresh_env("unused", tmp_path), "DUTYCARE_KEY_FILE": str(tmp_path / "demo" / "org.key")}
    proc = run("demo", "--db", str(tmp_path / "demo" / "demo.db"), "--no-serve", env=env, check=False)
    assert proc.returncode == 1 and "beside the data" in proc.stderr
    assert not (tmp_path / "demo" / "demo.db").exists() and not (tmp_path / "demo" / "org.key").exists()


def test_keys_split_recover_and_rotate(cli_env: dict[str, str], tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(load_scenario(), ensure_ascii=False), encoding="utf-8")
    invoke("import", str(scenario), env=cli_env)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 discharge summary " * 50)
    invoke("evidence", "add", "case-a", "ev-a-injury", str(scan), env=cli_env)
    out = invoke("keys", "split", "--shares", "3", "--threshold", "2", env=cli_env).stdout
    phrases = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    assert len(phrases) == 3 and all(len(p.split()) == 33 for p in phrases)
    files = []
    for n, phrase in enumerate(phrases[1:]):
        files += ["--share-file", str(tmp_path / f"share{n}.txt")]
        (tmp_path / f"share{n}.txt").write_text(phrase + "\n", encoding="utf-8")

    Path(cli_env["DUTYCARE_KEY_FILE"]).unlink()
    proc = invoke("cases", "list", env=cli_env, check=False)
    assert proc.returncode == 1 and "does not exist" in proc.stderr
    assert "Recovered" in invoke("keys", "recover", *files, env=cli_env).stdout
    assert json.loads(invoke("ledger", "verify", "--format", "json", env=cli_env).stdout)["ok"]

    old = tmp_path / "old.key"
    old.write_bytes(Path(cli_env["DUTYCARE_KEY_FILE"]).read_bytes())
    assert "1 evidence files" in invoke("keys", "rotate", env=cli_env).stdout
    proc = invoke("cases", "list", env={**cli_env, "DUTYCARE_KEY_FILE": str(old)}, check=False)
    assert proc.returncode == 1 and "does not belong to this database" in proc.stderr
    verified = json.loads(invoke("ledger", "verify", "--format", "json", env=cli_env).stdout)
    assert verified["ok"] and verified["files_checked"] == 1
    proc = invoke("keys", "split", "--shares", "3", "--threshold", "4", env=cli_env, check=False)
    assert proc.returncode == 1 and "threshold" in proc.stderr


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_import_prints_a_warning_for_an_id_holding_a_name(cli_env: dict[str, str], tmp_path: Path) -> None:
    named = tmp_path / "named.json"
    named.write_text(json.dumps(load_scenario(), ensure_ascii=False).replace('"p-01"', '"p-maxim"'), encoding="utf-8")
    proc = invoke("import", str(named), "--quiet", env=cli_env)
    assert "Imported" in proc.stdout
    assert "Warning: person id 'p-maxim' contains the name 'Максим' of person 'p-maxim'" in proc.stderr

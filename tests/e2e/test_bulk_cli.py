"""Bulk import from the command line, as a user runs it: every format, bad files, junk, and a kill mid-write.

The junk and kill tests start real processes (memory and a signal are about a process); the others run the
commands in this process."""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from cli_runner import BIN, invoke

from dutycare.scenario import load_scenario


def _state(env: dict[str, str]) -> tuple[object, list[tuple[int, bytes]]]:
    """The exported records and the raw ledger table."""
    exported = json.loads(invoke("export", env=env).stdout)
    target = env["DUTYCARE_DB"]
    query = "SELECT seq, entry FROM ledger_entries ORDER BY seq"
    if target.startswith("postgresql"):
        with psycopg.connect(target) as conn:
            rows = conn.execute(query).fetchall()
    else:
        with sqlite3.connect(target) as conn:
            rows = conn.execute(query).fetchall()
    return exported, [(int(s), bytes(e)) for s, e in rows]


def test_synthetic_data_imports_from_the_command_line_and_verifies(cli_env: dict[str, str], tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    invoke("synth", "--cases", "150", "--seed", "8", "--out", str(first), env=cli_env)
    invoke("synth", "--cases", "150", "--seed", "8", "--out", str(second), env=cli_env)
    assert first.read_bytes() == second.read_bytes()
    assert "exists already" in invoke("synth", "--cases", "1", "--out", str(first), env=cli_env, check=False).stderr
    proc = invoke("import", str(first), "--format", "json", env=cli_env)
    imported = json.loads(proc.stdout)
    assert imported["imported"]["cases"] == 150 and imported["ledger_size"] == sum(imported["imported"].values())
    assert "dutycare import: checking and writing…" in proc.stderr
    assert "dutycare import: checking and writing: 2,274 records" in proc.stderr
    invoke("ledger", "verify", env=cli_env)


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_templates_are_written_once_and_import_back(cli_env: dict[str, str], tmp_path: Path) -> None:
    for kind in ("csv", "xlsx"):
        out = tmp_path / f"template.{kind}"
        invoke("import", "--template", kind, "--out", str(out), env=cli_env)
        assert "exists already" in invoke("import", "--template", kind, "--out", str(out), env=cli_env,
                                          check=False).stderr
    assert "--out" in invoke("import", "--template", "csv", env=cli_env, check=False).stderr
    for kind in ("csv", "xlsx"):
        proc = invoke("import", str(tmp_path / f"template.{kind}"), env=cli_env, check=False)
        assert proc.returncode == 1 and "the template's example row" in proc.stderr and "row 2" in proc.stderr
    filled = (tmp_path / "template.csv").read_text("utf-8-sig").replace("EXAMPLE-ПРИМЕР", "ev-1")
    (tmp_path / "filled.csv").write_text(filled, encoding="utf-8-sig")
    invoke("import", str(tmp_path / "filled.csv"), env=cli_env)


BAD_FILES: dict[str, tuple[str, bytes, str]] = {
    "empty JSON Lines": ("empty.jsonl", b"", "is empty (0 bytes)"),
    "empty CSV": ("empty.csv", b"", "is empty (0 bytes)"),
    "0-byte workbook": ("empty.xlsx", b"", "is empty (0 bytes)"),
    "not a workbook": ("fake.xlsx", b"PK\x03\x04garbage", "is not an Excel .xlsx workbook"),
    "header that does not match": ("wrong.csv", "событие,дата\nx,y\n".encode(),
                                   "row 1, column A: 'событие' is not a column dutycare knows"),
    "row with a wrong type": ("types.csv", "event_id,event_type,event_date,case_id,source_id,person_id,"
                              "person_pseudonym,person_age\ne-1,injury,2024-01,c-1,s-1,p-1,Максим,двадцать\n".encode(),
                              "row 2, column H (person_age): must be a whole number from 0 to 130"),
    "unterminated JSON line": ("cut.jsonl", b'{"record": "case", "id": "c-1", "title": "Cut\n',
                               "line 1, column 42: malformed JSON: Unterminated string"),
    "KOI8-R text": ("koi8.csv", "event_id;событие\n".encode("koi8-r"), "pass --encoding cp1251"),
    "JSON line nested 60,000 deep": ("deep.jsonl", b"[" * 60000 + b"]" * 60000 + b"\n",
                                     "line 1, column 65: arrays and objects are nested more than 64 levels deep"),
    "case file nested 60,000 deep": ("deep.json", b'{"format": "dutycare-case-file", "format_version": 1, "people": ['
                                     + b'{"a": ' * 60000 + b"1" + b"}" * 60000 + b"]}",
                                     "deep.json:1:450: arrays and objects are nested more than 64 levels deep"),
    "a 100,000-digit number": ("huge.jsonl", b'{"record": "person", "id": "p-1", "age": ' + b"9" * 100000 + b"}\n",
                               "line 1, column 42: a number is longer than 100 characters"),
    "a 100,000-column header": ("wide.csv", b"event_id,event_type,event_date,case_id,source_id"
                                + b"".join(b",c%d" % i for i in range(100000)) + b"\ne-1\n",
                                "row 1: has 100005 columns; the spreadsheet layout has at most 256"),
}


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_files_are_refused_with_a_message_and_change_nothing(cli_env: dict[str, str], tmp_path: Path,
                                                                 case: str) -> None:
    name, content, message = BAD_FILES[case]
    (tmp_path / name).write_bytes(content)
    before = _state(cli_env)
    proc = invoke("import", str(tmp_path / name), env=cli_env, check=False)
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr
    assert "nothing was written" in proc.stderr and "Traceback" not in proc.stderr
    assert _state(cli_env) == before


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_a_cp1251_csv_is_detected_or_can_be_named(cli_env: dict[str, str], tmp_path: Path) -> None:
    header = "event_id;event_type;event_date;case_id;source_id;injury;case_title;person_id;person_pseudonym;" \
             "source_kind;source_title;source_reliability"
    row = "e-1;injury;2024-03;c-1;s-1;осколок в бедре;Осколок не удалён;p-1;Максим;own_account;Рассказ;C"
    (tmp_path / "excel.csv").write_bytes(f"{header}\r\n{row}\r\n".encode("cp1251"))
    proc = invoke("import", str(tmp_path / "excel.csv"), env=cli_env)
    assert "cp1251 (detected), semicolon-separated" in proc.stdout
    assert "Максим" in invoke("cases", "show", "c-1", env=cli_env).stdout
    (tmp_path / "again.csv").write_bytes(f"{header}\r\n{row.replace('1', '2')}\r\n".encode("cp1251"))
    assert "cp1251 (given)" in invoke("import", str(tmp_path / "again.csv"), "--encoding", "cp1251", env=cli_env).stdout


def _max_rss_kib(args: list[str], env: dict[str, str], errors: Path) -> tuple[int, int]:
    """Run the CLI; return its exit code and peak resident memory, with what it said kept in a file."""
    with errors.open("wb") as err:
        proc = subprocess.Popen([str(BIN), *args], env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_junk_is_refused_at_its_first_line_and_its_size_does_not_reach_memory(cli_env: dict[str, str],
                                                                              tmp_path: Path) -> None:
    """40 MiB of random bytes: refused from the problems of its first lines (the in-process bulk tests bound how much
    of it is read), with no more memory than for 1 KiB of the same."""
    small = tmp_path / "small.jsonl"
    small.write_bytes(os.urandom(1 << 10))
    big = tmp_path / "junk.jsonl"
    with big.open("wb") as f:
        for _ in range(40):
            f.write(os.urandom(1 << 20))
    code_small, rss_small = _max_rss_kib(["import", str(small), "--quiet"], cli_env, tmp_path / "small.err")
    code_big, rss_big = _max_rss_kib(["import", str(big), "--quiet"], cli_env, tmp_path / "big.err")
    said = (tmp_path / "big.err").read_text(encoding="utf-8")
    assert code_small == code_big == 1
    assert "line 1:" in said and "Traceback" not in said, said
    assert rss_big - rss_small < 24 << 10, f"{rss_small >> 10} MiB for 1 KiB of junk, {rss_big >> 10} MiB for 40 MiB"


def _wait_for(stream: object, wanted: Callable[[str], bool], seconds: float) -> list[str]:
    """Lines read from a pipe until one is wanted (or the time is up)."""
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.5)
        if ready:
            line = stream.readline()  # type: ignore[attr-defined]
            if not line:
                break
            lines.append(line)
            if wanted(line):
                return lines
    raise AssertionError(f"never saw the expected output; got {lines}")


def test_killing_an_import_mid_write_leaves_the_database_as_it_was(cli_env: dict[str, str], tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(load_scenario(), ensure_ascii=False), encoding="utf-8")
    invoke("import", str(scenario), env=cli_env)
    synthetic, big = tmp_path / "synth.jsonl", tmp_path / "big.jsonl"
    invoke("synth", "--cases", "5000", "--seed", "21", "--out", str(synthetic), env=cli_env)
    taken = {r["id"] for r in load_scenario()["institutions"]}  # already in the database; the file refers to them
    big.write_text("".join(x for x in synthetic.read_text(encoding="utf-8").splitlines(keepends=True)
                           if json.loads(x).get("id") not in taken), encoding="utf-8")
    before = _state(cli_env)
    proc = subprocess.Popen([str(BIN), "import", str(big)], env=cli_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(proc.stderr, lambda line: "writing…" in line, 300)
        time.sleep(1.0)  # well into the import (which takes seconds): thousands of rows sent, none committed
        assert proc.poll() is None, "the import finished before it could be killed; make the file larger"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert _state(cli_env) == before
    verify = invoke("ledger", "verify", env=cli_env)
    assert "ok" in verify.stdout.lower() or verify.returncode == 0

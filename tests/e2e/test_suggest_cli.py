"""`dutycare suggest` as a user runs it: suggestions with their quotes, from a file or standard input."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from cli_runner import BIN, invoke, run

ACCOUNT = ("Сына ранили в марте 2024 года, осколок в колене. В госпитале отказали в операции — сказали, "
           "указание сверху. В декабре его отправили обратно на фронт.")


def test_suggest_prints_each_fact_with_the_words_it_came_from(tmp_path: Path) -> None:
    account = tmp_path / "account.txt"
    account.write_text(ACCOUNT, encoding="utf-8")
    out = run("suggest", str(account), "--known-date", "2025-01-15", "--lang", "ru", env=dict(os.environ)).stdout
    assert "Дата: март 2024" in out and "«марте 2024 года»" in out
    assert "Отказ в лечении: негласное указание, операция" in out
    assert "Дата: декабрь 2024" in out
    assert "Отправка на фронт" in out and "«отправили обратно на фронт»" in out


def test_suggest_reads_standard_input_and_prints_json_with_event_fields() -> None:
    proc = subprocess.run([str(BIN), "suggest", "-", "--format", "json"], input=ACCOUNT, capture_output=True,
                          text=True, env=dict(os.environ), timeout=600)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    refusal = next(s for s in found if s["kind"] == "refusal")
    assert refusal["event_type"] == "treatment_refused"
    assert refusal["details"]["reason_kind"] == "unwritten_directive"
    assert ACCOUNT[refusal["start"]:refusal["end"]] == refusal["quote"]
    assert [s["value"] for s in found if s["kind"] == "date"] == ["2024-03", "2024-12"]  # the year named before


def test_suggest_names_the_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "cp1251.txt"
    bad.write_bytes(ACCOUNT.encode("cp1251"))
    proc = invoke("suggest", str(bad), env=dict(os.environ), check=False)
    assert proc.returncode == 1 and "is not UTF-8" in proc.stderr
    proc = invoke("suggest", str(tmp_path / "missing.txt"), env=dict(os.environ), check=False)
    assert proc.returncode == 1 and "FILE: cannot read" in proc.stderr
    proc = invoke("suggest", "-", "--known-date", "15.01.2025", env=dict(os.environ), check=False)
    assert proc.returncode == 1 and "--known-date" in proc.stderr

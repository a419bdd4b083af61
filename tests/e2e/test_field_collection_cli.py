"""`dutycare intake xlsform` and `dutycare intake import --check` as a field team's coordinator runs them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cli_runner import invoke, run
from openpyxl import load_workbook


def test_xlsform_writes_the_form_and_refuses_a_wrong_name(tmp_path: Path) -> None:
    out = tmp_path / "intake.xlsx"
    printed = run("intake", "xlsform", str(out), env=dict(os.environ)).stdout
    assert "dutycare_intake" in printed and out.exists()
    assert load_workbook(out).sheetnames == ["survey", "choices", "settings"]
    bad = run("intake", "xlsform", str(tmp_path / "intake.xls"), env=dict(os.environ), check=False)
    assert bad.returncode == 1 and "OUT.xlsx" in bad.stderr


def test_import_check_lists_the_submissions_and_names_problems(tmp_path: Path) -> None:
    good = tmp_path / "central.csv"
    good.write_text("SubmissionDate,account,contact,KEY\n2024-05-03T10:00:00Z,Отказали в операции.,Signal,uuid:1\n",
                    encoding="utf-8")
    listed = json.loads(invoke("intake", "import", str(good), "--check", "--format", "json",
                               env=dict(os.environ)).stdout)
    assert listed == {"submissions": [{"instance": "uuid:1", "submitted_on": "2024-05-03", "lang": "ru",
                                       "facts": [], "contact": True, "attachments": []}]}
    bad = tmp_path / "bad.csv"
    bad.write_text("account,KEY\n,uuid:2\n", encoding="utf-8")
    proc = invoke("intake", "import", str(bad), "--check", env=dict(os.environ), check=False)
    assert proc.returncode == 1
    assert "submission 1.account: is empty" in proc.stderr and "nothing was queued" in proc.stderr


def test_import_seals_each_submission_into_the_intake_queue(cli_env: dict[str, str], tmp_path: Path) -> None:
    intake_db = str(tmp_path / "public" / "intake.db")
    export = tmp_path / "kobo.json"
    export.write_text(json.dumps({"results": [
        {"_uuid": "k-1", "grp/account": "Сына ранили в марте, в госпитале отказали — нет квот.",
         "contact": "Signal", "_submission_time": "2026-11-30T10:00:00"},
        {"_uuid": "k-2", "grp/account": "Мужа отправили обратно на фронт с осколком."}]}, ensure_ascii=False),
        encoding="utf-8")
    missing = invoke("intake", "import", str(export), "--intake-db", intake_db, env=cli_env, check=False)
    assert missing.returncode == 1 and "no intake public key" in missing.stderr
    invoke("intake", "keygen", "--intake-db", intake_db, "--intake-passphrase", "a long intake passphrase",
           env=cli_env)
    done = json.loads(invoke("intake", "import", str(export), "--intake-db", intake_db, "--format", "json",
                             env=cli_env).stdout)
    assert [q["instance"] for q in done["queued"]] == ["k-1", "k-2"]
    assert all(q["submission"].startswith("sub-") and q["receipt"] for q in done["queued"])
    raw = b"".join(p.read_bytes() for p in (tmp_path / "public").iterdir())
    assert "нет квот".encode() not in raw and "осколком".encode() not in raw

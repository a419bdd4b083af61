"""`dutycare intake xlsform` and `dutycare intake import --check` as a field team's coordinator runs them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cli_runner import run
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
    listed = json.loads(run("intake", "import", str(good), "--check", "--format", "json",
                            env=dict(os.environ)).stdout)
    assert listed == {"submissions": [{"instance": "uuid:1", "submitted_on": "2024-05-03", "lang": "ru",
                                       "facts": [], "contact": True, "attachments": []}]}
    bad = tmp_path / "bad.csv"
    bad.write_text("account,KEY\n,uuid:2\n", encoding="utf-8")
    proc = run("intake", "import", str(bad), "--check", env=dict(os.environ), check=False)
    assert proc.returncode == 1
    assert "submission 1.account: is empty" in proc.stderr and "nothing was queued" in proc.stderr

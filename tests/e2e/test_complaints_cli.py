"""`dutycare complaints`: a joint complaint drafted, refused while a requisite is missing, made final, written as
PDF and DOCX, and followed through sending and registration, from the command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from cli_runner import invoke

from dutycare.scenario import load_scenario


def test_a_complaint_from_draft_to_registration(cli_env: dict[str, str], tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(load_scenario(), ensure_ascii=False), encoding="utf-8")
    invoke("import", str(scenario), env=cli_env)
    details = tmp_path / "draft.json"
    applicants = [{"person": "p-01", "full_name": "Максимов Максим Игоревич", "address": "г. Волгоград, ул. Мира, 1"},
                  {"person": "p-02", "full_name": "Александров Александр Петрович", "address": ""}]
    details.write_text(json.dumps({"applicants": applicants, "letter_date": "2026-12-01", "will_sign": True}),
                       encoding="utf-8")
    out = invoke("complaints", "draft", "case-a", "case-b", "--to", "i-prosecutor-general",
                 "--to", "i-investigative-committee:investigative_committee", "--input", str(details),
                 "--format", "json", env=cli_env).stdout
    made = json.loads(out)
    assert [m["field"] for m in made["missing"]] == ["applicants[1].address"]
    refused = invoke("complaints", "finalise", made["id"], env=cli_env, check=False)
    assert refused.returncode == 1 and "applicants[1].address" in refused.stderr

    applicants[1]["address"] = "г. Волгоград, ул. Мира, 2"
    details.write_text(json.dumps({"applicants": applicants}), encoding="utf-8")
    invoke("complaints", "edit", made["id"], "--input", str(details), env=cli_env)
    assert "SHA-256" in invoke("complaints", "finalise", made["id"], env=cli_env).stdout
    pdf, docx = tmp_path / "letter.pdf", tmp_path / "letter.docx"
    invoke("complaints", "letter", made["id"], "i-prosecutor-general", "--out", str(pdf), env=cli_env)
    invoke("complaints", "letter", made["id"], "i-prosecutor-general", "--out", str(docx), "--docx", env=cli_env)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Александров Александр Петрович" in " ".join(text.split()) and docx.read_bytes()[:2] == b"PK"

    early = invoke("complaints", "record", made["id"], "registered", "--date", "2026-12-03",
                   "--institution", "i-prosecutor-general", env=cli_env, check=False)
    assert early.returncode == 1 and "step" in early.stderr
    invoke("complaints", "record", made["id"], "sent", "--date", "2026-12-02", "--channel", "letter", env=cli_env)
    invoke("complaints", "record", made["id"], "registered", "--date", "2026-12-03", "--institution",
           "i-prosecutor-general", "--number", "ОГ-1", env=cli_env)
    shown = invoke("complaints", "show", made["id"], "--lang", "ru", env=cli_env).stdout
    # 30 days from 3.12 end on 2.01, a holiday: the next working day is 11.01.
    assert "ответ, Генеральная прокуратура Российской Федерации: срок 11 янв. 2027" in shown, shown
    assert "i-prosecutor-general" not in shown

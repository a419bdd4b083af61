"""The command line's deadlines as of a day, within a week and as a calendar file, and findings as of a day."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import invoke
from icalendar import Calendar

from dutycare.scenario import load_scenario

LETTER = {"id": "ev-letter", "type": "complaint", "date": "2024-04-01", "cases": ["case-a"],
          "sources": [{"source": "s-05"}],
          "details": {"addressees": ["i-prosecutor-general"], "applicants": ["p-01"], "channel": "letter",
                      "subject": "Письменная копия обращения", "kind": "appeal"}}
REGISTERED = {"id": "ev-letter-registered", "type": "complaint_registered", "date": "2024-04-02",
              "cases": ["case-a"], "institution": "i-prosecutor-general", "sources": [{"source": "s-05"}],
              "details": {"complaint": "ev-letter", "registration_number": "12/2024"}}


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_deadlines_as_of_within_a_week_as_a_calendar_and_findings_as_of(cli_env: dict[str, str],
                                                                        tmp_path: Path) -> None:
    document = load_scenario()
    document["events"] += [LETTER, REGISTERED]
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    invoke("import", str(scenario), env=cli_env)
    due = json.loads(invoke("deadlines", "--as-of", "2024-04-03", "--format", "json", env=cli_env).stdout)
    assert sorted((d["kind"], d["status"]) for d in due) == [("registration", "met"), ("response", "pending")]
    soon = json.loads(invoke("deadlines", "--as-of", "2024-04-27", "--within", "7", "--format", "json",
                             env=cli_env).stdout)
    assert [(d["kind"], d["due"]) for d in soon] == [("response", "2024-05-02")]
    out = tmp_path / "due.ics"
    told = invoke("deadlines", "--as-of", "2024-04-03", "--case", "case-a", "--ics", str(out), env=cli_env).stdout
    assert "2 deadlines written to" in told
    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert len(events) == 2 and all("Генеральная прокуратура" in str(e["summary"]) for e in events)
    before = json.loads(invoke("findings", "case-a", "--as-of", "2024-04-20", "--format", "json", env=cli_env).stdout)
    after = json.loads(invoke("findings", "case-a", "--as-of", "2024-06-01", "--format", "json", env=cli_env).stdout)
    late = [f for f in after if f["rule"] == "R6" and "ev-letter" in f["events"]]
    assert not [f for f in before if f["rule"] == "R6" and "ev-letter" in f["events"]]
    assert len(late) == 1 and late[0]["certainty"] == "established"
    bad = invoke("findings", "--as-of", "01.06.2024", env=cli_env, check=False)
    assert bad.returncode == 1 and "YYYY-MM-DD" in bad.stderr

"""Findings are re-evaluated in the unit of work of every write, on both back ends, and are reproducible."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import event

from dutycare.bootstrap import Dutycare
from dutycare.scenario import load_scenario
from dutycare.service_layer import event_writes, findings, services

FIT_B = {"id": "ev-b-fit", "type": "fitness_decision", "date": "2024-02-15", "cases": ["case-b"],
         "institution": "i-commission", "sources": [{"source": "s-02"}],
         "details": {"category": "А", "causal_link": "military_trauma"}}


def _rules_by_case(app: Dutycare) -> dict[str, Counter[str]]:
    return {c: Counter(f.rule_id for f in findings.case_findings(app.uow(), c)) for c in ("case-a", "case-b", "case-c")}


def test_the_scenario_yields_the_findings_of_the_story(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    by_case = _rules_by_case(app)
    assert by_case["case-a"]["R1"] == 2 and by_case["case-a"]["R5"] == 2 and by_case["case-a"]["R9"] == 2
    assert by_case["case-b"]["R4"] == 1
    assert by_case["case-c"]["R2"] == 1 and by_case["case-c"]["R3"] == 3
    for case in by_case.values():
        assert case["R8"] == 1 and case["R6"] == 3  # the statement and the joint appeal concern all three
    r8 = next(f for f in findings.case_findings(app.uow(), "case-b") if f.rule_id == "R8")
    assert "ev-hospital-statement" in r8.event_ids and "ev-b-refused" in r8.event_ids
    assert "Никаких ограничений" in r8.explanation_ru and "stated publicly" in r8.explanation_en


def test_adding_and_withdrawing_an_event_updates_findings_in_the_same_write(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    assert "R1" not in _rules_by_case(app)["case-b"]
    event_writes.record_event(app.uow(), FIT_B)
    r1 = [f for f in findings.case_findings(app.uow(), "case-b") if f.rule_id == "R1"]
    assert len(r1) == 1 and r1[0].event_ids == ("ev-b-recommended", "ev-b-fit")
    assert r1[0].certainty.value == "established"
    r8 = next(f for f in findings.case_findings(app.uow(), "case-b") if f.rule_id == "R8")
    assert "ev-b-fit" in r8.event_ids, "the institution finding was refreshed by the same write"
    event_writes.delete_event(app.uow(), "ev-b-fit", "entered by mistake")
    assert "R1" not in _rules_by_case(app)["case-b"]


def test_incremental_findings_equal_a_full_re_evaluation(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    event_writes.record_event(app.uow(), FIT_B)
    incremental = {f.key for f in findings.all_findings(app.uow())}
    findings.refresh_all(app.uow())
    assert {f.key for f in findings.all_findings(app.uow())} == incremental


WRITTEN_COPY = {"id": "ev-written-copy", "type": "complaint", "date": "2024-03-20",
                "cases": ["case-a", "case-b", "case-c"], "sources": [{"source": "s-05"}],
                "details": {"addressees": ["i-president", "i-investigative-committee", "i-prosecutor-general"],
                            "applicants": ["p-01"], "channel": "letter", "subject": "Письменная копия обращения",
                            "kind": "appeal"}}


def test_the_joint_video_appeal_runs_no_clock_and_its_findings_say_so(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    assert findings.list_deadlines(app.uow(), datetime(2026, 11, 25, tzinfo=UTC).date()) == []
    r6 = [f for f in findings.case_findings(app.uow(), "case-a") if f.rule_id == "R6"]
    assert len(r6) == 3 and all(f.certainty.value == "possible" for f in r6)
    assert all("срок ответа законом не установлен" in f.explanation_ru for f in r6)


def test_deadlines_are_judged_as_of_the_day_given(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    event_writes.record_event(app.uow(), WRITTEN_COPY)
    event_writes.record_event(app.uow(), {
        "id": "ev-copy-registered", "type": "complaint_registered", "date": "2024-03-25",
        "cases": ["case-a", "case-b", "case-c"], "institution": "i-prosecutor-general", "sources": [{"source": "s-05"}],
        "details": {"complaint": "ev-written-copy", "registration_number": "1/2024"}})
    early = findings.list_deadlines(app.uow(), datetime(2024, 3, 21, tzinfo=UTC).date())
    late = findings.list_deadlines(app.uow(), datetime(2026, 11, 25, tzinfo=UTC).date())
    assert len(early) == len(late) == 6  # registration and answer at each of the three bodies
    assert all(d.status.value != "overdue" for d in early)
    assert {d.status.value for d in late} >= {"overdue"}
    assert [d.due for d in late] == sorted(d.due for d in late)


def test_the_findings_an_institution_rule_uses_are_reached_from_the_institution_s_events(app: Dutycare) -> None:
    """The findings of the rules R8 uses, linked to a case with a live event at the hospital; on SQLite (no
    statistics) the query starts from those events. Asked as "a finding whose case is among the cases at the
    hospital", it started from every finding of the rules and probed each against each case: 1.0 s for one
    hospital of 20,000 cases, asked by every import and every write there."""
    services.import_case_file(app.uow(), load_scenario())
    event_writes.delete_event(app.uow(), "ev-b-refused", "entered by mistake")  # withdrawn: no longer at the hospital
    doc = services.export_case_file(app.uow())
    live_at = {c for e in doc["events"] if e.get("institution") == "i-hospital" for c in e["cases"]}
    rules = ["R1", "R2", "R4"]
    expected = {f.key for f in findings.all_findings(app.uow()) if f.rule_id in rules and set(f.case_ids) & live_at}
    assert expected, "the scenario has such findings"
    statements: list[tuple[str, object]] = []

    def note(conn: object, cursor: object, statement: str, parameters: object, *_: object) -> None:
        statements.append((statement, parameters))

    event.listen(app.engine, "before_cursor_execute", note)
    try:
        with app.uow() as uow:
            rows = uow.findings.of_rules_at_institutions(rules, ["i-hospital"])
    finally:
        event.remove(app.engine, "before_cursor_execute", note)
    assert {r.key for r in rows} == expected
    if app.engine.dialect.name == "sqlite":
        query, parameters = next((s, p) for s, p in statements if "DISTINCT" in s and "finding_cases" in s)
        with app.engine.connect() as conn:
            plan = [str(r[3]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + query, parameters)]  # type: ignore[arg-type]
        assert plan[0].startswith("SEARCH events USING INDEX ix_events_institution_id"), plan

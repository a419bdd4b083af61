"""An import may not name a withdrawn record, as an ordinary write may not: the same refusal, and nothing written."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bulk_helpers import bulk_import, snapshot, write_lines

from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.bootstrap import Dutycare
from dutycare.domain.errors import InvalidInput
from dutycare.scenario import load_scenario
from dutycare.service_layer import accounts, services, staff_records
from dutycare.service_layer.access import Role

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def _withdrawn(app: Dutycare) -> dict[str, str]:
    """The scenario, then one institution, person, source and case each added and withdrawn again."""
    services.import_case_file(app.uow(), load_scenario())
    staff = lambda: StaffSqlUnitOfWork.like(app.uow())  # noqa: E731
    boss, _ = accounts.add_user(staff(), "boss", Role.COORDINATOR.value, NOW, by=None,
                                password="correct horse battery staple")
    inst = staff_records.add_institution(staff(), boss, {"name": "Лишний госпиталь", "type": "hospital"})
    staff_records.withdraw_institution(staff(), boss, inst.id, "внесён по ошибке", NOW)
    person = staff_records.add_person(staff(), boss, {"pseudonym": "Лишний", "role": "affected"})
    staff_records.withdraw_person(staff(), boss, person.id, "внесён по ошибке", NOW)
    source = staff_records.add_source(staff(), boss, {"kind": "other", "title": "лишний", "reliability": "F"})
    staff_records.withdraw_source(staff(), boss, source.id, "внесён по ошибке", NOW)
    case = staff_records.open_case(staff(), boss, {"title": "Лишнее дело", "person": "p-01"}, None, NOW).case
    staff_records.withdraw_case(staff(), boss, case.id, "открыто по ошибке", NOW)
    return {"institution": inst.id, "person": person.id, "source": source.id, "case": case.id}


def _lines(gone: dict[str, str]) -> list[str]:
    records = [
        {"record": "case", "id": "case-new", "person": gone["person"], "title": "Новое дело", "status": "open"},
        {"record": "institution", "id": "i-new", "name": "Новая комиссия", "type": "medical_commission",
         "parent": gone["institution"]},
        {"record": "event", "id": "ev-new", "type": "injury", "date": "2024-05", "cases": [gone["case"]],
         "institution": gone["institution"], "sources": [{"source": gone["source"]}],
         "details": {"injury": "Осколочное ранение"}},
    ]
    return [json.dumps({"format": "dutycare-records", "format_version": 1}),
            *(json.dumps(r, ensure_ascii=False) for r in records)]


def test_an_import_naming_withdrawn_records_is_refused_with_each_located(app: Dutycare, tmp_path: Path) -> None:
    gone = _withdrawn(app)
    before = snapshot(app)
    with pytest.raises(InvalidInput) as refused:
        bulk_import(app, write_lines(tmp_path / "refers.jsonl", _lines(gone)))
    said = [str(p) for p in refused.value.problems]
    for kind, name in (("person", "person"), ("institution", "parent"), ("case", "cases"),
                       ("institution", "institution"), ("source", "sources")):
        assert any(f"refers to {kind} '{gone[kind]}', which was withdrawn" in p and name in p for p in said), said
    assert snapshot(app) == before


def test_a_document_naming_a_withdrawn_case_is_refused_as_a_file_is(app: Dutycare) -> None:
    gone = _withdrawn(app)
    before = snapshot(app)
    doc = {"format": "dutycare-case-file", "format_version": 1, "people": [], "institutions": [], "sources": [],
           "cases": [], "events": [{"id": "ev-doc", "type": "injury", "date": "2024-05", "cases": [gone["case"]],
                                    "sources": [{"source": "s-01"}], "details": {"injury": "Ранение"}}]}
    with pytest.raises(InvalidInput, match=f"refers to case '{gone['case']}', which was withdrawn"):
        services.import_case_file(app.uow(), doc)
    assert snapshot(app) == before

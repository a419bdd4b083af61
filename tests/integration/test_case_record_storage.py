"""The case record on SQLite and PostgreSQL: import, read back, export, and all-or-nothing rejection."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dutycare.bootstrap import Dutycare
from dutycare.domain.errors import InvalidInput, NotFound
from dutycare.domain.events import EventType
from dutycare.scenario import load_scenario
from dutycare.service_layer import event_writes, services
from dutycare.service_layer.queries import CaseFilter


def _snapshot(app: Dutycare) -> tuple[dict[str, Any], dict[str, int]]:
    return services.export_case_file(app.uow()), services.record_counts(app.uow())


def test_scenario_round_trips_exactly(app: Dutycare) -> None:
    scenario = load_scenario()
    result = services.import_case_file(app.uow(), scenario)
    assert result.counts == {"people": 5, "institutions": 5, "sources": 6, "cases": 3, "events": 24}
    exported = services.export_case_file(app.uow())
    assert exported == scenario


def test_export_then_import_into_empty_database_is_identical(app: Dutycare, tmp_path: Any) -> None:
    from dutycare.bootstrap import initialise
    from dutycare.settings import Settings

    services.import_case_file(app.uow(), load_scenario())
    first = services.export_case_file(app.uow())
    other = initialise(Settings(db=str(tmp_path / "other" / "x.db"), key_file=tmp_path / "k2" / "o.key",
                                vault=tmp_path / "other" / "v"))
    try:
        services.import_case_file(other.uow(), first)
        assert services.export_case_file(other.uow()) == first
    finally:
        other.close()


def test_timeline_orders_partial_dates_and_includes_joint_events(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    timeline = services.case_timeline(app.uow(), "case-b")
    starts = [e.date.earliest for e in timeline.events]
    assert starts == sorted(starts)
    types = [e.type for e in timeline.events]
    assert EventType.COMPLAINT in types and EventType.PUBLIC_STATEMENT in types
    assert timeline.person.pseudonym == "Александр"
    assert "i-hospital" in timeline.institutions


def test_case_list_filters(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    rows, total = services.list_cases(app.uow(), CaseFilter())
    assert total == 3 and [r.case.id for r in rows] == ["case-a", "case-b", "case-c"]
    rows, total = services.list_cases(app.uow(), CaseFilter(institution_id="i-commission"))
    assert [r.case.id for r in rows] == ["case-a"]
    rows, total = services.list_cases(app.uow(), CaseFilter(status="closed"))
    assert total == 0


BAD_EDITS = {
    "unknown event type": lambda d: d["events"][0].update(type="abduction"),
    "unparseable date": lambda d: d["events"][1].update(date="2023-13-45"),
    "missing case": lambda d: d["events"][2].update(cases=["case-zzz"]),
    "missing institution": lambda d: d["events"][3].update(institution="i-nowhere"),
    "bad fitness category": lambda d: d["events"][3]["details"].update(category="Z"),
    "wrong format version": lambda d: d.update(format_version=99),
}


@pytest.mark.parametrize("edit", list(BAD_EDITS), ids=list(BAD_EDITS))
def test_invalid_file_is_rejected_whole_and_changes_nothing(app: Dutycare, edit: str) -> None:
    services.import_case_file(app.uow(), {"format": "dutycare-case-file", "format_version": 1,
                                          "people": [{"id": "p-x", "pseudonym": "Икс"}]})
    before = _snapshot(app)
    doc = copy.deepcopy(load_scenario())
    BAD_EDITS[edit](doc)
    with pytest.raises(InvalidInput) as caught:
        services.import_case_file(app.uow(), doc)
    assert caught.value.problems, "a rejection names at least one problem"
    assert _snapshot(app) == before


def test_ids_that_exist_in_the_database_are_rejected(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    with pytest.raises(InvalidInput) as caught:
        services.import_case_file(app.uow(), load_scenario())
    assert any("already exists" in p.message for p in caught.value.problems)


def test_an_import_may_refer_to_records_already_in_the_database(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    more = {"format": "dutycare-case-file", "format_version": 1, "events": [
        {"id": "ev-new", "type": "fitness_decision", "date": "2024-04-02", "cases": ["case-b"],
         "institution": "i-commission", "sources": [{"source": "s-02"}],
         "details": {"category": "Б"}}]}
    services.import_case_file(app.uow(), more)
    assert services.case_timeline(app.uow(), "case-b").events[-1].id == "ev-new"


def test_single_event_update_and_tombstone(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    raw = {"type": "fitness_decision", "date": "2024-04", "cases": ["case-b"], "institution": "i-commission",
           "sources": [{"source": "s-02"}], "details": {"category": "A"}}
    event = event_writes.record_event(app.uow(), {**raw, "id": "ev-b-fit"})
    assert event.details["category"] == "А"
    event_writes.update_event(app.uow(), "ev-b-fit", {**raw, "details": {"category": "В"}})
    assert services.case_timeline(app.uow(), "case-b").events[-1].details["category"] == "В"
    event_writes.delete_event(app.uow(), "ev-b-fit", "entered in the wrong case")
    assert "ev-b-fit" not in [e.id for e in services.case_timeline(app.uow(), "case-b").events]
    with pytest.raises(NotFound):
        event_writes.update_event(app.uow(), "ev-b-fit", raw)


def test_unknown_case_is_a_clear_error(app: Dutycare) -> None:
    with pytest.raises(NotFound, match="cases list"):
        services.case_timeline(app.uow(), "case-nope")


def test_an_import_warns_about_an_id_holding_a_name_and_refuses_a_hidden_character(app: Dutycare) -> None:
    doc = copy.deepcopy(load_scenario())
    doc["events"][0]["id"] = "ev-a\u202e-injury"
    with pytest.raises(InvalidInput, match="U\\+202E"):
        services.import_case_file(app.uow(), doc)
    assert services.record_counts(app.uow())["event"] == 0
    doc = copy.deepcopy(load_scenario())
    doc["cases"][0]["id"] = "case-maksim"
    for event in doc["events"]:
        event["cases"] = ["case-maksim" if c == "case-a" else c for c in event["cases"]]
    result = services.import_case_file(app.uow(), doc)
    assert result.counts["events"] == 24
    assert result.warnings == ("case id 'case-maksim' contains the name 'Максим' of person 'p-01': ids are not "
                               "secret; use an opaque id such as p-01",)

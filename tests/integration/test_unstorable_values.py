"""What storage cannot hold is refused with a located problem on SQLite and PostgreSQL alike, by every ordinary
write path (document import, one event recorded or corrected), and nothing is written — never a database error."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from dutycare.bootstrap import Dutycare
from dutycare.domain.errors import InvalidInput
from dutycare.domain.limits import NUL_FAULT, SURROGATE_FAULT
from dutycare.scenario import load_scenario
from dutycare.service_layer import event_writes, services

FIT = {"id": "ev-new", "type": "fitness_decision", "date": "2024-04", "cases": ["case-b"],
       "institution": "i-commission", "sources": [{"source": "s-02"}], "details": {"category": "Б"}}
EXTENDED = {"id": "ev-new", "type": "complaint_extended", "date": "2024-05", "cases": ["case-b"],
            "institution": "i-prosecutor-general", "sources": [{"source": "s-02"}],
            "details": {"complaint": "ev-joint-appeal", "extended_by_days": 30}}
WHERE = "events[0] (id ev-new)"
TOO_LARGE = "is too large; at most 9007199254740991 (2**53 - 1)"

EVENTS: dict[str, tuple[dict[str, Any], str]] = {
    "surrogate in the summary": ({**FIT, "summary": "Комиссия \ud800"}, f"{WHERE}.summary: {SURROGATE_FAULT}"),
    "surrogate in a detail": ({**FIT, "details": {"category": "Б", "basis": "\udfff"}},
                              f"{WHERE}.details.basis: {SURROGATE_FAULT}"),
    "surrogate in a case id": ({**FIT, "cases": ["case-\ud800"]}, f"{WHERE}.cases: {SURROGATE_FAULT}"),
    "NUL in a locator": ({**FIT, "sources": [{"source": "s-02", "locator": "p.\x003"}]},
                         f"{WHERE}.sources[0].locator: {NUL_FAULT}"),
    "NUL in the institution": ({**FIT, "institution": "i-\x00"}, f"{WHERE}.institution: {NUL_FAULT}"),
    "huge integer": ({**EXTENDED, "details": {"complaint": "ev-joint-appeal", "extended_by_days": 2**60}},
                     f"{WHERE}.details.extended_by_days: {TOO_LARGE}"),
}


def _snapshot(app: Dutycare) -> tuple[dict[str, Any], dict[str, int]]:
    return services.export_case_file(app.uow()), services.record_counts(app.uow())


def _refused(app: Dutycare, write: Callable[[], object]) -> list[str]:
    before = _snapshot(app)
    with pytest.raises(InvalidInput) as caught:
        write()
    assert _snapshot(app) == before
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def scenario(app: Dutycare) -> Dutycare:
    services.import_case_file(app.uow(), load_scenario())
    return app


def test_the_base_events_are_valid(scenario: Dutycare) -> None:
    event_writes.record_event(scenario.uow(), FIT)
    event_writes.record_event(scenario.uow(), {**EXTENDED, "id": "ev-other"})


@pytest.mark.parametrize("case", list(EVENTS))
def test_recording_an_event_storage_cannot_hold_is_refused_and_writes_nothing(scenario: Dutycare, case: str) -> None:
    raw, problem = EVENTS[case]
    assert _refused(scenario, lambda: event_writes.record_event(scenario.uow(), raw)) == [problem]


def test_correcting_an_event_is_checked_the_same_way(scenario: Dutycare) -> None:
    event_writes.record_event(scenario.uow(), FIT)
    found = _refused(scenario, lambda: event_writes.update_event(scenario.uow(), "ev-new",
                                                                 {**FIT, "summary": "x\x00"}))
    assert found == [f"{WHERE}.summary: {NUL_FAULT}"]


DOCUMENT_EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "over-long institution region": (lambda d: d["institutions"][0].update(region="р" * 250),
                                     "institutions[0] (id i-hospital).region: is 250 characters long; at most 200"),
    "over-long case region": (lambda d: d["cases"][1].update(region="р" * 201),
                              "cases[1] (id case-b).region: is 201 characters long; at most 200"),
    "over-long jurisdiction": (lambda d: d["institutions"][1].update(jurisdiction="RU-VGG-2024"),
                               "institutions[1] (id i-commission).jurisdiction: is 11 characters long; at most 10"),
    "NUL in an institution name": (lambda d: d["institutions"][2].update(name="Президент\x00"),
                                   f"institutions[2] (id i-president).name: {NUL_FAULT}"),
    "surrogate in a person's notes": (lambda d: d["people"][0].update(notes="\ud83d"),
                                      f"people[0] (id p-01).notes: {SURROGATE_FAULT}"),
    "huge integer": (lambda d: d["events"].append({**EXTENDED, "details": {"complaint": "ev-joint-appeal",
                                                                           "extended_by_days": 2**53}}),
                     "events[24] (id ev-new).details.extended_by_days: " + TOO_LARGE),
}


@pytest.mark.parametrize("case", list(DOCUMENT_EDITS))
def test_importing_a_document_storage_cannot_hold_is_refused_and_writes_nothing(app: Dutycare, case: str) -> None:
    edit, problem = DOCUMENT_EDITS[case]
    doc = copy.deepcopy(load_scenario())
    edit(doc)
    assert _refused(app, lambda: services.import_case_file(app.uow(), doc)) == [problem]

"""Held batches: what is written before the newest batch is complete, and parts that keep the records' order and
size."""

from __future__ import annotations

import itertools

from dutycare.domain.interchange import FORMAT_NAME, FORMAT_VERSION, parse_case_file
from dutycare.domain.model import CaseFile
from dutycare.service_layer.import_held import open_references, ready_part, record_refs
from dutycare.service_layer.import_writes import parts_of


def _records(cf: CaseFile) -> list[object]:
    return [*cf.people, *cf.institutions, *cf.sources, *cf.cases, *cf.events]


def test_parts_hold_every_record_once_in_order_and_each_but_the_last_is_full() -> None:
    for lengths in itertools.product(range(4), repeat=5):
        numbers = iter(range(100))
        cf = CaseFile(*(tuple(next(numbers) for _ in range(n)) for n in lengths))  # type: ignore[arg-type]
        for size in (1, 2, 3, 5):
            parts = list(parts_of(cf, size))
            assert [r for p in parts for r in _records(p)] == _records(cf)
            sizes = [len(_records(p)) for p in parts]
            assert (all(n == size for n in sizes[:-1]) and 0 < sizes[-1] <= size) or sizes == [0]


def test_a_file_within_the_size_is_one_part_as_it_was() -> None:
    cf = CaseFile(people=(1, 2), events=(3,))  # type: ignore[arg-type]
    assert list(parts_of(cf, 3)) == [cf]


def _doc() -> CaseFile:
    """Two batches' worth: a joint complaint in the first names a case (and its person) defined in the second,
    whose own last complaint names a case not read yet."""
    def complaint(eid: str, cases: list[str], applicants: list[str]) -> dict[str, object]:
        return {"id": eid, "type": "complaint", "date": "2024-08-31", "cases": cases, "sources": [{"source": "s-0"}],
                "details": {"addressees": ["i-0"], "channel": "gosuslugi", "subject": "отказ",
                            "applicants": applicants}}

    return parse_case_file({
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
        "people": [{"id": f"p-{k}", "pseudonym": f"Боец {k}", "role": "affected"} for k in range(3)],
        "institutions": [{"id": "i-0", "name": "Уполномоченный", "type": "ombudsman"}],
        "sources": [{"id": "s-0", "kind": "own_account", "title": "Рассказ", "reliability": "C"}],
        "cases": [{"id": f"c-{k}", "person": f"p-{k}", "title": f"Дело {k}", "status": "open"} for k in range(3)],
        "events": [complaint("e-0", ["c-0", "c-1"], ["p-0", "p-1"]), complaint("e-1", ["c-1", "c-2"], ["p-1"])]})


def _ids(cf: CaseFile) -> list[str]:
    return [r.id for r in _records(cf)]  # type: ignore[attr-defined]


def _batches() -> list[CaseFile]:
    cf = _doc()
    first = CaseFile(people=cf.people[:1], institutions=cf.institutions, sources=cf.sources, cases=cf.cases[:1],
                     events=cf.events[:1])
    second = CaseFile(people=cf.people[1:2], cases=cf.cases[1:2], events=cf.events[1:])
    return [first, second]


def test_the_batches_before_the_newest_go_with_the_records_they_name_from_it() -> None:
    ready = ready_part(_batches(), open_references({("case", "c-2")}, ()))
    assert ready is not None
    now, rest = ready
    assert [_ids(b) for b in now] == [["p-0", "i-0", "s-0", "c-0", "e-0"], ["p-1", "c-1"]]  # c-1 with its person
    assert [_ids(b) for b in rest] == [["e-1"]]


def test_nothing_is_written_early_when_a_record_named_is_still_open() -> None:
    # The case the first batch names has its person still open: the first batch must wait too.
    assert ready_part(_batches(), open_references({("person", "p-1")}, ())) is None
    assert ready_part(_batches()[:1], set()) is None  # a single batch is the newest: it waits


def test_an_event_naming_an_event_names_it_as_a_reference() -> None:
    answer = parse_case_file({
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
        "people": [{"id": "p-0", "pseudonym": "Боец", "role": "affected"}],
        "institutions": [{"id": "i-0", "name": "Уполномоченный", "type": "ombudsman"}],
        "sources": [{"id": "s-0", "kind": "own_account", "title": "Рассказ", "reliability": "C"}],
        "cases": [{"id": "c-0", "person": "p-0", "title": "Дело", "status": "open"}],
        "events": [{"id": "e-0", "type": "complaint", "date": "2024-08-31", "cases": ["c-0"],
                    "sources": [{"source": "s-0"}], "details": {"addressees": ["i-0"], "channel": "gosuslugi",
                                                                "subject": "отказ", "applicants": ["p-0"]}},
                   {"id": "e-1", "type": "complaint_registered", "date": "2024-09-03", "cases": ["c-0"],
                    "institution": "i-0", "sources": [{"source": "s-0"}],
                    "details": {"complaint": "e-0", "registration_number": "21/1"}}]}).events[1]
    assert set(record_refs(answer)) == {("case", "c-0"), ("source", "s-0"), ("institution", "i-0"),
                                                 ("event", "e-0")}

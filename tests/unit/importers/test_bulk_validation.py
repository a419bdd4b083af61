"""The first pass of an import: every problem found with its place, forward references allowed, memory kept small."""

from __future__ import annotations

import pytest
from records_helpers import INSTITUTION, ListSource, LookupStore, basics, event, rec

import dutycare.service_layer.import_sources as import_sources
from dutycare.domain.errors import InvalidInput, Problem
from dutycare.service_layer.bulk_import import NoProgress, RawRecord, check_source


def _problems(items: list[RawRecord | Problem], store: LookupStore | None = None) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        check_source(ListSource(items), store or LookupStore(), NoProgress())
    return [str(p) for p in caught.value.problems]


def test_a_clean_file_passes_and_is_counted() -> None:
    checker = check_source(ListSource([*basics(), rec("event", 5, event("e-1"))]), LookupStore(), NoProgress())
    assert checker.counts == {"person": 1, "institution": 1, "source": 1, "case": 1, "event": 1}
    assert not checker.k.forward_references()


def test_records_may_refer_forwards_and_are_then_written_parents_first(monkeypatch: pytest.MonkeyPatch) -> None:
    items = [rec("event", 1, event("e-1")), *basics()]
    checker = check_source(ListSource(items), LookupStore(), NoProgress())
    assert not checker.k.forward_references(), "within one batch, parents are written first anyway"
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", 2)
    checker = check_source(ListSource(items), LookupStore(), NoProgress())
    assert checker.k.forward_references()


def test_a_reference_to_nothing_is_reported_where_it_is() -> None:
    items = [*basics(), rec("event", 5, event("e-1", cases=["c-1", "c-404"]))]
    assert _problems(items) == ["line 5.cases: refers to case 'c-404', which does not exist"]


def test_references_may_name_records_already_in_the_database() -> None:
    store = LookupStore(ids={"case": {"c-old"}, "event": {"e-old"}}, types={"e-old": "complaint"})
    items = [*basics(), rec("event", 5, event("e-1", "complaint_answered", cases=["c-old"], institution="i-1",
                                                details={"complaint": "e-old", "outcome": "refused"}))]
    check_source(ListSource(items), store, NoProgress())


def test_an_event_reference_must_name_an_event_of_the_right_type_even_later_in_the_file() -> None:
    answer = event("e-2", "complaint_answered", institution="i-1", details={"complaint": "e-3", "outcome": "refused"})
    items = [*basics(), rec("event", 5, answer), rec("event", 6, event("e-3"))]
    assert _problems(items) == ["line 5.details.complaint: refers to event 'e-3' of type injury, not complaint"]


def test_ids_used_twice_and_ids_in_the_database_are_reported() -> None:
    store = LookupStore(ids={"institution": {"i-1"}})
    items = [*basics(), rec("event", 5, event("e-1")), rec("event", 6, event("e-1"))]
    found = _problems(items, store)
    assert "line 2.id: an institution 'i-1' already exists in the database" in found
    assert "line 6.id: 'e-1' is used twice in this file" in found


def test_duplicates_are_found_across_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", 2)
    items = [*basics(), *(rec("event", 5 + i, event(f"e-{i % 3}")) for i in range(6))]
    found = _problems(items)
    assert found == [f"line {n}.id: 'e-{(n - 5) % 3}' is used twice in this file" for n in (8, 9, 10)]


def test_what_storage_cannot_hold_is_rejected_up_front() -> None:
    items = [*basics(), rec("event", 5, event("e" * 81)),
             rec("event", 6, event("e-2", "complaint_extended", institution="i-1",
                                     details={"complaint": "e-2", "extended_by_days": 2**60})),
             RawRecord("person", {"id": "p-2", "pseudonym": "\ud800"}, "line 7")]
    found = _problems(items)
    assert "line 5.id: is 81 characters long; ids may have at most 80" in found
    assert "line 6.details.extended_by_days: is too large; at most 9007199254740991 (2**53 - 1)" in found
    assert any(p.startswith("line 7.pseudonym: holds a broken character (an unpaired surrogate") for p in found)
    assert len(set(found)) == len(found)  # each once, from the interchange parser that every write path shares


def test_many_problems_are_counted_but_only_the_first_hundred_kept() -> None:
    items = [*basics(), *(rec("event", 5 + i, event(f"e-{i}", date="someday")) for i in range(250))]
    with pytest.raises(InvalidInput) as caught:
        check_source(ListSource(items), LookupStore(), NoProgress())
    assert caught.value.total == 250 and len(caught.value.problems) == 100


def test_a_source_of_nothing_but_problems_is_given_up_on_early() -> None:
    def junk():  # an endless stream: the checker must stop by itself
        n = 0
        while True:
            n += 1
            yield Problem(f"line {n}", "", "malformed JSON")

    class Endless(ListSource):
        def items(self):  # type: ignore[no-untyped-def]
            return junk()

    with pytest.raises(InvalidInput) as caught:
        check_source(Endless([]), LookupStore(), NoProgress())
    assert caught.value.total == 100 and "stopped reading" in str(caught.value.problems[-1])


def test_an_institution_parent_may_be_defined_later() -> None:
    child = {**INSTITUTION, "id": "i-2", "parent": "i-3"}
    items = [rec("institution", 1, child), rec("institution", 2, {**INSTITUTION, "id": "i-3"})]
    check_source(ListSource(items), LookupStore(), NoProgress())
    assert _problems([rec("institution", 1, child)]) == ["line 1.parent: refers to 'i-3', which does not exist"]


def test_references_to_withdrawn_records_in_the_database_are_refused_where_they_are() -> None:
    """An ordinary write refuses them (event_writes.parse_event, staff_records): so does the import, detail fields
    naming people or institutions included."""
    store = LookupStore(ids={"person": {"p-old"}, "institution": {"i-old"}, "case": {"c-old"}},
                        gone={"person": {"p-old"}, "institution": {"i-old"}, "case": {"c-old"}})
    testimony = event("e-1", "testimony", cases=["c-old"], details={"given_by": "p-old", "text": "Рассказ"})
    complaint = event("e-2", "complaint", details={"addressees": ["i-1", "i-old"], "applicants": ["p-1"],
                                                   "channel": "letter", "subject": "Отказ"})
    assert _problems([*basics(), rec("event", 5, testimony), rec("event", 6, complaint)], store) == [
        "line 5.cases: refers to case 'c-old', which was withdrawn",
        "line 5.details.given_by: refers to person 'p-old', which was withdrawn",
        "line 6.details.addressees: refers to institution 'i-old', which was withdrawn"]

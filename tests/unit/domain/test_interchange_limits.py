"""The interchange parser refuses what storage cannot hold, with located problems, for every write path alike."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from dutycare.domain.dates import PartialDate
from dutycare.domain.errors import InvalidInput
from dutycare.domain.interchange import parse_case_file, single_event_document
from dutycare.domain.interchange_schema import case_file_schema
from dutycare.domain.limits import (
    MAX_DATE_LENGTH,
    MAX_ID_LENGTH,
    MAX_JURISDICTION_LENGTH,
    MAX_REGION_LENGTH,
    MAX_SAFE_INT,
    NUL_FAULT,
    SURROGATE_FAULT,
    shown,
    storable_text,
    text_fault,
)
from dutycare.ledger.entry import MAX_SAFE_INT as LEDGER_MAX_SAFE_INT

DOC: dict[str, Any] = {
    "format": "dutycare-case-file", "format_version": 1,
    "people": [{"id": "p-1", "pseudonym": "Максим", "notes": "заметки"}],
    "institutions": [{"id": "i-1", "name": "Госпиталь", "type": "hospital", "region": "Волгоградская область"},
                     {"id": "i-2", "name": "Прокуратура", "type": "prosecutor", "parent": "i-1"}],
    "sources": [{"id": "s-1", "kind": "own_account", "title": "Рассказ", "reliability": "C", "url": "https://x"}],
    "cases": [{"id": "c-1", "person": "p-1", "title": "Отказ в лечении", "region": "Волгоградская область"}],
    "events": [
        {"id": "e-1", "type": "injury", "date": "2024-03", "cases": ["c-1"], "summary": "Ранение",
         "sources": [{"source": "s-1", "locator": "с. 3"}], "details": {"injury": "осколок"}},
        {"id": "e-2", "type": "complaint", "date": "2024-04", "cases": ["c-1"], "sources": [{"source": "s-1"}],
         "details": {"addressees": ["i-2"], "applicants": ["p-1"], "channel": "letter", "subject": "лечение"}},
        {"id": "e-3", "type": "complaint_extended", "date": "2024-05", "cases": ["c-1"], "institution": "i-2",
         "sources": [{"source": "s-1"}], "details": {"complaint": "e-2", "extended_by_days": 30}},
    ],
}
Edit = Callable[[dict[str, Any], Any], None]


def _problems(doc: Any, known: Any = None) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_case_file(doc, known=known)
    return [str(p) for p in caught.value.problems]


def _edited(edit: Edit, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(DOC)
    edit(doc, value)
    return doc


def test_the_base_document_is_valid() -> None:
    parse_case_file(DOC)


def test_limits_are_those_of_storage_and_the_ledger() -> None:
    assert MAX_SAFE_INT == LEDGER_MAX_SAFE_INT == 2**53 - 1  # one definition, in the ledger
    assert (MAX_ID_LENGTH, MAX_REGION_LENGTH, MAX_JURISDICTION_LENGTH) == (80, 200, 10)
    longest_date = PartialDate.parse("~2024-02-28/2024-03-01")
    assert len(str(longest_date)) <= MAX_DATE_LENGTH  # dates need no check of their own


@pytest.mark.parametrize(("path", "edit", "limit"), [
    ("institutions[0] (id i-1).region", lambda d, v: d["institutions"][0].update(region=v), MAX_REGION_LENGTH),
    ("cases[0] (id c-1).region", lambda d, v: d["cases"][0].update(region=v), MAX_REGION_LENGTH),
    ("institutions[1] (id i-2).jurisdiction", lambda d, v: d["institutions"][1].update(jurisdiction=v),
     MAX_JURISDICTION_LENGTH),
])
def test_over_long_region_and_jurisdiction_are_refused_where_they_are(path: str, edit: Edit, limit: int) -> None:
    parse_case_file(_edited(edit, "р" * limit))
    assert _problems(_edited(edit, "р" * (limit + 50))) == [
        f"{path}: is {limit + 50} characters long; at most {limit}"]


def test_over_long_ids_are_refused() -> None:
    doc = _edited(lambda d, v: d["people"][0].update(id=v), "p" * 81)
    assert f"people[0] (id {'p' * 81}).id: is 81 characters long; ids may have at most 80" in _problems(doc)


def test_integer_details_beyond_what_the_ledger_encodes_exactly_are_refused() -> None:
    def edit(d: dict[str, Any], v: Any) -> None:
        d["events"][2]["details"]["extended_by_days"] = v

    parse_case_file(_edited(edit, MAX_SAFE_INT))
    assert _problems(_edited(edit, MAX_SAFE_INT + 1)) == [
        "events[2] (id e-3).details.extended_by_days: is too large; at most 9007199254740991 (2**53 - 1)"]
    assert _problems(_edited(edit, -1)) == ["events[2] (id e-3).details.extended_by_days: must be a whole number, "
                                            "0 or more"]


TEXTS: dict[str, tuple[str, Edit]] = {
    "people[0] (id p-1).pseudonym": ("", lambda d, v: d["people"][0].update(pseudonym=v)),
    "people[0] (id p-1).notes": ("", lambda d, v: d["people"][0].update(notes=v)),
    "institutions[0] (id i-1).name": ("", lambda d, v: d["institutions"][0].update(name=v)),
    "institutions[0] (id i-1).region": ("", lambda d, v: d["institutions"][0].update(region=v)),
    "institutions[1] (id i-2).parent": ("", lambda d, v: d["institutions"][1].update(parent=v)),
    "sources[0] (id s-1).url": ("", lambda d, v: d["sources"][0].update(url=v)),
    "cases[0] (id c-1).person": ("", lambda d, v: d["cases"][0].update(person=v)),
    "cases[0] (id c-1).title": ("", lambda d, v: d["cases"][0].update(title=v)),
    "events[0] (id e-1).summary": ("", lambda d, v: d["events"][0].update(summary=v)),
    "events[0] (id e-1).cases": ("", lambda d, v: d["events"][0].update(cases=[v])),
    "events[0] (id e-1).sources[0].locator": ("", lambda d, v: d["events"][0]["sources"][0].update(locator=v)),
    "events[0] (id e-1).sources[0].source": ("", lambda d, v: d["events"][0]["sources"][0].update(source=v)),
    "events[0] (id e-1).details.injury": ("", lambda d, v: d["events"][0]["details"].update(injury=v)),
    "events[1] (id e-2).details.addressees": ("", lambda d, v: d["events"][1]["details"].update(addressees=[v])),
    "events[2] (id e-3).details.complaint": ("", lambda d, v: d["events"][2]["details"].update(complaint=v)),
    "events[2] (id e-3).institution": ("", lambda d, v: d["events"][2].update(institution=v)),
}


class _Database:
    """Known records that, like a database driver, cannot even be asked about unstorable text."""

    def has(self, kind: str, record_id: str) -> bool:
        assert storable_text(record_id), f"asked the database about {record_id!r}"
        return False

    def event_type(self, event_id: str) -> str | None:
        assert storable_text(event_id), f"asked the database about {event_id!r}"
        return None


@pytest.mark.parametrize("where", list(TEXTS))
@pytest.mark.parametrize(("bad", "fault"), [("x\ud800y", SURROGATE_FAULT), ("Раз\udfffдва", SURROGATE_FAULT),
                                            ("x\x00y", NUL_FAULT), ("Раз\x00два", NUL_FAULT)],
                         ids=["surrogate", "surrogate-in-cyrillic", "nul", "nul-in-cyrillic"])
def test_unstorable_text_is_refused_in_every_field_where_it_is(where: str, bad: str, fault: str) -> None:
    _, edit = TEXTS[where]
    found = _problems(_edited(edit, bad), known=_Database())
    assert f"{where}: {fault}" in found, found
    assert all(storable_text(p) for p in found)


@pytest.mark.parametrize("bad", ["e-\ud800", "e-\x00"])
def test_an_unstorable_id_is_refused_and_quoted_printably(bad: str) -> None:
    found = _problems(_edited(lambda d, v: d["events"][0].update(id=v), bad), known=_Database())
    assert found == [f"events[0] (id {shown(bad)}).id: {text_fault(bad)}"]
    assert all(p.encode("utf-8") for p in found)


def test_unprintable_values_are_quoted_printably_in_any_problem() -> None:
    doc = _edited(lambda d, v: d["events"][0].update(type=v, date="2024-\ud800"), "\ud800")
    doc["events"][0]["col\ud800our"] = "red"
    found = _problems(doc)
    assert "events[0] (id e-1).type: '\\ud800' is not one of: " in found[1]
    assert "events[0] (id e-1).col\\ud800our: unknown field" in found
    assert all(storable_text(p) for p in found)


def test_single_events_are_checked_the_same_way() -> None:
    raw = {**DOC["events"][0], "summary": "a\ud800"}
    with pytest.raises(InvalidInput) as caught:
        parse_case_file(single_event_document(raw), known=_Database())
    assert [str(p) for p in caught.value.problems] == [
        "events[0] (id e-1).cases: refers to case 'c-1', which does not exist",
        "events[0] (id e-1).sources[0].source: refers to source 's-1', which does not exist",
        f"events[0] (id e-1).summary: {SURROGATE_FAULT}"]


def test_text_checks() -> None:
    assert storable_text("") and storable_text("ascii") and storable_text("Кириллица 😀")
    assert not storable_text("\ud83d") and not storable_text("a\x00") and not storable_text("я\x00")
    assert text_fault("ok") is None and text_fault("\udc80") == SURROGATE_FAULT and text_fault("\x00") == NUL_FAULT
    assert shown("plain") == "plain" and shown("я\ud800\x00") == "я\\ud800\\u0000"


def test_the_published_schema_states_the_limits() -> None:
    schema = case_file_schema()
    jsonschema.validate(DOC, schema)
    for edit, value in [(lambda d, v: d["institutions"][0].update(region=v), "р" * 201),
                        (lambda d, v: d["institutions"][1].update(jurisdiction=v), "RU" * 6),
                        (lambda d, v: d["events"][2]["details"].update(extended_by_days=v), 2**53)]:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(_edited(edit, value), schema)

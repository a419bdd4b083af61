"""Validation of the interchange format: every problem is found and located; nothing partial comes out."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from dutycare.domain.errors import InvalidInput
from dutycare.domain.interchange import case_file_to_dict, parse_case_file
from dutycare.domain.interchange_schema import case_file_schema
from dutycare.scenario import load_scenario


def problems(doc: object) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_case_file(doc)
    return [str(p) for p in caught.value.problems]


def test_scenario_parses_and_serialises_back() -> None:
    doc = load_scenario()
    assert case_file_to_dict(parse_case_file(doc)) == doc


def test_every_problem_is_reported_with_its_location() -> None:
    doc = copy.deepcopy(load_scenario())
    doc["events"][0]["type"] = "abduction"
    doc["events"][3]["details"]["category"] = "Z"
    doc["events"][5]["cases"] = ["case-nope"]
    doc["events"][1]["institution"] = "i-nope"
    doc["events"][2]["date"] = "2023-02-31"
    doc["people"][0]["age"] = -3
    found = problems(doc)
    expected = ["events[0] (id ev-a-injury).type", "events[3] (id ev-a-fit-1).details.category",
                "events[5] (id ev-a-fit-2).cases", "events[1] (id ev-a-finding).institution",
                "events[2] (id ev-a-recommended).date", "people[0] (id p-01).age"]
    for where in expected:
        assert any(p.startswith(where) for p in found), (where, found)


def test_wrong_format_and_version_are_refused_before_anything_else() -> None:
    assert any("format_version" in p for p in problems({"format": "dutycare-case-file", "format_version": 2}))
    assert any("format" in p for p in problems({"format": "other", "format_version": 1}))
    assert problems([1, 2]) == ["document: must be a JSON object"]


def test_duplicate_ids_unknown_fields_and_wrong_reference_types() -> None:
    doc = copy.deepcopy(load_scenario())
    doc["people"].append(dict(doc["people"][0]))
    doc["cases"][0]["colour"] = "red"
    complaint_step = {"id": "ev-x", "type": "complaint_answered", "date": "2024-05", "cases": ["case-a"],
                      "institution": "i-president", "sources": [{"source": "s-05"}],
                      "details": {"complaint": "ev-a-injury", "outcome": "refused"}}
    doc["events"].append(complaint_step)
    found = problems(doc)
    assert any("used twice" in p for p in found)
    assert any("colour: unknown field" in p for p in found)
    assert any("of type injury, not complaint" in p for p in found)


def test_latin_fitness_category_is_accepted_as_cyrillic() -> None:
    doc = copy.deepcopy(load_scenario())
    doc["events"][3]["details"]["category"] = "B"
    cf = parse_case_file(doc)
    assert cf.events[3].details["category"] == "Б"


def test_institution_is_required_where_the_type_needs_it() -> None:
    doc = copy.deepcopy(load_scenario())
    del doc["events"][3]["institution"]
    assert any("institution: is required for a fitness_decision" in p for p in problems(doc))


def test_every_event_must_cite_a_source() -> None:
    doc = copy.deepcopy(load_scenario())
    doc["events"][0]["sources"] = []
    assert any("must cite at least one source" in p for p in problems(doc))


def test_scenario_matches_the_published_json_schema() -> None:
    schema = case_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(load_scenario(), schema)
    bad = copy.deepcopy(load_scenario())
    bad["events"][3]["details"]["category"] = "Z"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_published_schema_file_is_current() -> None:
    path = Path(__file__).resolve().parents[3] / "docs" / "case-file.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == case_file_schema(), "run: python -m dutycare.docgen"


def test_ids_longer_than_storage_holds_are_refused() -> None:
    doc = copy.deepcopy(load_scenario())
    doc["people"][0]["id"] = "p-" + "x" * 90
    assert any("at most 80" in p for p in problems(doc))

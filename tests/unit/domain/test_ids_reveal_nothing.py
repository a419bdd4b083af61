"""Ids are not secret: the shipped data uses opaque ids, names in ids are found, hidden characters are refused."""

from __future__ import annotations

import copy
import io
import json
import re
from typing import Any

import pytest

from dutycare.domain.errors import InvalidInput
from dutycare.domain.interchange import parse_case_file
from dutycare.domain.limits import id_fault, shown
from dutycare.domain.names_in_ids import NamesInIds, transliterate
from dutycare.scenario import load_scenario
from dutycare.synth import write_jsonl

NAMED = {"p-01": "p-maxim", "p-02": "p-alexander", "p-03": "p-konstantin", "s-02": "s-alexander-account",
         "s-03": "s-alexander-medical", "s-04": "s-konstantin-account", "p-04": "p-pronin"}


def _renamed(doc: Any, mapping: dict[str, str]) -> Any:
    text = json.dumps(doc, ensure_ascii=False)
    for old, new in mapping.items():
        text = re.sub(rf'"{re.escape(old)}"', f'"{new}"', text)
    return json.loads(text)


def _warnings(doc: Any) -> list[str]:
    found = NamesInIds()
    found.add(parse_case_file(doc))
    return found.warnings()


def test_the_shipped_scenario_has_no_name_in_any_id() -> None:
    doc = load_scenario()
    assert _warnings(doc) == []
    for section in ("people", "sources"):
        assert all(re.fullmatch(r"[ps]-\d\d", r["id"]) for r in doc[section]), section


def test_ids_holding_a_pseudonym_or_full_name_are_found_across_spellings() -> None:
    warnings = _warnings(_renamed(load_scenario(), NAMED))
    named = {w.split("'")[1] for w in warnings}
    assert named == set(NAMED.values())
    assert any("'p-maxim' contains the name 'Максим' of person 'p-maxim'" in w for w in warnings)
    assert any("'s-konstantin-account'" in w and "'Константин'" in w for w in warnings)
    assert any("'p-pronin'" in w and "'Пронин'" in w for w in warnings)  # from the full name


def test_transliteration_of_russian_and_ukrainian_letters() -> None:
    assert transliterate("Щукин Ёж") == "shchukin ezh"
    assert transliterate("Їжак Ґанна") == "yizhak ganna"


def test_the_synthetic_data_uses_opaque_ids() -> None:
    out = io.StringIO()
    write_jsonl(out, 1200, 3)
    ids = [json.loads(line).get("id", "") for line in out.getvalue().splitlines()[1:]]
    people = [i for i in ids if i.startswith("p-")]
    assert people and all(re.fullmatch(r"p-\d+", i) for i in people)
    assert all(re.fullmatch(r"s-[\d-]+", i) for i in ids if i.startswith("s-"))


@pytest.mark.parametrize("hidden", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u200b", "\x07",
                                    "\x1b", "\x85", "\u2028", "\U000e0041"])
def test_ids_with_control_or_bidi_characters_are_refused_with_a_location(hidden: str) -> None:
    doc = copy.deepcopy(load_scenario())
    doc["events"][3]["id"] = f"ev-a{hidden}-fit-1"
    with pytest.raises(InvalidInput) as caught:
        parse_case_file(doc)
    [problem] = [str(p) for p in caught.value.problems if p.field == "id"]
    assert problem.startswith("events[3] (id ev-a\\u") and f"U+{ord(hidden):04X}" in problem
    assert "position 5" in problem and hidden not in problem


def test_plain_ids_and_cyrillic_ids_pass() -> None:
    assert id_fault("ev-a-fit-1") is None and id_fault("дело-17") is None
    assert shown("a\u202eb") == "a\\u202eb"

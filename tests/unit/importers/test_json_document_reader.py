"""The case file read as a stream gives the same records as reading it whole, and places JSON errors exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dutycare.adapters.importers import json_document as jd
from dutycare.domain.errors import Problem
from dutycare.scenario import load_scenario, scenario_text
from dutycare.service_layer.bulk_import import DocumentRecords, RawRecord


def _read(tmp_path: Path, text: str) -> list[RawRecord | Problem]:
    path = tmp_path / "case-file.json"
    path.write_text(text, encoding="utf-8")
    return list(jd.JsonDocumentSource(path).items())


@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_streaming_gives_what_the_whole_document_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         chunk: int) -> None:
    monkeypatch.setattr(jd, "CHUNK", chunk)  # windows smaller than a record still decode each record whole
    streamed = _read(tmp_path, scenario_text())
    assert streamed == list(DocumentRecords(load_scenario()).items())
    assert streamed[-1].location == "events[23] (id ev-hospital-statement)"


def test_a_cut_off_document_names_the_line_and_column(tmp_path: Path) -> None:
    items = _read(tmp_path, '{"format": "dutycare-case-file", "format_version": 1, "people": [')
    assert [str(i) for i in items] == [f"{tmp_path / 'case-file.json'}:1:66: malformed JSON: Expecting value"]


def test_a_syntax_error_deep_in_the_file_is_placed_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jd, "CHUNK", 50)
    doc = load_scenario()
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    lines = text.splitlines()
    target = next(i for i, line in enumerate(lines) if '"ev-b-refused"' in line)
    lines[target] = lines[target].replace('"ev-b-refused",', '"ev-b-refused" ;')
    items = _read(tmp_path, "\n".join(lines))
    column = lines[target].index(";") + 1
    assert str(items[-1]).endswith(f":{target + 1}:{column}: malformed JSON: Expecting ',' delimiter")
    assert sum(isinstance(i, RawRecord) for i in items) > 20


def test_header_problems_end_the_reading_like_the_interchange_parser(tmp_path: Path) -> None:
    items = _read(tmp_path, '{"format": "dutycare-case-file", "format_version": 9, "people": [{"id": "p"}]}')
    assert [str(i) for i in items] == ["document.format_version: is 9; this dutycare reads version 1"]


def test_sections_must_be_lists_of_objects(tmp_path: Path) -> None:
    items = _read(tmp_path, '{"format": "dutycare-case-file", "format_version": 1, "people": {"id": "p"}, '
                            '"cases": [3], "extra": 1}')
    assert [str(i) for i in items] == ["people: must be a list", "cases[0]: must be an object",
                                       "document.extra: unknown field"]


@pytest.mark.parametrize("text", ["", "   ", "[1, 2]", '{"format": "dutycare-case-file"} trailing'])
def test_what_is_not_a_case_file_is_refused(tmp_path: Path, text: str) -> None:
    items = _read(tmp_path, text)
    assert items and isinstance(items[-1], Problem)

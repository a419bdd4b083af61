"""Absurd input files are located problems found with bounded work: deep nesting, huge numbers, wide headers, long
lines."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from bytes_read import bytes_read
from dutycare.adapters import json_text
from dutycare.adapters.importers import jsonlines as jl
from dutycare.adapters.importers import xlsx_file
from dutycare.adapters.importers.csv_file import CsvSource
from dutycare.adapters.importers.json_document import JsonDocumentSource
from dutycare.adapters.importers.table_layout import MAX_COLUMNS
from dutycare.adapters.importers.xlsx_file import XlsxSource
from dutycare.domain.errors import Problem
from dutycare.domain.limits import MAX_JSON_DEPTH, MAX_NUMBER_LENGTH
from dutycare.service_layer.bulk_import import RawRecord

HEADER = ["event_id", "event_type", "event_date", "case_id", "source_id"]
DEEP = "[" * 60000 + "]" * 60000
DEEP_OBJECT = '{"a": ' * 60000 + "1" + "}" * 60000
LONG = "1" * 100000


def _problems(items: list[RawRecord | Problem]) -> list[str]:
    return [str(i) for i in items if isinstance(i, Problem)]


@pytest.mark.parametrize("text", [
    '{"a": [1, 2.5, -3e2, "x[{"], "b": {"c": null, "d": true}}', "[]", '"\\u041c"', " 7 ", '{"s": "]]]]"}'])
def test_bounded_decoding_reads_ordinary_json_as_the_standard_decoder(text: str) -> None:
    assert json_text.loads(text) == json.loads(text)
    assert json_text.loads(text.encode("utf-16")) == json.loads(text)


@pytest.mark.parametrize(("text", "message", "column"), [
    (DEEP, "nested more than 64 levels", MAX_JSON_DEPTH + 1),
    ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "nested more than 64 levels", MAX_JSON_DEPTH + 1),
    ('{"details": ' + DEEP_OBJECT + "}", "nested more than 64 levels", 12 + 6 * (MAX_JSON_DEPTH - 1) + 1),
    ('{"age": ' + LONG + "}", f"longer than {MAX_NUMBER_LENGTH} characters", 9),
    ('{"text": "' + LONG + '", "age": -' + LONG + ".5}", f"longer than {MAX_NUMBER_LENGTH}", 100021),
    ('{"age": NaN}', "NaN is not a JSON value", 9),
    ('{"age": -Infinity}', "-Infinity is not a JSON value", 9),
])
def test_bounded_decoding_refuses_with_the_place(text: str, message: str, column: int) -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        json_text.loads(text)
    assert message in caught.value.msg and (caught.value.lineno, caught.value.colno) == (1, column)
    json_text.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)  # the limit itself is allowed


@pytest.mark.parametrize(("line", "expected"), [
    (DEEP, "line 2, column 65: arrays and objects are nested more than 64 levels deep"),
    ('{"record": "person", "id": "p-2", "age": ' + LONG + "}", "line 2, column 42: a number is longer than 100"),
    ('{"record": "person", "id": "p-2", "details": ' + DEEP_OBJECT + "}",
     f"line 2, column {45 + 6 * (MAX_JSON_DEPTH - 1) + 1}: arrays and"),
])
def test_json_lines_locate_absurd_lines(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"record": "case", "id": "c-1"}\n' + line + "\n", encoding="utf-8")
    problems = _problems(list(jl.JsonLinesSource(path).items()))
    assert len(problems) == 1 and problems[0].startswith(expected), problems


PREFIX = '{"format": "dutycare-case-file", "format_version": 1, "people": ['


@pytest.mark.parametrize(("section", "message", "offset"), [
    (DEEP, "arrays and objects are nested more than 64 levels deep", MAX_JSON_DEPTH),
    ('{"id": "p-1", "age": ' + LONG + "}", "a number is longer than 100 characters", 21),
    ('{"id": "p-1", "pseudonym": ' + DEEP_OBJECT + "}", "arrays and objects are nested more than 64 levels deep",
     27 + 6 * (MAX_JSON_DEPTH - 1)),
])
def test_a_case_file_locates_absurd_values(tmp_path: Path, section: str, message: str, offset: int) -> None:
    path = tmp_path / "case-file.json"
    path.write_text(PREFIX + section + "]}")
    problems = _problems(list(JsonDocumentSource(path).items()))
    assert problems == [f"{path}:1:{len(PREFIX) + offset + 1}: {message}"]


def _csv(tmp_path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path = tmp_path / "rows.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_a_header_of_100000_columns_is_refused_by_its_width_alone(tmp_path: Path) -> None:
    path = _csv(tmp_path, [HEADER + [f"col{i}" for i in range(100000)], ["e-1"]])
    problems = _problems(list(CsvSource(path).items()))
    assert problems == [f"row 1: has 100005 columns; the spreadsheet layout has at most {MAX_COLUMNS}"]


def test_a_header_of_many_unknown_columns_gives_one_problem_for_each(tmp_path: Path) -> None:
    path = _csv(tmp_path, [HEADER + [f"col{i}" for i in range(MAX_COLUMNS - len(HEADER))], ["e-1"]])
    problems = _problems(list(CsvSource(path).items()))
    assert len(problems) == MAX_COLUMNS - len(HEADER)


def test_a_repeated_column_is_still_found(tmp_path: Path) -> None:
    problems = _problems(list(CsvSource(_csv(tmp_path, [[*HEADER, "case_id"], ["e-1"]])).items()))
    assert problems == ["row 1, column F: 'case_id' appears twice"]


def test_an_overlong_cell_and_an_overlong_line_are_located(tmp_path: Path) -> None:
    path = _csv(tmp_path, [HEADER, ["e-1", "injury", "2024", "c-1", "s-" + "x" * 200000]])
    assert _problems(list(CsvSource(path).items())) == [
        "row 2: has a cell longer than 131,072 characters; is this a CSV file?"]
    path.write_text(",".join(HEADER) + "\n" + "," * (5 << 20) + "\n", encoding="utf-8")
    items, read = bytes_read(lambda: list(CsvSource(path).items()))
    assert _problems(items) == ["row 2: is longer than 4 MiB; is this a CSV file?"]
    assert read <= path.stat().st_size + (1 << 20), f"read {read} bytes of a {path.stat().st_size}-byte file"


ROWS = 2000


def _xlsx_with_dimension(tmp_path: Path, dimension: str) -> Path:
    book = Workbook()
    book.active.append(HEADER)
    for n in range(ROWS):
        book.active.append([f"e-{n}", "injury", "2024", "c-1", "s-1"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    forged = tmp_path / "forged.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(forged, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes the element with or without a space before "/>", as lxml or the stdlib serialises
                data = re.sub(rb'<dimension ref="A1:E%d"\s*/>' % (ROWS + 1), f'<dimension ref="{dimension}"/>'.encode(),
                              data)
                assert dimension.encode() in data
            out.writestr(item, data)
    return forged


def test_a_workbook_claiming_the_largest_sheet_is_read_by_its_cells(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A1:XFD1048576 believed would pad every row to 16,384 cells (and add empty rows up to 1,048,576)."""
    widths: list[int] = []

    class MeasuredRows(xlsx_file.RowReader):
        def records(self, row: int, cells: Sequence[Any]) -> Iterator[RawRecord | Problem]:
            widths.append(len(cells))
            return super().records(row, cells)

    monkeypatch.setattr(xlsx_file, "RowReader", MeasuredRows)
    source = XlsxSource(_xlsx_with_dimension(tmp_path, "A1:XFD1048576"))
    items = list(source.items())
    assert [i.kind for i in items if isinstance(i, RawRecord)] == ["event"] * ROWS
    assert source.rows_read == ROWS + 1, f"{source.rows_read:,} rows read for {ROWS + 1:,} written"
    assert max(widths) == len(HEADER), f"rows padded to {max(widths):,} cells"


def test_a_workbook_header_wider_than_the_layout_is_refused(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(HEADER + [f"col{i}" for i in range(3000)])
    book.save(tmp_path / "wide.xlsx")
    problems = _problems(list(XlsxSource(tmp_path / "wide.xlsx").items()))
    assert problems == [f"sheet 'Sheet', row 1: has 3005 columns; the spreadsheet layout has at most {MAX_COLUMNS}"]

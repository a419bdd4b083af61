"""CSV and XLSX in the spreadsheet layout: encodings, separators, headers, cells and repeated records."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from dutycare.adapters.importers import FileType, file_type_of, open_source
from dutycare.adapters.importers.csv_file import CsvSource, detect_encoding, detect_separator
from dutycare.adapters.importers.table_layout import BY_NAME, COLUMNS, EXAMPLE_MARK, column_letter, read_cell
from dutycare.adapters.importers.template import write_csv_template, write_xlsx_template
from dutycare.adapters.importers.xlsx_file import XlsxSource
from dutycare.domain.errors import DomainError, Problem
from dutycare.service_layer.bulk_import import RawRecord

HEADER = ["event_id", "event_type", "event_date", "case_id", "source_id", "injury", "case_title", "person_id",
          "person_pseudonym", "person_age", "source_kind", "source_title", "source_reliability"]
ROW = ["e-1", "injury", "2024-03", "c-1", "s-1", "осколок", "Осколок не удалён", "p-1", "Максим", "21",
       "own_account", "Рассказ", "C"]


def _csv(tmp_path: Path, rows: list[list[str]], encoding: str = "utf-8", sep: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep).writerows(rows)
    path = tmp_path / "rows.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _items(source: CsvSource | XlsxSource) -> list[RawRecord | Problem]:
    return list(source.items())


def test_detect_encoding() -> None:
    text = "Военный госпиталь отказал в операции, сославшись на указание сверху"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("utf-16")) == "utf-16"
    assert detect_encoding(text.encode("cp1251")) == "cp1251"
    assert detect_encoding(text.encode("utf-8")[:-1]) == "utf-8", "a character cut by the sample's end"
    assert detect_encoding(text.encode("koi8-r")) is None, "KOI8-R is not mistaken for cp1251"
    assert detect_encoding(bytes(range(128, 256)) * 10) is None


def test_detect_separator() -> None:
    assert detect_separator("event_id;event_type;event_date") == ";"
    assert detect_separator("event_id\tevent_type") == "\t"
    assert detect_separator("event_id,event_type") == ","


@pytest.mark.parametrize(("encoding", "sep"), [("utf-8", ","), ("cp1251", ";"), ("utf-16", "\t"),
                                               ("utf-8-sig", ";")])
def test_a_row_gives_its_records_parents_first(tmp_path: Path, encoding: str, sep: str) -> None:
    source = CsvSource(_csv(tmp_path, [HEADER, ROW], encoding, sep))
    items = _items(source)
    assert [i.kind for i in items if isinstance(i, RawRecord)] == ["person", "source", "case", "event"]
    person, _, case, ev = items
    assert isinstance(person, RawRecord) and person.data == {"id": "p-1", "pseudonym": "Максим", "age": 21}
    assert isinstance(case, RawRecord) and case.data == {"id": "c-1", "title": "Осколок не удалён", "person": "p-1"}
    assert isinstance(ev, RawRecord) and ev.data == {"id": "e-1", "type": "injury", "date": "2024-03",
                                                     "cases": ["c-1"], "sources": [{"source": "s-1"}],
                                                     "details": {"injury": "осколок"}}
    assert ev.problem("details.injury", "x") == Problem("row 2, column F (injury)", "", "x")
    assert encoding.replace("-sig", "") in source.describe()


def test_an_unknown_encoding_asks_for_one(tmp_path: Path) -> None:
    path = _csv(tmp_path, [HEADER, ROW], "koi8-r")
    assert "pass --encoding cp1251" in str(_items(CsvSource(path))[0])
    assert [i.kind for i in _items(CsvSource(path, "koi8-r")) if isinstance(i, RawRecord)][-1] == "event"
    with pytest.raises(DomainError, match="not an encoding"):
        CsvSource(path, "klingon")


def test_a_wrong_encoding_given_is_reported_at_its_row(tmp_path: Path) -> None:
    path = _csv(tmp_path, [HEADER, *([ROW] * 3)], "cp1251")
    items = _items(CsvSource(path, "utf-8"))
    assert str(items[-1]).startswith("row 1: is not valid utf-8 text")


def test_header_problems_stop_the_reading(tmp_path: Path) -> None:
    header = ["event_id", "event_typ", "event_date", "case_id", "case_id", "", "colour"]
    items = _items(CsvSource(_csv(tmp_path, [header, ROW[:7]])))
    assert [str(i) for i in items] == [
        "row 1, column B: 'event_typ' is not a column dutycare knows; did you mean 'event_type'?",
        "row 1, column E: 'case_id' appears twice",
        "row 1, column F: has no name; every column needs one",
        "row 1, column G: 'colour' is not a column dutycare knows; 'dutycare import --template csv' lists them",
        "row 1: the header lacks the column(s) event_type, source_id",
    ]


def test_repeated_records_must_agree(tmp_path: Path) -> None:
    second = ["e-2", "injury", "2024-04", "c-1", "s-1", "контузия", "", "p-1", "Макс", "22", "", "", ""]
    third = ["e-3", "injury", "2024-05", "c-1", "s-1", "контузия", "Другой заголовок", "p-1", "", "", "", "", ""]
    items = _items(CsvSource(_csv(tmp_path, [HEADER, ROW, second, third])))
    problems = [str(i) for i in items if isinstance(i, Problem)]
    assert problems == ["row 3, column I (person_pseudonym): says 'Макс' but row 2 gave 'Максим' for person p-1",
                        "row 3, column J (person_age): says '22' but row 2 gave '21' for person p-1",
                        "row 4, column G (case_title): says 'Другой заголовок' but row 2 gave 'Осколок не удалён' "
                        "for case c-1"]
    assert [i.data["id"] for i in items if isinstance(i, RawRecord) and i.kind == "event"] == ["e-1", "e-2", "e-3"]


def test_cells_become_the_types_the_fields_want() -> None:
    assert read_cell(BY_NAME["person_age"], "21") == 21
    assert read_cell(BY_NAME["person_age"], 21.0) == 21
    assert read_cell(BY_NAME["person_age"], "двадцать") == "двадцать", "left for validation to name"
    assert read_cell(BY_NAME["documents_injury"], "да") is True
    assert read_cell(BY_NAME["notice_given"], "no") is False
    assert read_cell(BY_NAME["addressees"], "i-1; i-2;") == ["i-1", "i-2"]
    assert read_cell(BY_NAME["event_date"], datetime(2024, 3, 14)) == "2024-03-14"
    assert read_cell(BY_NAME["event_date"], date(2024, 3, 14)) == "2024-03-14"
    assert read_cell(BY_NAME["event_summary"], "   ") is None


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_templates_example_row_is_marked_and_refused(tmp_path: Path) -> None:
    write_csv_template(tmp_path / "t.csv")
    write_xlsx_template(tmp_path / "t.xlsx")
    from_csv = _items(CsvSource(tmp_path / "t.csv"))
    from_xlsx = _items(XlsxSource(tmp_path / "t.xlsx"))
    for items in (from_csv, from_xlsx):
        assert {type(i).__name__ for i in items} == {"Problem"}, "the example row gives no record"
        assert any("row 2" in str(i) and "example row" in str(i) for i in items)
    assert len(next(csv.reader(io.StringIO((tmp_path / "t.csv").read_text("utf-8-sig"))))) == len(COLUMNS)


def test_the_example_row_filled_in_with_a_real_id_reads_as_records(tmp_path: Path) -> None:
    write_csv_template(tmp_path / "t.csv")
    text = (tmp_path / "t.csv").read_text("utf-8-sig").replace(EXAMPLE_MARK, "ev-1")
    (tmp_path / "real.csv").write_text(text, encoding="utf-8-sig")
    assert [i.kind for i in _items(CsvSource(tmp_path / "real.csv"))] == [  # type: ignore[union-attr]
        "institution", "person", "source", "case", "event"]


def test_xlsx_cells_keep_their_types_and_sheet_name(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Лист1"
    sheet.append(HEADER)
    sheet.append(["e-1", "injury", date(2024, 3, 1), "c-1", "s-1", "осколок", "Т", "p-1", "Максим", 21.0,
                  "own_account", "Рассказ", "C"])
    sheet.append([None] * len(HEADER))
    sheet.append(["e-2", "injury", "2024", "c-1", "s-1", None, None, None, None, None, None, None, None, "extra"])
    book.save(tmp_path / "w.xlsx")
    items = _items(XlsxSource(tmp_path / "w.xlsx"))
    assert items[0] == RawRecord("person", {"id": "p-1", "pseudonym": "Максим", "age": 21}, "sheet 'Лист1', row 2",
                                 items[0].relocate)  # type: ignore[union-attr]
    assert items[3].data["date"] == "2024-03-01"  # type: ignore[union-attr]
    assert str(items[-1]) == "sheet 'Лист1', row 4: has cells beyond the 13 named in the header"


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really a zip", b"event_id,event_type\n"])
def test_what_is_not_a_workbook_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(content)
    problem = _items(XlsxSource(path))[0]
    assert isinstance(problem, Problem)
    assert ("is empty (0 bytes)" if not content else "is not an Excel .xlsx workbook") in str(problem)


def test_file_types_come_from_the_name_or_the_content(tmp_path: Path) -> None:
    for name, content, expected in [("a.csv", b"x", FileType.CSV), ("a.JSONL", b"{}", FileType.JSONL),
                                    ("a.data", b'{"record": "case"}\n', FileType.JSONL),
                                    ("b.data", b'{\n "format": "dutycare-case-file"', FileType.JSON),
                                    ("c.data", b"PK\x03\x04", FileType.XLSX), ("d.data", b"event_id", FileType.CSV)]:
        (tmp_path / name).write_bytes(content)
        assert file_type_of(tmp_path / name) is expected, name
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf")
    with pytest.raises(DomainError, match="old Excel"):
        file_type_of(tmp_path / "old.xls")
    with pytest.raises(DomainError, match="There is no file"):
        open_source(tmp_path / "missing.csv")
    with pytest.raises(DomainError, match="CSV files only"):
        open_source(tmp_path / "a.JSONL", encoding="cp1251")


def test_every_column_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "import-formats.md").read_text(encoding="utf-8")
    missing = [c.name for c in COLUMNS if f"`{c.name}`" not in doc]
    assert not missing, f"docs/import-formats.md does not describe {missing}"

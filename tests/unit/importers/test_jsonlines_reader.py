"""JSON Lines: one record per line, problems named by line and column, long lines and bad bytes contained."""

from __future__ import annotations

from pathlib import Path

import pytest

from dutycare.adapters.importers import jsonlines as jl
from dutycare.domain.errors import Problem
from dutycare.service_layer.bulk_import import RawRecord


def _read(tmp_path: Path, content: bytes) -> list[RawRecord | Problem]:
    path = tmp_path / "records.jsonl"
    path.write_bytes(content)
    return list(jl.JsonLinesSource(path).items())


def test_records_are_read_with_their_kind_and_line(tmp_path: Path) -> None:
    items = _read(tmp_path, '{"format": "dutycare-records", "format_version": 1}\n\n'
                            '{"record": "person", "id": "p-1", "pseudonym": "Максим"}\r\n'
                            '{"record": "source", "id": "s-1", "kind": "interview"}\n'.encode())
    assert items == [RawRecord("person", {"id": "p-1", "pseudonym": "Максим"}, "line 3 (person p-1)"),
                     RawRecord("source", {"id": "s-1", "kind": "interview"}, "line 4 (source s-1)")]


def test_a_byte_order_mark_on_the_first_line_is_allowed(tmp_path: Path) -> None:
    items = _read(tmp_path, b'\xef\xbb\xbf{"record": "case", "id": "c-1"}\n')
    assert isinstance(items[0], RawRecord) and items[0].kind == "case"


@pytest.mark.parametrize(("line", "expected"), [
    ('{"record": "event", "id": "e-1", "type": "inj', "line 2, column 42: malformed JSON: Unterminated string"),
    ('["record", "event"]', "line 2: must be a JSON object"),
    ('{"id": "e-1"}', "line 2.record: must say what the line holds: one of person, institution"),
    ('{"record": "complaint", "id": "e-1"}', "line 2.record: must say what the line holds"),
    ('{"format": "dutycare-case-file", "format_version": 1}', "line 2.format: must be 'dutycare-records'"),
    ('{"format": "dutycare-records", "format_version": 7}', "line 2.format_version: is 7; this dutycare reads"),
])
def test_a_bad_line_is_a_problem_at_that_line(tmp_path: Path, line: str, expected: str) -> None:
    items = _read(tmp_path, ('{"record": "case", "id": "c-1"}\n' + line + "\n").encode())
    problems = [str(i) for i in items if isinstance(i, Problem)]
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_bytes_that_are_not_utf8_are_reported(tmp_path: Path) -> None:
    items = _read(tmp_path, '{"record": "person", "id": "p-1", "pseudonym": "Максим"}\n'.encode("cp1251"))
    assert str(items[0]).startswith("line 1: is not UTF-8 text")


def test_an_empty_file_and_a_file_of_blank_lines_are_refused(tmp_path: Path) -> None:
    assert "is empty (0 bytes)" in str(_read(tmp_path, b"")[0])
    assert "holds no records" in str(_read(tmp_path, b"\n\n  \n")[0])


def test_a_line_longer_than_the_limit_is_skipped_not_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jl, "MAX_LINE", 64)
    items = _read(tmp_path, b'{"record": "case", "id": "' + b"x" * 500 + b'"}\n{"record": "case", "id": "c-2"}\n')
    assert str(items[0]).startswith("line 1: is longer than")
    assert isinstance(items[1], RawRecord) and items[1].location == "line 2 (case c-2)"


def test_the_digest_covers_the_whole_file_only_after_a_full_pass(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"record": "case", "id": "c-1"}\n' * 40000)  # more than the read buffer
    source = jl.JsonLinesSource(path)
    iterator = source.items()
    next(iterator)
    iterator.close()
    assert source.digest() is None
    list(source.items())
    assert source.digest() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert source.progress() == (path.stat().st_size, path.stat().st_size)

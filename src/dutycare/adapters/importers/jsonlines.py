"""JSON Lines: one record per line, ``{"record": "event", ...the record in interchange form}``.

An optional first line ``{"format": "dutycare-records", "format_version": 1}`` names the format. Blank lines are
skipped. Each line is read with a length limit, so a file without line breaks cannot fill memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from dutycare.adapters import json_text
from dutycare.adapters.importers.files import FilePass
from dutycare.domain.errors import Problem
from dutycare.service_layer.bulk_import import KINDS, RawRecord
from dutycare.service_layer.ports import RecordSource

RECORDS_FORMAT = "dutycare-records"
RECORDS_FORMAT_VERSION = 1
MAX_LINE = 4 << 20
_KINDS_TEXT = ", ".join(KINDS)


class JsonLinesSource(RecordSource):
    """Records from a JSON Lines file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = FilePass(path)

    def describe(self) -> str:
        """What is being read, for the user."""
        return f"{self.path.name}: JSON Lines"

    def items(self) -> Iterator[RawRecord | Problem]:
        """Every record line, or a problem naming the line."""
        if self.file.size == 0:
            yield Problem(str(self.path), "", "is empty (0 bytes): there is nothing to import")
            return
        records = 0
        with self.file.open() as f:
            for number, line in _lines(f):
                item = self._item(number, line, first=number == 1)
                if item is not None:
                    records += isinstance(item, RawRecord)
                    yield item
        if records == 0:
            yield Problem(str(self.path), "", "holds no records: there is nothing to import")

    def _item(self, number: int, line: bytes | None, first: bool) -> RawRecord | Problem | None:
        where = f"line {number}"
        if line is None:
            return Problem(where, "", f"is longer than {MAX_LINE >> 20} MiB: is this a JSON Lines file?")
        try:
            text = line.decode("utf-8-sig" if first else "utf-8")
        except UnicodeDecodeError as exc:
            return Problem(where, "", f"is not UTF-8 text (byte {exc.start + 1} of the line); save the file as UTF-8")
        text = text.rstrip()
        if not text:
            return None
        try:
            obj = json_text.loads(text)
        except json.JSONDecodeError as exc:
            what = "" if isinstance(exc, json_text.JsonLimitError) else "malformed JSON: "
            return Problem(f"{where}, column {exc.colno}", "", what + exc.msg)
        return self._record(where, obj)

    @staticmethod
    def _record(where: str, obj: Any) -> RawRecord | Problem | None:
        if not isinstance(obj, dict):
            return Problem(where, "", "must be a JSON object")
        if "record" not in obj and "format" in obj:
            return _header_problem(where, obj)
        kind = obj.pop("record", None)
        if kind not in KINDS:
            return Problem(where, "record", f"must say what the line holds: one of {_KINDS_TEXT}")
        rid = obj.get("id")
        location = f"{where} ({kind} {rid})" if isinstance(rid, str) else where
        return RawRecord(kind, obj, location)

    def progress(self) -> tuple[int, int]:
        """Bytes read, and the file's size."""
        return self.file.progress()

    def digest(self) -> str | None:
        """SHA-256 of the file as the last pass read it."""
        return self.file.digest()


def _header_problem(where: str, obj: dict[str, Any]) -> Problem | None:
    if obj.get("format") != RECORDS_FORMAT:
        return Problem(where, "format", f"must be '{RECORDS_FORMAT}' (a case file is read from a .json file)")
    if obj.get("format_version") != RECORDS_FORMAT_VERSION:
        return Problem(where, "format_version", f"is {obj.get('format_version')!r}; this dutycare reads version "
                                                f"{RECORDS_FORMAT_VERSION}")
    return None


def _lines(f: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines; None for a line over the limit (the rest of it is skipped)."""
    number = 0
    while True:
        line = f.readline(MAX_LINE)
        if not line:
            return
        number += 1
        if len(line) >= MAX_LINE and not line.endswith(b"\n"):
            del line
            while (rest := f.readline(1 << 16)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        yield number, line

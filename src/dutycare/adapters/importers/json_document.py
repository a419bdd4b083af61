"""A dutycare case file (one JSON document) read as a stream: one record at a time, however large the file.

The document's top level is walked by hand; each record inside a section is handed to the standard JSON
decoder on its own, so memory holds a window of the file, not the whole of it.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dutycare.adapters import json_text
from dutycare.adapters.importers.files import FilePass
from dutycare.domain.errors import Problem
from dutycare.domain.interchange import SECTION_KINDS, SECTIONS
from dutycare.service_layer.bulk_import import RawRecord, header_problems, section_location
from dutycare.service_layer.ports import RecordSource

CHUNK = 1 << 20
MAX_VALUE = 16 << 20
_SPACE = re.compile(r"[ \t\n\r]*")


class Malformed(Exception):
    """The document is not well-formed JSON at some position (or goes beyond what dutycare decodes)."""

    def __init__(self, position: int, message: str, limit: bool = False) -> None:
        super().__init__(message)
        self.position = position
        self.message = message
        self.limit = limit


class TextWindow:
    """A sliding window over a text stream, knowing the line and column of every position in it."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.text = ""
        self.pos = 0
        self.eof = False
        self.line_base = 1  # line number of the window's first character
        self.column_base = 1  # column of the window's first character

    def more(self) -> bool:
        """Read another chunk, dropping what has been consumed; False at the end of the file."""
        if self.eof:
            return False
        done = self.text[:self.pos]
        newlines = done.count("\n")
        self.line_base += newlines
        self.column_base = len(done) - done.rfind("\n") if newlines else self.column_base + len(done)
        chunk = self.stream.read(CHUNK)
        self.text, self.pos = self.text[self.pos:] + chunk, 0
        self.eof = not chunk
        return bool(chunk)

    def where(self, position: int) -> tuple[int, int]:
        """Line and column (from 1) of a position in the window."""
        line = self.line_base + self.text.count("\n", 0, position)
        last = self.text.rfind("\n", 0, position)
        return line, (position - last if last >= 0 else self.column_base + position)

    def skip_space(self) -> str:
        """Skip whitespace; return the next character, or '' at the end of the file."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str) -> str:
        """The next non-space character, which must be one of chars; it is consumed."""
        found = self.skip_space()
        if not found or found not in chars:
            what = "the end of the file" if not found else repr(found)
            raise Malformed(self.pos, f"expected {' or '.join(repr(c) for c in chars)}, found {what}")
        self.pos += 1
        return found

    def value(self) -> Any:
        """Decode one JSON value, reading more of the file while it may be cut off by the window's end."""
        self.skip_space()
        while True:
            try:
                value, end = json_text.raw_decode(self.text, self.pos)
            except json_text.JsonLimitError as exc:
                raise Malformed(exc.pos, exc.msg, limit=True) from None
            except json.JSONDecodeError as exc:
                truncated = exc.pos >= len(self.text) - 1 or exc.msg.startswith("Unterminated string")
                if truncated and len(self.text) - self.pos < MAX_VALUE and self.more():
                    continue
                raise Malformed(exc.pos, exc.msg) from None
            self.pos = end
            return value


class JsonDocumentSource(RecordSource):
    """Records from a case file, read as a stream."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = FilePass(path)

    def describe(self) -> str:
        """What is being read, for the user."""
        return f"{self.path.name}: dutycare case file (JSON)"

    def items(self) -> Iterator[RawRecord | Problem]:
        """Header problems, records, and a problem where the JSON breaks (which ends the reading)."""
        if self.file.size == 0:
            yield Problem(str(self.path), "", "is empty (0 bytes): there is nothing to import")
            return
        with self.file.open() as raw:
            window = TextWindow(io.TextIOWrapper(raw, encoding="utf-8-sig"))
            try:
                yield from self._document(window)
            except Malformed as exc:
                line, column = window.where(exc.position)
                yield Problem(f"{self.path}:{line}:{column}", "", exc.message if exc.limit else
                              f"malformed JSON: {exc.message}")
            except UnicodeDecodeError as exc:
                yield Problem(str(self.path), "", f"is not UTF-8 text (near byte {exc.start}); save it as UTF-8")

    def _document(self, w: TextWindow) -> Iterator[RawRecord | Problem]:
        """The top level: header fields are judged before the first section when they come first (as exports
        write them), otherwise at the end."""
        w.expect("{")
        head: dict[str, Any] = {}
        sections_seen: set[str] = set()
        if w.skip_space() == "}":
            w.pos += 1
        else:
            while True:
                key = self._key(w)
                if key not in SECTIONS:
                    head[key] = w.value()
                elif not sections_seen and {"format", "format_version"} <= head.keys() and header_problems(head):
                    yield from header_problems(head)
                    return
                else:
                    yield from self._section(w, key, key in sections_seen)
                    sections_seen.add(key)
                if w.expect(",}") == "}":
                    break
        if w.skip_space():
            raise Malformed(w.pos, "unexpected text after the end of the document")
        yield from header_problems(head)

    def _key(self, w: TextWindow) -> str:
        if w.skip_space() != '"':
            raise Malformed(w.pos, "expected a field name in double quotes")
        key = w.value()
        w.expect(":")
        return str(key)

    def _section(self, w: TextWindow, section: str, repeated: bool) -> Iterator[RawRecord | Problem]:
        if repeated:
            yield Problem("document", section, "appears twice")
        if w.skip_space() != "[":
            w.value()
            yield Problem(section, "", "must be a list")
            return
        w.pos += 1
        if w.skip_space() == "]":
            w.pos += 1
            return
        kind, index = SECTION_KINDS[section], 0
        while True:
            raw = w.value()
            where = section_location(section, index, raw)
            yield RawRecord(kind, raw, where) if isinstance(raw, dict) else \
                Problem(where, "", "must be an object")
            index += 1
            if w.expect(",]") == "]":
                return

    def progress(self) -> tuple[int, int]:
        """Bytes read, and the file's size."""
        return self.file.progress()

    def digest(self) -> str | None:
        """SHA-256 of the file as the last pass read it."""
        return self.file.digest()

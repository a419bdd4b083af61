"""CSV files in the spreadsheet layout, in whatever encoding and separator spreadsheets save them with.

Encodings: a byte-order mark decides (UTF-8, UTF-16); otherwise UTF-8 if the start of the file is valid UTF-8;
otherwise Windows Cyrillic (cp1251) if the text looks like Russian in it; otherwise the user is asked to say, with
``--encoding``. Separators: comma, semicolon (what Russian-locale Excel writes) or tab, whichever the header uses.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from dutycare.adapters.importers.files import FilePass
from dutycare.adapters.importers.table_layout import RowReader
from dutycare.domain.errors import DomainError, Problem
from dutycare.service_layer.bulk_import import RawRecord
from dutycare.service_layer.ports import RecordSource

SAMPLE = 1 << 16
MAX_LINE = 4 << 20  # characters of one line: no row of the layout comes near it
SEPARATORS = (",", ";", "\t")
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def detect_encoding(sample: bytes) -> str | None:
    """The encoding a CSV sample is in, or None when it cannot be told."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(sample) - 3:
            return "utf-8"  # the sample cut a character in two
    return "cp1251" if looks_like_cp1251(sample) else None


def looks_like_cp1251(sample: bytes) -> bool:
    """Whether non-ASCII bytes read as Russian text in cp1251: mostly letters, mostly lower case.

    In cp1251 lower-case Cyrillic is 0xE0–0xFF and upper case 0xC0–0xDF; in KOI8-R it is the other way round,
    so ordinary prose (mostly lower case) tells them apart.
    """
    high = [b for b in sample if b >= 0x80]
    if not high:
        return False
    lower = sum(1 for b in high if b >= 0xE0)
    upper = sum(1 for b in high if 0xC0 <= b < 0xE0)
    letters = lower + upper + sum(1 for b in high if b in (0xA8, 0xB8))
    return letters / len(high) > 0.85 and lower >= upper


def detect_separator(header_line: str) -> str:
    """The separator the header line uses most."""
    return max(SEPARATORS, key=header_line.count)


def checked_encoding(name: str) -> str:
    """A codec name the user gave, checked."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise DomainError(f"'{name}' is not an encoding Python knows; try utf-8, cp1251, koi8-r or utf-16.") from None


class CsvSource(RecordSource):
    """Records from a CSV file in the spreadsheet layout."""

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        self.file = FilePass(path)
        self.given_encoding = checked_encoding(encoding) if encoding else None
        self.encoding: str | None = self.given_encoding
        self.separator = ","

    def describe(self) -> str:
        """What is being read, for the user."""
        how = "given" if self.given_encoding else "detected"
        return (f"{self.path.name}: CSV, {self.encoding or 'unknown encoding'} ({how}), "
                f"{_SEPARATOR_NAMES.get(self.separator, self.separator)}-separated")

    def _prepare(self) -> Problem | None:
        with self.path.open("rb") as f:
            sample = f.read(SAMPLE)
        if self.encoding is None:
            self.encoding = detect_encoding(sample)
        if self.encoding is None:
            return Problem(str(self.path), "", "is not UTF-8 text and its encoding could not be told; if it was saved "
                                               "by Excel in Russian Windows, pass --encoding cp1251 (or koi8-r, "
                                               "utf-16), or save it as 'CSV UTF-8'")
        first = sample.decode(self.encoding, errors="replace").lstrip("\ufeff").splitlines()
        self.separator = detect_separator(first[0] if first else "")
        return None

    def items(self) -> Iterator[RawRecord | Problem]:
        """Every row's records, or the problems found in it."""
        if self.file.size == 0:
            yield Problem(str(self.path), "", "is empty (0 bytes): there is nothing to import")
            return
        problem = self._prepare()
        if problem is not None:
            yield problem
            return
        with self.file.open() as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding or "utf-8", newline="")
            yield from self._rows(csv.reader(_bounded_lines(text), delimiter=self.separator))

    def _rows(self, rows: Iterator[list[str]]) -> Iterator[RawRecord | Problem]:
        number, records, reader = 0, 0, None
        try:
            for number, cells in enumerate(rows, 1):
                if reader is None:
                    reader = RowReader(cells, "")
                    if problems := reader.header_problems():
                        yield from problems
                        return
                    continue
                if any(c.strip() for c in cells):
                    for item in reader.records(number, cells):
                        records += isinstance(item, RawRecord)
                        yield item
        except UnicodeDecodeError:
            yield Problem(f"row {number + 1}", "", f"is not valid {self.encoding} text; pass the file's encoding "
                                                   "with --encoding (e.g. cp1251), or save it as 'CSV UTF-8'")
            return
        except LineTooLong:
            yield Problem(f"row {number + 1}", "", f"is longer than {MAX_LINE >> 20} MiB; is this a CSV file?")
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                yield Problem(f"row {number + 1}", "", f"has a cell longer than {csv.field_size_limit():,} "
                                                       "characters; is this a CSV file?")
            else:
                yield Problem(f"row {number + 1}", "", f"cannot be read as CSV ({exc}): is this a CSV file?")
            return
        if records == 0:
            yield Problem(str(self.path), "", "holds no records (a header at most): there is nothing to import")

    def progress(self) -> tuple[int, int]:
        """Bytes read, and the file's size."""
        return self.file.progress()

    def digest(self) -> str | None:
        """SHA-256 of the file as the last pass read it."""
        return self.file.digest()


class LineTooLong(Exception):
    """A line of the file is longer than MAX_LINE characters."""


def _bounded_lines(text: io.TextIOBase) -> Iterator[str]:
    """The file's lines, refusing one longer than MAX_LINE before it is held in memory whole."""
    while line := text.readline(MAX_LINE + 1):
        if len(line) > MAX_LINE:
            raise LineTooLong()
        yield line

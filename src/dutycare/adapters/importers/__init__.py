"""Readers for the files an import accepts: a case file (JSON), JSON Lines, CSV and Excel (.xlsx).

Each reader is a `service_layer.bulk_import.RecordSource`: it streams records (or problems located by line, row
and column) and can be read again from the start for the writing pass.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Protocol

from dutycare.adapters.importers.csv_file import CsvSource
from dutycare.adapters.importers.json_document import JsonDocumentSource
from dutycare.adapters.importers.jsonlines import JsonLinesSource
from dutycare.adapters.importers.xlsx_file import XlsxSource
from dutycare.domain.errors import DomainError
from dutycare.service_layer.bulk_import import RecordSource


class FileType(StrEnum):
    """The file formats an import reads."""

    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    XLSX = "xlsx"


SUFFIXES = {".json": FileType.JSON, ".jsonl": FileType.JSONL, ".ndjson": FileType.JSONL, ".csv": FileType.CSV,
            ".tsv": FileType.CSV, ".txt": FileType.CSV, ".xlsx": FileType.XLSX, ".xlsm": FileType.XLSX}


class DescribedSource(RecordSource, Protocol):
    """A record source that can say what it reads."""

    def describe(self) -> str:
        """A line naming the file and how it is read."""
        ...


def sniff(path: Path) -> FileType:
    """Guess a file's type from its first bytes, for names without a known suffix."""
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return FileType.XLSX
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        first = text.split(b"\n", 1)[0]
        return FileType.JSONL if b'"record"' in first or b'"dutycare-records"' in first else FileType.JSON
    return FileType.CSV


def file_type_of(path: Path) -> FileType:
    """A file's type from its suffix, or from its content."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise DomainError(f"{path.name} is an old Excel .xls file; save it as .xlsx or as CSV and import that.")
    return SUFFIXES.get(suffix) or sniff(path)


def open_source(path: Path, file_type: FileType | None = None, encoding: str | None = None) -> DescribedSource:
    """The reader for a file."""
    if not path.is_file():
        raise DomainError(f"There is no file at {path}.")
    kind = file_type or file_type_of(path)
    if encoding and kind is not FileType.CSV:
        raise DomainError("--encoding applies to CSV files only; JSON files are always UTF-8 and .xlsx says its own.")
    if kind is FileType.JSON:
        return JsonDocumentSource(path)
    if kind is FileType.JSONL:
        return JsonLinesSource(path)
    if kind is FileType.CSV:
        return CsvSource(path, encoding)
    return XlsxSource(path)

"""Excel workbooks (.xlsx) in the spreadsheet layout, read with openpyxl in read-only mode (rows stream from the
file; the workbook is never held in memory). The first worksheet is read."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from dutycare.adapters.importers.files import file_digest
from dutycare.adapters.importers.table_layout import RowReader
from dutycare.domain.errors import Problem
from dutycare.service_layer.bulk_import import RawRecord
from dutycare.service_layer.ports import RecordSource

MAX_ROWS = 1 << 20  # what Excel allows; a sheet claiming rows beyond it is not one Excel wrote
_NOT_A_WORKBOOK = (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError)


class XlsxSource(RecordSource):
    """Records from the first worksheet of an .xlsx workbook."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size
        self.sheet = ""
        self.rows_read = 0
        self.rows_total = 0
        self._digest: str | None = None

    def describe(self) -> str:
        """What is being read, for the user."""
        return f"{self.path.name}: Excel workbook, sheet '{self.sheet or 'first'}'"

    def items(self) -> Iterator[RawRecord | Problem]:
        """Every row's records, or the problems found in it."""
        self._digest, self.rows_read = None, 0
        if self.size == 0:
            yield Problem(str(self.path), "", "is empty (0 bytes): there is nothing to import")
            return
        before = file_digest(self.path)
        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except _NOT_A_WORKBOOK as exc:
            yield Problem(str(self.path), "", f"is not an Excel .xlsx workbook ({type(exc).__name__}); save it as "
                                              ".xlsx or CSV")
            return
        try:
            yield from self._sheet(book)
        finally:
            book.close()
        self._digest = before if file_digest(self.path) == before else "changed"

    def _sheet(self, book: Any) -> Iterator[RawRecord | Problem]:
        sheet = book.worksheets[0]
        self.sheet = sheet.title
        self.rows_total = min(sheet.max_row or 0, MAX_ROWS)
        # The size a sheet declares is only a claim (A1:XFD1048576 would pad every row to 16,384 cells and add a
        # million empty rows): forget it, so rows are as wide as the cells they hold and end with the last one.
        sheet.reset_dimensions()
        where, reader, records = f"sheet '{sheet.title}', ", None, 0
        for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
            self.rows_read = number
            if number > MAX_ROWS:
                yield Problem(f"{where}row {number}", "", f"is beyond the {MAX_ROWS:,} rows an Excel sheet can have")
                return
            if reader is None:
                reader = RowReader(cells, where)
                if problems := reader.header_problems():
                    yield from problems
                    return
                continue
            if any(c is not None and str(c).strip() for c in cells):
                for item in reader.records(number, cells):
                    records += isinstance(item, RawRecord)
                    yield item
        if records == 0:
            yield Problem(where.rstrip(", "), "", "holds no records (a header at most): there is nothing to import")

    def progress(self) -> tuple[int, int]:
        """Rows read, and the rows the sheet says it has."""
        return self.rows_read, self.rows_total

    def digest(self) -> str | None:
        """SHA-256 of the workbook, if it did not change while it was read."""
        return self._digest

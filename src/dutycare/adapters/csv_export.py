"""Tables as CSV that Excel and LibreOffice open as they are: UTF-8 with a byte-order mark, comma-separated, CRLF.

A cell that a spreadsheet would read as a formula (it starts with =, +, -, @, a tab or a carriage return) gets a
leading apostrophe, which spreadsheets show as text and never evaluate (OWASP's advice on CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> str:
    """A cell's text, with an apostrophe before anything a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def table_csv(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> bytes:
    """A header row and one row per mapping, every cell neutralised, as UTF-8 with a byte-order mark."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect="excel")  # comma, double quotes where needed, CRLF line ends
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralised(row.get(c)) for c in columns])
    return (BOM + out.getvalue()).encode("utf-8")

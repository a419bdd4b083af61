"""Spreadsheet templates: the header row and one example row (marked as such, and refused on import), as CSV or as
an Excel workbook."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dutycare.adapters.importers.table_layout import COLUMNS, example_row


def write_csv_template(out: Path) -> None:
    """A CSV template in UTF-8 with a byte-order mark, so that Excel shows Cyrillic correctly."""
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([c.name for c in COLUMNS])
        writer.writerow(example_row())


def write_xlsx_template(out: Path) -> None:
    """An .xlsx template: the 'events' sheet to fill in (every cell formatted as text, so dates stay as typed)
    and a 'columns' sheet explaining each column."""
    book = Workbook()
    sheet = book.worksheets[0]  # a new workbook has one sheet, the active one
    sheet.title = "events"
    sheet.append([c.name for c in COLUMNS])
    sheet.append(example_row())
    for i, column in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=i)
        cell.font = Font(bold=True)
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(14, len(column.name) + 2)
        sheet.column_dimensions[letter].number_format = "@"
        sheet.cell(row=2, column=i).number_format = "@"
    sheet.freeze_panes = "A2"
    about = book.create_sheet("columns")
    about.append(["column", "required", "meaning"])
    for column in COLUMNS:
        about.append([column.name, "yes" if column.required else "", column.help])
    about.column_dimensions["A"].width = 26
    about.column_dimensions["C"].width = 90
    book.save(out)

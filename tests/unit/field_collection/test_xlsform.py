"""The XLSForm built from the form's declaration converts to an XForm (pyxform) with every question."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook
from pyxform.xls2xform import convert

from dutycare.adapters.xlsform import write_xlsform
from dutycare.domain.intake_form import FORM_ID, LANGUAGES, QUESTIONS


def test_the_form_converts_with_every_question_in_three_languages(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    write_xlsform(path)
    xform = convert(xlsform=str(path), validate=False).xform
    assert f'id="{FORM_ID}"' in xform
    for q in QUESTIONS:
        assert f"/data/{q.name}" in xform
        for lang in LANGUAGES:
            assert q.label[lang] in xform
    assert re.search(r'<bind nodeset="/data/account" [^>]*required="true\(\)"', xform)
    assert re.search(r'<bind nodeset="/data/account" [^>]*constraint="string-length\(\.\) &lt;= 20000"', xform)
    assert not re.search(r'<bind nodeset="/data/contact" [^>]*required', xform)
    assert 'orx:max-pixels="2000"' in xform
    for lang, name in LANGUAGES.items():
        assert f'lang="{name} ({lang})"' in xform


def test_the_workbook_has_the_sheets_odk_reads(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    write_xlsform(path)
    book = load_workbook(path)
    assert book.sheetnames == ["survey", "choices", "settings"]
    names = [row[1] for row in book["survey"].iter_rows(min_row=2, values_only=True)]
    assert names == [q.name for q in QUESTIONS] + ["start", "end"]

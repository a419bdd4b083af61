"""Every letter template renders to a PDF with its fonts embedded and to a DOCX, in its language."""

from __future__ import annotations

import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from dutycare.adapters.letters import LetterWriter
from dutycare.domain.complaint_drafts import (
    Applicant,
    ComplaintRequest,
    Letter,
    LetterFact,
    LetterFinding,
    LetterTemplate,
)

HEADINGS = {"prosecutor": "ЖАЛОБА", "investigative_committee": "ОБРАЩЕНИЕ", "ombudsman": "ЖАЛОБА",
            "hospital_head": "ЗАЯВЛЕНИЕ", "higher_commission": "военно-врачебной комиссии",
            "court": "АДМИНИСТРАТИВНОЕ ИСКОВОЕ ЗАЯВЛЕНИЕ", "authority": "ОБРАЩЕНИЕ", "international": "COMPLAINT"}


def letter(template: LetterTemplate, final: bool = True) -> Letter:
    lang = "en" if template is LetterTemplate.INTERNATIONAL else "ru"
    who = (Applicant("p-1", "Иванов Иван Иванович", "г. Волгоград, 1"),)
    facts = (LetterFact("январь 2024", "Отказ в лечении", "Госпиталь", ("Интервью",)),)
    found = (LetterFinding("R3", "Отказ со ссылкой на устное указание", "Отказано трижды.", ("59-ФЗ, ст. 12",)),)
    return Letter("cpl-1", template, lang, "Адресат", "", who, None, "", "", facts, found,
                  (ComplaintRequest.PROVIDE_TREATMENT,), (), "01.12.2026", final=final)


@pytest.mark.parametrize("template", list(LetterTemplate))
def test_each_template_prints_its_heading_the_requests_and_a_signature_line(template: LetterTemplate,
                                                                            tmp_path: Path) -> None:
    writer = LetterWriter()
    lang = "en" if template is LetterTemplate.INTERNATIONAL else "ru"
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(writer.pdf(letter(template)))
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert HEADINGS[template.value] in text
    assert "Иванов Иван Иванович" in text and "Отказано трижды." in text and "Интервью" in text
    assert ("Signature" if lang == "en" else "Подпись") in text
    assert writer.texts[lang]["requests"]["provide_treatment"][:20] in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("DejaVu" in row[0] and row[-5] == "yes" for row in rows)  # every font embedded
    with zipfile.ZipFile(BytesIO(writer.docx(letter(template)))) as docx:
        assert "Иванов Иван Иванович" in docx.read("word/document.xml").decode("utf-8")


def test_a_draft_is_marked_as_not_final() -> None:
    assert "ПРОЕКТ" in LetterWriter().html(letter(LetterTemplate.PROSECUTOR, final=False))
    assert "ПРОЕКТ" not in LetterWriter().html(letter(LetterTemplate.PROSECUTOR))

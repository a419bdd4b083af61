"""Complaint letters as pages: a Jinja2 layout and per-addressee wording (data files in templates/), printed to
PDF by WeasyPrint with its fonts embedded, and to DOCX by python-docx for a lawyer to edit."""

from __future__ import annotations

import importlib
import io
import json
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dutycare.domain.complaint_drafts import Letter
from dutycare.service_layer.ports import LetterRenderer

TEMPLATES = Path(__file__).resolve().parent / "templates"


class LetterWriter(LetterRenderer):
    """Renders letters from the layout and wording in ``templates/`` (read when first needed)."""

    def __init__(self, folder: Path = TEMPLATES) -> None:
        self.folder = folder

    @cached_property
    def texts(self) -> dict[str, Any]:
        """The wording of every template, by language."""
        data: dict[str, Any] = json.loads((self.folder / "texts.json").read_text(encoding="utf-8"))
        return data

    @cached_property
    def _env(self) -> Environment:
        return Environment(loader=FileSystemLoader(self.folder), autoescape=select_autoescape(["j2", "html"]),
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)

    def wording(self, letter: Letter) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """The section titles, the template's own words and the requests' words for a letter's language."""
        lang = self.texts.get(letter.language) or self.texts["ru"]
        templates = lang["templates"]
        tpl = templates.get(letter.template.value) or next(iter(templates.values()))
        return lang["sections"], {"requests_heading": "", **tpl}, lang["requests"]

    def html(self, letter: Letter) -> str:
        """The letter as one HTML page."""
        sections, tpl, requests = self.wording(letter)
        return self._env.get_template("letter.html.j2").render(letter=letter, s=sections, tpl=tpl,
                                                                requests=requests)

    def pdf(self, letter: Letter) -> bytes:
        """The letter as PDF, fonts embedded, ready to print and sign."""
        # Imported when a letter is printed (it takes a second to load); it ships no type information.
        weasyprint: Any = importlib.import_module("weasyprint")
        out: bytes = weasyprint.HTML(string=self.html(letter), base_url=str(self.folder)).write_pdf()
        return out

    def docx(self, letter: Letter) -> bytes:
        """The letter as a Word document with the same content, to edit."""
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        s, tpl, requests = self.wording(letter)
        doc = Document()
        style = doc.styles["Normal"]
        style.font.name = "DejaVu Serif"
        style.font.size = Pt(11)
        if not letter.final:
            doc.add_paragraph(s["draft"])
        head = [f"{s['to']}: {letter.official + ', ' if letter.official else ''}{letter.addressee}"]
        head += [f"{s['from']}: {a.full_name}; {s['address']}: {a.address}" for a in letter.applicants]
        rep = letter.representative
        if rep is not None:
            head.append(f"{s['representative']}: {rep.full_name}; {s['address']}: {rep.address}")
        if letter.respondent:
            head.append(f"{s['respondent']}: {letter.respondent}")
        for line in head:
            doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.add_run(tpl["heading"]).bold = True
        doc.add_paragraph(tpl["basis"]).alignment = WD_ALIGN_PARAGRAPH.CENTER
        if letter.subject:
            doc.add_paragraph().add_run(letter.subject).bold = True
        doc.add_paragraph(tpl["intro"])
        for para in (p for p in letter.substance.split("\n") if p.strip()):
            doc.add_paragraph(para)
        if letter.facts:
            doc.add_heading(s["facts"], level=2)
            for f in letter.facts:
                where = f", {f.where}" if f.where else ""
                cites = f" ({s['sources']}: {'; '.join(f.sources)})" if f.sources else ""
                doc.add_paragraph(f"{f.when}{where}: {f.what}.{cites}", style="List Number")
        if letter.findings:
            doc.add_heading(s["findings"], level=2)
            for x in letter.findings:
                basis = f" {s['basis']}: {'; '.join(x.legal_basis)}" if x.legal_basis else ""
                doc.add_paragraph(f"{x.title}. {x.explanation}{basis}", style="List Number")
        if letter.requests:
            doc.add_heading(tpl["requests_heading"] or s["requests"], level=2)
            for r in letter.requests:
                doc.add_paragraph(f"{requests[r.value]};", style="List Number")
        doc.add_paragraph(s["reply"])
        doc.add_heading(s["attachments"], level=2)
        for a in letter.attachments or (s["no_attachments"],):
            doc.add_paragraph(a)
        doc.add_paragraph(f"{s['date']}: {letter.letter_date or '____________'}")
        for who in (*letter.applicants, *([rep] if rep else [])):
            doc.add_paragraph(f"{s['signature']}: ______________________ / {who.full_name}")
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()

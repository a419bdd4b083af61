"""A publication's files: the report as HTML (SVG charts inside) and PDF (WeasyPrint, PNG charts), and its
tables as JSON and CSV, all made from protected tables only."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dutycare.adapters.reports import wording as w
from dutycare.service_layer import patterns
from dutycare.service_layer.pattern_model import ReportContent
from dutycare.service_layer.ports import ReportRenderer

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _data_uri(body: bytes, media: str) -> str:
    return f"data:{media};base64," + base64.b64encode(body).decode("ascii")


class HtmlPdfReports(ReportRenderer):
    """Renders reports with Jinja2, matplotlib and WeasyPrint."""

    def __init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                               trim_blocks=True, lstrip_blocks=True)

    def html(self, content: ReportContent, chart_format: str = "svg") -> str:
        """The report as one HTML document, its charts inside it as data."""
        from dutycare.adapters.reports import charts  # matplotlib loads only when a report is drawn

        lang = content.lang
        media = "image/svg+xml" if chart_format == "svg" else "image/png"
        drawn = {"rates": _data_uri(charts.rate_chart(content.facilities, lang, chart_format), media),
                 "trend": _data_uri(charts.trend_chart(content.trend, lang, chart_format), media),
                 "timelines": [_data_uri(charts.timeline_chart(s, lang, chart_format), media)
                               for s in content.summaries]}
        t = w.TEXT[lang]
        method = t["method"].format(threshold=content.threshold, suppressed=content.facilities.suppressed_cells
                                    + content.trend.suppressed_cells + content.rules.suppressed_cells)
        return self.env.get_template("report.html").render(
            c=content, lang=lang, t=t, charts=drawn, method=method, made_on=w.report_date(content.made_on, lang),
            count=lambda v: w.count(v, lang), percent=lambda v: w.percent(v, lang), qvalue=lambda v: w.qvalue(v, lang),
            period=lambda k: w.period_label(k, lang), month=lambda k: w.month_label(k, lang),
            event=lambda e: w.event_label(e, lang))

    def pdf(self, content: ReportContent) -> bytes:
        """The report as PDF, charts as PNG."""
        from weasyprint import HTML  # loaded on first use: it is slow to import and only reports need it

        return bytes(HTML(string=self.html(content, "png")).write_pdf())

    def render(self, content: ReportContent) -> dict[str, tuple[bytes, str]]:
        """report.html, report.pdf, tables.json and the facility table as facilities.csv."""
        tables = {"facilities": patterns.table_to_dict(content.facilities),
                  "quarters": patterns.table_to_dict(content.trend), "rules": patterns.table_to_dict(content.rules)}
        return {
            "report.html": (self.html(content).encode("utf-8"), "text/html; charset=utf-8"),
            "report.pdf": (self.pdf(content), "application/pdf"),
            "tables.json": (json.dumps(tables, ensure_ascii=False, indent=2).encode("utf-8"), "application/json"),
            "facilities.csv": (patterns.table_to_csv(content.facilities).encode("utf-8"), "text/csv; charset=utf-8"),
        }

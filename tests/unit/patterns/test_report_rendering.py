"""Reports and charts are made from protected tables only, in Russian and English, with nothing that runs."""

from __future__ import annotations

import re

from dutycare.adapters.reports import charts
from dutycare.adapters.reports import wording as w
from dutycare.adapters.reports.report import HtmlPdfReports
from dutycare.service_layer.pattern_model import CaseSummary, Grouping, ReportContent, SummaryEvent
from dutycare.service_layer.patterns import protected_table
from dutycare.service_layer.queries import GroupCount

FACILITIES = [GroupCount("h-1", 40, 3), GroupCount("h-2", 50, 25), GroupCount("h-3", 60, 30), GroupCount("h-4", 80, 12)]
MONTHS = [GroupCount("2024-01", 30, 12), GroupCount("2024-02", 40, 15), GroupCount("2024-05", 60, 20),
          GroupCount("2024-07", 100, 23)]
RULES = [GroupCount("R1", 230, 40), GroupCount("R3", 230, 4)]


def _content(lang: str) -> ReportContent:
    labels = {"h-1": "Госпиталь № 101", "h-2": "Госпиталь № 102", "h-3": "Госпиталь № 103", "h-4": "Госпиталь № 104"}
    summary = CaseSummary("военнослужащий А", "25–34", "mobilised", "Курская область",
                          (SummaryEvent("2024-03", "injury", None),
                           SummaryEvent("2024-04", "treatment_refused", "Госпиталь № 101")), ("R3",), True)
    return ReportContent("Отказы", lang, "2026-12-01", 230, 10, {"region": "Курская область"},
                         protected_table(Grouping.FACILITY, "refusal", FACILITIES, 230, labels, {}, 10),
                         protected_table(Grouping.QUARTER, "refusal", MONTHS, 230, {}, {}, 10),
                         protected_table(Grouping.RULE, "refusal", RULES, 230, {}, {}, 10), (summary,))


def test_the_html_report_in_russian_shows_shown_counts_dashes_for_hidden_ones_and_the_method() -> None:
    html = HtmlPdfReports().html(_content("ru"))
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "Как получены числа" in html and "меньше 10" in html
    assert "I кв. 2024" in html and "III кв. 2024" in html and "март 2024" in html
    assert "военнослужащий А" in html and "воинская часть не названа" in html
    assert "50,0 %" in html  # h-2: 25 of 50
    row = re.search(r"Госпиталь № 101</td>(.*?)</tr>", html, re.S)
    assert row is not None and ">3<" not in row.group(1) and ">37<" not in row.group(1) and "—" in row.group(1)


def test_the_english_report_uses_english_words_and_numbers() -> None:
    html = HtmlPdfReports().html(_content("en"))
    assert "How the numbers were made" in html and "Q1 2024" in html and "March 2024" in html
    assert "50.0%" in html and "Как получены" not in html


def test_charts_are_svg_without_script_or_external_resource_and_the_same_every_time() -> None:
    content = _content("ru")
    svg = charts.rate_chart(content.facilities, "ru")
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert b"<script" not in svg and b"href=\"http" not in svg and b"@import" not in svg
    assert svg == charts.rate_chart(content.facilities, "ru")
    assert charts.trend_chart(content.trend, "en", "png").startswith(b"\x89PNG")
    assert b"<svg" in charts.timeline_chart(content.summaries[0], "ru")


def test_wording_of_rates_and_q_values() -> None:
    assert w.percent(0.6333, "ru") == "63,3 %" and w.percent(0.6333, "en") == "63.3%"
    assert w.qvalue(0.0004, "ru") == "< 0,001" and w.qvalue(0.25, "en") == "0.250"
    assert w.count(None, "ru") == "—" and w.count(2000, "en") == "2,000"

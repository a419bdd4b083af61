"""How a report writes numbers, periods and its fixed phrases in Russian and English."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

from dutycare.domain.events import EVENT_SPECS, EventType

ROMAN = ("I", "II", "III", "IV")

TEXT: dict[str, dict[str, str]] = {
    "ru": {
        "facility": "Учреждение", "region": "Регион", "cases": "Случаев", "with": "С отказом",
        "rate": "Доля", "interval": "95 % интервал", "q": "q (против остальных)", "flag": "Отметка",
        "higher": "чаще остальных", "lower": "реже остальных", "all": "Все учреждения", "period": "Период",
        "rule": "Правило", "with_rule": "Случаев с нарушением", "suppressed": "скрыто",
        "facilities_title": "Отказы в лечении по учреждениям", "trend_title": "Случаи по кварталам",
        "rules_title": "Нарушения по правилам", "summaries_title": "Обезличенные описания случаев",
        "method_title": "Как получены числа", "made_on": "Дата отчёта", "population": "Случаев в отчёте",
        "filters": "Отбор", "no_filters": "все случаи, доступные составителю", "rare": "редкое сочетание: "
        "воинская часть не названа", "age": "возраст", "chart_rate": "Доля случаев с отказом (95 % интервал)",
        "chart_trend": "Случаи и случаи с отказом по кварталам",
        "method": (
            "Единица счёта — случай в учреждении: случай учитывается один раз в каждом госпитале, где записано "
            "хотя бы одно его событие; «с отказом» — если там записан отказ в лечении. Доля дана с 95 % "
            "доверительным интервалом Уилсона. Каждое учреждение сравнено с остальными учреждениями страны точным "
            "тестом Фишера (двусторонним); поправка на множественные сравнения — процедура Бенджамини — Хохберга "
            "по всем показанным учреждениям, отметка ставится при q < 0,05. Раскрытие: любое число меньше "
            "{threshold} скрыто, а также всякое число, по которому скрытое можно было бы восстановить из итогов "
            "строк и столбцов (вторичное подавление); у скрытых строк скрыты и доли, интервалы и тесты. Скрыто "
            "ячеек: {suppressed}. Отчёт охватывает ровно те же случаи, что и любой другой опубликованный отчёт с "
            "общими случаями, поэтому сравнение двух отчётов ничего не раскрывает."),
        "status_contract": "контракт", "status_mobilised": "мобилизован", "status_conscript": "срочная служба",
        "status_volunteer": "доброволец", "status_former": "бывший военнослужащий", "status_unknown": "не указано",
        "status_civilian": "гражданский",
    },
    "en": {
        "facility": "Institution", "region": "Region", "cases": "Cases", "with": "With a refused treatment",
        "rate": "Rate", "interval": "95% interval", "q": "q (vs the rest)", "flag": "Flag",
        "higher": "more often than the rest", "lower": "less often than the rest", "all": "All institutions",
        "period": "Period", "rule": "Rule", "with_rule": "Cases with the finding", "suppressed": "suppressed",
        "facilities_title": "Refused treatment by institution", "trend_title": "Cases by quarter",
        "rules_title": "Findings by rule", "summaries_title": "Anonymised case summaries",
        "method_title": "How the numbers were made", "made_on": "Report date", "population": "Cases covered",
        "filters": "Selection", "no_filters": "every case the author may see",
        "rare": "rare combination: the military unit is not named", "age": "age",
        "chart_rate": "Share of cases with a refused treatment (95% interval)",
        "chart_trend": "Cases and cases with a refusal, by quarter",
        "method": (
            "The unit counted is a case at an institution: a case counts once at each hospital where at least one "
            "of its events is recorded, and 'with a refusal' when a refused treatment is recorded there. Rates "
            "come with 95% Wilson intervals. Each institution is compared with the rest of the country by Fisher's "
            "exact test (two-sided), corrected for multiple comparisons by the Benjamini–Hochberg procedure across "
            "every institution shown; the flag is set at q < 0.05. Disclosure: every count below {threshold} is "
            "suppressed, and so is every count from which a suppressed one could be recovered using row and "
            "column totals (secondary suppression); a suppressed row's rate, interval and tests are suppressed "
            "too. Suppressed cells: {suppressed}. The report covers exactly the same cases as any other published "
            "report it shares a case with, so comparing two reports reveals nothing."),
        "status_contract": "contract", "status_mobilised": "mobilised", "status_conscript": "conscript",
        "status_volunteer": "volunteer", "status_former": "former service member", "status_unknown": "not stated",
        "status_civilian": "civilian",
    },
}


def period_label(key: str, lang: str) -> str:
    """«I кв. 2024», «март 2024», «2024» / "Q1 2024", "March 2024"."""
    if "-Q" in key:
        year, quarter = key.split("-Q")
        return f"{ROMAN[int(quarter) - 1]} кв. {year}" if lang == "ru" else f"Q{quarter} {year}"
    if len(key) == 7:
        return format_date(date(int(key[:4]), int(key[5:]), 1), "LLLL y", locale=lang)
    return key


def month_label(key: str, lang: str) -> str:
    """A month (YYYY-MM) as words."""
    return format_date(date(int(key[:4]), int(key[5:7]), 1), "LLLL y", locale=lang)


def percent(value: float | None, lang: str) -> str:
    """A share as a percentage with one decimal (so no small whole number appears where a count could)."""
    if value is None:
        return "—"
    return format_decimal(value * 100, "0.0", locale=lang) + (" %" if lang == "ru" else "%")


def qvalue(value: float | None, lang: str) -> str:
    """A q-value with three decimals, or «< 0,001»."""
    if value is None:
        return "—"
    if value < 0.001:
        return "< " + format_decimal(0.001, "0.000", locale=lang)
    return format_decimal(value, "0.000", locale=lang)


def count(value: int | None, lang: str) -> str:
    """A count, or a dash where it is suppressed."""
    return "—" if value is None else format_decimal(value, "#,##0", locale=lang)


def event_label(event_type: str, lang: str) -> str:
    """An event type's name."""
    spec = EVENT_SPECS[EventType(event_type)]
    return spec.label_ru if lang == "ru" else spec.label_en


def report_date(iso_day: str, lang: str) -> str:
    """The report's date in words."""
    return format_date(date.fromisoformat(iso_day), "long", locale=lang)

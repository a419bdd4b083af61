"""How findings quote dates and institutions, in Russian and English, keeping partial dates as recorded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from dutycare.domain.dates import DateParseError, PartialDate, Precision
from dutycare.domain.events import EVENT_SPECS, Event
from dutycare.domain.model import Institution

MONTHS_RU = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
             "ноябрь", "декабрь")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def day_ru(day: date) -> str:
    """An exact day as Russian documents write it: 15.03.2024."""
    return day.strftime("%d.%m.%Y")


def day_en(day: date) -> str:
    """An exact day in English: 15 March 2024."""
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def _point(text: str, ru: bool) -> str:
    point = PartialDate.parse(text)
    if point.precision is Precision.DAY:
        return day_ru(point.earliest) if ru else day_en(point.earliest)
    if point.precision is Precision.MONTH:
        months = MONTHS_RU if ru else MONTHS_EN
        return f"{months[point.earliest.month - 1]} {point.earliest.year}"
    return str(point.earliest.year)


def _as_recorded(when: PartialDate, ru: bool) -> str:
    body = when.text.lstrip("~").strip() or when.earliest.isoformat()
    try:
        text = " – ".join(_point(part.strip(), ru) for part in body.split("/"))
    except DateParseError:
        text = body
    if when.approximate:
        text += " (приблизительно)" if ru else " (approximate)"
    return text


def date_ru(when: PartialDate) -> str:
    """A date as recorded, in Russian: 15.03.2024, март 2024, 2024, февраль 2024 – апрель 2024."""
    return _as_recorded(when, ru=True)


def date_en(when: PartialDate) -> str:
    """A date as recorded, in English: 15 March 2024, March 2024, 2024, February 2024 – April 2024."""
    return _as_recorded(when, ru=False)


def dates_ru(events: Iterable[Event]) -> str:
    """Several events' dates, comma-separated, in Russian."""
    return ", ".join(date_ru(e.date) for e in events)


def dates_en(events: Iterable[Event]) -> str:
    """Several events' dates, comma-separated, in English."""
    return ", ".join(date_en(e.date) for e in events)


def name(institution_id: str | None, institutions: Mapping[str, Institution], ru: bool = True) -> str:
    """An institution's name in quotation marks (its id when unknown), or a neutral word when none is named."""
    if institution_id is None:
        return "учреждение не указано" if ru else "institution not named"
    inst = institutions.get(institution_id)
    label = inst.name if inst is not None else institution_id
    return f"«{label}»" if ru else f"“{label}”"


def event_label_ru(event: Event) -> str:
    """What happened, as a Russian noun phrase starting lower-case, with its date: «отказ в лечении 05.02.2024»."""
    label = EVENT_SPECS[event.type].label_ru
    return f"{label[:1].lower()}{label[1:]} {date_ru(event.date)}"


def event_label_en(event: Event) -> str:
    """What happened, in English, with its date: 'treatment refused 5 February 2024'."""
    label = EVENT_SPECS[event.type].label_en
    return f"{label[:1].lower()}{label[1:]} {date_en(event.date)}"


def possibly_ru(text: str, certain: bool) -> str:
    """Mark an explanation as uncertain where the order of dates is not established."""
    return text if certain else f"{text} Порядок событий по датам точно не установлен: вывод возможный, не доказанный."


def possibly_en(text: str, certain: bool) -> str:
    """Mark an explanation as uncertain where the order of dates is not established."""
    return text if certain else f"{text} The order of the dates is not certain: this is possible, not established."


def times_ru(count: int) -> str:
    """'2 раза', '5 раз', '21 раз' — the Russian count of times (раз after 1 is treated as a count, not 'once')."""
    word = "раза" if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14) else "раз"
    return f"{count} {word}"

"""How findings quote dates and institutions, in Russian and English, keeping partial dates as recorded."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date

from dutycare.domain.dates import DateParseError, PartialDate, Precision
from dutycare.domain.events import EVENT_SPECS, Event
from dutycare.domain.model import Institution

MONTHS_RU = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
             "ноябрь", "декабрь")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


_DAYS_KEPT = 20_000
"""How many days' wordings each of ``day_ru`` and ``day_en`` remembers (explanations quote the same days often)."""


@functools.lru_cache(maxsize=_DAYS_KEPT)
def day_ru(day: date) -> str:
    """An exact day as Russian documents write it: 15.03.2024."""
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


@functools.lru_cache(maxsize=_DAYS_KEPT)
def day_en(day: date) -> str:
    """An exact day in English: 15 March 2024."""
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


MONTHS_RU_PREP = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре", "октябре",
                  "ноябре", "декабре")
MONTHS_RU_GEN = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
                 "ноября", "декабря")
_RU_FORMS = {"nom": MONTHS_RU, "prep": MONTHS_RU_PREP, "gen": MONTHS_RU_GEN}
_DAY, _MONTH, _YEAR, _RANGE = Precision.DAY, Precision.MONTH, Precision.YEAR, Precision.RANGE
"""Precisions as module names: on Python 3.11 reading an enum member off its class takes ten times as long."""


def _point(point: PartialDate, form: str) -> str:
    if point.precision is _DAY:
        return day_en(point.earliest) if form == "en" else day_ru(point.earliest)
    if point.precision is _MONTH:
        months = MONTHS_EN if form == "en" else _RU_FORMS[form]
        return f"{months[point.earliest.month - 1]} {point.earliest.year}"
    return str(point.earliest.year)


def _ends(when: PartialDate, form: str) -> list[str]:
    if when.precision is not _RANGE:
        return [_point(when, form)]
    # A range keeps the precision of each end as recorded ("2024-02/2024-04"), which only its text holds.
    try:
        return [_point(PartialDate.parse(part.strip()), form) for part in when.text.lstrip("~").split("/")]
    except DateParseError:
        return [f"{when.earliest.isoformat()} – {when.latest.isoformat()}"]


def _approx(text: str, when: PartialDate, ru: bool) -> str:
    if not when.approximate:
        return text
    return text + (" (приблизительно)" if ru else " (approximately)")


def date_ru(when: PartialDate) -> str:
    """A date as recorded, in Russian: 15.03.2024, март 2024, 2024, февраль 2024 – апрель 2024."""
    if when.precision is _DAY and not when.approximate:
        return day_ru(when.earliest)
    return _approx(" – ".join(_ends(when, "nom")), when, True)


def date_en(when: PartialDate) -> str:
    """A date as recorded, in English: 15 March 2024, March 2024, 2024, February 2024 – April 2024."""
    if when.precision is _DAY and not when.approximate:
        return day_en(when.earliest)
    return _approx(" – ".join(_ends(when, "en")), when, False)


def on_ru(when: PartialDate) -> str:
    """When something happened, in Russian: '15.03.2024', 'в марте 2024', 'в 2024 году', 'в период ...'."""
    if when.precision is _DAY and not when.approximate:
        return day_ru(when.earliest)
    ends = _ends(when, "prep")
    if len(ends) > 1:
        return f"в период: {date_ru(when)}"
    if when.precision is _DAY:
        return _approx(ends[0], when, True)
    return _approx(f"в {ends[0]}" + (" году" if when.precision is _YEAR else ""), when, True)


def on_en(when: PartialDate) -> str:
    """When something happened, in English: 'on 15 March 2024', 'in March 2024', 'between X and Y'."""
    if when.precision is _DAY and not when.approximate:
        return "on " + day_en(when.earliest)
    ends = _ends(when, "en")
    if len(ends) > 1:
        return _approx(f"between {ends[0]} and {ends[1]}", when, False)
    return _approx(("on " if when.precision is _DAY else "in ") + ends[0], when, False)


def of_ru(when: PartialDate) -> str:
    """A date after «от» (a document's date), in Russian: 'от 15.03.2024', 'от марта 2024', 'от 2024 года'."""
    ends = _ends(when, "gen")
    tail = " года" if when.precision is _YEAR else ""
    return _approx("от " + " – ".join(ends) + tail, when, True)


def cap(text: str) -> str:
    """The text with its first letter in upper case (for a date phrase that starts a sentence)."""
    return text[:1].upper() + text[1:]


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
    """What happened, as a Russian noun phrase starting lower-case, with its date: «отказ в лечении в марте 2024»."""
    label = EVENT_SPECS[event.type].label_ru
    return f"{label[:1].lower()}{label[1:]} {on_ru(event.date)}"


def event_label_en(event: Event) -> str:
    """What happened, in English, with its date: 'treatment refused on 5 February 2024'."""
    label = EVENT_SPECS[event.type].label_en
    return f"{label[:1].lower()}{label[1:]} {on_en(event.date)}"


def possibly_ru(text: str, certain: bool) -> str:
    """Mark an explanation as uncertain where the order of dates is not established."""
    return text if certain else f"{text} Порядок событий по датам точно не установлен: вывод возможный, не доказанный."


def possibly_en(text: str, certain: bool) -> str:
    """Mark an explanation as uncertain where the order of dates is not established."""
    return text if certain else f"{text} The order of the dates is not certain: this is possible, not established."


LIST_MARK = "\n— "
"""How an explanation marks the items of its list: each on a line of its own, after the opening sentence."""


def listed(sentence: str, items: Iterable[str]) -> str:
    """A short sentence followed by its items, one a line (pages show them as a list, the CLI as lines)."""
    return sentence + "".join(LIST_MARK + item for item in items)


def split_listed(text: str) -> tuple[str, list[str]]:
    """An explanation's opening sentence and its list items (none for a plain explanation)."""
    head, *items = text.split(LIST_MARK)
    return head, items


def plural_ru(count: int, one: str, few: str, many: str) -> str:
    """The Russian word form for a count (1 дело, 2 дела, 5 дел), by the CLDR rule Babel also uses."""
    if count % 10 == 1 and count % 100 != 11:
        return one
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return few
    return many


def count_ru(count: int, one: str, few: str, many: str) -> str:
    """A count with its Russian word: '1 дело', '3 дела', '12 дел'."""
    return f"{count} {plural_ru(count, one, few, many)}"


def times_ru(count: int) -> str:
    """A count of times in Russian: '2 раза', '5 раз'."""
    word = "раза" if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14) else "раз"
    return f"{count} {word}"

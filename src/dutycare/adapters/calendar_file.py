"""Due dates as an iCalendar file (RFC 5545) through the ``icalendar`` library: one all-day event per clock.

A clock whose due day is known exactly is one day; one the record leaves uncertain spans every day it may fall
on, so a calendar shows the whole window. Nothing identifying goes in: the bodies are public institutions, cases
and complaints are named by their ids.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from dutycare.jurisdictions.deadlines import DueDate
from dutycare.service_layer.case_views import DeadlineCalendar

PRODUCT_ID = "-//dutycare//deadlines//RU"
STATUS = {
    "ru": {"pending": "срок идёт", "met": "выполнено", "overdue": "просрочено",
           "possibly_overdue": "возможно просрочено"},
    "en": {"pending": "pending", "met": "met", "overdue": "overdue", "possibly_overdue": "possibly overdue"},
}


def _uid(d: DueDate) -> str:
    digest = hashlib.sha256("\x1f".join((d.subject_id, d.addressee_id, d.kind.value, d.rule.id)).encode())
    return f"{digest.hexdigest()[:32]}@dutycare"



def _event(d: DueDate, body: str, lang: str, stamp: datetime) -> Event:
    ru = lang == "ru"
    what = d.rule.what_ru if ru else d.rule.what_en
    status = STATUS["ru" if ru else "en"][d.status.value]
    event = Event()
    event.add("uid", _uid(d))
    event.add("dtstamp", stamp)
    event.add("dtstart", d.earliest_due)
    event.add("dtend", d.due + timedelta(days=1))
    event.add("summary", f"{what[:1].upper()}{what[1:]} — {body} ({status})")
    window = (f"{d.due:%d.%m.%Y}" if d.is_exact else f"{d.earliest_due:%d.%m.%Y}–{d.due:%d.%m.%Y}")
    if ru:
        lines = [f"Срок: {window}" + ("" if d.is_exact else " (зависит от точной даты)"), f"Статус: {status}",
                 f"Основание: {d.rule.legal.citation()}", f"Дела: {', '.join(d.case_ids)}",
                 f"Событие: {d.subject_id}"]
    else:
        lines = [f"Due: {window}" + ("" if d.is_exact else " (depending on the exact date)"), f"Status: {status}",
                 f"Legal basis: {d.rule.legal.citation()}", f"Cases: {', '.join(d.case_ids)}",
                 f"Event: {d.subject_id}"]
    event.add("description", "\n".join(lines))
    event.add("categories", ["dutycare", d.kind.value])
    event.add("transp", "TRANSPARENT")
    return event


def render_calendar(found: DeadlineCalendar, lang: str, stamp: datetime) -> bytes:
    """The iCalendar text of the due dates, in Russian (``ru``) or English."""
    cal = Calendar()
    cal.add("prodid", PRODUCT_ID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = "Сроки dutycare" if lang == "ru" else "dutycare deadlines"
    name += f" — {found.case_id}" if found.case_id else ""
    cal.add("x-wr-calname", name)
    for d in found.due_dates:
        cal.add_component(_event(d, found.institution_names.get(d.addressee_id, d.addressee_id), lang, stamp))
    return bytes(cal.to_ical())


def calendar_filename(found: DeadlineCalendar) -> str:
    """A file name for the download: the case's id, or 'all', and the day it was judged on."""
    return f"dutycare-deadlines-{found.case_id or 'all'}-{found.as_of.isoformat()}.ics"

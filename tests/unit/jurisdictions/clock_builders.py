"""Small constructors for clock tests."""

from __future__ import annotations

import itertools
from datetime import date

from dutycare.domain.dates import PartialDate
from dutycare.domain.events import Citation, Event, EventType
from dutycare.domain.model import Institution
from dutycare.domain.vocabulary import InstitutionType
from dutycare.jurisdictions.clocks import ClockBook, default_clock_book

_IDS = itertools.count(1)
_BOOK: list[ClockBook] = []


def book() -> ClockBook:
    """One clock book for the session."""
    if not _BOOK:
        _BOOK.append(default_clock_book())
    return _BOOK[0]


def inst(inst_id: str, kind: InstitutionType, jurisdiction: str = "RU") -> Institution:
    """An institution."""
    return Institution(inst_id, inst_id, kind, jurisdiction=jurisdiction)


def event(event_type: EventType, when: str, institution: str | None = None, **details: object) -> Event:
    """An event of case A."""
    return Event(f"x{next(_IDS)}", event_type, PartialDate.parse(when), ("A",), (Citation("s"),), institution,
                 None, details)


def complaint(when: str, *addressees: str, channel: str = "email") -> Event:
    """A complaint."""
    return event(EventType.COMPLAINT, when, addressees=list(addressees), applicants=["p"], channel=channel,
                 subject="care")


def d(text: str) -> date:
    """A date from ISO text."""
    return date.fromisoformat(text)

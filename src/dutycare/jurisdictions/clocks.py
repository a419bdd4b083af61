"""Statutory clocks as data, and the arithmetic that turns a start day into a due day.

A period counted in days starts on the day after the event that opens it (Civil Code RF art. 191 and the
procedural codes say the same), so a 30-day period opened on 10 January ends on 9 February. Where the period
ends on a non-working day, the rule's ``carry`` says whether the end moves to the next working day.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from dutycare.domain.vocabulary import InstitutionType


class Unit(StrEnum):
    """How a period is counted."""

    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"
    YEARS = "years"


class Carry(StrEnum):
    """What happens when a period ends on a non-working day."""

    NONE = "none"
    NEXT_WORKING_DAY = "next_working_day"


class ClockKind(StrEnum):
    """What a clock measures."""

    REGISTRATION = "registration"
    FORWARDING = "forwarding"
    RESPONSE = "response"
    RECORDS = "records"
    FILING = "filing"
    PROCESS = "process"


class ClockStart(StrEnum):
    """The event that starts a clock."""

    RECEIPT = "receipt"
    REGISTRATION = "registration"
    REQUEST = "request"
    VIOLATION = "violation"
    LEARNING = "learning_of_violation"
    DECISION = "decision"
    REFERRAL = "referral"


@dataclass(frozen=True)
class LegalBasis:
    """A citable legal source: the act, the article, the edition relied on and a short summary in own words."""

    law: str
    article: str
    edition: str
    summary: str
    law_en: str = ""

    def citation(self) -> str:
        """One line a lawyer can paste: act, article, edition."""
        return f"{self.law}, {self.article} ({self.edition})"


@dataclass(frozen=True)
class ClockRule:
    """One statutory period: who it binds, how long it runs, from what, and where the law says so."""

    id: str
    jurisdiction: str
    kind: ClockKind
    what_en: str
    what_ru: str
    applies_to: frozenset[InstitutionType]
    limit: int
    unit: Unit
    starts: ClockStart
    legal: LegalBasis
    carry: Carry
    carry_basis: str
    max_extension_days: int = 0
    max_total_days: int | None = None
    note: str = ""

    def limit_text(self) -> str:
        """The limit in words, e.g. '30 calendar days'."""
        words = self.unit.value.replace("_", " ")
        return f"{self.limit} {words[:-1] if self.limit == 1 else words}"


class WorkingCalendar(Protocol):
    """Tells working days from weekends and public holidays."""

    def is_working_day(self, day: date) -> bool:
        """Whether the day is a working day."""
        ...


class WeekendCalendar:
    """A calendar that knows only Saturdays and Sundays; the fallback where no holiday table exists."""

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday are working days."""
        return day.weekday() < 5


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later, or the month's last day when it has no such day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def next_working_day(day: date, cal: WorkingCalendar) -> date:
    """The day itself when it is a working day, else the first working day after it."""
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, count: int, cal: WorkingCalendar) -> date:
    """The ``count``-th working day after ``start`` (the start day itself is not counted)."""
    day = start
    for _ in range(count):
        day = next_working_day(day + timedelta(days=1), cal)
    return day


def period_end(rule: ClockRule, start: date, cal: WorkingCalendar, extension_days: int = 0) -> date:
    """The last day of the rule's period opened on ``start``, extended by lawful extension days."""
    extension = min(max(extension_days, 0), rule.max_extension_days)
    if rule.unit is Unit.CALENDAR_DAYS:
        end = start + timedelta(days=rule.limit + extension)
    elif rule.unit is Unit.WORKING_DAYS:
        end = add_working_days(start, rule.limit + extension, cal)
    else:
        months = rule.limit * (12 if rule.unit is Unit.YEARS else 1)
        end = add_months(start, months) + timedelta(days=extension)
    if rule.max_total_days is not None:
        end = min(end, start + timedelta(days=rule.max_total_days))
    if rule.carry is Carry.NEXT_WORKING_DAY:
        end = next_working_day(end, cal)
    return end


class DuplicateClockRule(ValueError):
    """Two clock rules claim the same jurisdiction, kind and institution type."""


class ClockBook:
    """Every clock rule known, indexed by jurisdiction, kind and institution type, with a calendar per country."""

    def __init__(self, rules: Iterable[ClockRule], calendars: Mapping[str, WorkingCalendar]) -> None:
        self.rules: tuple[ClockRule, ...] = tuple(rules)
        self._calendars = dict(calendars)
        self._index: dict[tuple[str, ClockKind, InstitutionType], ClockRule] = {}
        for rule in self.rules:
            for kind in rule.applies_to:
                slot = (rule.jurisdiction, rule.kind, kind)
                if slot in self._index:
                    other = self._index[slot].id
                    raise DuplicateClockRule(f"clock rules {other} and {rule.id} both cover {slot}; keep one")
                self._index[slot] = rule

    def rule_for(self, jurisdiction: str, kind: ClockKind, institution_type: InstitutionType) -> ClockRule | None:
        """The rule that governs this kind of clock for this kind of institution, or None."""
        return self._index.get((jurisdiction, kind, institution_type))

    def calendar(self, jurisdiction: str) -> WorkingCalendar:
        """The working-day calendar of a jurisdiction (weekends only where none is known)."""
        return self._calendars.get(jurisdiction) or WeekendCalendar()

    def end(self, rule: ClockRule, start: date, extension_days: int = 0) -> date:
        """The last day of a period under ``rule`` opened on ``start``."""
        return period_end(rule, start, self.calendar(rule.jurisdiction), extension_days)


def default_clock_book() -> ClockBook:
    """The clock rules of every jurisdiction shipped with dutycare, with their public-holiday calendars."""
    # Imported here because the jurisdiction modules import the types above.
    from dutycare.jurisdictions import ru, ua, us
    from dutycare.jurisdictions.holidays_calendar import HolidaysCalendar

    rules = (*ru.CLOCK_RULES, *ua.CLOCK_RULES, *us.CLOCK_RULES)
    calendars = {code: HolidaysCalendar(code) for code in ("RU", "UA", "US")}
    return ClockBook(rules, calendars)

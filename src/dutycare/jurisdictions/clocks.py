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

from dutycare.domain.dates import PartialDate
from dutycare.domain.vocabulary import Channel, ComplaintKind, InstitutionType

ALL_KINDS = frozenset(ComplaintKind)
E_MAIL_CUTOFF = date(2025, 3, 30)
"""From this day (Federal Law No. 547-FZ of 28.12.2024) an electronic appeal counts under 59-FZ only when sent
through the unified portal of public services, another identifying information system, or the body's official
site; an ordinary e-mail does not."""


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
    LATER_OF_VIOLATION_AND_LEARNING = "later_of_violation_and_learning"
    DECISION = "decision"
    REFERRAL = "referral"


class Verification(StrEnum):
    """How far a legal reference has been checked against the text of the law (docs/rules.md shows it)."""

    VERIFIED = "verified"  # the norm's text, or a faithful quotation of it, was read
    INDIRECT = "indirect"  # confirmed only by an implementing act, an official explanation or a summary
    UNVERIFIED = "unverified"  # not checked: read it on pravo.gov.ru before quoting it in court


class ChannelRule(StrEnum):
    """Which ways of sending a complaint make the period run."""

    ANY = "any"
    WRITTEN_APPEAL = "written_appeal"
    """59-ФЗ: a written appeal (post, in person) or an identified electronic one; an ordinary e-mail counts only
    before 30.03.2025 (547-ФЗ), a recorded video message never."""
    REPORT = "report"
    """УПК ст. 141: a crime report is made orally (into a protocol) or in writing; a recorded video message is not."""


class ChannelStanding(StrEnum):
    """Whether the way a complaint was sent makes a period run."""

    RUNS = "runs"
    E_MAIL_MAYBE = "email_maybe"  # an e-mail whose date may fall on either side of 30.03.2025
    E_MAIL = "email"  # an ordinary e-mail sent on or after 30.03.2025
    VIDEO = "video"  # a recorded video message


_ANY, _WRITTEN_APPEAL = ChannelRule.ANY, ChannelRule.WRITTEN_APPEAL
_VIDEO_MESSAGE, _EMAIL = Channel.VIDEO_MESSAGE, Channel.EMAIL
_RUNS, _VIDEO, _E_MAIL, _E_MAIL_MAYBE = (ChannelStanding.RUNS, ChannelStanding.VIDEO, ChannelStanding.E_MAIL,
                                         ChannelStanding.E_MAIL_MAYBE)
"""Enum members as module names: asked for every clock, and on Python 3.11 reading one off its class is slow."""


def channel_standing(rule: ChannelRule, channel: object, sent: PartialDate) -> ChannelStanding:
    """Whether a complaint sent this way on this date makes a period under ``rule`` run."""
    if rule is _ANY:
        return _RUNS
    if channel == _VIDEO_MESSAGE:
        return _VIDEO
    if rule is _WRITTEN_APPEAL and channel == _EMAIL:
        lo, hi = sent.bounds()
        if hi < E_MAIL_CUTOFF:
            return _RUNS
        return _E_MAIL if lo >= E_MAIL_CUTOFF else _E_MAIL_MAYBE
    return _RUNS


NO_PERIOD = frozenset({ChannelStanding.E_MAIL, ChannelStanding.VIDEO})


@dataclass(frozen=True)
class LegalBasis:
    """A citable legal source: the act, the article, the edition relied on and a short summary in own words."""

    law: str
    article: str
    edition: str
    summary: str
    law_en: str = ""
    verified: Verification = Verification.UNVERIFIED

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
    complaint_kinds: frozenset[ComplaintKind] = ALL_KINDS
    """The kinds of complaint the period governs (an appeal and a crime report at one body run different clocks)."""
    extension_needs_notice: bool = False
    """An extension moves the due day only when the applicant was told of it (59-ФЗ ст. 12 ч. 2)."""
    start_interpreted: bool = False
    """The law does not say when the period starts; the start used is a reading, so lateness is only 'possible'."""
    channels: ChannelRule = ChannelRule.ANY

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


_ENDS_KEPT = 100_000
"""How many period ends a clock book remembers before it starts afresh (a bound, not a tuning knob)."""


class ClockBook:
    """Every clock rule known, indexed by jurisdiction, kind and institution type, with a calendar per country."""

    def __init__(self, rules: Iterable[ClockRule], calendars: Mapping[str, WorkingCalendar]) -> None:
        self.rules: tuple[ClockRule, ...] = tuple(rules)
        self._calendars = dict(calendars)
        self._ends: dict[tuple[int, date, int], tuple[ClockRule, date]] = {}
        self._index: dict[tuple[str, ClockKind, InstitutionType, ComplaintKind], ClockRule] = {}
        for rule in self.rules:
            for kind in rule.applies_to:
                for complaint_kind in rule.complaint_kinds:
                    slot = (rule.jurisdiction, rule.kind, kind, complaint_kind)
                    if slot in self._index:
                        other = self._index[slot].id
                        raise DuplicateClockRule(f"clock rules {other} and {rule.id} both cover {slot}; keep one")
                    self._index[slot] = rule

    def rule_for(self, jurisdiction: str, kind: ClockKind, institution_type: InstitutionType,
                 complaint_kind: ComplaintKind = ComplaintKind.APPEAL) -> ClockRule | None:
        """The rule that governs this kind of clock for this kind of institution and complaint, or None."""
        return self._index.get((jurisdiction, kind, institution_type, complaint_kind))

    def calendar(self, jurisdiction: str) -> WorkingCalendar:
        """The working-day calendar of a jurisdiction (weekends only where none is known)."""
        return self._calendars.get(jurisdiction) or WeekendCalendar()

    def end(self, rule: ClockRule, start: date, extension_days: int = 0) -> date:
        """The last day of a period under ``rule`` opened on ``start``.

        Remembered per rule object, start and extension: the arithmetic is pure (the calendars are fixed when the
        book is made), and many complaints and requests open their periods on the same days.
        """
        key = (id(rule), start, extension_days)
        known = self._ends.get(key)
        if known is not None and known[0] is rule:
            return known[1]
        end = period_end(rule, start, self.calendar(rule.jurisdiction), extension_days)
        if len(self._ends) >= _ENDS_KEPT:
            self._ends.clear()
        self._ends[key] = (rule, end)
        return end


def default_clock_book() -> ClockBook:
    """The clock rules of every jurisdiction shipped with dutycare, with their public-holiday calendars."""
    # Imported here because the jurisdiction modules import the types above.
    from dutycare.jurisdictions import ru, ua, us
    from dutycare.jurisdictions.holidays_calendar import HolidaysCalendar

    rules = (*ru.CLOCK_RULES, *ua.CLOCK_RULES, *us.CLOCK_RULES)
    calendars = {code: HolidaysCalendar(code) for code in ("RU", "UA", "US")}
    return ClockBook(rules, calendars)

"""Dates that may be exact, month-only, year-only, a range, or approximate.

Text forms: ``2024-03-14``, ``2024-03``, ``2024``, ``2024-02/2024-04`` (a range whose ends may be partial),
and any of them prefixed with ``~`` for "approximately". A date is held as the interval of days it can
denote; an approximate date widens that interval by one unit of its precision when ordering is judged.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


class Precision(StrEnum):
    """How precisely a date is known."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    RANGE = "range"


class Order(StrEnum):
    """How two partial dates relate in time."""

    BEFORE = "before"
    AFTER = "after"
    SAME = "same"
    UNCERTAIN = "uncertain"


class DateParseError(ValueError):
    """Raised when a text is not one of the accepted date forms."""


def _parse_point(text: str) -> tuple[date, date, Precision]:
    """Parse a single (non-range) date text into its first day, last day and precision."""
    try:
        if m := _DAY.match(text):
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return d, d, Precision.DAY
        if m := _MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last), Precision.MONTH
        if m := _YEAR.match(text):
            year = int(m[1])
            return date(year, 1, 1), date(year, 12, 31), Precision.YEAR
    except ValueError as exc:
        raise DateParseError(f"'{text}' is not a real calendar date ({exc})") from None
    raise DateParseError(
        f"'{text}' is not a date; use YYYY-MM-DD, YYYY-MM, YYYY, a range A/B, or prefix ~ for approximate"
    )


def _shift_months(d: date, months: int) -> date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


@dataclass(frozen=True, order=False)
class PartialDate:
    """A possibly partial or approximate date, held as the interval [earliest, latest] of days."""

    earliest: date
    latest: date
    precision: Precision
    approximate: bool = False
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse one of the accepted text forms; raise DateParseError with a helpful message."""
        if not isinstance(text, str):
            raise DateParseError(f"expected a date text, got {type(text).__name__}")
        raw = text.strip()
        approximate = raw.startswith("~")
        body = raw[1:].strip() if approximate else raw
        if "/" in body:
            left, _, right = body.partition("/")
            start, _, _ = _parse_point(left.strip())
            _, end, _ = _parse_point(right.strip())
            if end < start:
                raise DateParseError(f"'{text}': the range ends before it starts")
            canonical = f"{left.strip()}/{right.strip()}"
            precision = Precision.RANGE
        else:
            start, end, precision = _parse_point(body)
            canonical = body
        return cls(start, end, precision, approximate, ("~" if approximate else "") + canonical)

    @classmethod
    def exact(cls, day: date) -> PartialDate:
        """An exact day."""
        return cls(day, day, Precision.DAY, False, day.isoformat())

    def __str__(self) -> str:
        return self.text

    @property
    def is_exact(self) -> bool:
        """True for a single known day that is not approximate."""
        return self.precision is Precision.DAY and not self.approximate

    def bounds(self) -> tuple[date, date]:
        """The widest interval the date may denote, widened by one unit when approximate."""
        if not self.approximate:
            return self.earliest, self.latest
        if self.precision is Precision.DAY:
            return self.earliest - timedelta(days=7), self.latest + timedelta(days=7)
        if self.precision is Precision.YEAR:
            return _shift_months(self.earliest, -12), _shift_months(self.latest, 12)
        return _shift_months(self.earliest, -1), _shift_months(self.latest, 1)

    def sort_key(self) -> tuple[date, date]:
        """Timeline order: by earliest possible day, then by latest possible day."""
        return self.earliest, self.latest

    def compare(self, other: PartialDate) -> Order:
        """Whether self is certainly before, after, the same day as, or uncertain relative to other."""
        a0, a1 = self.bounds()
        b0, b1 = other.bounds()
        if a1 < b0:
            return Order.BEFORE
        if b1 < a0:
            return Order.AFTER
        if a0 == a1 == b0 == b1:
            return Order.SAME
        return Order.UNCERTAIN

    def certainly_before(self, other: PartialDate) -> bool:
        """True only when every day self may denote precedes every day other may denote."""
        return self.compare(other) is Order.BEFORE

    def possibly_before(self, other: PartialDate) -> bool:
        """True when some day self may denote is on or before some day other may denote."""
        return self.bounds()[0] <= other.bounds()[1]

    def days_until(self, other: PartialDate) -> tuple[int, int]:
        """The least and greatest number of days from self to other."""
        a0, a1 = self.bounds()
        b0, b1 = other.bounds()
        return (b0 - a1).days, (b1 - a0).days

"""Working days of a country from the ``holidays`` package, including the weekend-day transfers it records."""

from __future__ import annotations

from datetime import date

import holidays


class HolidaysCalendar:
    """A country's working-day calendar; the holiday table is built on first use and answers are memoised.

    For Russia the package carries the government's yearly transfers of days off (a Saturday made a working day,
    a weekday made a day off). Transfers for years the government has not yet decreed are unknown to it.
    """

    def __init__(self, country: str = "RU") -> None:
        self.country = country
        self._table: holidays.HolidayBase | None = None
        self._memo: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        """Whether the day is a working day in this country."""
        known = self._memo.get(day)
        if known is None:
            if self._table is None:
                self._table = holidays.country_holidays(self.country)
            known = self._memo[day] = bool(self._table.is_working_day(day))
        return known

    def holiday_name(self, day: date) -> str | None:
        """The name of the public holiday on that day, or None."""
        if self._table is None:
            self._table = holidays.country_holidays(self.country)
        return self._table.get(day)

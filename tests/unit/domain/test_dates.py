"""Partial and approximate dates: parsing, intervals and order."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dutycare.domain.dates import DateParseError, Order, PartialDate, Precision


@pytest.mark.parametrize(("text", "start", "end", "precision"), [
    ("2024-03-14", date(2024, 3, 14), date(2024, 3, 14), Precision.DAY),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), Precision.MONTH),
    ("2023", date(2023, 1, 1), date(2023, 12, 31), Precision.YEAR),
    ("2023-11/2024-01", date(2023, 11, 1), date(2024, 1, 31), Precision.RANGE),
])
def test_parse_gives_the_interval_a_date_denotes(text: str, start: date, end: date, precision: Precision) -> None:
    d = PartialDate.parse(text)
    assert (d.earliest, d.latest, d.precision, str(d)) == (start, end, precision, text)


@pytest.mark.parametrize("text", ["2024-13", "2024-02-30", "14.03.2024", "", "2024-05/2024-01", "~", "20245"])
def test_bad_dates_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(DateParseError):
        PartialDate.parse(text)


def test_approximate_dates_widen_when_ordering() -> None:
    assert PartialDate.parse("2024-03").compare(PartialDate.parse("2024-04-01")) is Order.BEFORE
    assert PartialDate.parse("~2024-03").compare(PartialDate.parse("2024-04-01")) is Order.UNCERTAIN
    # "about 10 March" may mean any day within a week of it
    assert PartialDate.parse("~2024-03-10").compare(PartialDate.parse("2024-03-16")) is Order.UNCERTAIN
    assert PartialDate.parse("~2024-03-10").compare(PartialDate.parse("2024-03-18")) is Order.BEFORE


def test_month_and_a_day_inside_it_are_uncertain_but_day_and_day_are_not() -> None:
    assert PartialDate.parse("2024-03").compare(PartialDate.parse("2024-03-14")) is Order.UNCERTAIN
    assert PartialDate.parse("2024-03-14").compare(PartialDate.parse("2024-03-14")) is Order.SAME
    assert PartialDate.parse("2024-03-15").compare(PartialDate.parse("2024-03-14")) is Order.AFTER


def test_timeline_order_puts_a_month_before_days_within_it() -> None:
    texts = ["2024-03-14", "2024", "2024-03", "2023-12/2024-02", "~2024-03-01"]
    ordered = sorted((PartialDate.parse(t) for t in texts), key=PartialDate.sort_key)
    assert [str(d) for d in ordered] == ["2023-12/2024-02", "2024", "~2024-03-01", "2024-03", "2024-03-14"]


days = st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))


@given(days, days)
def test_compare_is_antisymmetric_and_agrees_with_exact_dates(a: date, b: date) -> None:
    x, y = PartialDate.exact(a), PartialDate.exact(b)
    expected = Order.BEFORE if a < b else Order.AFTER if a > b else Order.SAME
    assert x.compare(y) is expected
    flipped = {Order.BEFORE: Order.AFTER, Order.AFTER: Order.BEFORE, Order.SAME: Order.SAME}
    assert y.compare(x) is flipped[expected]


@given(days)
def test_text_form_round_trips(d: date) -> None:
    for text in (d.isoformat(), d.isoformat()[:7], d.isoformat()[:4], "~" + d.isoformat()):
        assert str(PartialDate.parse(text)) == text

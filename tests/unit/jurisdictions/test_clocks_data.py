"""Every row of the product's clock table is present as data with a citable source."""

from __future__ import annotations

from clock_builders import book

from dutycare.jurisdictions.clocks import Carry, ClockStart, Unit


def test_every_row_of_the_clock_table_is_data() -> None:
    rows = {(r.id, r.limit, r.unit, r.starts) for r in book().rules}
    assert rows == {
        ("ru.59fz.registration", 3, Unit.CALENDAR_DAYS, ClockStart.RECEIPT),
        ("ru.59fz.forwarding", 7, Unit.CALENDAR_DAYS, ClockStart.REGISTRATION),
        ("ru.59fz.answer", 30, Unit.CALENDAR_DAYS, ClockStart.REGISTRATION),
        ("ru.prosecutor.answer", 30, Unit.CALENDAR_DAYS, ClockStart.REGISTRATION),
        ("ru.upk.144", 3, Unit.CALENDAR_DAYS, ClockStart.RECEIPT),
        ("ru.1fkz.filing", 1, Unit.YEARS, ClockStart.LATER_OF_VIOLATION_AND_LEARNING),
        ("ru.1fkz.notice", 10, Unit.CALENDAR_DAYS, ClockStart.RECEIPT),
        ("ru.kas.219", 3, Unit.MONTHS, ClockStart.LEARNING),
        ("ru.789n.records", 30, Unit.CALENDAR_DAYS, ClockStart.REGISTRATION),
        ("ua.appeals.answer", 1, Unit.MONTHS, ClockStart.RECEIPT),
        ("us.ides.goal", 230, Unit.CALENDAR_DAYS, ClockStart.REFERRAL),
        ("us.va.ama.review", 1, Unit.YEARS, ClockStart.DECISION),
    }


def test_every_rule_cites_act_article_edition_and_its_non_working_day_rule() -> None:
    for rule in book().rules:
        assert rule.legal.law and rule.legal.article and rule.legal.edition and rule.legal.summary, rule.id
        assert rule.carry_basis, rule.id
        assert rule.applies_to, rule.id
    assert {r.carry for r in book().rules if r.jurisdiction == "RU"} == {Carry.NEXT_WORKING_DAY}

"""Period arithmetic: calendar and working days, months, extensions, and the non-working-day carry rule."""

from __future__ import annotations

from dataclasses import replace

import pytest
from clock_builders import book, d

from dutycare.domain.vocabulary import ComplaintKind as K
from dutycare.domain.vocabulary import InstitutionType as I
from dutycare.jurisdictions import ru
from dutycare.jurisdictions.clocks import (
    Carry,
    ClockBook,
    ClockKind,
    DuplicateClockRule,
    Unit,
    WeekendCalendar,
    add_months,
    add_working_days,
    period_end,
)
from dutycare.jurisdictions.holidays_calendar import HolidaysCalendar

ANSWER = next(r for r in ru.CLOCK_RULES if r.id == "ru.59fz.answer")
RU = HolidaysCalendar("RU")


def test_period_starts_the_day_after_its_opening_event() -> None:
    assert period_end(ANSWER, d("2024-01-10"), RU) == d("2024-02-09")


@pytest.mark.parametrize(("start", "end"), [
    ("2024-04-09", "2024-05-13"),  # 09.05 Victory Day, 10.05 transferred day off, then a weekend
    ("2024-01-12", "2024-02-12"),  # Sunday 11.02 -> Monday
    ("2023-12-03", "2024-01-09"),  # 02.01.2024 falls in the New Year holidays, first working day is 09.01
    ("2024-03-28", "2024-04-27"),  # Saturday 27.04.2024 was a working day by transfer: no carry
])
def test_russian_period_ending_on_a_non_working_day_moves_to_the_next_working_day(start: str, end: str) -> None:
    assert period_end(ANSWER, d(start), RU) == d(end)


def test_without_a_carry_rule_the_end_stays_put() -> None:
    plain = replace(ANSWER, carry=Carry.NONE)
    assert period_end(plain, d("2024-04-09"), RU) == d("2024-05-09")


def test_extension_is_capped_at_the_lawful_maximum() -> None:
    assert period_end(ANSWER, d("2024-01-10"), RU, 10) == d("2024-02-19")
    assert period_end(ANSWER, d("2024-01-10"), RU, 45) == period_end(ANSWER, d("2024-01-10"), RU, 30)


def test_crime_report_decision_is_three_days_extendable_to_thirty_in_all() -> None:
    rule = book().rule_for("RU", ClockKind.RESPONSE, I.INVESTIGATIVE_COMMITTEE, K.CRIME_REPORT)
    assert rule is not None and rule.id == "ru.upk.144"
    assert book().end(rule, d("2024-06-03")) == d("2024-06-06")
    assert book().end(rule, d("2024-06-03"), 100) == d("2024-07-03")


def test_working_days_skip_weekends_and_holidays() -> None:
    assert add_working_days(d("2024-05-08"), 1, RU) == d("2024-05-13")
    assert add_working_days(d("2024-05-03"), 2, WeekendCalendar()) == d("2024-05-07")
    rule = replace(ANSWER, unit=Unit.WORKING_DAYS, limit=3)
    assert period_end(rule, d("2024-05-08"), RU) == d("2024-05-15")


def test_months_end_on_the_same_day_or_the_last_day_of_a_shorter_month() -> None:
    assert add_months(d("2024-01-31"), 1) == d("2024-02-29")
    assert add_months(d("2024-11-30"), 3) == d("2025-02-28")
    kas = book().rule_for("RU", ClockKind.FILING, I.COURT, K.COURT_CLAIM)
    assert kas is not None and book().end(kas, d("2024-02-09")) == d("2024-05-13")  # 09.05 -> 13.05


def test_ukrainian_answer_is_one_month_and_never_beyond_45_days() -> None:
    rule = book().rule_for("UA", ClockKind.RESPONSE, I.AUTHORITY)
    assert rule is not None
    assert book().end(rule, d("2024-03-15")) == d("2024-04-15")
    assert book().end(rule, d("2024-03-15"), 40) == d("2024-04-29")


@pytest.mark.parametrize(("kind", "institution", "complaint_kind", "expected"), [
    (ClockKind.RESPONSE, I.PRESIDENT, K.APPEAL, "ru.59fz.answer"),
    (ClockKind.RESPONSE, I.AUTHORITY, K.APPEAL, "ru.59fz.answer"),
    (ClockKind.RESPONSE, I.HOSPITAL, K.APPEAL, "ru.59fz.answer"),
    (ClockKind.RESPONSE, I.PROSECUTOR, K.APPEAL, "ru.prosecutor.answer"),
    (ClockKind.RESPONSE, I.INVESTIGATIVE_COMMITTEE, K.CRIME_REPORT, "ru.upk.144"),
    (ClockKind.RESPONSE, I.INVESTIGATIVE_COMMITTEE, K.APPEAL, "ru.59fz.answer"),
    (ClockKind.REGISTRATION, I.INVESTIGATIVE_COMMITTEE, K.APPEAL, "ru.59fz.registration"),
    (ClockKind.RESPONSE, I.OMBUDSMAN, K.OMBUDSMAN, "ru.1fkz.notice"),
    (ClockKind.REGISTRATION, I.PROSECUTOR, K.APPEAL, "ru.59fz.registration"),
    (ClockKind.FORWARDING, I.PRESIDENT, K.APPEAL, "ru.59fz.forwarding"),
    (ClockKind.RECORDS, I.HOSPITAL, K.APPEAL, "ru.789n.records"),
    (ClockKind.FILING, I.OMBUDSMAN, K.OMBUDSMAN, "ru.1fkz.filing"),
    (ClockKind.FILING, I.COURT, K.COURT_CLAIM, "ru.kas.219"),
])
def test_institution_types_map_to_their_russian_rules(kind: ClockKind, institution: I, complaint_kind: K,
                                                      expected: str) -> None:
    rule = book().rule_for("RU", kind, institution, complaint_kind)
    assert rule is not None and rule.id == expected


def test_a_crime_report_runs_no_59fz_registration_clock() -> None:
    assert book().rule_for("RU", ClockKind.REGISTRATION, I.INVESTIGATIVE_COMMITTEE, K.CRIME_REPORT) is None
    assert book().rule_for("RU", ClockKind.RESPONSE, I.PRESIDENT, K.CRIME_REPORT) is None


def test_no_rule_for_bodies_the_law_does_not_bind() -> None:
    assert book().rule_for("RU", ClockKind.RESPONSE, I.MEDIA) is None
    assert book().rule_for("RU", ClockKind.RECORDS, I.MEDICAL_COMMISSION) is None


def test_two_rules_for_one_slot_are_rejected() -> None:
    with pytest.raises(DuplicateClockRule, match=r"ru\.59fz\.answer"):
        ClockBook([ANSWER, replace(ANSWER, id="copy")], {})


def test_unknown_jurisdiction_falls_back_to_weekends_only() -> None:
    assert book().calendar("XX").is_working_day(d("2024-05-09"))
    assert not book().calendar("RU").is_working_day(d("2024-05-09"))


def test_a_clock_book_remembers_ends_without_mixing_rules_that_share_an_id() -> None:
    """The book's memo gives what the arithmetic gives, for every rule, start and extension, asked twice; a
    different rule object under the same id (here without the carry) is worked out afresh, not taken from memory."""
    clocks = book()
    starts = [d("2024-12-20"), d("2024-12-28"), d("2025-01-03"), d("2025-02-21"), d("2025-05-01")]
    for _ in range(2):
        for rule in ru.CLOCK_RULES:
            for start in starts:
                for extension in (0, 5, 30):
                    expected = period_end(rule, start, clocks.calendar(rule.jurisdiction), extension)
                    assert clocks.end(rule, start, extension) == expected
    uncarried = replace(ANSWER, carry=Carry.NONE)
    assert clocks.end(ANSWER, d("2025-05-01")) == d("2025-06-02")  # 31 May 2025 is a Saturday
    assert clocks.end(uncarried, d("2025-05-01")) == d("2025-05-31")

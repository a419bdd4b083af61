"""The clocks the law actually sets: the channel, the complaint's kind, extensions with and without notice, records
counted from registration, the ombudsman's and the court's windows, holidays, transferred working days, month ends."""

from __future__ import annotations

import pytest
from clock_builders import book, complaint, d, event, inst

from dutycare.domain.dates import PartialDate
from dutycare.domain.events import EventType as T
from dutycare.domain.vocabulary import ComplaintKind as K
from dutycare.domain.vocabulary import InstitutionType as I
from dutycare.jurisdictions.clocks import ChannelRule, ChannelStanding, ClockKind, channel_standing
from dutycare.jurisdictions.deadlines import (
    DueDate,
    DueStatus,
    due_dates,
    effective_kind,
    filing_window,
    records_due_date,
)

GP = inst("GP", I.PROSECUTOR)
PRES = inst("P", I.PRESIDENT)
SK = inst("SK", I.INVESTIGATIVE_COMMITTEE)
OMB = inst("OMB", I.OMBUDSMAN)
HOSP = inst("H", I.HOSPITAL)
UA_BODY = inst("UA", I.AUTHORITY, jurisdiction="UA")


def answer(dues: list[DueDate]) -> DueDate:
    return next(x for x in dues if x.kind is ClockKind.RESPONSE)


def registered(when: str, body: str, *, channel: str = "letter", **details: object) -> tuple[object, list[object]]:
    c = event(T.COMPLAINT, when, addressees=[body], applicants=["p"], channel=channel, subject="care", **details)
    return c, [event(T.COMPLAINT_REGISTERED, when, body, complaint=c.id)]


# The channel (59-FZ as amended by 547-FZ from 30.03.2025) ---------------------------------------------------------

@pytest.mark.parametrize(("channel", "sent", "standing"), [
    ("email", "2025-03-29", ChannelStanding.RUNS),  # the last day an ordinary e-mail was a 59-FZ appeal
    ("email", "2025-03-30", ChannelStanding.E_MAIL),  # 547-FZ applies from this day
    ("email", "2025-03", ChannelStanding.E_MAIL_MAYBE),  # the month straddles the boundary
    ("email", "~2025-03-25", ChannelStanding.E_MAIL_MAYBE),  # approximate: a week either side
    ("email", "~2025-03-20", ChannelStanding.RUNS),  # a week later is still 27.03
    ("email", "2024-11-02", ChannelStanding.RUNS),
    ("video_message", "2024-03-01", ChannelStanding.VIDEO),  # never a written appeal
    ("letter", "2026-01-15", ChannelStanding.RUNS),
    ("in_person", "2026-01-15", ChannelStanding.RUNS),
    ("gosuslugi", "2026-01-15", ChannelStanding.RUNS),
    ("online_portal", "2026-01-15", ChannelStanding.RUNS),
])
def test_which_channels_make_a_59fz_appeal(channel: str, sent: str, standing: ChannelStanding) -> None:
    assert channel_standing(ChannelRule.WRITTEN_APPEAL, channel, PartialDate.parse(sent)) is standing


def test_a_crime_report_may_be_e_mailed_but_not_made_by_video() -> None:
    assert channel_standing(ChannelRule.REPORT, "email", PartialDate.parse("2026-01-15")) is ChannelStanding.RUNS
    assert channel_standing(ChannelRule.REPORT, "video_message", PartialDate.parse("2024-03")) is ChannelStanding.VIDEO
    assert channel_standing(ChannelRule.ANY, "video_message", PartialDate.parse("2024-03")) is ChannelStanding.RUNS


def test_an_e_mail_after_the_boundary_runs_no_59fz_clock_at_all() -> None:
    after = complaint("2025-04-01", "P", channel="email")
    assert due_dates(after, PRES, [], book(), today=d("2026-01-01")) == []
    before = complaint("2025-03-29", "P", channel="email")
    dues = due_dates(before, PRES, [], book(), today=d("2026-01-01"))
    assert {x.kind for x in dues} == {ClockKind.REGISTRATION, ClockKind.RESPONSE}


def test_an_e_mail_that_may_be_either_side_of_the_boundary_is_only_possibly_overdue() -> None:
    c = complaint("2025-03", "P", channel="email")
    due = answer(due_dates(c, PRES, [], book(), today=d("2026-01-01")))
    assert due.channel is ChannelStanding.E_MAIL_MAYBE and due.status is DueStatus.POSSIBLY_OVERDUE


def test_a_video_message_runs_no_clock_at_any_addressee_of_the_canonical_appeal() -> None:
    video = complaint("~2024-03", "P", "SK", "GP", channel="video_message")
    for body in (PRES, SK, GP):
        assert due_dates(video, body, [], book(), today=d("2024-12-01")) == []
    # What a written appeal would have run, for the finding that says it does not run:
    from dutycare.jurisdictions.deadlines import ComplaintTrail

    would = ComplaintTrail.from_events(video, []).answer_due(GP, book(), d("2024-12-01"), ignore_channel=True)
    assert would is not None and would.channel is ChannelStanding.VIDEO


def test_the_same_appeal_by_post_runs_its_clocks() -> None:
    c, lifecycle = registered("2026-01-12", "GP", channel="letter")
    due = answer(due_dates(c, GP, lifecycle, book(), today=d("2026-03-01")))
    assert due.rule.id == "ru.prosecutor.answer" and due.due == d("2026-02-11")


# The kind of complaint ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("declared", "body", "kind", "inferred"), [
    (None, I.INVESTIGATIVE_COMMITTEE, K.CRIME_REPORT, True),
    ("crime_report", I.INVESTIGATIVE_COMMITTEE, K.CRIME_REPORT, False),
    ("appeal", I.INVESTIGATIVE_COMMITTEE, K.APPEAL, False),
    ("crime_report", I.PRESIDENT, K.APPEAL, False),  # only a body that decides crime reports runs that clock
    (None, I.PROSECUTOR, K.APPEAL, True),
    ("appeal", I.OMBUDSMAN, K.OMBUDSMAN, False),
    (None, I.COURT, K.COURT_CLAIM, True),
    ("nonsense", I.HOSPITAL, K.APPEAL, True),
])
def test_the_kind_at_each_body(declared: str | None, body: I, kind: K, inferred: bool) -> None:
    assert effective_kind(declared, body) == (kind, inferred)


def test_an_appeal_to_the_investigative_committee_runs_30_days_from_registration_not_3() -> None:
    c, lifecycle = registered("2024-06-03", "SK", kind="appeal")
    dues = due_dates(c, SK, lifecycle, book(), today=d("2024-06-10"))
    due = answer(dues)
    assert due.rule.id == "ru.59fz.answer" and due.due == d("2024-07-03") and due.status is DueStatus.PENDING
    assert ClockKind.REGISTRATION in {x.kind for x in dues} and not due.kind_inferred


def test_a_crime_report_is_decided_in_3_days_and_at_most_30_with_extensions() -> None:
    c = event(T.COMPLAINT, "2024-06-03", addressees=["SK"], applicants=["p"], channel="letter", subject="x",
              kind="crime_report")
    due = answer(due_dates(c, SK, [], book(), today=d("2024-06-05")))
    assert due.rule.id == "ru.upk.144" and due.due == d("2024-06-06") and due.status is DueStatus.PENDING
    to_ten = event(T.COMPLAINT_EXTENDED, "2024-06-05", "SK", complaint=c.id, extended_by_days=7)
    assert answer(due_dates(c, SK, [to_ten], book(), today=d("2024-06-05"))).due == d("2024-06-13")
    to_thirty = event(T.COMPLAINT_EXTENDED, "2024-06-12", "SK", complaint=c.id, extended_by_days=40)
    assert answer(due_dates(c, SK, [to_ten, to_thirty], book(), today=d("2024-06-05"))).due == d("2024-07-03")
    assert [x.kind for x in due_dates(c, SK, [], book(), today=d("2024-06-05"))] == [ClockKind.RESPONSE]


def test_without_a_kind_the_investigative_committee_is_taken_as_a_crime_report_and_it_says_so() -> None:
    c = complaint("2024-06-03", "SK", channel="letter")
    due = answer(due_dates(c, SK, [], book(), today=d("2024-06-05")))
    assert due.rule.id == "ru.upk.144" and due.kind_inferred and due.complaint_kind is K.CRIME_REPORT


# Extensions: with or without notice to the applicant (59-FZ art. 12 part 2) ---------------------------------------

def _extended(notice: object) -> DueDate:
    c, lifecycle = registered("2024-01-10", "P")  # due 09.02.2024
    details: dict[str, object] = {"complaint": c.id, "extended_by_days": 30}
    if notice is not None:
        details["notice_given"] = notice
    ext = event(T.COMPLAINT_EXTENDED, "2024-02-05", "P", **details)
    return answer(due_dates(c, PRES, [*lifecycle, ext], book(), today=d("2024-02-20")))


def test_a_notified_extension_moves_the_due_date() -> None:
    due = _extended(True)
    assert (due.earliest_due, due.due, due.status) == (d("2024-03-11"), d("2024-03-11"), DueStatus.PENDING)


def test_an_extension_without_notice_does_not_move_it() -> None:
    due = _extended(False)
    assert (due.due, due.status) == (d("2024-02-09"), DueStatus.OVERDUE) and len(due.extensions_ignored) == 1


def test_an_extension_whose_notice_is_not_recorded_moves_only_the_latest_reading() -> None:
    due = _extended(None)
    assert (due.earliest_due, due.due) == (d("2024-02-09"), d("2024-03-11"))
    assert due.status is DueStatus.POSSIBLY_OVERDUE and due.extension_notice_unknown


def test_the_prosecutor_needs_notice_too_but_a_crime_report_extension_does_not() -> None:
    c, lifecycle = registered("2024-01-10", "GP")
    silent = event(T.COMPLAINT_EXTENDED, "2024-02-05", "GP", complaint=c.id, extended_by_days=30, notice_given=False)
    assert answer(due_dates(c, GP, [*lifecycle, silent], book(), today=d("2024-02-20"))).due == d("2024-02-09")
    report = event(T.COMPLAINT, "2024-06-03", addressees=["SK"], applicants=["p"], channel="letter", subject="x",
                   kind="crime_report")
    longer = event(T.COMPLAINT_EXTENDED, "2024-06-05", "SK", complaint=report.id, extended_by_days=7,
                   notice_given=False)
    assert answer(due_dates(report, SK, [longer], book(), today=d("2024-06-05"))).due == d("2024-06-13")


# Records (789n): from the registration of the request -------------------------------------------------------------

def test_records_count_from_the_recorded_registration() -> None:
    req = event(T.RECORDS_REQUESTED, "2025-03-03", "H", records="card", registered_on="2025-03-07")
    due = records_due_date(req, [], HOSP, book(), today=d("2025-04-07"))
    assert due is not None and due.due == d("2025-04-07") and due.status is DueStatus.PENDING  # 06.04 is a Sunday
    late = records_due_date(req, [], HOSP, book(), today=d("2025-04-08"))
    assert late is not None and late.status is DueStatus.OVERDUE


def test_records_without_a_registration_are_only_possibly_late() -> None:
    req = event(T.RECORDS_REQUESTED, "2025-03-03", "H", records="card")
    due = records_due_date(req, [], HOSP, book(), today=d("2025-06-01"))
    assert due is not None and due.start_assumed and due.status is DueStatus.POSSIBLY_OVERDUE
    assert (due.earliest_due, due.due) == (d("2025-04-02"), d("2025-04-07"))  # 03.03 + 3 days, + 30 -> Sunday


def test_a_registration_recorded_before_the_request_counts_from_the_request() -> None:
    req = event(T.RECORDS_REQUESTED, "2025-03-03", "H", records="card", registered_on="2025-02-01")
    due = records_due_date(req, [], HOSP, book(), today=d("2025-03-04"))
    assert due is not None and due.due == d("2025-04-02")


# Filing windows: the ombudsman (1-FKZ art. 17 part 1) and the court (KAS art. 219 part 1) -------------------------

OMB_FILING = book().rule_for("RU", ClockKind.FILING, I.OMBUDSMAN, K.OMBUDSMAN)
KAS = book().rule_for("RU", ClockKind.FILING, I.COURT, K.COURT_CLAIM)


@pytest.mark.parametrize(("violation", "learnt", "last_day"), [
    ("2024-03-01", None, "2025-03-03"),  # 01.03.2025 is a Saturday
    ("2024-03-01", "2024-06-03", "2025-06-03"),  # from the later day the applicant learnt of it
    ("2024-06-03", "2024-03-01", "2025-06-03"),  # learning recorded before the violation: the violation counts
    ("2024-03-01", "2024-06-12", "2025-06-16"),  # Russia Day, a transferred day off, a weekend
    ("2024-02-29", None, "2025-02-28"),  # a year from a leap day ends on 28 February
])
def test_the_ombudsman_year_runs_from_the_later_of_violation_and_learning(violation: str, learnt: str | None,
                                                                          last_day: str) -> None:
    assert OMB_FILING is not None
    window = filing_window(OMB_FILING, book(), PartialDate.parse(violation),
                           PartialDate.parse(learnt) if learnt else None)
    assert window.last_day == d(last_day) and window.is_open(d(last_day)) and not window.is_open(d(last_day) + (
        d("2000-01-02") - d("2000-01-01")))


@pytest.mark.parametrize(("learnt", "last_day"), [
    ("2024-01-31", "2024-05-02"),  # no 31 April: 30.04, a transferred day off in 2024, then 01.05
    ("2023-11-30", "2024-02-29"),  # a leap February
    ("2024-11-30", "2025-02-28"),
    ("2025-02-08", "2025-05-12"),  # 08.05 transferred day off, 09.05 Victory Day, then a weekend
    ("2024-12-31", "2025-03-31"),
])
def test_the_court_claim_window_is_three_months_from_learning(learnt: str, last_day: str) -> None:
    assert KAS is not None
    window = filing_window(KAS, book(), PartialDate.parse(learnt))
    assert window.last_day == d(last_day)


def test_a_month_only_learning_date_gives_a_range_of_last_days() -> None:
    assert KAS is not None
    window = filing_window(KAS, book(), PartialDate.parse("2024-01"))
    assert (window.earliest_last_day, window.last_day) == (d("2024-04-01"), d("2024-05-02"))
    assert window.is_open(d("2024-04-15")) and not window.certainly_open(d("2024-04-15"))


def test_the_ombudsman_notice_is_never_established_late() -> None:
    c = event(T.COMPLAINT, "2024-06-03", addressees=["OMB"], applicants=["p"], channel="letter", subject="x")
    due = answer(due_dates(c, OMB, [], book(), today=d("2024-12-01")))
    assert due.rule.id == "ru.1fkz.notice" and due.status is DueStatus.POSSIBLY_OVERDUE


# Holidays, transferred working days and month ends ----------------------------------------------------------------

@pytest.mark.parametrize(("registered_on", "due"), [
    ("2024-12-02", "2025-01-09"),  # 01.01.2025: the New Year holidays run to 08.01
    ("2024-11-28", "2024-12-28"),  # Saturday 28.12.2024 was a working day by transfer: no carry
    ("2025-10-02", "2025-11-01"),  # Saturday 01.11.2025 was a working day by transfer
    ("2025-10-04", "2025-11-05"),  # 03.11.2025 a transferred day off, 04.11 Unity Day
    ("2025-04-01", "2025-05-05"),  # 01.05 holiday, 02.05 transferred day off, then a weekend
])
def test_the_answer_due_day_follows_the_russian_calendar(registered_on: str, due: str) -> None:
    c, lifecycle = registered(registered_on, "P")
    assert answer(due_dates(c, PRES, lifecycle, book(), today=d(registered_on))).due == d(due)


def test_a_month_period_from_31_january_ends_on_the_last_day_of_february() -> None:
    c = event(T.COMPLAINT, "2025-01-31", addressees=["UA"], applicants=["p"], channel="letter", subject="x")
    assert answer(due_dates(c, UA_BODY, [], book(), today=d("2025-02-01"))).due == d("2025-02-28")


# As of a day, and the coming week ---------------------------------------------------------------------------------

def test_as_of_a_day_an_answer_that_came_later_has_not_come_yet() -> None:
    from dutycare.jurisdictions.deadlines import known_on

    c, lifecycle = registered("2024-01-10", "P")
    answer_event = event(T.COMPLAINT_ANSWERED, "2024-03-01", "P", complaint=c.id, outcome="refused")
    events = [c, *lifecycle, answer_event]
    assert answer_event not in known_on(events, d("2024-02-20"))
    as_then = answer(due_dates(c, PRES, known_on(events, d("2024-02-20"))[1:], book(), today=d("2024-02-20")))
    assert as_then.status is DueStatus.OVERDUE and as_then.met_by is None
    month = event(T.COMPLAINT_ANSWERED, "2024-02", "P", complaint=c.id, outcome="refused")
    assert month in known_on([month], d("2024-02-01"))  # it may have happened by then


def test_due_within_a_week_counts_today_and_leaves_out_met_and_certainly_overdue_clocks() -> None:
    from dutycare.jurisdictions.deadlines import due_within

    c, lifecycle = registered("2024-01-10", "P")  # registration met; answer due 09.02.2024
    dues = due_dates(c, PRES, lifecycle, book(), today=d("2024-02-02"))
    assert [x.kind for x in due_within(dues, d("2024-02-02"), 7)] == [ClockKind.RESPONSE]
    assert due_within(dues, d("2024-02-01"), 7) == []  # 09.02 is the eighth day
    assert [x.kind for x in due_within(dues, d("2024-02-09"), 0)] == [ClockKind.RESPONSE]  # the due day itself
    late = due_dates(c, PRES, lifecycle, book(), today=d("2024-02-10"))
    assert due_within(late, d("2024-02-10"), 7) == []

"""Due dates of complaints and records requests: statuses, partial dates, forwarding, and the deadline list."""

from __future__ import annotations

from clock_builders import book, complaint, d, event, inst

from dutycare.domain.events import EventType as T
from dutycare.domain.vocabulary import InstitutionType as I
from dutycare.jurisdictions.clocks import ClockKind
from dutycare.jurisdictions.deadlines import DueDate, DueStatus, deadlines, due_dates, records_due_date

GP = inst("GP", I.PROSECUTOR)
PRES = inst("P", I.PRESIDENT)
SK = inst("SK", I.INVESTIGATIVE_COMMITTEE)
HOSP = inst("H", I.HOSPITAL)
INSTITUTIONS = {i.id: i for i in (GP, PRES, SK, HOSP)}


def answer_due(dues: list[DueDate]) -> DueDate:
    return next(x for x in dues if x.kind is ClockKind.RESPONSE)


def test_registration_and_answer_clocks_of_a_registered_complaint() -> None:
    c = complaint("2024-01-10", "GP")
    reg = event(T.COMPLAINT_REGISTERED, "2024-01-11", "GP", complaint=c.id)
    dues = due_dates(c, GP, [reg], book(), today=d("2024-01-20"))
    assert [(x.kind, x.due, x.status) for x in dues] == [
        (ClockKind.REGISTRATION, d("2024-01-15"), DueStatus.MET),  # 13.01 is a Saturday
        (ClockKind.RESPONSE, d("2024-02-12"), DueStatus.PENDING),  # 10.02 is a Saturday
    ]
    assert answer_due(dues).evidence_ids == (reg.id,)


def test_answer_statuses_met_overdue_and_late_answer() -> None:
    c = complaint("2024-01-10", "GP")
    reg = event(T.COMPLAINT_REGISTERED, "2024-01-10", "GP", complaint=c.id)
    on_time = event(T.COMPLAINT_ANSWERED, "2024-02-09", "GP", complaint=c.id, outcome="refused")
    late = event(T.COMPLAINT_ANSWERED, "2024-02-10", "GP", complaint=c.id, outcome="refused")
    assert answer_due(due_dates(c, GP, [reg, on_time], book(), today=d("2025-01-01"))).status is DueStatus.MET
    met_late = answer_due(due_dates(c, GP, [reg, late], book(), today=d("2025-01-01")))
    assert met_late.status is DueStatus.OVERDUE and met_late.met_by == late.id
    assert answer_due(due_dates(c, GP, [reg], book(), today=d("2024-02-10"))).status is DueStatus.OVERDUE


def test_partial_complaint_date_gives_a_range_and_possibly_overdue_inside_it() -> None:
    c = complaint("2024-01", "P")
    due = answer_due(due_dates(c, PRES, [], book(), today=d("2024-02-20")))
    assert (due.earliest_due, due.due) == (d("2024-02-08"), d("2024-03-06"))
    assert not due.is_exact and due.status is DueStatus.POSSIBLY_OVERDUE
    later = answer_due(due_dates(c, PRES, [], book(), today=d("2024-03-07")))
    assert later.status is DueStatus.OVERDUE


def test_letter_without_registration_cannot_be_established_overdue() -> None:
    due = answer_due(due_dates(complaint("2024-01-10", "P", channel="letter"), PRES, [], book(), today=d("2025-01-01")))
    assert due.start_assumed and due.status is DueStatus.POSSIBLY_OVERDUE


def test_lifecycle_events_of_other_complaints_or_bodies_are_ignored() -> None:
    c, other = complaint("2024-01-10", "GP"), complaint("2024-01-10", "GP")
    noise = [event(T.COMPLAINT_ANSWERED, "2024-01-20", "GP", complaint=other.id, outcome="refused"),
             event(T.COMPLAINT_ANSWERED, "2024-01-20", "SK", complaint=c.id, outcome="refused")]
    due = answer_due(due_dates(c, GP, noise, book(), today=d("2024-01-25")))
    assert due.status is DueStatus.PENDING and due.met_by is None


def test_forwarding_meets_the_clock_and_gives_the_target_its_own_clocks() -> None:
    c = complaint("2024-01-10", "P")
    reg = event(T.COMPLAINT_REGISTERED, "2024-01-10", "P", complaint=c.id)
    fwd = event(T.COMPLAINT_FORWARDED, "2024-01-15", "P", complaint=c.id, forwarded_to="GP")
    mine = due_dates(c, PRES, [reg, fwd], book(), today=d("2025-01-01"))
    assert {x.kind: x.status for x in mine} == {ClockKind.REGISTRATION: DueStatus.MET,
                                                 ClockKind.FORWARDING: DueStatus.MET,
                                                 ClockKind.RESPONSE: DueStatus.MET}
    target = answer_due(due_dates(c, GP, [reg, fwd], book(), today=d("2025-01-01")))
    assert target.start_assumed and target.evidence_ids == (fwd.id,)
    assert due_dates(c, SK, [reg, fwd], book(), today=d("2025-01-01")) == []


def test_records_request_due_on_day_30_from_registration_and_met_by_the_provision_naming_it() -> None:
    req = event(T.RECORDS_REQUESTED, "2024-01-08", "H", records="file", registered_on="2024-01-10")
    given = event(T.RECORDS_PROVIDED, "2024-02-09", "H", request=req.id)
    due = records_due_date(req, [given], HOSP, book(), today=d("2025-01-01"))
    assert due is not None and due.due == d("2024-02-09") and due.status is DueStatus.MET
    unanswered = records_due_date(req, [], HOSP, book(), today=d("2024-02-10"))
    assert unanswered is not None and unanswered.status is DueStatus.OVERDUE and not unanswered.start_assumed
    assert records_due_date(req, [], inst("V", I.MEDICAL_COMMISSION), book(), today=d("2024-02-10")) is None


def test_deadlines_across_cases_are_sorted_soonest_first_and_dedupe_events() -> None:
    late = complaint("2024-03-01", "GP", "SK")
    early = complaint("2024-01-10", "P")
    req = event(T.RECORDS_REQUESTED, "2024-02-01", "H", records="file")
    found = deadlines([late, early, req, early], INSTITUTIONS, today=d("2024-01-20"), clock_book=book())
    assert [x.due for x in found] == sorted(x.due for x in found)
    assert found[0].subject_id == early.id and found[0].kind is ClockKind.REGISTRATION
    assert {x.addressee_id for x in found} == {"P", "GP", "SK", "H"}
    assert len([x for x in found if x.subject_id == early.id]) == 2


def test_unrecorded_registration_is_never_established_overdue_and_an_early_answer_proves_it() -> None:
    c = complaint("2024-01-10", "GP")
    registration = due_dates(c, GP, [], book(), today=d("2025-01-01"))[0]
    assert registration.kind is ClockKind.REGISTRATION and registration.status is DueStatus.POSSIBLY_OVERDUE
    quick = event(T.COMPLAINT_ANSWERED, "2024-01-12", "GP", complaint=c.id, outcome="satisfied")
    registration = due_dates(c, GP, [quick], book(), today=d("2025-01-01"))[0]
    assert registration.status is DueStatus.MET and registration.met_by == quick.id

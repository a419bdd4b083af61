"""R6, R7 and R10: complaints and requests, their clocks, and forwarding to the respondent."""

from __future__ import annotations

from datetime import date

import pytest
from timeline_builders import Record, T, of_rule

from dutycare.domain.events import Event
from dutycare.rules.model import Certainty

E, P = Certainty.ESTABLISHED, Certainty.POSSIBLE


def registered_complaint(addressee: str = "GP", registered: str = "2024-01-10") -> tuple[Record, Event]:
    r = Record()
    complaint = r.complaint(registered, addressee)
    r.lifecycle(T.COMPLAINT_REGISTERED, registered, complaint, addressee)
    return r, complaint


# R6 ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("answered", "late"), [("2024-02-08", False), ("2024-02-09", False), ("2024-02-10", True)])
def test_r6_answer_one_day_before_on_and_after_the_due_date(answered: str, late: bool) -> None:
    r, complaint = registered_complaint()  # registered 10.01.2024 + 30 days = Friday 09.02.2024
    r.lifecycle(T.COMPLAINT_ANSWERED, answered, complaint, "GP", outcome="refused")
    found = of_rule(r.evaluate(), "R6")
    assert bool(found) is late
    if late:
        assert found[0].certainty is E and found[0].institution_id == "GP"
        assert "09.02.2024" in found[0].explanation_ru and "10.02.2024" in found[0].explanation_ru


@pytest.mark.parametrize(("today", "late"), [(date(2024, 2, 9), False), (date(2024, 2, 10), True)])
def test_r6_unanswered_only_once_the_due_date_has_passed(today: date, late: bool) -> None:
    r, _ = registered_complaint()
    assert bool(of_rule(r.evaluate(today), "R6")) is late


@pytest.mark.parametrize(("answered", "late"), [("2024-05-13", False), ("2024-05-14", True)])
def test_r6_due_date_on_victory_day_moves_past_the_holidays_and_weekend(answered: str, late: bool) -> None:
    # 09.04.2024 + 30 = Thursday 09.05.2024 (holiday), 10.05 transferred day off, 11–12.05 weekend -> 13.05.2024.
    r, complaint = registered_complaint("P", "2024-04-09")
    r.lifecycle(T.COMPLAINT_ANSWERED, answered, complaint, "P", outcome="formal_reply")
    assert bool(of_rule(r.evaluate(), "R6")) is late


def test_r6_due_date_on_a_sunday_moves_to_monday() -> None:
    r, complaint = registered_complaint("P", "2024-01-12")  # + 30 = Sunday 11.02.2024 -> Monday 12.02.2024
    r.lifecycle(T.COMPLAINT_ANSWERED, "2024-02-12", complaint, "P", outcome="formal_reply")
    assert of_rule(r.evaluate(), "R6") == []


@pytest.mark.parametrize(("answered", "late"), [("2024-03-11", False), ("2024-03-12", True)])
def test_r6_extension_moves_the_due_date_but_only_by_the_lawful_maximum(answered: str, late: bool) -> None:
    # 09.02.2024 + at most 30 days (45 asked) = Sunday 10.03.2024 -> Monday 11.03.2024.
    r, complaint = registered_complaint("P")
    extension = r.lifecycle(T.COMPLAINT_EXTENDED, "2024-02-01", complaint, "P", extended_by_days=45,
                            notice_given=True)
    r.lifecycle(T.COMPLAINT_ANSWERED, answered, complaint, "P", outcome="refused")
    found = of_rule(r.evaluate(), "R6")
    assert bool(found) is late
    if late:
        assert extension.id in found[0].event_ids


def test_r6_partial_complaint_date_gives_possible_then_established() -> None:
    r = Record()
    r.complaint("2024-01", "P")  # due between 08.02.2024 and 06.03.2024 depending on the day in January
    [possible] = of_rule(r.evaluate(date(2024, 2, 20)), "R6")
    assert possible.certainty is P and "от января 2024" in possible.explanation_ru
    [established] = of_rule(r.evaluate(date(2024, 3, 7)), "R6")
    assert established.certainty is E


def test_r6_letter_without_recorded_registration_is_only_possible() -> None:
    r = Record()
    r.complaint("2024-01-10", "P", channel="letter")
    [finding] = of_rule(r.evaluate(), "R6")
    assert finding.certainty is P


def test_r6_joint_complaint_gives_one_finding_per_addressee_and_dedupes_across_cases() -> None:
    r = Record()
    r.complaint("2024-05-01", "P", "SK", "GP", cases=("A", "B", "C"))
    in_a, in_b = of_rule(r.evaluate(case_id="A"), "R6"), of_rule(r.evaluate(case_id="B"), "R6")
    assert sorted(f.institution_id or "" for f in in_a) == ["GP", "P", "SK"]
    assert {f.key for f in in_a} == {f.key for f in in_b}
    assert all(f.case_ids == ("A", "B", "C") for f in in_a)


def test_r6_answer_from_a_body_that_was_not_addressed_makes_it_possible() -> None:
    r = Record()
    complaint = r.complaint("2024-01-10", "P")
    r.lifecycle(T.COMPLAINT_ANSWERED, "2024-02-01", complaint, "DIR", outcome="no_violation_found")
    [finding] = of_rule(r.evaluate(), "R6")
    assert finding.certainty is P


def test_r6_forwarding_in_time_meets_the_clock_and_starts_one_at_the_new_body() -> None:
    r, complaint = registered_complaint("P")
    r.lifecycle(T.COMPLAINT_FORWARDED, "2024-01-15", complaint, "P", forwarded_to="GP")
    [finding] = of_rule(r.evaluate(), "R6")
    assert finding.institution_id == "GP" and finding.certainty is P  # its registration is not recorded
    r.lifecycle(T.COMPLAINT_REGISTERED, "2024-01-20", complaint, "GP")
    [finding] = of_rule(r.evaluate(), "R6")
    assert finding.certainty is E


# R7 ---------------------------------------------------------------------------------------------------------------

def forwarded_to(target: str, refusal_on: str = "2024-02-10") -> tuple[Record, list[str]]:
    r = Record()
    refusal = r.refuse(refusal_on, "no_capacity")
    complaint = r.complaint("2024-03-01", "GP")
    forward = r.lifecycle(T.COMPLAINT_FORWARDED, "2024-03-05", complaint, "GP", forwarded_to=target)
    return r, [complaint.id, refusal.id, forward.id]


def test_r7_forwarded_to_the_hospital_that_refused() -> None:
    r, ids = forwarded_to("H")
    [finding] = of_rule(r.evaluate(), "R7")
    assert finding.certainty is E and finding.institution_id == "H"
    assert set(finding.event_ids) == set(ids)
    assert "05.03.2024" in finding.explanation_ru and "Волгоградский военный госпиталь" in finding.explanation_ru


def test_r7_forwarded_to_a_unit_of_the_respondent_is_established() -> None:
    r, _ = forwarded_to("WARD")
    assert [f.certainty for f in of_rule(r.evaluate(), "R7")] == [E]


def test_r7_forwarded_to_the_respondents_parent_is_only_possible() -> None:
    r, _ = forwarded_to("DIR")
    assert [f.certainty for f in of_rule(r.evaluate(), "R7")] == [P]


def test_r7_not_when_forwarded_to_an_unrelated_body() -> None:
    r, _ = forwarded_to("H2")
    assert of_rule(r.evaluate(), "R7") == []


def test_r7_not_when_the_grievance_came_after_the_complaint() -> None:
    r, _ = forwarded_to("H", refusal_on="2024-04-01")
    assert of_rule(r.evaluate(), "R7") == []


# R10 --------------------------------------------------------------------------------------------------------------

def records_request(provided: str | None, requested: str = "2024-01-10", holder: str = "H",
                    registered: str | None = "") -> Record:
    """A request, registered on the day it was made unless ``registered`` says otherwise (None: not recorded)."""
    r = Record()
    details: dict[str, object] = {"records": "medical file"}
    if registered is not None:
        details["registered_on"] = registered or requested
    request = r.add(T.RECORDS_REQUESTED, requested, holder, **details)
    if provided:
        r.add(T.RECORDS_PROVIDED, provided, holder, request=request.id)
    return r


@pytest.mark.parametrize(("provided", "late"), [("2024-02-09", False), ("2024-02-10", True)])
def test_r10_records_provided_on_day_30_are_in_time(provided: str, late: bool) -> None:
    found = of_rule(records_request(provided).evaluate(), "R10")
    assert bool(found) is late
    if late:
        assert "копии выданы 10.02.2024" in found[0].explanation_ru


@pytest.mark.parametrize(("today", "late"), [(date(2024, 2, 9), False), (date(2024, 2, 10), True)])
def test_r10_unanswered_request_once_30_days_have_passed(today: date, late: bool) -> None:
    found = of_rule(records_request(None).evaluate(today), "R10")
    assert bool(found) is late
    if late:
        assert found[0].certainty is E and found[0].institution_id == "H"


def test_r10_day_30_on_a_weekend_moves_to_monday() -> None:
    assert of_rule(records_request("2024-02-12", requested="2024-01-12").evaluate(), "R10") == []


def test_r10_not_for_bodies_no_records_rule_covers() -> None:
    assert of_rule(records_request(None, holder="VVK").evaluate(), "R10") == []

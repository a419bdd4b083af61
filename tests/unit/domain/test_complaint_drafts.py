"""Complaint drafts: the requisites of 59-ФЗ ст. 7 are named field by field, and bad input is refused by field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dutycare.domain.complaint_drafts import (
    ComplaintDraft,
    DraftStatus,
    Step,
    draft_from_record,
    draft_to_record,
    missing_requisites,
    parse_draft,
    parse_step,
)
from dutycare.domain.errors import InvalidInput

KINDS = ("appeal", "crime_report", "ombudsman_complaint", "court_claim")


def complete() -> dict[str, Any]:
    return {"cases": ["case-a"], "findings": ["f1"],
            "applicants": [{"person": "p-01", "full_name": "Максимов Максим Игоревич", "address": "г. Волгоград"}],
            "addressees": [{"institution": "i-prosecutor", "template": "prosecutor"}],
            "requests": ["provide_treatment"], "letter_date": "2026-12-01", "will_sign": True}


def parsed(**changes: Any) -> ComplaintDraft:
    return parse_draft({**complete(), **changes}, draft_id="cpl-1", kinds=KINDS)


def test_a_complete_draft_lacks_no_requisite() -> None:
    assert missing_requisites(parsed()) == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"addressees": []}, "addressees"),
    ({"applicants": []}, "applicants"),
    ({"applicants": [{"person": "p-01", "full_name": "Максим", "address": "г. Волгоград"}]},
     "applicants[0].full_name"),
    ({"applicants": [{"person": "p-01", "full_name": "Максимов Максим", "address": "  "}]}, "applicants[0].address"),
    ({"findings": [], "substance": ""}, "substance"),
    ({"letter_date": None}, "letter_date"),
    ({"will_sign": False}, "will_sign"),
    ({"representative": {"person": "p-04", "full_name": "Пронин Роман", "address": ""}}, "representative.address"),
])
def test_each_missing_requisite_is_named(changes: dict[str, Any], field: str) -> None:
    assert [p.field for p in missing_requisites(parsed(**changes))] == [field]


def test_substance_may_be_written_instead_of_picking_findings() -> None:
    assert missing_requisites(parsed(findings=[], substance="Отказ в операции.")) == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"addressees": [{"institution": "i-1", "template": "the_moon"}]}, "addressees[0].template"),
    ({"requests": ["provide_treatment", "nothing"]}, "requests[1]"),
    ({"letter_date": "1 декабря"}, "letter_date"),
    ({"kind": "petition"}, "kind"),
    ({"will_sign": "yes"}, "will_sign"),
    ({"cases": []}, "cases"),
    ({"colour": "red"}, "colour"),
    ({"addressees": [{"institution": "i-1", "template": "court"}, {"institution": "i-1", "template": "court"}]},
     "addressees"),
    ({"applicants": [{"person": "p\u202e1", "full_name": "А Б", "address": "x"}]}, "applicants[0].person"),
])
def test_bad_input_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parsed(**changes)
    assert field in [p.field for p in exc.value.problems]


def test_the_record_round_trips() -> None:
    draft = parsed(representative={"person": "p-04", "full_name": "Пронин Роман", "address": "а/я 1"},
                   kind="appeal", respondent="i-hospital")
    assert draft_from_record(draft_to_record(draft)) == draft
    assert draft.status is DraftStatus.DRAFT and draft.letter_date == date(2026, 12, 1)


def test_an_international_addressee_gets_an_english_letter() -> None:
    draft = parsed(addressees=[{"institution": "i-un", "template": "international"}])
    assert draft.addressees[0].language == "en"


@pytest.mark.parametrize(("raw", "field"), [
    ({"step": "posted", "date": "2026-12-01"}, "step"),
    ({"step": "sent", "date": "2026-12-01", "channel": "pigeon"}, "channel"),
    ({"step": "registered", "date": "2026-12-01"}, "institution"),
    ({"step": "registered", "institution": "i-1"}, "date"),
    ({"step": "extended", "date": "2026-12-01", "institution": "i-1", "days": 0}, "days"),
    ({"step": "answered", "date": "2026-12-01", "institution": "i-1", "outcome": "maybe"}, "outcome"),
])
def test_a_bad_lifecycle_step_is_refused_naming_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_step(raw, channels=("letter", "email"), outcomes=("refused", "formal_reply"))
    assert field in [p.field for p in exc.value.problems]


def test_an_extension_with_notice_parses() -> None:
    step = parse_step({"step": "extended", "date": "2026-12-10", "institution": "i-1", "days": "30",
                       "notice": "on"}, channels=(), outcomes=())
    assert step.step is Step.EXTENDED and step.days == 30 and step.notice

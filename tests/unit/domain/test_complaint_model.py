"""The shared complaint model: its kinds, channels, the patient's own refusal, a written order, dated details."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dutycare.domain import vocabulary as v
from dutycare.domain.errors import InvalidInput
from dutycare.domain.events import EVENT_SPECS, EventType, FieldKind
from dutycare.domain.interchange import case_file_to_dict, parse_case_file
from dutycare.entrypoints.web.i18n import load_translations
from dutycare.entrypoints.web.labels import event_type_label, labeller
from dutycare.scenario import load_scenario


def _with(event: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(load_scenario())
    doc["events"].append(event)
    return doc


def _problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        parse_case_file(doc)
    return [str(p) for p in caught.value.problems]


def _complaint(**details: Any) -> dict[str, Any]:
    return {"id": "ev-new", "type": "complaint", "date": "2025-04-02", "cases": ["case-a"],
            "sources": [{"source": "s-05"}],
            "details": {"addressees": ["i-prosecutor-general"], "applicants": ["p-01"], "channel": "letter",
                        "subject": "Проверка отказа в операции", **details}}


def test_the_agreed_values_are_spelt_as_agreed() -> None:
    assert [k.value for k in v.ComplaintKind] == ["appeal", "crime_report", "ombudsman_complaint", "court_claim"]
    channels = {c.value for c in v.Channel}
    assert {"letter", "in_person", "gosuslugi", "online_portal", "email", "video_message"} <= channels
    assert v.RefusalReason.WRITTEN_ORDER.value == "written_order"
    declined = EVENT_SPECS[EventType.TREATMENT_DECLINED]
    assert declined.label_ru == "Отказ пациента от вмешательства"
    assert declined.label_en == "Treatment declined by the patient"
    assert declined.by_name["treatment"].required
    assert declined.by_name["informed_consent_form"].kind is FieldKind.BOOLEAN
    refused = EVENT_SPECS[EventType.TREATMENT_REFUSED].by_name
    assert refused["order_date"].kind is FieldKind.DATE and not refused["order_reference"].required
    complaint = EVENT_SPECS[EventType.COMPLAINT].by_name
    assert complaint["kind"].choices == tuple(k.value for k in v.ComplaintKind) and not complaint["kind"].required
    assert complaint["respondent"].kind is FieldKind.INSTITUTION and not complaint["respondent"].required
    assert EVENT_SPECS[EventType.RECORDS_REQUESTED].by_name["registered_on"].kind is FieldKind.DATE


def test_the_canonical_scenario_stays_valid_without_the_new_fields() -> None:
    doc = load_scenario()
    assert case_file_to_dict(parse_case_file(doc)) == doc


def test_a_complaint_names_its_kind_and_respondent_and_they_round_trip() -> None:
    doc = _with(_complaint(kind="appeal", respondent="i-hospital", channel="gosuslugi"))
    parsed = parse_case_file(doc)
    event = next(e for e in parsed.events if e.id == "ev-new")
    assert event.details["kind"] == "appeal" and event.refs("respondent") == ("i-hospital",)
    assert case_file_to_dict(parsed) == doc


def test_an_unknown_kind_or_respondent_is_refused_naming_the_field() -> None:
    found = _problems(_with(_complaint(kind="petition", respondent="i-nowhere")))
    assert any(p.startswith("events[") and "details.kind: 'petition' is not one of" in p for p in found), found
    assert any("details.respondent" in p and "i-nowhere" in p for p in found), found


def test_a_refusal_citing_a_written_order_records_its_reference_and_date() -> None:
    refusal = {"id": "ev-order", "type": "treatment_refused", "date": "2024-02", "cases": ["case-c"],
               "institution": "i-hospital", "sources": [{"source": "s-05"}],
               "details": {"treatment": "операция", "reason": "сослались на приказ", "reason_kind": "written_order",
                           "order_reference": "приказ начальника госпиталя № 12", "order_date": "2024-01-15"}}
    event = next(e for e in parse_case_file(_with(refusal)).events if e.id == "ev-order")
    assert event.date_detail("order_date") is not None and event.date_detail("order_date").is_exact  # type: ignore[union-attr]
    refusal["details"]["order_date"] = "2024-02-30"
    assert any("details.order_date: '2024-02-30' is not a real calendar date" in p for p in _problems(_with(refusal)))
    refusal["details"]["order_date"] = 20240215
    assert any("details.order_date" in p for p in _problems(_with(refusal)))


def test_a_records_request_carries_its_registration_date() -> None:
    request = {"id": "ev-req", "type": "records_requested", "date": "2025-03-03", "cases": ["case-a"],
               "institution": "i-hospital", "sources": [{"source": "s-05"}],
               "details": {"records": "копия медицинской карты", "registered_on": " 2025-03-05 "}}
    event = next(e for e in parse_case_file(_with(request)).events if e.id == "ev-req")
    assert event.details["registered_on"] == "2025-03-05"
    request["details"]["registered_on"] = "пятое марта"
    assert any("details.registered_on: 'пятое марта' is not a date" in p for p in _problems(_with(request)))


def test_the_patient_declining_needs_the_treatment() -> None:
    declined = {"id": "ev-dec", "type": "treatment_declined", "date": "2024-02-10", "cases": ["case-a"],
                "sources": [{"source": "s-05"}], "details": {"informed_consent_form": "да"}}
    found = _problems(_with(declined))
    assert any("details.treatment: is required" in p for p in found), found
    assert any("details.informed_consent_form: must be true or false" in p for p in found), found


def test_every_new_word_reads_in_russian() -> None:
    label = labeller(load_translations()["ru"].gettext)
    words = ["appeal", "crime_report", "ombudsman_complaint", "court_claim", "gosuslugi", "written_order",
             "kind", "respondent", "order_reference", "order_date", "registered_on", "informed_consent_form"]
    for word in words:
        shown = label(word)
        assert shown != word and any("а" <= ch <= "я" for ch in shown.lower()), (word, shown)
    assert event_type_label("treatment_declined", "ru") == "Отказ пациента от вмешательства"

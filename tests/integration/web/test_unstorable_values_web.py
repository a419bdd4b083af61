"""The API and the event form answer values storage cannot hold with 422 and the located problem, never a 500."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient
from web_helpers import Staff, as_user

from dutycare.domain.limits import NUL_FAULT, SURROGATE_FAULT

FIT = {"type": "fitness_decision", "date": "2024-02", "cases": ["case-b"], "institution": "i-commission",
       "sources": [{"source": "s-02"}], "details": {"category": "А"}}
EXTENDED = {"type": "complaint_extended", "date": "2024-05", "cases": ["case-b"], "institution": "i-prosecutor-general",
            "sources": [{"source": "s-02"}], "details": {"complaint": "ev-joint-appeal",
                                                                        "extended_by_days": 2**60}}


def _post(client: TestClient, staff: Staff, body: dict[str, Any]) -> Any:
    # json.dumps escapes a lone surrogate as \ud800, as any client sending one would.
    return client.post("/api/v1/events", headers={**staff.bearer, "Content-Type": "application/json"},
                       content=json.dumps(body).encode("ascii"))


def test_the_api_refuses_what_storage_cannot_hold_with_the_field(client: TestClient, staff: dict[str, Staff]) -> None:
    writer = staff["caseworker"]
    before = client.get("/api/v1/cases/case-b", headers=writer.bearer).json()["events"]
    for body, field, message in [
        ({**FIT, "summary": "Комиссия \ud800"}, "summary", SURROGATE_FAULT),
        ({**FIT, "details": {"category": "А", "basis": "a\x00b"}}, "details.basis", NUL_FAULT),
        ({**FIT, "sources": [{"source": "s-02", "locator": "\udc80"}]}, "sources[0].locator",
         SURROGATE_FAULT),
        (EXTENDED, "details.extended_by_days", "is too large; at most 9007199254740991 (2**53 - 1)"),
        ({**FIT, "cases": ["case-b", "case-\ud800"]}, "cases", SURROGATE_FAULT),
    ]:
        answer = _post(client, writer, body)
        assert answer.status_code == 422, answer.text
        assert [(p["field"], p["message"]) for p in answer.json()["problems"]] == [(field, message)]
    assert client.get("/api/v1/cases/case-b", headers=writer.bearer).json()["events"] == before


def test_the_event_form_shows_a_number_too_large_next_to_its_field(client: TestClient,
                                                                  staff: dict[str, Staff]) -> None:
    as_user(client, staff["caseworker"])
    data = {"csrf_token": staff["caseworker"].csrf, "type": "complaint_extended", "date": "2024-05",
            "cases": "case-b", "institution": "i-prosecutor-general", "sources": "s-02",
            "details.complaint": "ev-joint-appeal", "details.extended_by_days": str(2**60)}
    bad = client.post("/cases/case-b/events", data=data)
    assert bad.status_code == 422
    field = re.search(r'data-field="details.extended_by_days">(.*?)</label>', bad.text, re.S)
    assert field is not None and "field-error" in field.group(1) and "9007199254740991" in field.group(1)
    ok = client.post("/cases/case-b/events", data={**data, "details.extended_by_days": "30"})
    assert ok.status_code == 303

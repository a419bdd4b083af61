"""Deadlines and findings as of a chosen day, due within a week, and as a calendar: pages, API, audit, visibility."""

from __future__ import annotations

from fastapi.testclient import TestClient
from icalendar import Calendar
from web_helpers import Staff, as_user

LETTER = {"id": "ev-letter", "type": "complaint", "date": "2024-04-01", "cases": ["case-a"],
          "sources": [{"source": "s-05"}],
          "details": {"addressees": ["i-prosecutor-general"], "applicants": ["p-01"], "channel": "letter",
                      "subject": "Письменная копия обращения", "kind": "appeal"}}
REGISTERED = {"id": "ev-letter-registered", "type": "complaint_registered", "date": "2024-04-02",
              "cases": ["case-a"], "institution": "i-prosecutor-general", "sources": [{"source": "s-05"}],
              "details": {"complaint": "ev-letter", "registration_number": "12/2024"}}


def _record_letter(client: TestClient, who: Staff) -> None:
    for event in (LETTER, REGISTERED):
        assert client.post("/api/v1/events", headers=who.bearer, json=event).status_code in (200, 201)


def test_api_deadlines_as_of_a_day_and_within_a_week(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["lawyer"].bearer
    _record_letter(client, staff["lawyer"])
    early = client.get("/api/v1/deadlines?as_of=2024-04-03", headers=h).json()
    assert {(d["kind"], d["status"]) for d in early} == {("registration", "met"), ("response", "pending")}
    answer = next(d for d in early if d["kind"] == "response")
    assert answer["due"] == "2024-05-02" and answer["rule"] == "ru.prosecutor.answer"  # 02.04 + 30; 01.05 a holiday
    late = client.get("/api/v1/deadlines?as_of=2024-05-03", headers=h).json()
    assert next(d for d in late if d["kind"] == "response")["status"] == "overdue"
    before = client.get("/api/v1/deadlines?as_of=2024-03-31", headers=h).json()
    assert before == []  # the letter was not sent yet
    soon = client.get("/api/v1/deadlines?as_of=2024-04-27&within_days=7", headers=h).json()
    assert [d["kind"] for d in soon] == ["response"]
    assert client.get("/api/v1/deadlines?as_of=2024-04-20&within_days=7", headers=h).json() == []
    bad = client.get("/api/v1/deadlines?as_of=next-week", headers=h)
    assert bad.status_code == 422 and "as_of" in bad.text


def test_api_case_findings_as_of_a_day(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["lawyer"].bearer
    _record_letter(client, staff["lawyer"])

    def r6_at_gp(query: str) -> list[dict[str, object]]:
        case = client.get(f"/api/v1/cases/case-a{query}", headers=h).json()
        return [f for f in case["findings"] if f["rule_id"] == "R6" and "ev-letter" in f["event_ids"]]

    assert r6_at_gp("?as_of=2024-04-20") == []  # not due yet on that day
    [late] = r6_at_gp("?as_of=2024-06-01")
    assert late["certainty"] == "established" and "02.05.2024" in str(late["explanation_ru"])
    assert len(r6_at_gp("")) == 1  # today, as stored
    assert client.get("/api/v1/cases/case-a?as_of=2024-13-01", headers=h).status_code == 422


def test_calendar_files_hold_every_due_date_by_name_and_are_audited(client: TestClient,
                                                                    staff: dict[str, Staff]) -> None:
    lawyer = staff["lawyer"]
    _record_letter(client, lawyer)
    answer = client.get("/api/v1/deadlines.ics?as_of=2024-04-03", headers=lawyer.bearer)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    assert 'filename="dutycare-deadlines-all-2024-04-03.ics"' in answer.headers["content-disposition"]
    events = Calendar.from_ical(answer.content).walk("VEVENT")
    listed = client.get("/api/v1/deadlines?as_of=2024-04-03", headers=lawyer.bearer).json()
    assert len(events) == len(listed) == 2
    summaries = [str(e["summary"]) for e in events]
    assert all("Генеральная прокуратура Российской Федерации" in s for s in summaries)
    assert not any("i-prosecutor-general" in s for s in summaries)
    response = next(e for e in events if str(e["summary"]).startswith("Разрешение обращения"))
    assert response.decoded("dtstart").isoformat() == "2024-05-02"
    english = Calendar.from_ical(client.get("/api/v1/deadlines.ics?lang=en", headers=lawyer.bearer).content)
    assert any("Prosecutor" in str(e["description"]) or "prosecutor" in str(e["summary"])
               for e in english.walk("VEVENT"))
    as_user(client, lawyer)
    page_file = client.get("/cases/case-a/deadlines.ics")
    assert page_file.status_code == 200 and len(Calendar.from_ical(page_file.content).walk("VEVENT")) == 2
    assert client.get("/cases/case-b/deadlines.ics").status_code == 200  # a case without clocks: an empty file
    log = client.get("/api/v1/audit?action=export", headers=staff["coordinator"].bearer).json()
    targets = {(e["target_kind"], e["target_id"]) for e in log["entries"]}
    assert {("deadlines", "all"), ("deadlines", "case-a")} <= targets
    assert client.get("/api/v1/deadlines.ics", headers=staff["partner"].bearer).status_code == 403


def test_a_restricted_case_is_not_in_anyone_elses_calendar(client: TestClient, staff: dict[str, Staff]) -> None:
    coord, worker = staff["coordinator"], staff["caseworker"]
    _record_letter(client, staff["lawyer"])
    put = client.put("/api/v1/cases/case-a/access", headers=coord.bearer, json={"restricted": True, "user_ids": []})
    assert put.status_code == 200
    hidden = Calendar.from_ical(client.get("/api/v1/deadlines.ics", headers=worker.bearer).content)
    assert hidden.walk("VEVENT") == []
    assert client.get("/api/v1/deadlines.ics?case_id=case-a", headers=worker.bearer).status_code == 404
    shown = Calendar.from_ical(client.get("/api/v1/deadlines.ics", headers=coord.bearer).content)
    assert len(shown.walk("VEVENT")) == 2


def test_pages_take_a_day_show_the_coming_week_and_refuse_a_bad_day(client: TestClient,
                                                                   staff: dict[str, Staff]) -> None:
    _record_letter(client, staff["lawyer"])
    as_user(client, staff["caseworker"])
    page = client.get("/deadlines?as_of=2024-04-03")
    assert page.status_code == 200 and "3 апреля 2024" in page.text and "/deadlines.ics?as_of=2024-04-03" in page.text
    assert "Генеральная прокуратура Российской Федерации" in page.text
    soon = client.get("/deadlines?soon=7&as_of=2024-04-27")
    assert soon.status_code == 200 and "Сроки в ближайшие 7 дней" in soon.text and "2 мая 2024" in soon.text
    quiet = client.get("/deadlines?soon=7&as_of=2024-04-10")
    assert "Ничего" in quiet.text or "empty" in quiet.text
    bad = client.get("/deadlines?as_of=вчера")
    assert bad.status_code == 422 and "На дату" in bad.text and "вчера" in bad.text
    case = client.get("/cases/case-a?as_of=2024-06-01")
    assert case.status_code == 200 and "по состоянию на 1 июня 2024" in case.text
    assert "/cases/case-a/deadlines.ics?as_of=2024-06-01" in case.text
    bad_case = client.get("/cases/case-a?as_of=31.02.2024")
    assert bad_case.status_code == 422 and "На дату" in bad_case.text

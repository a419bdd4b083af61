"""Every REST endpoint on SQLite and PostgreSQL: answers, validation errors naming the field, audit, access."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_helpers import Staff, as_user

from dutycare.domain.events import EVENT_SPECS

FIT_AT_COMMISSION = {"type": "fitness_decision", "date": "2024-02", "cases": ["case-b"], "institution": "i-commission",
                     "sources": [{"source": "s-02"}], "details": {"category": "А"}}


def test_openapi_describes_the_api(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases" in doc["paths"] and "/api/v1/events" in doc["paths"]
    schemas = doc["components"]["schemas"]
    assert {"EventCreate", "EventPublic", "UserCreate", "UserPublic", "CaseDetailPublic"} <= set(schemas)
    assert not any(p.startswith("/cases") for p in doc["paths"])  # pages are not part of the API


def test_case_list_filters_and_search(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["lawyer"].bearer
    everything = client.get("/api/v1/cases", headers=h).json()
    assert everything["total"] == 3 and [c["id"] for c in everything["cases"]] == ["case-a", "case-b", "case-c"]
    assert everything["cases"][1]["pseudonym"] == "Александр" and "full_name" not in everything["cases"][1]
    assert client.get("/api/v1/cases?status=resolved", headers=h).json()["total"] == 0
    assert client.get("/api/v1/cases?region=Волгоградская область", headers=h).json()["total"] == 3
    assert client.get("/api/v1/cases?institution=i-commission", headers=h).json()["total"] >= 1
    dated = client.get("/api/v1/cases?date_from=2023-08-01&date_to=2023-08-31", headers=h).json()
    assert "case-b" in [c["id"] for c in dated["cases"]]
    found = client.get("/api/v1/cases", params={"q": "колено"}, headers=h).json()
    assert [c["id"] for c in found["cases"]] == ["case-b"]
    assert client.get("/api/v1/cases", params={"q": "Коленного СУСТАВА"}, headers=h).json()["total"] >= 1
    assert client.get("/api/v1/cases", params={"q": "симулянтом"}, headers=h).json()["total"] >= 1
    assert client.get("/api/v1/cases", params={"q": "Роман Пронин"}, headers=h).json()["total"] == 0  # not indexed
    bad = client.get("/api/v1/cases?date_from=2024-13-01", headers=h)
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "date_from"
    swapped = client.get("/api/v1/cases?date_from=2024-02-01&date_to=2024-01-01", headers=h)
    assert swapped.status_code == 422 and swapped.json()["problems"][0]["field"] == "date_to"


def test_case_detail_person_and_audit(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["caseworker"].bearer
    case = client.get("/api/v1/cases/case-b", headers=h).json()
    assert case["case"]["title"].startswith("Дело Б") and case["person"]["pseudonym"] == "Александр"
    assert "full_name" not in case["person"]
    assert {e["id"] for e in case["events"]} >= {"ev-b-injury", "ev-b-recommended", "ev-joint-appeal"}
    assert all(s["reliability"] for s in case["sources"])
    assert case["due_dates"] == []  # the joint appeal is a recorded video message: no statutory clock runs
    assert client.get("/api/v1/cases/no-such", headers=h).status_code == 404
    person = client.get("/api/v1/cases/case-a/person", headers=h).json()
    assert person["id"] == "p-01" and "notes" in person
    assert client.get("/api/v1/cases/case-a/person", headers=staff["analyst"].bearer).status_code == 403
    log = client.get("/api/v1/audit", headers=staff["coordinator"].bearer).json()
    read = [e for e in log["entries"] if e["action"] == "read_identifying"]
    assert read and read[0]["target_id"] == "case-a" and read[0]["user_name"] == "caseworker-one"
    assert client.get("/api/v1/audit", headers=h).status_code == 403


def test_events_create_validate_update_withdraw(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["caseworker"].bearer
    bad = client.post("/api/v1/events", headers=h, json={**FIT_AT_COMMISSION, "details": {"category": "Q"}})
    assert bad.status_code == 422
    assert [p["field"] for p in bad.json()["problems"]] == ["details.category"]
    missing = client.post("/api/v1/events", headers=h, json={**FIT_AT_COMMISSION, "institution": None})
    assert missing.status_code == 422 and missing.json()["problems"][0]["field"] == "institution"
    shape = client.post("/api/v1/events", headers=h, json={**FIT_AT_COMMISSION, "cases": "case-b"})
    assert shape.status_code == 422 and "cases" in shape.json()["problems"][0]["field"]
    assert client.post("/api/v1/events", headers=h, content=b"{not json",
                       ).status_code == 422
    created = client.post("/api/v1/events", headers=h, json=FIT_AT_COMMISSION)
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["details"] == {"category": "А"} and event["id"].startswith("ev-")
    findings = client.get("/api/v1/cases/case-b", headers=h).json()["findings"]
    r1 = [f for f in findings if f["rule_id"] == "R1" and event["id"] in f["event_ids"]]
    assert r1 and r1[0]["explanation_ru"] and r1[0]["explanation_en"] and r1[0]["certainty"] in ("established",
                                                                                                 "possible")
    assert "case-b" in [c["id"] for c in client.get("/api/v1/cases?rule=R1", headers=h).json()["cases"]]
    assert client.get(f"/api/v1/events/{event['id']}", headers=h).json()["date"] == "2024-02"
    body = {k: v for k, v in FIT_AT_COMMISSION.items()} | {"date": "2024-02-20"}
    changed = client.put(f"/api/v1/events/{event['id']}", headers=h, json=body)
    assert changed.status_code == 200 and changed.json()["date"] == "2024-02-20"
    no_reason = client.delete(f"/api/v1/events/{event['id']}", headers=h)
    assert no_reason.status_code == 422 and no_reason.json()["problems"][0]["field"] == "reason"
    gone = client.delete(f"/api/v1/events/{event['id']}", params={"reason": "entered twice"}, headers=h)
    assert gone.status_code == 200
    assert client.get(f"/api/v1/events/{event['id']}", headers=h).status_code == 404
    assert client.post("/api/v1/events", headers=staff["analyst"].bearer, json=FIT_AT_COMMISSION).status_code == 403
    types = client.get("/api/v1/event-types", headers=h).json()
    assert len(types) == len(EVENT_SPECS) and types[0]["label_ru"]


def test_restriction_and_partner_grants(client: TestClient, staff: dict[str, Staff]) -> None:
    coord, partner, worker = staff["coordinator"], staff["partner"], staff["caseworker"]
    assert client.get("/api/v1/cases", headers=partner.bearer).json()["total"] == 0
    put = client.put("/api/v1/cases/case-c/access", headers=coord.bearer,
                     json={"restricted": True, "user_ids": [partner.user.id]})
    assert put.status_code == 200 and put.json() == {"restricted": True, "user_ids": [partner.user.id]}
    assert client.get("/api/v1/cases/case-c/access", headers=coord.bearer).json()["restricted"] is True
    assert [c["id"] for c in client.get("/api/v1/cases", headers=partner.bearer).json()["cases"]] == ["case-c"]
    assert client.get("/api/v1/cases/case-c", headers=worker.bearer).status_code == 404
    assert "case-c" not in [c["id"] for c in client.get("/api/v1/cases", headers=worker.bearer).json()["cases"]]
    assert client.get("/api/v1/cases/case-c", headers=coord.bearer).status_code == 200
    unknown = client.put("/api/v1/cases/case-c/access", headers=coord.bearer, json={"restricted": True,
                                                                                   "user_ids": ["nobody"]})
    assert unknown.status_code == 422 and unknown.json()["problems"][0]["field"] == "users"


def test_records_deadlines_ledger_export(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["lawyer"].bearer
    assert {i["id"] for i in client.get("/api/v1/institutions", headers=h).json()} >= {"i-hospital", "i-commission"}
    assert client.get("/api/v1/deadlines", headers=h).json() == []  # the joint appeal is a video message
    letter = {"id": "ev-letter", "type": "complaint", "date": "2024-04-01", "cases": ["case-a"],
              "sources": [{"source": "s-05"}], "details": {"addressees": ["i-prosecutor-general"],
                                                          "applicants": ["p-01"], "channel": "letter",
                                                          "subject": "Проверка отказа", "kind": "appeal"}}
    assert client.post("/api/v1/events", headers=h, json=letter).status_code in (200, 201)
    due = client.get("/api/v1/deadlines", headers=h).json()
    assert due and all(d["legal_basis"] for d in due)
    assert client.get("/api/v1/deadlines", headers=staff["partner"].bearer).status_code == 403
    ledger = client.get("/api/v1/ledger", headers=h).json()
    assert ledger["size"] >= 43
    verified = client.post("/api/v1/ledger/verify", headers=h).json()
    assert verified["records_checked"] > 0
    exported = client.get("/api/v1/export", headers=h).json()
    assert exported["format"] == "dutycare-case-file" and len(exported["cases"]) == 3
    assert client.get("/api/v1/export", headers=staff["caseworker"].bearer).status_code == 403
    log = client.get("/api/v1/audit?action=export", headers=staff["coordinator"].bearer).json()
    assert log["total"] == 1 and log["entries"][0]["user_name"] == "lawyer-one"


def test_users_and_tokens(client: TestClient, staff: dict[str, Staff]) -> None:
    c = staff["coordinator"].bearer
    me = client.get("/api/v1/me", headers=staff["analyst"].bearer).json()
    assert me["role"] == "analyst" and "password" not in str(me)
    made = client.post("/api/v1/users", headers=c, json={"name": "boris", "role": "lawyer"})
    assert made.status_code == 201 and len(made.json()["generated_password"]) >= 12
    user_id = made.json()["user"]["id"]
    dup = client.post("/api/v1/users", headers=c, json={"name": "boris", "role": "lawyer"})
    assert dup.status_code == 422 and dup.json()["problems"][0]["field"] == "name"
    bad_role = client.post("/api/v1/users", headers=c, json={"name": "vera", "role": "admin"})
    assert bad_role.status_code == 422 and bad_role.json()["problems"][0]["field"] == "role"
    extra = client.post("/api/v1/users", headers=c, json={"name": "vera", "role": "lawyer", "is_admin": True})
    assert extra.status_code == 422 and extra.json()["problems"][0]["field"] == "is_admin"
    assert client.patch(f"/api/v1/users/{user_id}", headers=c, json={"role": "analyst"}).json()["role"] == "analyst"
    token = client.post(f"/api/v1/users/{user_id}/tokens", headers=c, json={"label": "script"}).json()
    secret = token.pop("secret")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()["name"] == "boris"
    assert token["id"] in {t["id"] for t in client.get("/api/v1/tokens", headers=c).json()}
    assert client.delete(f"/api/v1/tokens/{token['id']}", headers=c).json()["revoked_at"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    own = client.post("/api/v1/me/tokens", headers=staff["analyst"].bearer, json={"label": "mine"}).json()
    assert own["secret"].startswith("dct_")
    assert [t["label"] for t in client.get("/api/v1/me/tokens", headers=staff["analyst"].bearer).json()] == [
        "mine", "tests"]
    assert client.delete(f"/api/v1/me/tokens/{token['id']}", headers=staff["analyst"].bearer).status_code == 404
    assert client.delete(f"/api/v1/me/tokens/{own['id']}", headers=staff["analyst"].bearer).status_code == 200
    assert client.patch(f"/api/v1/users/{user_id}", headers=c, json={"active": False}).json()["active"] is False
    assert client.get("/api/v1/users", headers=c).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_a_search_counted_only_so_far_says_so_on_the_page_and_in_the_api(
        client: TestClient, staff: dict[str, Staff], monkeypatch: pytest.MonkeyPatch) -> None:
    from dutycare.adapters.storage import access_store
    from dutycare.service_layer import case_views

    whole = client.get("/api/v1/cases", params={"q": "лечение"}, headers=staff["lawyer"].bearer).json()
    assert whole["total"] >= 2 and whole["total_exact"] is True
    monkeypatch.setattr(access_store, "SEARCH_COUNT_LIMIT", 1)
    monkeypatch.setattr(case_views, "SEARCH_COUNT_LIMIT", 1)
    capped = client.get("/api/v1/cases", params={"q": "лечение"}, headers=staff["lawyer"].bearer).json()
    assert capped["total"] == 2 and capped["total_exact"] is False and capped["cases"] == whole["cases"]
    as_user(client, staff["lawyer"])
    page = client.get("/cases", params={"q": "лечение"})
    assert page.status_code == 200 and "Найдено более 1 дел" in page.text and "Страница" not in page.text

"""Opening cases and writing people, sources and institutions through the API, on SQLite and PostgreSQL:
answers, validation naming the field, the ledger, search and findings in the same write, and hidden cases."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import Staff

from dutycare.service_layer import case_views

NEW_CASE = {"title": "Дело Д: перелом ключицы, отказ в госпитализации", "status": "open",
            "region": "Ростовская область", "opened": "2024-06",
            "new_person": {"pseudonym": "Тимофей", "service_status": "mobilised", "birth_year": 1990,
                           "full_name": "Тимофеев Тимофей Тимофеевич", "contacts": "+7 900 000-00-00"}}


def _hide_case_c(web: FastAPI, staff: dict[str, Staff]) -> None:
    boss = staff["coordinator"].user
    case_views.set_case_access(web.state.web.uow(boss), boss, "case-c", True, frozenset(), datetime.now(UTC))


def test_a_case_opened_with_a_new_person(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["caseworker"].bearer
    size = client.get("/api/v1/ledger", headers=h).json()["size"]
    answer = client.post("/api/v1/cases", headers=h, json=NEW_CASE)
    assert answer.status_code == 201, answer.text
    opened = answer.json()
    case_id, person_id = opened["case"]["id"], opened["person"]["id"]
    assert opened["case"]["person_id"] == person_id and opened["person"]["pseudonym"] == "Тимофей"
    assert "full_name" not in opened["person"] and opened["access"] == {"restricted": False, "user_ids": []}
    assert client.get("/api/v1/ledger", headers=h).json()["size"] == size + 2  # the person and the case
    page = client.get(f"/api/v1/cases/{case_id}", headers=h).json()
    assert page["case"]["title"] == NEW_CASE["title"] and page["case"]["opened"] == "2024-06"
    found = client.get("/api/v1/cases", params={"q": "ключицы"}, headers=h).json()
    assert [c["id"] for c in found["cases"]] == [case_id]
    shown = client.get(f"/api/v1/people/{person_id}", headers=staff["analyst"].bearer).json()
    assert shown["pseudonym"] == "Тимофей" and shown["birth_year"] == 1990 and "contacts" not in shown
    assert client.get(f"/api/v1/people/{person_id}/identifying",
                      headers=staff["analyst"].bearer).status_code == 403
    full = client.get(f"/api/v1/people/{person_id}/identifying", headers=h).json()
    assert full["full_name"] == "Тимофеев Тимофей Тимофеевич"
    log = client.get("/api/v1/audit", headers=staff["coordinator"].bearer).json()["entries"]
    assert any(e["action"] == "read_identifying" and e["target_id"] == person_id for e in log)
    verified = client.post("/api/v1/ledger/verify", headers=h).json()
    assert verified["ok"], verified["problems"]


def test_a_case_for_an_existing_person_and_a_restricted_one(client: TestClient, staff: dict[str, Staff]) -> None:
    worker, lawyer = staff["caseworker"], staff["lawyer"]
    answer = client.post("/api/v1/cases", headers=worker.bearer, json={"title": "Второе дело Максима",
                                                                        "person": "p-01"})
    assert answer.status_code == 201 and answer.json()["person"]["pseudonym"] == "Максим"
    secret = client.post("/api/v1/cases", headers=worker.bearer, json={
        "title": "Дело под защитой", "new_person": {"pseudonym": "Скрытый"}, "restricted": True})
    assert secret.status_code == 201
    opened = secret.json()
    assert opened["access"] == {"restricted": True, "user_ids": [worker.user.id]}  # the writer keeps sight of it
    case_id, person_id = opened["case"]["id"], opened["person"]["id"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=worker.bearer).status_code == 200
    assert client.get(f"/api/v1/cases/{case_id}", headers=lawyer.bearer).status_code == 404
    assert client.get(f"/api/v1/people/{person_id}", headers=lawyer.bearer).status_code == 404
    listed = client.get("/api/v1/cases", headers=lawyer.bearer).json()
    assert case_id not in [c["id"] for c in listed["cases"]]
    assert client.patch(f"/api/v1/cases/{case_id}", headers=lawyer.bearer,
                        json={"title": "чужое"}).status_code == 404


def test_case_input_is_refused_naming_the_field(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["caseworker"].bearer

    def fields(body: object) -> set[str]:
        answer = client.post("/api/v1/cases", headers=h, json=body)
        assert answer.status_code == 422, answer.text
        return {p["field"] for p in answer.json()["problems"]}

    before = client.get("/api/v1/cases", headers=h).json()["total"]
    assert "title" in fields({"new_person": {"pseudonym": "X"}})
    assert "status" in fields(NEW_CASE | {"status": "bogus"})
    assert "new_person.pseudonym" in fields({"title": "T", "new_person": {}})
    assert "new_person.age" in fields({"title": "T", "new_person": {"pseudonym": "X", "age": 400}})
    assert "colour" in fields(NEW_CASE | {"colour": "red"})
    assert "person" in fields({"title": "T", "person": "p-nobody"})  # the domain's check, as an import makes it
    assert "opened" in fields({"title": "T", "person": "p-01", "opened": "2024-13"})
    assert "users" in fields({"title": "T", "person": "p-01", "restricted": True, "user_ids": ["u-nobody"]})
    assert "id" in fields({"id": "case-a", "title": "T", "person": "p-01"})  # ids are never reused
    assert client.get("/api/v1/cases", headers=h).json()["total"] == before  # nothing was written


def test_correcting_a_case_and_a_person(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["lawyer"].bearer
    changed = client.patch("/api/v1/cases/case-b", headers=h, json={"status": "escalated", "region": None})
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "escalated" and changed.json()["region"] is None
    assert changed.json()["title"].startswith("Дело Б")  # what was not given stays
    assert client.patch("/api/v1/cases/case-b", headers=h, json={"status": "later"}).json()["problems"][0][
        "field"] == "status"
    assert client.patch("/api/v1/cases/case-b", headers=h, json={"title": None}).status_code == 422
    person = client.patch("/api/v1/people/p-02", headers=h, json={"pseudonym": "Саша", "contacts": "почта"})
    assert person.status_code == 200 and person.json()["pseudonym"] == "Саша"
    full = client.get("/api/v1/people/p-02/identifying", headers=h).json()
    assert full["contacts"] == "почта"
    assert client.get("/api/v1/cases", params={"q": "Саша"}, headers=h).json()["total"] == 1
    assert client.post("/api/v1/ledger/verify", headers=h).json()["ok"]


def test_sources(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    _hide_case_c(web, staff)
    h = staff["caseworker"].bearer
    added = client.post("/api/v1/sources", headers=h, json={
        "kind": "medical_document", "title": "Выписка из истории болезни", "reliability": "B", "date": "2024-06-02",
        "url": "https://example.org/scan"})
    assert added.status_code == 201, added.text
    source_id = added.json()["id"]
    assert client.get(f"/api/v1/sources/{source_id}", headers=h).json()["url"] == "https://example.org/scan"
    assert source_id in [s["id"] for s in client.get("/api/v1/sources", headers=h).json()]
    fixed = client.patch(f"/api/v1/sources/{source_id}", headers=h, json={"reliability": "A", "url": None})
    assert fixed.json()["reliability"] == "A" and fixed.json()["url"] is None
    bad = client.post("/api/v1/sources", headers=h, json={"kind": "rumour", "title": "x", "reliability": "Z"})
    assert bad.status_code == 422 and {"kind", "reliability"} <= {p["field"] for p in bad.json()["problems"]}
    bad_date = client.post("/api/v1/sources", headers=h, json={"kind": "other", "title": "x", "reliability": "F",
                                                               "date": "вчера"})
    assert bad_date.status_code == 422 and bad_date.json()["problems"][0]["field"] == "date"
    # s-04 is cited only on the hidden case: it does not exist for those who may not see that case.
    assert client.get("/api/v1/sources/s-04", headers=h).status_code == 404
    assert "s-04" not in [s["id"] for s in client.get("/api/v1/sources", headers=h).json()]
    assert client.patch("/api/v1/sources/s-04", headers=h, json={"title": "x"}).status_code == 404
    assert client.get("/api/v1/sources/s-04", headers=staff["coordinator"].bearer).status_code == 200


def test_people_of_a_hidden_case_do_not_exist(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    _hide_case_c(web, staff)
    h = staff["caseworker"].bearer
    assert client.get("/api/v1/people/p-03", headers=h).status_code == 404
    assert client.patch("/api/v1/people/p-03", headers=h, json={"pseudonym": "x"}).status_code == 404
    named = client.post("/api/v1/cases", headers=h, json={"title": "T", "person": "p-03"})
    assert named.status_code == 422 and named.json()["problems"][0]["field"] == "person"
    assert client.get("/api/v1/people/p-03", headers=staff["coordinator"].bearer).status_code == 200
    added = client.post("/api/v1/people", headers=h, json={"pseudonym": "Новый", "age": 30, "age_as_of": "2024"})
    assert added.status_code == 201 and added.json()["age"] == 30
    assert client.get(f"/api/v1/people/{added.json()['id']}", headers=h).status_code == 200
    # A partner sees only the cases named to them, so not a person no case names yet.
    assert client.get(f"/api/v1/people/{added.json()['id']}", headers=staff["partner"].bearer).status_code == 404


def test_institutions(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["caseworker"].bearer
    found = client.get("/api/v1/institutions/search", params={"q": "военн"}, headers=h).json()
    assert [i["id"] for i in found] == ["i-commission", "i-hospital"]  # by name, a word of it may match
    assert [i["id"] for i in client.get("/api/v1/institutions/search", params={"q": "ГЕНЕРАЛ"},
                                        headers=h).json()] == ["i-prosecutor-general"]
    added = client.post("/api/v1/institutions", headers=h, json={
        "name": "Госпиталь имени Бурденко", "type": "hospital", "region": "Москва", "parent": "i-hospital"})
    assert added.status_code == 201, added.text
    inst_id = added.json()["id"]
    assert [i["id"] for i in client.get("/api/v1/institutions/search", params={"q": "бурд"},
                                        headers=h).json()] == [inst_id]
    assert client.get(f"/api/v1/institutions/{inst_id}", headers=staff["partner"].bearer).json()["region"] == "Москва"
    fixed = client.patch(f"/api/v1/institutions/{inst_id}", headers=h, json={"parent": None, "region": "г. Москва"})
    assert fixed.json()["parent_id"] is None and fixed.json()["region"] == "г. Москва"
    assert client.patch(f"/api/v1/institutions/{inst_id}", headers=h,
                        json={"parent": inst_id}).json()["problems"][0]["field"] == "parent"
    bad = client.post("/api/v1/institutions", headers=h, json={"name": "X", "type": "hospital", "parent": "i-none"})
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "parent"
    assert client.post("/api/v1/institutions", headers=h, json={"name": "X"}).json()["problems"][0]["field"] == "type"
    assert client.get("/api/v1/institutions/i-none", headers=h).status_code == 404
    assert client.post("/api/v1/ledger/verify", headers=h).json()["ok"]


def test_findings_follow_a_case_opened_through_the_api(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["caseworker"].bearer
    opened = client.post("/api/v1/cases", headers=h, json=NEW_CASE).json()
    case_id = opened["case"]["id"]
    source = client.post("/api/v1/sources", headers=h, json={"kind": "interview", "title": "Рассказ",
                                                             "reliability": "C"}).json()["id"]
    cite = [{"source": source, "locator": "с. 2"}]
    for body in ({"type": "injury", "date": "2024-05-01", "details": {"injury": "перелом ключицы"}},
                 {"type": "medical_finding", "date": "2024-05-03", "institution": "i-hospital",
                  "details": {"finding": "перелом ключицы со смещением"}},
                 {"type": "treatment_recommended", "date": "2024-05-03", "institution": "i-hospital",
                  "details": {"treatment": "операция"}},
                 {"type": "fitness_decision", "date": "2024-05-20", "institution": "i-commission",
                  "details": {"category": "А"}}):
        answer = client.post("/api/v1/events", headers=h, json=body | {"cases": [case_id], "sources": cite})
        assert answer.status_code == 201, answer.text
    page = client.get(f"/api/v1/cases/{case_id}", headers=h).json()
    assert "R1" in {f["rule_id"] for f in page["findings"]}
    assert client.post("/api/v1/ledger/verify", headers=h).json()["ok"]


def test_withdrawing_what_was_added_by_mistake(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["caseworker"].bearer
    opened = client.post("/api/v1/cases", headers=h, json=NEW_CASE).json()
    case_id, person_id = opened["case"]["id"], opened["person"]["id"]
    source = client.post("/api/v1/sources", headers=h, json={"kind": "other", "title": "Ошибочный источник",
                                                             "reliability": "F"}).json()["id"]
    inst = client.post("/api/v1/institutions", headers=h, json={"name": "Лишний госпиталь",
                                                                "type": "hospital"}).json()["id"]
    event = client.post("/api/v1/events", headers=h, json={
        "type": "medical_finding", "date": "2024-05-03", "cases": [case_id], "institution": inst,
        "details": {"finding": "перелом"}, "sources": [{"source": source}]}).json()["id"]

    def refused(path: str, reason: str = "ошибка") -> set[str]:
        answer = client.delete(path, headers=h, params={"reason": reason})
        assert answer.status_code == 422, answer.text
        return {p["field"] for p in answer.json()["problems"]}

    assert client.delete(f"/api/v1/cases/{case_id}", headers=h).status_code == 422  # no reason
    assert refused(f"/api/v1/cases/{case_id}") == {"events"}
    assert refused(f"/api/v1/people/{person_id}") == {"cases"}
    assert refused(f"/api/v1/sources/{source}") == {"events"}
    assert refused(f"/api/v1/institutions/{inst}") == {"events"}
    assert client.delete(f"/api/v1/events/{event}", headers=h, params={"reason": "дубль"}).status_code == 200
    gone = client.delete(f"/api/v1/cases/{case_id}", headers=h, params={"reason": "открыто по ошибке"})
    assert gone.status_code == 200 and gone.json()["id"] == case_id
    assert client.get(f"/api/v1/cases/{case_id}", headers=h).status_code == 404
    assert case_id not in [c["id"] for c in client.get("/api/v1/cases", headers=h).json()["cases"]]
    assert client.get("/api/v1/cases", params={"q": "ключицы"}, headers=h).json()["total"] == 0
    assert client.delete(f"/api/v1/cases/{case_id}", headers=h, params={"reason": "x"}).status_code == 404
    assert client.delete(f"/api/v1/people/{person_id}", headers=h, params={"reason": "x"}).status_code == 200
    assert client.get(f"/api/v1/people/{person_id}", headers=h).status_code == 404
    again = client.post("/api/v1/cases", headers=h, json={"title": "T", "person": person_id})
    assert again.status_code == 422 and "withdrawn" in again.text
    assert client.delete(f"/api/v1/sources/{source}", headers=h, params={"reason": "x"}).status_code == 200
    assert source not in [s["id"] for s in client.get("/api/v1/sources", headers=h).json()]
    cite = client.post("/api/v1/events", headers=h, json={
        "type": "injury", "date": "2024-05-01", "cases": ["case-a"], "details": {"injury": "x"},
        "sources": [{"source": source}]})
    assert cite.status_code == 422 and cite.json()["problems"][0]["field"] == "sources"
    assert client.delete(f"/api/v1/institutions/{inst}", headers=h, params={"reason": "x"}).status_code == 200
    assert client.get("/api/v1/institutions/search", params={"q": "лишн"}, headers=h).json() == []
    exported = client.get("/api/v1/export", headers=staff["coordinator"].bearer).json()
    assert case_id not in {c["id"] for c in exported["cases"]}
    assert source not in {s["id"] for s in exported["sources"]}
    verified = client.post("/api/v1/ledger/verify", headers=h).json()
    assert verified["ok"], verified["problems"]

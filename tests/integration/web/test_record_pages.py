"""Opening a case and writing its person, sources and institutions through the pages, on SQLite and PostgreSQL:
problems next to the field, values kept, and the same checks as the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import Staff, as_user

from dutycare.service_layer import audit, case_views


def _field(html: str, name: str) -> str:
    """The label of one form field, with its input and any problem shown beside it."""
    found = re.search(rf'<label class="([^"]*)" data-field="{re.escape(name)}">(.*?)</label>', html, re.S)
    assert found, f"no field {name}"
    return found.group(1) + found.group(2)


def test_opening_a_case_from_the_list(client: TestClient, staff: dict[str, Staff]) -> None:
    worker = as_user(client, staff["caseworker"])
    listing = worker.get("/cases").text
    assert 'href="/cases/new"' in listing and "Новое дело" in listing
    form = worker.get("/cases/new")
    assert form.status_code == 200 and 'name="person.pseudonym"' in form.text and 'name="title"' in form.text
    csrf = staff["caseworker"].csrf
    refused = worker.post("/cases/new", data={"csrf_token": csrf, "title": "", "region": "Курская область",
                                              "person.pseudonym": "", "person.age": "двести",
                                              "person.full_name": "Иванов Иван"})
    assert refused.status_code == 422
    page = refused.text
    assert "invalid" in _field(page, "title") and "обязательно" in _field(page, "title").lower()
    assert "invalid" in _field(page, "person.pseudonym")
    assert "invalid" in _field(page, "person.age")
    assert 'value="Курская область"' in page and 'value="Иванов Иван"' in page  # nothing typed is lost
    done = worker.post("/cases/new", data={"csrf_token": csrf, "title": "Дело Ж: контузия", "status": "open",
                                           "region": "Курская область", "opened": "2024-07",
                                           "person.pseudonym": "Семён", "person.service_status": "contract",
                                           "person.birth_year": "1985", "person.full_name": "Семёнов Семён"})
    assert done.status_code == 303
    case_url = done.headers["location"]
    shown = worker.get(case_url).text
    assert "Дело Ж: контузия" in shown and "Семён" in shown and "Семёнов" not in shown
    assert "контрактник" in shown or "контракт" in shown


def test_correcting_a_case_and_its_person(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    worker = as_user(client, staff["lawyer"])
    csrf = staff["lawyer"].csrf
    form = worker.get("/cases/case-b/edit").text
    assert "Дело Б" in _field(form, "title")
    bad = worker.post("/cases/case-b/edit", data={"csrf_token": csrf, "title": "Дело Б", "status": "open",
                                                  "opened": "2024-13"})
    assert bad.status_code == 422 and "invalid" in _field(bad.text, "opened") and 'value="2024-13"' in bad.text
    ok = worker.post("/cases/case-b/edit", data={"csrf_token": csrf, "title": "Дело Б (уточнено)",
                                                 "status": "escalated", "region": "Волгоградская область"})
    assert ok.status_code == 303 and "Дело Б (уточнено)" in worker.get("/cases/case-b").text
    person = worker.get("/people/p-02/edit?case=case-b").text
    assert "Александр" in _field(person, "pseudonym")
    boss = staff["coordinator"].user
    entries, _ = audit.list_entries(web.state.web.uow(boss), 20, 0, audit.AuditAction.READ_IDENTIFYING.value)
    assert entries and entries[0].target_id == "p-02"  # the form showed identifying fields: audited
    saved = worker.post("/people/p-02/edit?case=case-b", data={"csrf_token": csrf, "pseudonym": "Саша",
                                                               "service_status": "mobilised"})
    assert saved.status_code == 303 and saved.headers["location"] == "/cases/case-b"
    assert "Саша" in worker.get("/cases/case-b").text


def test_a_source_and_an_institution_for_a_new_event(client: TestClient, staff: dict[str, Staff]) -> None:
    worker = as_user(client, staff["caseworker"])
    csrf = staff["caseworker"].csrf
    assert "Добавить источник" in worker.get("/cases/case-a").text
    bad = worker.post("/sources/new?case=case-a", data={"csrf_token": csrf, "title": "Справка", "kind": "",
                                                        "reliability": "B"})
    assert bad.status_code == 422 and "invalid" in _field(bad.text, "kind") and 'value="Справка"' in bad.text
    added = worker.post("/sources/new?case=case-a", data={"csrf_token": csrf, "title": "Справка ВВК",
                                                          "kind": "official_document", "reliability": "B",
                                                          "date": "2024-03"})
    assert added.status_code == 303 and added.headers["location"].startswith("/cases/case-a/events/new?source=")
    source_id = added.headers["location"].split("source=")[1]
    chosen = worker.get(f"/cases/case-a/events/new?type=injury&source={source_id}").text
    assert re.search(rf'value="{source_id}" checked', chosen) and "Справка ВВК" in chosen
    found = worker.get("/institutions", params={"q": "след", "case": "case-a"}).text
    listed = found.split('<ul class="institution-list">')[1].split("</ul>")[0]
    assert "Следственный комитет" in listed and "Военный госпиталь" not in listed
    assert '<datalist id="institution-names">' in found  # suggestions as you type, the search without script
    made = worker.post("/institutions?case=case-a", data={"csrf_token": csrf, "name": "Госпиталь им. Бурденко",
                                                          "type": "hospital", "region": "Москва"})
    assert made.status_code == 303 and "institution=" in made.headers["location"]
    inst_id = made.headers["location"].split("institution=")[1]
    form = worker.get(f"/cases/case-a/events/new?type=medical_finding&institution={inst_id}").text
    assert re.search(rf'<option value="{inst_id}" selected>Госпиталь им. Бурденко', form)
    missing = worker.post("/institutions?case=case-a", data={"csrf_token": csrf, "name": "", "type": "hospital"})
    assert missing.status_code == 422 and "invalid" in _field(missing.text, "name")


def test_pages_of_a_hidden_case_and_its_records(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    boss = staff["coordinator"].user
    case_views.set_case_access(web.state.web.uow(boss), boss, "case-c", True, frozenset(), datetime.now(UTC))
    worker = as_user(client, staff["caseworker"])
    assert worker.get("/cases/case-c/edit").status_code == 404
    assert worker.get("/people/p-03/edit").status_code == 404
    assert worker.get("/sources/s-04/edit").status_code == 404
    assert worker.get("/sources/new?case=case-c").status_code == 404
    posted = worker.post("/cases/case-c/edit", data={"csrf_token": staff["caseworker"].csrf, "title": "x"})
    assert posted.status_code == 404
    assert as_user(client, staff["analyst"]).get("/cases/new").status_code == 403


def test_withdrawing_from_the_edit_pages(client: TestClient, staff: dict[str, Staff]) -> None:
    worker = as_user(client, staff["caseworker"])
    csrf = staff["caseworker"].csrf
    opened = worker.post("/cases/new", data={"csrf_token": csrf, "title": "Дело по ошибке", "person.pseudonym": "X"})
    case_url = opened.headers["location"]
    edit = worker.get(f"{case_url}/edit").text
    assert 'id="withdraw"' in edit
    no_reason = worker.post(f"{case_url}/withdraw", data={"csrf_token": csrf, "reason": ""})
    assert no_reason.status_code == 303 and "withdraw_error=" in no_reason.headers["location"]
    assert "укажите причину" in worker.get(no_reason.headers["location"].split("#")[0]).text
    done = worker.post(f"{case_url}/withdraw", data={"csrf_token": csrf, "reason": "открыто по ошибке"})
    assert done.status_code == 303 and done.headers["location"] == "/cases"
    assert worker.get(case_url).status_code == 404
    assert "Дело по ошибке" not in worker.get("/cases").text
    used = worker.post("/sources/s-01/withdraw?case=case-a", data={"csrf_token": csrf, "reason": "x"})
    assert used.status_code == 303 and "withdraw_error=" in used.headers["location"]
    assert "сначала исправьте или отзовите" in worker.get(used.headers["location"].split("#")[0]).text

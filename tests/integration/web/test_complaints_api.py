"""The complaints API and pages on SQLite and PostgreSQL: drafted, refused by field, finalised, downloaded, filed."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from web_helpers import Staff, as_user

NAMES = ("Максимов Максим Игоревич", "Александров Александр Петрович", "Константинов Константин Юрьевич")


def body(address_3: str = "") -> dict[str, Any]:
    return {"cases": ["case-a", "case-b", "case-c"],
            "applicants": [{"person": f"p-0{i + 1}", "full_name": n,
                            "address": address_3 if i == 2 else f"г. Волгоград, ул. Мира, {i + 1}"}
                           for i, n in enumerate(NAMES)],
            "representative": {"person": "p-04", "full_name": "Пронин Роман Сергеевич", "address": "а/я 12"},
            "addressees": [{"institution": "i-prosecutor-general", "template": "prosecutor"},
                           {"institution": "i-investigative-committee", "template": "investigative_committee"}],
            "requests": ["provide_treatment", "independent_expertise"], "substance": "Отказы в операциях.",
            "letter_date": "2026-12-01", "will_sign": True, "respondent": "i-hospital"}


def test_a_complaint_through_the_api(client: TestClient, staff: dict[str, Staff]) -> None:
    lawyer = staff["lawyer"].bearer
    made = client.post("/api/v1/complaints", json=body(), headers=lawyer)
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    assert [m["field"] for m in made.json()["missing"]] == ["applicants[2].address"]
    refused = client.post(f"/api/v1/complaints/{cid}/finalise", headers=lawyer)
    assert refused.status_code == 422 and refused.json()["problems"][0]["field"] == "applicants[2].address"

    assert client.put(f"/api/v1/complaints/{cid}", json=body("ул. Ленина, 3"), headers=lawyer).status_code == 200
    final = client.post(f"/api/v1/complaints/{cid}/finalise", headers=lawyer)
    assert final.status_code == 200 and final.json()["status"] == "final" and len(final.json()["letters"]) == 2
    pdf = client.get(f"/api/v1/complaints/{cid}/letters/i-prosecutor-general", headers=lawyer)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(f"/api/v1/complaints/{cid}/letters/i-prosecutor-general?format=docx", headers=lawyer)
    assert docx.status_code == 200 and docx.content[:2] == b"PK"

    early = client.post(f"/api/v1/complaints/{cid}/steps", headers=lawyer,
                        json={"step": "registered", "date": "2026-12-03", "institution": "i-prosecutor-general"})
    assert early.status_code == 422 and early.json()["problems"][0]["field"] == "step"
    sent = client.post(f"/api/v1/complaints/{cid}/steps", headers=lawyer,
                       json={"step": "sent", "date": "2026-12-02", "channel": "letter"})
    assert sent.status_code == 201, sent.text
    before = client.post(f"/api/v1/complaints/{cid}/steps", headers=lawyer,
                         json={"step": "registered", "date": "2026-12-01", "institution": "i-prosecutor-general"})
    assert before.status_code == 422 and before.json()["problems"][0]["field"] == "date"
    unknown = client.post(f"/api/v1/complaints/{cid}/steps", headers=lawyer,
                          json={"step": "forwarded", "date": "2026-12-05", "institution": "i-prosecutor-general",
                                "forwarded_to": "i-atlantis"})
    assert unknown.status_code == 422 and unknown.json()["problems"][0]["field"] == "forwarded_to"
    registered = client.post(f"/api/v1/complaints/{cid}/steps", headers=lawyer,
                             json={"step": "registered", "date": "2026-12-03", "institution": "i-prosecutor-general"})
    due = {(d["kind"], d["addressee"]): d["due"] for d in registered.json()["due_dates"]}
    assert due[("response", "i-prosecutor-general")] == "2027-01-11"
    forwarded = client.post(f"/api/v1/complaints/{cid}/steps", headers=lawyer,
                            json={"step": "forwarded", "date": "2026-12-05", "institution": "i-prosecutor-general",
                                  "forwarded_to": "i-hospital"})
    assert {f["rule_id"] for f in forwarded.json()["findings"]} == {"R7"}


def test_roles_see_and_write_only_what_the_table_allows(client: TestClient, staff: dict[str, Staff]) -> None:
    made = client.post("/api/v1/complaints", json=body(), headers=staff["coordinator"].bearer)
    cid = made.json()["id"]
    assert client.post("/api/v1/complaints", json=body(), headers=staff["caseworker"].bearer).status_code == 403
    assert client.get(f"/api/v1/complaints/{cid}", headers=staff["analyst"].bearer).status_code == 403
    assert client.get(f"/api/v1/complaints/{cid}", headers=staff["partner"].bearer).status_code == 403
    assert client.get(f"/api/v1/complaints/{cid}", headers=staff["lawyer"].bearer).status_code == 200


def test_bad_bodies_are_refused_by_field(client: TestClient, staff: dict[str, Staff]) -> None:
    lawyer = staff["lawyer"].bearer
    for broken, field in (({"applicants": [{"person": "p-01", "full_name": "A\ud800"}]}, "full_name"),
                          ({"addressees": [{"institution": "i-x", "template": "moon"}]}, "addressees[0].template"),
                          ({"letter_date": "вчера"}, "letter_date")):
        answer = client.post("/api/v1/complaints", content=json.dumps({**body(), **broken}),
                             headers={**lawyer, "content-type": "application/json"})
        assert answer.status_code == 422, answer.text
        assert any(field in p["field"] for p in answer.json()["problems"]), answer.json()


def test_the_pages_draft_refuse_and_finalise(client: TestClient, staff: dict[str, Staff]) -> None:
    who = staff["lawyer"]
    as_user(client, who)
    form = client.get("/cases/case-a/complaints/new?cases=case-a&cases=case-b&cases=case-c")
    assert form.status_code == 200 and "Новая жалоба" in form.text and "Адрес для ответа" in form.text
    data: dict[str, Any] = {"csrf_token": who.csrf, "cases": ["case-a", "case-b", "case-c"],
                            "applicant_person": ["p-01", "p-02", "p-03"], "applicant_full_name": list(NAMES),
                            "applicant_address": ["ул. Мира, 1", "ул. Мира, 2", ""],
                            "to": ["i-prosecutor-general"], "template_i-prosecutor-general": "prosecutor",
                            "letter_date": "2026-12-01", "will_sign": "yes", "substance": "Отказы в операциях."}
    made = client.post("/cases/case-a/complaints", data=data)
    assert made.status_code == 303, made.text
    page_url = made.headers["location"]
    refused = client.post(f"{page_url}/finalise", data={"csrf_token": who.csrf})
    assert refused.status_code == 422 and "Заявители 3, адрес для ответа" in refused.text
    assert "give a postal" not in refused.text
    data["applicant_address"][2] = "ул. Ленина, 3"
    assert client.post(page_url, data=data).status_code == 303
    assert client.post(f"{page_url}/finalise", data={"csrf_token": who.csrf}).status_code == 303
    shown = client.get(page_url)
    assert "окончательное" in shown.text and "Записать отправку" in shown.text
    case = client.get("/cases/case-a")
    assert page_url in case.text and "Составить жалобу" in case.text


def test_a_complaint_naming_a_hidden_case_does_not_exist_for_the_user(client: TestClient,
                                                                      staff: dict[str, Staff]) -> None:
    made = client.post("/api/v1/complaints", json=body("ул. Ленина, 3"), headers=staff["coordinator"].bearer)
    cid = made.json()["id"]
    restricted = client.put("/api/v1/cases/case-c/access", json={"restricted": True, "user_ids": []},
                            headers=staff["coordinator"].bearer)
    assert restricted.status_code == 200, restricted.text
    lawyer = staff["lawyer"].bearer
    assert client.get(f"/api/v1/complaints/{cid}", headers=lawyer).status_code == 404
    assert client.get(f"/api/v1/complaints/{cid}/letters/i-prosecutor-general", headers=lawyer).status_code == 404
    assert client.post(f"/api/v1/complaints/{cid}/finalise", headers=lawyer).status_code == 404
    again = client.post("/api/v1/complaints", json=body("ул. Ленина, 3"), headers=lawyer)
    assert again.status_code == 422 and again.json()["problems"][0]["field"] == "cases"
    as_user(client, staff["lawyer"])
    assert cid not in client.get("/cases/case-a").text

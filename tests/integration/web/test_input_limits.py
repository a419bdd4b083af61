"""Input the web app and the API must refuse with a 4xx and a clear message, never a 500, on both back ends."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import PASSWORD, Staff, as_user

from dutycare.domain.limits import MAX_ID_LENGTH, MAX_OFFSET
from dutycare.entrypoints.web.deps import served_routes
from dutycare.service_layer import accounts, audit, case_views, services
from dutycare.service_layer.case_views import CaseQuery
from dutycare.service_layer.queries import CaseFilter

PAGED_API = ("/api/v1/cases", "/api/v1/audit")
FIT = {"type": "fitness_decision", "date": "2024-02", "cases": ["case-b"], "institution": "i-commission",
       "sources": [{"source": "s-02"}], "details": {"category": "А"}}


@pytest.mark.parametrize("path", PAGED_API)
def test_paging_beyond_what_a_database_holds_is_refused(client: TestClient, staff: dict[str, Staff],
                                                        path: str) -> None:
    h = staff["coordinator"].bearer
    for query in ("offset=9223372036854775808", f"offset={MAX_OFFSET + 1}", "limit=9223372036854775808",
                  "offset=-1", "limit=0"):
        answer = client.get(f"{path}?{query}", headers=h)
        assert answer.status_code == 422, (query, answer.text)
        assert answer.json()["problems"][0]["field"] in ("offset", "limit")
    assert client.get(f"{path}?offset={MAX_OFFSET}", headers=h).status_code == 200


def test_pages_refuse_a_page_number_beyond_the_bound(client: TestClient, staff: dict[str, Staff]) -> None:
    as_user(client, staff["coordinator"])
    for path in ("/cases", "/audit"):
        assert client.get(f"{path}?page=9223372036854775808").status_code == 422
        assert client.get(f"{path}?page=2").status_code == 200


def test_the_openapi_document_states_the_paging_bounds(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    for path in PAGED_API:
        params = {p["name"]: p["schema"] for p in doc["paths"][path]["get"]["parameters"]}
        assert params["offset"]["maximum"] == MAX_OFFSET and params["offset"]["minimum"] == 0
        assert params["limit"]["minimum"] == 1 and params["limit"]["maximum"] <= 500


def _post_raw(client: TestClient, staff: Staff, body: bytes) -> object:
    return client.post("/api/v1/events", headers={**staff.bearer, "Content-Type": "application/json"}, content=body)


@pytest.mark.parametrize(("body", "words"), [
    (b"[" * 60000 + b"]" * 60000, "nested"),
    (b'{"details": ' + b"{\"a\": " * 60000 + b"1" + b"}" * 60001, "nested"),
    (b'{"details": {"extended_by_days": ' + b"1" * 100000 + b"}}", "longer than 100 characters"),
])
def test_absurd_json_bodies_are_refused_with_the_reason(client: TestClient, staff: dict[str, Staff], body: bytes,
                                                        words: str) -> None:
    answer = _post_raw(client, staff["caseworker"], body)  # type: ignore[assignment]
    assert answer.status_code == 422, answer.text  # type: ignore[attr-defined]
    problems = answer.json()["problems"]  # type: ignore[attr-defined]
    assert words in problems[0]["message"] and problems[0]["location"] == "body"


def test_a_body_beyond_the_size_limit_is_refused(client: TestClient, staff: dict[str, Staff]) -> None:
    answer = _post_raw(client, staff["caseworker"], b'{"summary": "' + b"x" * (9 << 20) + b'"}')
    assert answer.status_code == 413  # type: ignore[attr-defined]
    as_user(client, staff["caseworker"])
    form = client.post("/cases/case-b/events",
                       data={"csrf_token": staff["caseworker"].csrf, "summary": "x" * (9 << 20)})
    assert form.status_code == 413


def test_every_405_names_the_methods_allowed(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    as_user(client, staff["coordinator"])
    checked = 0
    for info in served_routes(web.routes):
        if not info.methods or "{" in info.path:
            continue
        unused = sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - info.methods)
        if not unused:
            continue
        answer = client.request(unused[0], info.path, headers=staff["coordinator"].bearer)
        if answer.status_code != 405:
            continue  # another route serves that method at the same path
        allowed = {m.strip() for m in answer.headers["allow"].split(",")}
        assert info.methods <= allowed and unused[0] not in allowed, info.path
        checked += 1
    assert checked > 20
    assert client.delete("/api/v1/cases/case-b/person").headers["allow"] == "GET"


def test_loose_values_the_validator_refuses_are_refused_by_the_schema(client: TestClient,
                                                                     staff: dict[str, Staff]) -> None:
    h = staff["coordinator"].bearer
    assert client.get("/api/v1/cases?date_to=0", headers=h).status_code == 422
    assert client.get("/api/v1/cases?date_from=20240101", headers=h).status_code == 422
    assert client.put("/api/v1/cases/case-a/access", headers=h, json={"restricted": 0}).status_code == 422
    assert client.put("/api/v1/cases/case-a/access", headers=h, json={"restricted": "yes"}).status_code == 422
    assert client.get("/api/v1/cases/case-a/access", headers=h).json()["restricted"] is False
    assert client.patch(f"/api/v1/users/{staff['analyst'].user.id}", headers=h,
                        json={"active": 1}).status_code == 422
    assert client.post("/api/v1/events", headers=staff["caseworker"].bearer,
                       json={**FIT, "cases": ["x" * (MAX_ID_LENGTH + 1)]}).status_code == 422


def test_the_openapi_document_states_the_validator_limits(client: TestClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    access = schemas["CaseAccessUpdate"]
    assert access["additionalProperties"] is False and access["properties"]["restricted"]["type"] == "boolean"
    event = schemas["EventCreate"]["properties"]
    assert event["cases"]["items"]["maxLength"] == MAX_ID_LENGTH and event["cases"]["minItems"] == 1
    assert event["id"]["anyOf"][0]["maxLength"] == MAX_ID_LENGTH


@pytest.mark.parametrize("bad", ["a%00b", "a%ED%A0%80b", "%FF%FE", "x" * 5000])
def test_path_ids_that_cannot_exist_are_not_found(client: TestClient, staff: dict[str, Staff], bad: str) -> None:
    h = staff["coordinator"].bearer
    for path in (f"/api/v1/cases/{bad}", f"/api/v1/events/{bad}", f"/api/v1/cases/{bad}/person",
                 f"/api/v1/cases/{bad}/access"):
        assert client.get(path, headers=h).status_code == 404, path
    assert client.patch(f"/api/v1/users/{bad}", headers=h, json={"active": False}).status_code == 404
    assert client.delete(f"/api/v1/tokens/{bad}", headers=h).status_code == 404
    as_user(client, staff["coordinator"])
    assert client.get(f"/cases/{bad}").status_code == 404
    assert client.get(f"/events/{bad}/edit").status_code == 404


@pytest.mark.parametrize("value", ["%00", "a%00b", "%ED%A0%80", "%FF"])
def test_filters_that_cannot_match_are_answered_not_crashed(client: TestClient, staff: dict[str, Staff],
                                                            value: str) -> None:
    h = staff["coordinator"].bearer
    for name in ("q", "status", "region", "institution", "rule"):
        answer = client.get(f"/api/v1/cases?{name}={value}", headers=h)
        assert answer.status_code in (200, 422) and (answer.status_code == 422 or answer.json()["total"] == 0)
    assert client.get(f"/api/v1/audit?action={value}", headers=h).status_code in (200, 422)
    as_user(client, staff["coordinator"])
    assert client.get(f"/cases?region={value}&q={value}&rule={value}").status_code in (200, 422)
    assert client.get(f"/audit?action={value}").status_code in (200, 422)


def test_forms_with_broken_bytes_are_refused_not_crashed(client: TestClient, staff: dict[str, Staff]) -> None:
    who = staff["caseworker"]
    as_user(client, who)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    body = f"csrf_token={who.csrf}&type=treatment_refused&date=2024-02&cases=case-b&summary=%FF%FE%00".encode()
    answer = client.post("/cases/case-b/events", content=body, headers=headers)
    assert answer.status_code in (303, 422) and answer.status_code < 500
    raw = f"csrf_token={who.csrf}&summary=".encode() + b"\xff\xfe"
    assert client.post("/cases/case-b/events", content=raw, headers=headers).status_code < 500
    assert client.post("/account/tokens", content=f"csrf_token={who.csrf}&label=%00".encode(),
                       headers=headers).status_code < 500


def test_the_services_bound_paging_for_every_caller(web: FastAPI, staff: dict[str, Staff]) -> None:
    ctx = web.state.web
    coordinator = staff["coordinator"].user
    rows, total = case_views.list_cases(ctx.uow(coordinator), coordinator, CaseQuery(), 2**70, 2**70)
    assert rows == [] and total == 3
    entries, count = audit.list_entries(ctx.uow(coordinator), 2**70, 2**70)
    assert entries == [] and count >= 0
    assert services.list_cases(ctx.dutycare.uow(), CaseFilter(), 10, 2**70) == ([], 3)


def test_a_sign_in_name_storage_cannot_hold_is_a_failed_sign_in(web: FastAPI, staff: dict[str, Staff]) -> None:
    ctx = web.state.web
    for name in ("anna\x00", "\ud800"):
        with pytest.raises(accounts.LoginRefused):
            accounts.sign_in(ctx.uow(), name, PASSWORD, "test", ctx.now(), ctx.policy)

"""Evidence in the browser and the API, on SQLite and PostgreSQL: uploads streamed to the vault with their SHA-256
in the ledger, the audited download, the sandboxed preview, derived copies, and uploads that fail keeping nothing
(too large, empty, a client gone mid-body, a database failing after the vault write)."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import Staff, as_user

from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.service_layer import audit, case_views

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
SCAN = b"%PDF-1.4\n% a scan of the medical finding\n" + bytes(range(256)) * 40


def _vault_files(web: FastAPI) -> list[str]:
    root = web.state.web.dutycare.vault_dir()
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def _evidence_count(web: FastAPI, staff: dict[str, Staff], case_id: str = "case-b") -> int:
    boss = staff["coordinator"].user
    page = case_views.case_page(web.state.web.uow(boss), boss, case_id, datetime.now(UTC))
    return sum(len(files) for files in page.evidence.values())


def test_files_uploaded_through_the_api(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["caseworker"].bearer
    answer = client.post("/api/v1/events/ev-b-finding/evidence", headers=h,
                         data={"case": "case-b", "source": "s-03", "description": "скан заключения"},
                         files=[("file", ("заключение.pdf", SCAN, "application/pdf")),
                                ("file", ("снимок.png", PNG, "image/png"))])
    assert answer.status_code == 201, answer.text
    added = answer.json()
    assert [(f["original_name"], f["media_type"], f["size"]) for f in added] == [
        ("заключение.pdf", "application/pdf", len(SCAN)), ("снимок.png", "image/png", len(PNG))]
    assert added[0]["sha256"] == hashlib.sha256(SCAN).hexdigest() and added[0]["source_id"] == "s-03"
    assert added[0]["added_by"] == "web:caseworker-one"
    scan_id = added[0]["id"]
    assert client.get(f"/api/v1/evidence/{scan_id}", headers=staff["analyst"].bearer).json()["size"] == len(SCAN)
    content = client.get(f"/api/v1/evidence/{scan_id}/content", headers=h)
    assert content.status_code == 200 and content.content == SCAN
    assert content.headers["x-evidence-sha256"] == hashlib.sha256(SCAN).hexdigest()
    assert "attachment" in content.headers["content-disposition"]
    assert client.get(f"/api/v1/evidence/{scan_id}/content", headers=staff["analyst"].bearer).status_code == 403
    boss = staff["coordinator"].user
    taken, _ = audit.list_entries(web.state.web.uow(boss), 10, 0, audit.AuditAction.EVIDENCE_TAKEN_OUT.value)
    assert [(e.user_name, e.target_id) for e in taken][:1] == [("caseworker-one", scan_id)]
    ledger = client.get("/api/v1/ledger", headers=h).json()
    assert ledger["size"] > 0
    verified = client.post("/api/v1/ledger/verify", headers=h).json()
    assert verified["ok"] and verified["files_checked"] >= 2, verified["problems"]
    page = client.get("/api/v1/cases/case-b", headers=h).json()
    assert {e["id"] for e in page["evidence"]} >= {f["id"] for f in added}


def test_the_case_page_uploads_shows_and_hands_out_files(web: FastAPI, client: TestClient,
                                                         staff: dict[str, Staff]) -> None:
    worker = as_user(client, staff["caseworker"])
    csrf = staff["caseworker"].csrf
    page = worker.get("/cases/case-b").text
    assert 'enctype="multipart/form-data"' in page and "Приложить файлы" in page
    refused = worker.post("/events/ev-b-finding/evidence?case=case-b", data={"case": "case-b"},
                          files=[("file", ("scan.pdf", SCAN, "application/pdf"))])
    assert refused.status_code == 403  # no CSRF token
    sent = worker.post(f"/events/ev-b-finding/evidence?case=case-b&csrf_token={csrf}", data={"case": "case-b"},
                       files=[("file", ("scan.pdf", SCAN, "application/pdf"))])
    assert sent.status_code == 303 and "uploaded=" in sent.headers["location"]
    shown = worker.get(sent.headers["location"].split("#")[0]).text
    digest = hashlib.sha256(SCAN).hexdigest()
    assert 'id="upload-result"' in shown and digest in shown and "scan.pdf" in shown
    assert staff["caseworker"].user.display_name in shown  # who added it, by name
    evidence_id = sent.headers["location"].split("uploaded=")[1].split("#")[0]
    download = worker.get(f"/evidence/{evidence_id}/download")
    assert download.status_code == 200 and hashlib.sha256(download.content).hexdigest() == digest
    preview = worker.get(f"/evidence/{evidence_id}/preview")
    assert preview.headers["content-type"] == "application/pdf" and preview.headers[
        "content-disposition"].startswith("inline")
    assert preview.headers["content-security-policy"].startswith("sandbox")
    assert preview.headers["x-content-type-options"] == "nosniff"
    empty = worker.post(f"/events/ev-b-finding/evidence?case=case-b&csrf_token={csrf}", data={"case": "case-b"},
                        files=[("file", ("blank.pdf", b"", "application/pdf"))])
    assert empty.status_code == 303 and "upload_error=" in empty.headers["location"]
    told = worker.get(empty.headers["location"].split("#")[0]).text
    assert "blank.pdf: файл пуст" in told


def test_a_page_is_never_served_as_html(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["caseworker"].bearer
    html = b"<html><script>alert(document.cookie)</script></html>"
    added = client.post("/api/v1/events/ev-b-finding/evidence", headers=h,
                        files=[("file", ("page.html", html, "text/html"))]).json()
    as_user(client, staff["caseworker"])
    shown = client.get(f"/evidence/{added[0]['id']}/preview")
    assert shown.headers["content-type"] == "application/octet-stream"
    assert shown.headers["content-disposition"].startswith("attachment")
    assert shown.headers["content-security-policy"].startswith("sandbox")
    png = client.post("/api/v1/events/ev-b-finding/evidence", headers=h,
                      files=[("file", ("x.png", PNG, "image/png"))]).json()
    image = client.get(f"/evidence/{png[0]['id']}/preview")
    assert image.headers["content-type"] == "image/png" and image.content == PNG


def test_a_derived_copy_is_linked_to_its_original(client: TestClient, staff: dict[str, Staff]) -> None:
    h = staff["lawyer"].bearer
    original = client.post("/api/v1/events/ev-b-finding/evidence", headers=h,
                           files=[("file", ("scan.pdf", SCAN, "application/pdf"))]).json()[0]
    no_reason = client.post("/api/v1/events/ev-b-finding/evidence", headers=h, data={"derived_from": original["id"]},
                            files=[("file", ("redacted.pdf", b"%PDF-1.4 redacted", "application/pdf"))])
    assert no_reason.status_code == 422 and no_reason.json()["problems"][0]["field"] == "description"
    copy = client.post("/api/v1/events/ev-b-finding/evidence", headers=h,
                       data={"derived_from": original["id"], "description": "скрыты фамилия и номер части"},
                       files=[("file", ("redacted.pdf", b"%PDF-1.4 redacted", "application/pdf"))])
    assert copy.status_code == 201
    made = copy.json()[0]
    assert made["derived_from"] == original["id"] and made["id"] != original["id"]
    assert made["description"] == "скрыты фамилия и номер части"
    again = client.get(f"/api/v1/evidence/{original['id']}", headers=h).json()
    assert again["sha256"] == original["sha256"]  # the original stays as it was
    elsewhere = client.post("/api/v1/events/ev-a-injury/evidence", headers=h,
                            data={"derived_from": original["id"], "description": "x"},
                            files=[("file", ("r.pdf", b"%PDF", "application/pdf"))])
    assert elsewhere.status_code == 422 and elsewhere.json()["problems"][0]["field"] == "derived_from"


def test_refused_uploads_keep_nothing(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    web.state.web.dutycare.settings = web.state.web.dutycare.settings.with_(evidence_max_mb="1")
    h = staff["caseworker"].bearer
    before, count = _vault_files(web), _evidence_count(web, staff)
    big = client.post("/api/v1/events/ev-b-finding/evidence", headers=h,
                      files=[("file", ("small.pdf", SCAN, "application/pdf")),
                             ("file", ("big.bin", b"\0" * ((1 << 20) + 1), "application/octet-stream"))])
    assert big.status_code == 422 and "big.bin: larger than the limit of 1 MiB" in big.text
    empty = client.post("/api/v1/events/ev-b-finding/evidence", headers=h,
                        files=[("file", ("empty.pdf", b"", "application/pdf"))])
    assert empty.status_code == 422 and empty.json()["problems"][0]["field"] == "file"
    none = client.post("/api/v1/events/ev-b-finding/evidence", headers=h, data={"case": "case-b"})
    assert none.status_code == 422
    broken = client.post("/api/v1/events/ev-b-finding/evidence", headers=h | {"content-type": "text/plain"},
                         content=b"not a form")
    assert broken.status_code == 422
    wrong_case = client.post("/api/v1/events/ev-b-finding/evidence", headers=h, data={"case": "case-a"},
                             files=[("file", ("s.pdf", SCAN, "application/pdf"))])
    assert wrong_case.status_code == 422 and wrong_case.json()["problems"][0]["field"] == "case"
    assert _vault_files(web) == before and _evidence_count(web, staff) == count


def test_evidence_of_a_hidden_case_does_not_exist(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    boss = staff["coordinator"]
    added = client.post("/api/v1/events/ev-c-injury/evidence", headers=boss.bearer,
                        files=[("file", ("c.pdf", SCAN, "application/pdf"))]).json()[0]
    case_views.set_case_access(web.state.web.uow(boss.user), boss.user, "case-c", True, frozenset(),
                               datetime.now(UTC))
    lawyer = staff["lawyer"]
    assert client.get(f"/api/v1/evidence/{added['id']}", headers=lawyer.bearer).status_code == 404
    assert client.get(f"/api/v1/evidence/{added['id']}/content", headers=lawyer.bearer).status_code == 404
    upload = client.post("/api/v1/events/ev-c-injury/evidence", headers=lawyer.bearer,
                         files=[("file", ("x.pdf", SCAN, "application/pdf"))])
    assert upload.status_code == 404


def _asgi_upload(web: FastAPI, token: str, parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send an upload straight to the app, with the receive messages given (a client that goes away)."""
    sent: list[dict[str, Any]] = []
    messages = list(parts)

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "https",
             "path": "/api/v1/events/ev-b-finding/evidence", "raw_path": b"/api/v1/events/ev-b-finding/evidence",
             "query_string": b"", "root_path": "", "server": ("testserver", 443), "client": ("test", 1),
             "headers": [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode()),
                         (b"content-type", b"multipart/form-data; boundary=XyZ")]}
    asyncio.run(web(scope, receive, send))
    return sent


def test_a_client_gone_mid_upload_leaves_no_file_and_no_record(web: FastAPI, client: TestClient,
                                                               staff: dict[str, Staff]) -> None:
    before, count = _vault_files(web), _evidence_count(web, staff)
    head = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.pdf\"\r\n"
            b"Content-Type: application/pdf\r\n\r\n")
    _asgi_upload(web, staff["caseworker"].token, [
        {"type": "http.request", "body": head + SCAN[:4000], "more_body": True},
        {"type": "http.request", "body": SCAN[4000:8000], "more_body": True},
        {"type": "http.disconnect"},
    ])
    assert _vault_files(web) == before and _evidence_count(web, staff) == count
    # The same upload, complete, is kept: the test above stopped a write that would otherwise have succeeded.
    whole = _asgi_upload(web, staff["caseworker"].token, [
        {"type": "http.request", "body": head + SCAN + b"\r\n--XyZ--\r\n", "more_body": False}])
    assert whole[0]["status"] == 201 and _evidence_count(web, staff) == count + 1


def test_a_failure_after_the_vault_write_leaves_no_file(web: FastAPI, staff: dict[str, Staff],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    before, count = _vault_files(web), _evidence_count(web, staff)

    def failing_commit(self: StaffSqlUnitOfWork) -> None:
        raise RuntimeError("the database went away")

    with TestClient(web, base_url="https://testserver", raise_server_exceptions=False) as lenient:
        monkeypatch.setattr(StaffSqlUnitOfWork, "commit", failing_commit)
        answer = lenient.post("/api/v1/events/ev-b-finding/evidence", headers=staff["caseworker"].bearer,
                              files=[("file", ("scan.pdf", SCAN, "application/pdf"))])
        monkeypatch.undo()
    assert answer.status_code == 500 and "Traceback" not in answer.text
    assert _vault_files(web) == before and _evidence_count(web, staff) == count

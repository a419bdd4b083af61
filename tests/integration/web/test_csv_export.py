"""CSV export: what a user may see, and nothing else, as a file Excel and LibreOffice open, with no formula run."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import Staff, as_user

from dutycare.adapters.csv_export import BOM, neutralised, table_csv
from dutycare.service_layer import audit, case_views, services

HOSTILE = ["=HYPERLINK(\"http://evil.example/\",\"открыть\")", "+7 999 000-00-00", "-2+3", "@SUM(A1:A9)",
           "\tтабуляция", "\rвозврат"]


def _rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(BOM.encode("utf-8")), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _hostile_events() -> dict[str, object]:
    return {"format": "dutycare-case-file", "format_version": 1, "events": [
        {"id": f"ev-hostile-{i}", "type": "hospitalised", "date": "2024-03", "cases": ["case-a"],
         "sources": [{"source": "s-01"}], "summary": text} for i, text in enumerate(HOSTILE)]}


def test_a_cell_a_spreadsheet_would_run_is_neutralised() -> None:
    assert [neutralised(t)[:1] for t in HOSTILE] == ["'"] * len(HOSTILE)
    assert neutralised("март 2024") == "март 2024" and neutralised(None) == "" and neutralised(-1) == "'-1"
    body = table_csv(("a", "b"), [{"a": "=1+1", "b": "строка, с запятой\nи переносом"}])
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    assert _rows(body) == [{"a": "'=1+1", "b": "строка, с запятой\nи переносом"}]


def test_csv_downloads_hold_only_what_the_user_may_see(web: FastAPI, client: TestClient,
                                                       staff: dict[str, Staff]) -> None:
    ctx, boss = web.state.web, staff["coordinator"].user
    services.import_case_file(ctx.dutycare.uow(), _hostile_events())
    case_views.set_case_access(ctx.uow(boss), boss, "case-c", True, frozenset(), datetime.now(UTC))
    lawyer = staff["lawyer"]
    as_user(client, lawyer)
    seen: dict[str, list[dict[str, str]]] = {}
    for table, columns in case_views.EXPORT_COLUMNS.items():
        page = client.get(f"/export/{table}.csv")
        api = client.get(f"/api/v1/export/{table}.csv", headers=lawyer.bearer)
        assert page.status_code == api.status_code == 200, (table, page.text[:200])
        assert page.headers["content-type"] == "text/csv; charset=utf-8"
        assert page.headers["content-disposition"].startswith(f'attachment; filename="dutycare-{table}-')
        seen[table] = _rows(page.content)
        assert _rows(api.content) == seen[table]
        assert list(seen[table][0]) == list(columns)
        body = page.content.decode("utf-8-sig")
        assert "case-c" not in body and "ev-c-" not in body, f"{table}.csv shows the hidden case"
    assert {r["id"] for r in seen["cases"]} == {"case-a", "case-b"}
    assert {r["rule"] for r in seen["findings"]} >= {"R1", "R8"}
    assert seen["deadlines"] and all("case-c" not in r["cases"] for r in seen["deadlines"])
    summaries = {r["summary"] for r in seen["events"] if r["id"].startswith("ev-hostile-")}
    assert summaries == {"'" + t for t in HOSTILE}, "every formula-like cell starts with an apostrophe"
    entries, _ = audit.list_entries(ctx.uow(boss), 50, 0, audit.AuditAction.EXPORT.value)
    assert sum(e.user_name == lawyer.user.name for e in entries) == 2 * len(case_views.EXPORT_COLUMNS)


def test_csv_export_is_refused_to_roles_that_may_not_export(client: TestClient, staff: dict[str, Staff]) -> None:
    worker = staff["caseworker"]
    as_user(client, worker)
    assert client.get("/export/events.csv").status_code == 403
    assert client.get("/api/v1/export/events.csv", headers=worker.bearer).status_code == 403

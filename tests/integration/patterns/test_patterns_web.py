"""The patterns page, its chart, CSV and JSON, the publications pages and the API, over synth seed 7."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from patterns_helpers import PASSWORD, Synth

from dutycare.entrypoints.web.app import create_app
from dutycare.entrypoints.web.deps import SESSION_COOKIE
from dutycare.service_layer import accounts
from dutycare.service_layer.access import User

FLAGGED = "i-r05-hospital-2"


def _client(synth: Synth) -> TestClient:
    return TestClient(create_app(synth.app), base_url="https://testserver", follow_redirects=False)


def _sign_in(client: TestClient, synth: Synth, user: User) -> tuple[str, str]:
    web = client.app.state.web  # type: ignore[attr-defined]
    session, info = accounts.sign_in(web.uow(), user.name, PASSWORD, "test", datetime.now(UTC), web.policy)
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, session, domain="testserver.local")
    _, token = accounts.create_token(web.uow(), user.id, "tests", datetime.now(UTC), by=user)
    return info.csrf, token


def test_the_patterns_page_flags_the_harsh_hospital_with_its_interval_and_draws_a_safe_chart(synth: Synth) -> None:
    with _client(synth) as client:
        _sign_in(client, synth, synth.analyst)
        page = client.get("/patterns")
        assert page.status_code == 200
        assert "Закономерности" in page.text and "чаще остальных" in page.text
        row = page.text.split(f'data-key="{FLAGGED}"')[1].split("</tr>")[0]
        assert "Военный госпиталь" in row and "%" in row and "–" in row and "flag-higher" in row
        chart = client.get("/patterns/chart.svg")
        assert chart.headers["content-type"].startswith("image/svg+xml")
        svg = chart.text
        assert "<svg" in svg and "<script" not in svg and "href=\"http" not in svg and "xlink:href=\"http" not in svg
        csv = client.get("/patterns.csv?by=quarter")
        assert csv.text.splitlines()[0].startswith("key,label,region,cases,with,without,rate")
        data = client.get("/patterns.json").json()
        assert {r["key"] for r in data["rows"] if r["flag"] == "higher"} >= {FLAGGED}
        bad = client.get("/patterns?by=colour")
        assert bad.status_code == 422 and "grouping" in bad.text and "Traceback" not in bad.text


def test_build_approve_and_download_through_the_pages_and_the_api(synth: Synth) -> None:
    with _client(synth) as client:
        csrf, _ = _sign_in(client, synth, synth.analyst)
        built = client.post("/publications", data={"csrf_token": csrf, "title": "Госпитали", "lang": "ru"})
        assert built.status_code == 303
        pid = built.headers["location"].rsplit("/", 1)[1]
        _, partner_token = _sign_in(client, synth, synth.partner)
        assert client.get(f"/publications/{pid}").status_code == 404
        assert client.get("/api/v1/publications", headers={"Authorization": f"Bearer {partner_token}"}).json() == []
        csrf, coordinator_token = _sign_in(client, synth, synth.coordinator)
        preview = client.get(f"/publications/{pid}")
        assert preview.status_code == 200 and "Утвердить к публикации" in preview.text
        assert client.post(f"/publications/{pid}/approve", data={"csrf_token": csrf}).status_code == 303
        _sign_in(client, synth, synth.partner)
        pdf = client.get(f"/publications/{pid}/files/report.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        api = {"Authorization": f"Bearer {partner_token}"}
        listed = client.get("/api/v1/publications", headers=api).json()
        assert [p["id"] for p in listed] == [pid] and listed[0]["status"] == "approved"
        check = client.get(f"/api/v1/publications/{pid}/verify", headers=api).json()
        assert check["ok"] and check["files_checked"] == 4
        assert client.get("/api/v1/patterns", headers=api).status_code == 403
        table = client.get("/api/v1/patterns?by=facility",
                           headers={"Authorization": f"Bearer {coordinator_token}"}).json()
        assert any(r["key"] == FLAGGED and r["flag"] == "higher" for r in table["rows"])

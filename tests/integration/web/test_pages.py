"""The pages: sign-in with cookies, rate limit and second factor; forms, errors, languages and headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import PASSWORD, Staff, as_user

from dutycare.domain.events import EVENT_SPECS
from dutycare.service_layer import accounts


def _login_token(client: TestClient) -> str:
    page = client.get("/login")
    return re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def _sign_in(client: TestClient, name: str, password: str) -> object:
    return client.post("/login", data={"name": name, "password": password, "login_token": _login_token(client),
                                       "next": "/cases/case-b"})


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_sign_in_sets_a_secure_short_session_and_signs_out(client: TestClient, staff: dict[str, Staff]) -> None:
    assert client.get("/cases").headers["location"] == "/login?next=/cases"
    answer = _sign_in(client, "caseworker-one", PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/cases/case-b"  # type: ignore[attr-defined]
    cookie = answer.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "dc_session=" in cookie and "HttpOnly" in cookie and "Secure" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    page = client.get("/cases/case-b")
    assert page.status_code == 200 and "Александр" in page.text
    assert client.post("/logout", data={"csrf_token": _csrf(page.text)}).status_code == 303
    assert client.get("/cases").status_code == 303


def test_sign_in_is_rate_limited_without_telling_names_apart(client: TestClient, staff: dict[str, Staff]) -> None:
    assert _sign_in(client, "nobody", "wrong").status_code == 400  # type: ignore[attr-defined]
    for _ in range(5):
        assert _sign_in(client, "lawyer-one", "wrong").status_code == 400  # type: ignore[attr-defined]
    assert _sign_in(client, "lawyer-one", "wrong").status_code == 429  # type: ignore[attr-defined]
    assert _sign_in(client, "lawyer-one", PASSWORD).status_code == 429  # type: ignore[attr-defined]
    forged = client.post("/login", data={"name": "analyst-one", "password": PASSWORD, "login_token": "forged"})
    assert forged.status_code == 400


def test_second_factor(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    ctx = web.state.web
    secret = accounts.new_totp_secret()
    accounts.enable_second_factor(ctx.uow(), staff["analyst"].user.id, secret, pyotp.TOTP(secret).now(),
                                  datetime.now(UTC))
    answer = _sign_in(client, "analyst-one", PASSWORD)
    assert answer.headers["location"].startswith("/login/second-factor")  # type: ignore[attr-defined]
    assert client.get("/cases").status_code == 303  # not signed in until the code is given
    wrong = client.post("/login/second-factor", data={"code": "000000", "next": "/cases"})
    assert wrong.status_code == 400
    right = client.post("/login/second-factor", data={"code": pyotp.TOTP(secret).now(), "next": "/cases"})
    assert right.status_code == 303 and client.get("/cases").status_code == 200


def test_account_sets_up_second_factor(client: TestClient, staff: dict[str, Staff]) -> None:
    as_user(client, staff["lawyer"])
    csrf = staff["lawyer"].csrf
    begun = client.post("/account/second-factor", data={"csrf_token": csrf})
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', begun.text).group(1)  # type: ignore[union-attr]
    assert client.post("/account/second-factor/confirm", data={"csrf_token": csrf, "secret": secret,
                                                               "code": "123456"}).status_code == 422
    done = client.post("/account/second-factor/confirm", data={"csrf_token": csrf, "secret": secret,
                                                               "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "Второй фактор включён" in done.text


def test_event_form_shows_problems_next_to_fields_and_saves(client: TestClient, staff: dict[str, Staff]) -> None:
    as_user(client, staff["caseworker"])
    chooser = client.get("/cases/case-b/events/new")
    assert chooser.text.count("/cases/case-b/events/new?type=") == len(EVENT_SPECS)
    form = client.get("/cases/case-b/events/new?type=fitness_decision")
    assert 'name="details.category"' in form.text and 'name="details.causal_link"' in form.text
    data = {"csrf_token": staff["caseworker"].csrf, "type": "fitness_decision", "date": "2024-02",
            "cases": "case-b", "institution": "i-commission", "sources": "s-02",
            "details.category": "Q"}
    bad = client.post("/cases/case-b/events", data=data)
    assert bad.status_code == 422
    field = re.search(r'data-field="details.category">(.*?)</label>', bad.text, re.S).group(1)  # type: ignore
    assert "field-error" in field and "не категория годности" in field
    ok = client.post("/cases/case-b/events", data={**data, "details.category": "А"})
    assert ok.status_code == 303 and ok.headers["location"].startswith("/cases/case-b#event-ev-")
    event_id = ok.headers["location"].split("#event-")[1]
    edit = client.get(f"/events/{event_id}/edit?case=case-b")
    assert 'value="2024-02"' in edit.text
    fixed = client.post(f"/events/{event_id}/edit", data={**data, "details.category": "Б", "date": "2024-02-10",
                                                          "case_page": "case-b"})
    assert fixed.status_code == 303
    assert client.post(f"/events/{event_id}/withdraw", data={"csrf_token": staff["caseworker"].csrf,
                                                            "reason": "test"}).status_code == 303
    assert event_id not in client.get("/cases/case-b").text


@pytest.mark.parametrize("path", ["/cases", "/cases/case-b", "/deadlines", "/ledger", "/users", "/audit", "/account",
                                  "/cases/case-b/person", "/cases/case-b/events/new?type=complaint"])
def test_pages_render_in_both_languages(client: TestClient, staff: dict[str, Staff], path: str) -> None:
    as_user(client, staff["coordinator"])
    ru = client.get(path)
    assert ru.status_code == 200 and 'lang="ru"' in ru.text
    client.cookies.set("dc_lang", "en", domain="testserver.local")
    en = client.get(path)
    assert en.status_code == 200 and 'lang="en"' in en.text


def test_language_switch_and_security_headers(client: TestClient, staff: dict[str, Staff]) -> None:
    switched = client.post("/language", data={"lang": "en", "back": "/login"})
    assert switched.status_code == 303 and "dc_lang=en" in switched.headers["set-cookie"]
    page = client.get("/login")
    assert "Sign in" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"
    assert client.post("/language", data={"lang": "en", "back": "https://evil.example/"}).headers[
        "location"] == "/cases"


def test_errors_are_pages_not_stack_traces(client: TestClient, staff: dict[str, Staff]) -> None:
    as_user(client, staff["caseworker"])
    missing = client.get("/cases/no-such-case")
    assert missing.status_code == 404 and "Traceback" not in missing.text and "<h1>" in missing.text
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/cases?page=0").status_code == 422
    denied = client.get("/audit")
    assert denied.status_code == 403 and "Нет доступа" in denied.text

"""Every route, with every role and anonymously, allows or denies exactly as the role table in access.py says."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import Staff, as_user

from dutycare.entrypoints.web.deps import route_permission, served_routes
from dutycare.service_layer.access import ROLE_TABLE, Permission, Role

LAST = ("/logout",)  # ends the session it is called with


def _routes(web: FastAPI) -> list[tuple[str, str, Permission]]:
    found = []
    for info in served_routes(web.routes):
        permission = route_permission(info)
        assert permission is not None, f"{info.path} has no entry in the role table"
        for method in sorted(info.methods - {"HEAD"}) or ["GET"]:
            found.append((method, info.path, permission))
    return sorted(found, key=lambda r: (r[1] in LAST, r[1], r[0]))


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: values.get(m.group(1), "x"), path)


def _call(client: TestClient, method: str, path: str, who: Staff | None) -> int:
    api = path.startswith("/api/")
    headers = who.bearer if (who and api) else {}
    if who and not api:
        as_user(client, who)
    else:
        client.cookies.clear()
    kwargs: dict[str, object] = {"headers": headers}
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        if api:
            kwargs["json"] = {} if method != "DELETE" else None
        else:
            kwargs["data"] = {"csrf_token": who.csrf if who else ""}
    if path == "/static":
        path = "/static/app.css"
    return client.request(method, path, **kwargs).status_code  # type: ignore[arg-type]


def test_every_route_is_in_the_role_table(web: FastAPI) -> None:
    routes = _routes(web)
    assert len(routes) > 40
    assert {p for _, _, p in routes} <= set(ROLE_TABLE)


def test_every_route_with_every_role(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    values = {"case_id": "case-b", "event_id": "ev-b-injury", "user_id": staff["caseworker"].user.id,
              "token_id": "no-such-token", "path": "app.css", "person_id": "p-02", "source_id": "s-02",
              "institution_id": "i-hospital"}
    for method, template, permission in _routes(web):
        path = _fill(template, values)
        for role in Role:
            status = _call(client, method, path, staff[role.value])
            allowed = role in ROLE_TABLE[permission]
            where = f"{method} {template} as {role.value}: {status}"
            if allowed:
                assert status not in (401, 403), where
                assert status < 500, where
            else:
                assert status == 403, where
        status = _call(client, method, path, None)
        if permission is Permission.PUBLIC:
            assert status not in (401, 403) and status < 500, f"{method} {template} anonymous: {status}"
        elif template.startswith("/api/"):
            assert status == 401, f"{method} {template} anonymous: {status}"
        else:
            assert status == 303, f"{method} {template} anonymous: {status}"


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_pages_refuse_a_missing_csrf_token(client: TestClient, staff: dict[str, Staff], role: str) -> None:
    as_user(client, staff[role])
    assert client.post("/account/tokens", data={"label": "x"}).status_code == 403
    ok = client.post("/account/tokens", data={"label": "x", "csrf_token": staff[role].csrf})
    assert ok.status_code == 200

"""A hidden case does not exist for those who may not see it: the leak generator and the write past a restriction.

Every GET route of the pages and the API is called by every role, with every case and a visible, a shared and a
hidden event filled into its path, in a scenario where the hidden case shares the joint appeal, the hospital
head's statement, and the hospital with the visible ones. No response may carry an id, title, date or text that
belongs only to a case the caller may not see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import Staff, as_user

from dutycare.domain.dates import PartialDate, Precision
from dutycare.entrypoints.web.deps import served_routes
from dutycare.rules.wording import MONTHS_EN, MONTHS_RU, MONTHS_RU_GEN, MONTHS_RU_PREP
from dutycare.scenario import load_scenario
from dutycare.service_layer import audit, case_views, services
from dutycare.service_layer.access import Role

HIDDEN = "case-c"
LONE = {"people": [{"id": "p-d", "pseudonym": "Зиновий", "role": "affected", "service_status": "mobilised"}],
        "cases": [{"id": "case-d", "person": "p-d", "title": "Дело Г: отказ в реабилитации",
                   "status": "open", "region": "Курская область", "opened": "2024-05"}],
        "events": [{"id": "ev-d-records", "type": "records_requested", "date": "2024-06-03", "cases": ["case-d"],
                    "institution": "i-hospital", "sources": [{"source": "s-05"}],
                    "details": {"records": "копия медицинской карты", "registered_on": "2024-06-04"}}]}
"""A hidden case alone in its region, so that the region's name belongs to it only, with a records request whose
clock shows on the deadlines (the joint appeal, a video message, runs none)."""
SKIPPED = ("/logout", "/static", "/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect")


def _date_forms(text: str) -> set[str]:
    when = PartialDate.parse(text)
    day = when.earliest
    if when.precision is Precision.DAY:
        return {day.isoformat(), f"{day.day:02d}.{day.month:02d}.{day.year}", f"{day.day} {MONTHS_EN[day.month - 1]}"}
    if when.precision is Precision.MONTH:
        m = day.month - 1
        return {f"{day.year}-{day.month:02d}", f"{MONTHS_RU[m]} {day.year}", f"{MONTHS_RU_PREP[m]} {day.year}",
                f"{MONTHS_RU_GEN[m]} {day.year}", f"{MONTHS_EN[m]} {day.year}"}
    return set()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def secrets_of(document: dict[str, Any], hidden: set[str]) -> set[str]:
    """Every id, title, date and text that belongs only to the hidden cases of a scenario document."""
    cases = [c for c in document["cases"] if c["id"] in hidden]
    visible_events = [e for e in document["events"] if not set(e["cases"]) <= hidden]
    own = [e for e in document["events"] if set(e["cases"]) <= hidden]
    referenced = set(_strings([e.get("details", {}) for e in visible_events]))
    referenced |= {c["person"] for c in document["cases"] if c["id"] not in hidden}
    found = {c["id"] for c in cases} | {c["title"] for c in cases} | {c.get("summary", "")[:40] for c in cases}
    found |= {c["region"] for c in cases} - {c["region"] for c in document["cases"] if c["id"] not in hidden}
    for e in own:
        found.add(e["id"])
        found |= {s[:40] for s in _strings([e.get("summary"), e.get("details", {})]) if len(s) >= 12 and " " in s}
    found -= referenced
    shown_dates = set().union(*(_date_forms(e["date"]) for e in visible_events))
    found |= set().union(*(_date_forms(e["date"]) for e in own)) - shown_dates
    people = {c["person"] for c in cases} - referenced
    found |= people | {p["pseudonym"] for p in document["people"] if p["id"] in people}
    cited = {c["source"] for e in own for c in e.get("sources", [])}
    cited -= {c["source"] for e in visible_events for c in e.get("sources", [])}
    found |= cited | {s["title"][:40] for s in document["sources"] if s["id"] in cited}
    return {s for s in found if s}


def _set_access(web: FastAPI, staff: dict[str, Staff], restricted: bool) -> None:
    ctx, boss, partner = web.state.web, staff["coordinator"].user, staff["partner"].user.id
    now = datetime.now(UTC)
    for case_id in ("case-a", "case-b"):
        case_views.set_case_access(ctx.uow(boss), boss, case_id, False, frozenset({partner}), now)
    named = frozenset() if restricted else frozenset({partner})
    services.import_case_file(ctx.dutycare.uow(), {"format": "dutycare-case-file", "format_version": 1, **LONE})
    for case_id in (HIDDEN, "case-d"):
        case_views.set_case_access(ctx.uow(boss), boss, case_id, restricted, named, now)


def _scenario() -> dict[str, Any]:
    document = load_scenario()
    return document | {key: document[key] + LONE[key] for key in LONE}


def _get_paths(web: FastAPI, staff: dict[str, Staff]) -> list[str]:
    values = {"case_id": ["case-a", "case-b", HIDDEN, "case-d"],
              "event_id": ["ev-a-fit-1", "ev-joint-appeal", "ev-c-refused-1"],
              "user_id": [staff["caseworker"].user.id], "token_id": ["no-such-token"],
              "person_id": ["p-01", "p-03", "p-d"], "source_id": ["s-01", "s-04"], "institution_id": ["i-hospital"]}
    paths = []
    for info in served_routes(web.routes):
        if "GET" not in info.methods or info.path.startswith(SKIPPED):
            continue
        names = re.findall(r"\{(\w+)(?::[^}]*)?\}", info.path)
        combos = [{}] if not names else [{names[0]: v} for v in values.get(names[0], ["x"])]
        for combo in combos:
            paths.append(re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m, c=combo: c.get(m.group(1), "x"), info.path))
    searches = ["/cases?q=указание", "/api/v1/cases?q=указание", "/cases?q=распоряжение",
                "/api/v1/cases?q=операция&region=Волгоградская область", "/cases?rule=R8", "/api/v1/cases?rule=R2",
                "/api/v1/institutions/search?q=воен"]
    return sorted(paths) + searches


def _get(client: TestClient, who: Staff, path: str) -> tuple[int, str]:
    if path.startswith("/api/"):
        client.cookies.clear()
        answer = client.get(path, headers=who.bearer)
    else:
        as_user(client, who)
        answer = client.get(path)
    return answer.status_code, answer.text


@pytest.mark.parametrize("restricted", [True, False], ids=["restricted", "visible"])
def test_no_response_carries_what_a_hidden_case_holds(web: FastAPI, client: TestClient, staff: dict[str, Staff],
                                                      restricted: bool) -> None:
    _set_access(web, staff, restricted)
    secrets = secrets_of(_scenario(), {HIDDEN, "case-d"})
    # The generator knows what to look for.
    assert {"case-c", "ev-c-refused-1", "июль 2023", "Курская область", "Зиновий"} <= secrets
    paths = _get_paths(web, staff)
    leaks, checked = [], 0
    for role in Role:
        if role is Role.COORDINATOR or not restricted:
            continue
        for path in paths:
            status, body = _get(client, staff[role.value], path)
            assert status < 500, f"{path} as {role.value}: {status}"
            checked += 1
            # A refusal may repeat what the caller asked for; anything else of the hidden case is a leak.
            leaks += [f"{path} as {role.value} ({status}) shows {s!r}" for s in secrets if s in body and s not in path]
    assert not leaks, "\n".join(leaks[:40])
    assert checked == 0 or checked > 150


def test_what_the_generator_looks_for_shows_to_those_who_may_see_it(web: FastAPI, client: TestClient,
                                                                    staff: dict[str, Staff]) -> None:
    _set_access(web, staff, True)
    secrets = secrets_of(_scenario(), {HIDDEN, "case-d"})
    for path in ("/api/v1/cases/case-a", "/cases/case-a", "/deadlines", "/api/v1/deadlines"):
        status, body = _get(client, staff["coordinator"], path)
        assert status == 200 and any(s in body for s in secrets), path
    status, body = _get(client, staff["lawyer"], "/cases/case-c")
    assert status == 404
    status, body = _get(client, staff["lawyer"], "/api/v1/cases/case-a")
    assert status == 200 and "R8" in body and "ev-hospital-statement" in body


def test_a_finding_on_a_hidden_case_is_evaluated_again_without_it(web: FastAPI, staff: dict[str, Staff]) -> None:
    _set_access(web, staff, True)
    ctx = web.state.web
    lawyer, boss = staff["lawyer"].user, staff["coordinator"].user
    full = case_views.case_page(ctx.uow(boss), boss, "case-a", datetime.now(UTC))
    seen = case_views.case_page(ctx.uow(lawyer), lawyer, "case-a", datetime.now(UTC))
    r8_full = [f for f in full.findings if f.rule_id == "R8"]
    r8_seen = [f for f in seen.findings if f.rule_id == "R8"]
    assert r8_full and HIDDEN in r8_full[0].case_ids
    assert r8_seen, "the statement is still contradicted by the visible cases"
    assert all(HIDDEN not in f.case_ids and not any(e.startswith("ev-c-") for e in f.event_ids) for f in r8_seen)
    assert all("case-c" not in f.explanation_ru + f.explanation_en for f in seen.findings)
    joint = next(e for e in seen.timeline.events if e.id == "ev-joint-appeal")
    assert joint.case_ids == ("case-a", "case-b")


def test_an_event_form_cannot_write_to_a_hidden_case(web: FastAPI, client: TestClient,
                                                     staff: dict[str, Staff]) -> None:
    _set_access(web, staff, True)
    worker = staff["caseworker"]
    as_user(client, worker)
    form = {"csrf_token": worker.csrf, "type": "fitness_decision", "date": "2024-04-02", "cases": "case-b, case-c",
            "institution": "i-commission", "category": "А", "summary": "Признан годным"}
    answer = client.post("/cases/case-b/events", data=form)
    assert answer.status_code == 422
    assert "case-c" in answer.text  # the writer named it; saying so back reveals nothing new
    boss = staff["coordinator"].user
    page = case_views.case_page(web.state.web.uow(boss), boss, HIDDEN, datetime.now(UTC))
    assert all(e.details.get("category") != "А" for e in page.timeline.events)
    api = client.post("/api/v1/events", headers=worker.bearer, json={
        "type": "fitness_decision", "date": "2024-04-02", "cases": ["case-b", "case-c"],
        "institution": "i-commission", "details": {"category": "А"}})
    assert api.status_code == 422


def test_correcting_a_shared_event_keeps_the_hidden_case(web: FastAPI, client: TestClient,
                                                         staff: dict[str, Staff]) -> None:
    _set_access(web, staff, True)
    lawyer = staff["lawyer"]
    shown = client.get("/api/v1/events/ev-joint-appeal", headers=lawyer.bearer).json()
    assert shown["cases"] == ["case-a", "case-b"]
    body = {k: v for k, v in shown.items() if k != "id"} | {"summary": "Совместное видеообращение (уточнено)"}
    assert client.put("/api/v1/events/ev-joint-appeal", headers=lawyer.bearer, json=body).status_code == 200
    boss = staff["coordinator"].user
    stored = case_views.check_event_visible(web.state.web.uow(boss), boss, "ev-joint-appeal")
    assert stored.case_ids == ("case-a", "case-b", HIDDEN) and "уточнено" in (stored.summary or "")
    answer = client.delete("/api/v1/events/ev-joint-appeal", headers=lawyer.bearer, params={"reason": "дубль"})
    assert answer.status_code == 200
    stored = case_views.check_event_visible(web.state.web.uow(boss), boss, "ev-joint-appeal")
    assert stored.case_ids == (HIDDEN,)


def test_a_case_page_read_is_audited(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    ctx, boss = web.state.web, staff["coordinator"].user
    as_user(client, staff["analyst"])
    assert client.get("/cases/case-a").status_code == 200
    entries, _ = audit.list_entries(ctx.uow(boss), 50, 0, audit.AuditAction.READ_CASE.value)
    assert [(e.user_name, e.target_id) for e in entries][:1] == [(staff["analyst"].user.name, "case-a")]

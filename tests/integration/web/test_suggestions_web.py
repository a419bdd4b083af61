"""Suggested facts on a testimony's page: the text marked, each suggestion opening a prefilled event form, nothing
written until the form is saved, the read audited, a hidden case's testimony not there at all."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import Staff, as_user

from dutycare.service_layer import audit, case_views

PAGE = "/events/ev-c-testimony/suggestions?case=case-c"


def _ledger_size(web: FastAPI) -> int:
    with web.state.web.uow() as uow:
        return uow.ledger.size()


def _accept_links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a class="button" href="([^"]+)">Принять', page)]


def test_the_testimony_is_shown_with_its_facts_marked_and_nothing_is_written(
        web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    worker = as_user(client, staff["caseworker"])
    before = _ledger_size(web)
    case_page = worker.get("/cases/case-c").text
    assert 'href="/events/ev-c-testimony/suggestions?case=case-c"' in case_page
    shown = worker.get(PAGE)
    assert shown.status_code == 200
    page = shown.text
    assert 'class="fact fact-refusal"' in page and "указание сверху" in page
    assert "Отказ в лечении: негласное указание" in page
    assert "<h2 id=\"text-h\">Свидетельство · март 2024</h2>" in page
    assert "Дело В:" in page  # the case by its title, not its id
    (link,) = [x for x in _accept_links(page) if "treatment_refused" in x]
    query = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path == "/cases/case-c/events/new"
    assert query["details.reason_kind"] == ["unwritten_directive"] and query["source"] == ["s-04"]
    form = worker.get(link).text
    assert '<option value="unwritten_directive" selected>' in form
    assert 'name="sources" value="s-04" checked' in form
    assert "указание сверху" in re.search(r'<textarea name="summary"[^>]*>(.*?)</textarea>', form, re.S).group(1)
    assert _ledger_size(web) == before  # looking and opening the form record nothing
    entries, _ = audit.list_entries(web.state.web.uow(), 20)
    assert any(e.detail == "suggested facts of ev-c-testimony" and e.user_name == "caseworker-one" for e in entries)


def test_accepting_saves_only_what_the_form_sends(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    worker = as_user(client, staff["caseworker"])
    link = next(x for x in _accept_links(worker.get(PAGE).text) if "treatment_refused" in x)
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    saved = worker.post("/cases/case-c/events", data={
        "csrf_token": staff["caseworker"].csrf, "type": "treatment_refused", "date": "2024-03",
        "cases": "case-c", "sources": "s-04", "summary": query["summary"],
        "details.treatment": "операция", "details.reason": "указание сверху",
        "details.reason_kind": query["details.reason_kind"]})
    assert saved.status_code == 303
    timeline = case_views.case_page(web.state.web.uow(staff["caseworker"].user), staff["caseworker"].user, "case-c",
                                    datetime.now(UTC)).timeline
    added = [e for e in timeline.events
             if e.type.value == "treatment_refused" and e.text("reason") == "указание сверху"]
    assert len(added) == 1 and added[0].details["reason_kind"] == "unwritten_directive"


def test_a_reader_who_may_not_write_sees_suggestions_without_accepting(client: TestClient,
                                                                        staff: dict[str, Staff]) -> None:
    page = as_user(client, staff["analyst"]).get(PAGE).text
    assert 'class="fact fact-refusal"' in page and _accept_links(page) == []


def test_only_a_testimony_has_suggestions(client: TestClient, staff: dict[str, Staff]) -> None:
    worker = as_user(client, staff["caseworker"])
    assert worker.get("/events/ev-c-refused-1/suggestions?case=case-c").status_code == 404
    assert worker.get("/events/no-such-event/suggestions").status_code == 404


def test_a_hidden_case_has_no_suggestions_page(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    boss = staff["coordinator"].user
    case_views.set_case_access(web.state.web.uow(boss), boss, "case-c", True, frozenset(), datetime.now(UTC))
    hidden = as_user(client, staff["caseworker"]).get(PAGE)
    assert hidden.status_code == 404 and "указание" not in hidden.text
    assert as_user(client, staff["coordinator"]).get(PAGE).status_code == 200

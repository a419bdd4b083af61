"""Every page reads as Russian to a Russian reader: no English value of the vocabulary, no True/None, no 2024-03.

The pages are found from the app's GET routes, so a page added later is read without this test changing; each
path parameter is filled with the scenario's values, and a form sent with bad input is read as well.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import Staff, as_user

from dutycare.entrypoints.web.deps import LANG_COOKIE, served_routes
from dutycare.scenario import load_scenario
from russian_text import VOCABULARY, english_in, english_on_page, text_nodes

SKIPPED = ("/logout", "/static", "/openapi.json", "/docs", "/redoc", "/api/")
VALUES = {"case_id": ["case-a", "case-b", "case-c", "no-such-case"],
          "event_id": ["ev-a-fit-1", "ev-joint-appeal", "ev-b-finding", "ev-hospital-statement"],
          "token_id": ["no-such-token"]}


def page_paths(web: FastAPI, staff: dict[str, Staff]) -> list[str]:
    """Every GET page of the app with its parameters filled in, and the pages' query forms."""
    values = VALUES | {"user_id": [staff["caseworker"].user.id]}
    paths: list[str] = []
    for info in served_routes(web.routes):
        if "GET" not in info.methods or info.path.startswith(SKIPPED):
            continue
        names = re.findall(r"\{(\w+)(?::[^}]*)?\}", info.path)
        combos = [{}] if not names else [{names[0]: v} for v in values.get(names[0], ["x"])]
        for combo in combos:
            paths.append(re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m, c=combo: c.get(m.group(1), "x"), info.path))
    paths += ["/cases?q=указание", "/cases?rule=R8", "/cases?status=escalated", "/audit?action=read_case",
              "/events/ev-a-fit-1/edit?case=case-a", "/cases/case-a/person"]
    return sorted(set(paths))


def scenario_ids() -> frozenset[str]:
    """The ids of the scenario's records, which a reader sees only in links, never as text."""
    document = load_scenario()
    return frozenset(r["id"] for key in ("cases", "people", "sources", "institutions", "events")
                     for r in document[key])


def ids_on_page(html: str, ids: frozenset[str]) -> list[tuple[str, str]]:
    """(id, the text node holding it) for every record id shown as text."""
    return [(word, node) for node in text_nodes(html) for word in re.findall(r"[\w-]+", node) if word in ids]


def _read(client: TestClient, who: Staff, path: str) -> tuple[int, str]:
    as_user(client, who)
    client.cookies.set(LANG_COOKIE, "ru", domain="testserver.local")
    answer = client.get(path)
    return answer.status_code, answer.text


def test_the_vocabulary_is_gathered_from_the_code() -> None:
    assert {"contract", "escalated", "video_message", "video message", "documents_injury", "coordinator",
            "medical_commission", "overdue"} <= VOCABULARY
    assert english_in("documents_injury: True, 2024-03") == ["documents_injury", "True", "2024-03"]
    assert english_in("март 2024, 14.03.2024, около октября 2023, case-a, ev-a-fit-1") == []


def test_every_page_reads_in_russian(web: FastAPI, client: TestClient, staff: dict[str, Staff]) -> None:
    found: dict[str, str] = {}
    read, ids = 0, scenario_ids()
    for who in ("coordinator", "partner"):
        for path in page_paths(web, staff):
            status, body = _read(client, staff[who], path)
            assert status < 500, f"{path}: {status}"
            if "text/html" not in body[:200] and not body.lstrip().startswith("<!"):
                continue
            read += 1
            for word, node in english_on_page(body) + ids_on_page(body, ids - set(re.findall(r"[\w-]+", path))):
                found.setdefault(f"{word!r} in {node[:140]!r}", f"{path} ({who})")
    assert read > 20
    assert not found, f"{len(found)} English words on Russian pages:\n" + "\n".join(
        f"{where}: {what}" for what, where in list(found.items())[:120])


def test_a_form_refused_in_russian_names_its_problems_in_russian(web: FastAPI, client: TestClient,
                                                                 staff: dict[str, Staff]) -> None:
    worker = staff["caseworker"]
    as_user(client, worker)
    client.cookies.set(LANG_COOKIE, "ru", domain="testserver.local")
    bad = [{"type": "fitness_decision", "date": "2024-13", "cases": "case-a", "category": "Z"},
           {"type": "treatment_refused", "date": "вчера", "cases": "case-a", "reason_kind": "whim"},
           {"type": "complaint", "date": "2024-03-01", "cases": "case-a", "channel": "pigeon"},
           {"type": "injury", "date": "", "cases": ""}]
    found = []
    for form in bad:
        answer = client.post("/cases/case-a/events", data={"csrf_token": worker.csrf, **form})
        assert answer.status_code == 422, answer.text[:300]
        found += [f"{form}: {word!r} in {node[:160]!r}" for word, node in english_on_page(answer.text)]
        assert not [n for n in _problem_nodes(answer.text) if re.search(r"\b(is|must|not|use|the)\b", n)], \
            _problem_nodes(answer.text)
    assert not found, "\n".join(found)


def _problem_nodes(html: str) -> list[str]:
    return [n for n in text_nodes(html) if re.search(r"[a-z]{3,} [a-z]{3,}", n)]

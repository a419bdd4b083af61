"""Triage in the staff application, on both back ends: a coordinator unlocks the intake key, a caseworker reads a
submission with its suggested facts highlighted, accepts some, makes the case and replies; the sender reads the
reply with the receipt code. Every step is audited; contacts never reach the case."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import Staff, as_user

from dutycare.adapters.crypto.intake_box import KdfCost, ReceiptBook
from dutycare.adapters.storage.intake_store import SqlIntakeStore
from dutycare.bootstrap import Dutycare
from dutycare.domain.suggested_facts import Suggestion
from dutycare.entrypoints.intake.app import create_intake_app
from dutycare.service_layer import audit, evidence, services
from dutycare.service_layer.intake_guard import FormTickets, TokenBucket

PASSPHRASE = "the intake key passphrase"
ACCOUNT = ("Сына ранили в марте 2024 года, осколок остался в колене. "
           "ВВК признала его годным, категория Б. Врач сказал, что он симулянт.")
CONTACT = "Signal, спросить Ольгу"


def _at(kind: str, words: str, value: dict[str, object] | str) -> Suggestion:
    start = ACCOUNT.index(words)
    return Suggestion(kind, value, start, start + len(words), words)


class FakeSuggester:
    """Fixed suggestions for the fixed account (the extractor itself is tested on its own)."""

    def suggest(self, text: str, known_date: date | None = None) -> list[Suggestion]:
        if text != ACCOUNT:
            return []
        return [_at("date", "в марте 2024 года", "2024-03"),
                _at("injury", "осколок остался в колене", {"kind": "shrapnel", "injury": "осколок в колене"}),
                _at("fitness_decision", "признала его годным, категория Б", {"decision": "Б", "category": "Б"}),
                _at("malingering", "он симулянт", {"labelled": True})]


@pytest.fixture
def intake(app: Dutycare, web: FastAPI, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> tuple[TestClient, SqlIntakeStore]:
    app.settings = app.settings.with_(intake_db=str(tmp_path / "public" / "intake.db"))
    app.make_intake_key(PASSPHRASE)
    monkeypatch.setattr(Dutycare, "fact_suggester", property(lambda self: FakeSuggester()))
    store = SqlIntakeStore.open(str(tmp_path / "public" / "intake.db"))
    buckets = {"submissions": TokenBucket(100, 1, time.monotonic), "checks": TokenBucket(100, 1, time.monotonic)}
    public = create_intake_app(store, ReceiptBook(KdfCost(1, 8192 * 1024)), tickets=FormTickets(time.time, 0, 0),
                               today=lambda: date(2026, 12, 1), **buckets)
    return TestClient(public), store


PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40


def _send(public: TestClient, account: str, contact: str = "", photo: bytes = b"") -> str:
    ticket = re.search(r'name="ticket" value="([^"]+)"', public.get("/").text).group(1)  # type: ignore[union-attr]
    answer = public.post("/submit", data={"ticket": ticket, "account": account, "contact": contact,
                                          "where": "военный госпиталь"},
                         files=[("files", ("справка.jpg" if photo else "", photo))])
    return re.search(r'id="receipt-code">([^<]+)<', answer.text).group(1)  # type: ignore[union-attr]


def _post(client: TestClient, who: Staff, path: str, data: dict[str, str]) -> object:
    as_user(client, who)
    return client.post(path, data={"csrf_token": who.csrf, **data})


def test_triage_from_submission_to_case_and_reply(app: Dutycare, client: TestClient, staff: dict[str, Staff],
                                                  intake: tuple[TestClient, SqlIntakeStore]) -> None:
    public, store = intake
    code = _send(public, ACCOUNT, CONTACT, PHOTO)
    [row] = store.submissions(None, 10, 0)

    as_user(client, staff["caseworker"])
    locked = client.get("/intake")
    assert locked.status_code == 200 and "Попросите координатора открыть его." in locked.text
    assert ACCOUNT[:20] not in locked.text
    assert client.get(f"/intake/{row.id}").status_code == 303
    assert _post(client, staff["caseworker"], "/intake/unlock", {"passphrase": PASSPHRASE}).status_code == 403
    as_user(client, staff["partner"])
    assert client.get("/intake").status_code == 403

    wrong = _post(client, staff["coordinator"], "/intake/unlock", {"passphrase": "not the passphrase"})
    assert wrong.headers["location"] == "/intake?problem=wrong_passphrase"  # type: ignore[attr-defined]
    assert _post(client, staff["coordinator"], "/intake/unlock", {"passphrase": PASSPHRASE}).status_code == 303

    as_user(client, staff["caseworker"])
    listed = client.get("/intake")
    assert ACCOUNT[:40] in listed.text
    shown = client.get(f"/intake/{row.id}")
    assert shown.status_code == 200
    assert '<mark class="fact fact-injury" id="fact-1"' in shown.text
    assert "осколок остался в колене<sup>2</sup>" in shown.text
    assert CONTACT not in shown.text
    contact = client.get(f"/intake/{row.id}/contact")
    assert CONTACT in contact.text

    cases_before = services.record_counts(app.uow())["case"]
    refused = _post(client, staff["caseworker"], f"/intake/{row.id}/case",
                    {"pseudonym": "", "title": "Дело из формы", "accept-1": "yes", "kind-1": "injury",
                     "summary-1": "осколок в колене", "value-1": "{}", "date-1": "2024-03"})
    assert refused.status_code == 422 and "Псевдоним" in refused.text  # type: ignore[attr-defined]
    assert services.record_counts(app.uow())["case"] == cases_before

    made = _post(client, staff["caseworker"], f"/intake/{row.id}/case", {
        "pseudonym": "Алексей", "title": "Осколок в колене, признан годным",
        "institution_name": "Военный госпиталь", "institution_type": "medical_commission",
        "accept-1": "yes", "kind-1": "injury", "summary-1": "Осколочное ранение колена",
        "value-1": '{"kind": "shrapnel", "injury": "осколок в колене"}', "date-1": "2024-03",
        "accept-2": "yes", "kind-2": "fitness_decision", "summary-2": "ВВК: годен, категория Б",
        "value-2": '{"decision": "Б", "category": "Б"}', "date-2": "2024-04",
        "kind-3": "malingering", "summary-3": "он симулянт", "value-3": '{"labelled": true}', "date-3": "2024-03"})
    assert made.status_code == 303, made.text  # type: ignore[attr-defined]
    case_id = made.headers["location"].removeprefix("/cases/")  # type: ignore[attr-defined]
    timeline = services.case_timeline(app.uow(), case_id)
    kinds = sorted(e.type.value for e in timeline.events)
    assert kinds == ["fitness_decision", "injury", "testimony"]  # the rejected suggestion wrote nothing
    assert timeline.person.pseudonym == "Алексей" and timeline.person.contacts is None
    testimony = next(e for e in timeline.events if e.type.value == "testimony")
    assert testimony.details["text"] == ACCOUNT
    assert store.submission(row.id).status.value == "case"  # type: ignore[union-attr]
    [photo] = evidence.list_evidence(app.uow(), case_id)
    assert photo.original_name == "справка.jpg" and photo.media_type == "image/jpeg"
    assert photo.sha256 == hashlib.sha256(PHOTO).hexdigest() and photo.event_id == testimony.id
    assert client.get(f"/intake/{row.id}/files/{store.parts(row.id)[-1].uid}").content == PHOTO

    replied = _post(client, staff["caseworker"], f"/intake/{row.id}/reply", {"text": "Мы завели дело и напишем."})
    assert replied.status_code == 303
    read = public.post("/receipt", data={"code": code}, files=[("files", ("", b""))])
    assert "Мы завели дело и напишем." in read.text

    second_code = _send(public, "Купите наши таблетки")
    assert second_code
    spam = next(r for r in store.submissions(None, 10, 0) if r.id != row.id)
    assert _post(client, staff["caseworker"], f"/intake/{spam.id}/status", {"status": "spam"}).status_code == 303
    assert store.submission(spam.id).status.value == "spam"  # type: ignore[union-attr]

    entries, _ = audit.list_entries(client.app.state.web.uow(), 200)  # type: ignore[attr-defined]
    actions = {e.action for e in entries}
    assert {"intake_unlocked", "intake_read", "intake_contact_read", "intake_case_created", "intake_replied",
            "intake_marked"} <= actions

    assert _post(client, staff["coordinator"], "/intake/lock", {}).status_code == 303
    as_user(client, staff["caseworker"])
    assert client.get(f"/intake/{row.id}").status_code == 303


def test_a_field_submission_is_triaged_like_the_form_s_but_has_no_reply(
        client: TestClient, staff: dict[str, Staff], intake: tuple[TestClient, SqlIntakeStore]) -> None:
    from dutycare.adapters.intake_queue import SealedIntakeQueue
    from dutycare.domain.intake_form import FieldSubmission

    _, store = intake
    public = store.public_key()
    assert public is not None
    queue = SealedIntakeQueue(store, ReceiptBook(KdfCost(1, 8192 * 1024)), public, 10**9, lambda: date(2026, 12, 1))
    queued = queue.add(FieldSubmission("uuid:7", "2024-05-03", "ru", ACCOUNT, {}, "", ("снимок.jpg",)))
    assert queued is not None
    assert _post(client, staff["coordinator"], "/intake/unlock", {"passphrase": PASSPHRASE}).status_code == 303
    page = client.get(f"/intake/{queued}")
    assert page.status_code == 200
    assert "Собрано без сети полевой командой (запись uuid:7)" in page.text
    assert "снимок.jpg" in page.text and 'name="text"' not in page.text
    assert '<mark class="fact fact-injury"' in page.text

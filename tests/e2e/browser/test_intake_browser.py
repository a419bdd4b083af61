"""The public intake form and its triage in a real Chromium.

A submitter fills the form in Russian with JavaScript disabled, attaches a photo and gets a receipt code; nothing
the intake process holds opens the submission; a coordinator unlocks the intake key in the staff application,
sees the suggested facts highlighted, accepts some, makes the case and replies; the submitter reads the reply
with the code (JavaScript still off).
"""

from __future__ import annotations

import gc
import time
import types
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from browser_kit import SHOTS, Served, serve_app, sign_in
from nacl.public import PrivateKey

from dutycare.adapters.crypto.errors import CryptoError
from dutycare.adapters.crypto.intake_box import IntakeOpener, ReceiptBook
from dutycare.adapters.storage.intake_store import SqlIntakeStore
from dutycare.entrypoints.intake.app import create_intake_app
from dutycare.service_layer import services
from dutycare.service_layer.intake_guard import FormTickets, TokenBucket
from dutycare.service_layer.intake_records import part_aad

PASSPHRASE = "пароль ключа обращений 2026"
ACCOUNT = ("Моего сына Алексея, 24 года, ранили в марте 2024 года: осколок остался в колене. "
           "В госпитале отказали в операции, сказали — нет квот. ВВК признала его годным, категория Б, "
           "и через две недели его отправили обратно на фронт.")


def _photo(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (320, 200), (200, 190, 170)).save(path, "JPEG")
    return path


def _held_objects(root: object) -> list[object]:
    seen: set[int] = set()
    todo, found = [root], []
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (type, types.ModuleType, types.FunctionType, types.FrameType)):
            continue
        seen.add(id(obj))
        found.append(obj)
        todo.extend(gc.get_referents(obj))
    return found


def _assert_sealed_against_everything_held(app: Any, store: SqlIntakeStore) -> None:
    """No key the intake process holds, in memory or in its database, opens what it stored."""
    held = _held_objects(app.state.intake)
    assert not [o for o in held if isinstance(o, (PrivateKey, IntakeOpener))]
    candidates = {bytes(o) for o in held if isinstance(o, (bytes, bytearray)) and len(o) == 32}
    with store.engine.connect() as conn:
        for table in ("intake_meta", "intake_submissions", "intake_parts", "intake_replies"):
            for record in conn.exec_driver_sql(f"SELECT * FROM {table}"):
                for value in record:
                    raw = value.encode() if isinstance(value, str) else value if isinstance(value, bytes) else b""
                    candidates |= {raw[i:i + 32] for i in range(0, max(0, len(raw) - 31), 8)}
    [row] = store.submissions(None, 10, 0)
    parts = store.parts(row.id)
    assert len(parts) == 3 and len(candidates) > 10
    for key in candidates:
        for part in parts:
            with pytest.raises(CryptoError):
                IntakeOpener(PrivateKey(key)).open(part.sealed, part_aad(part.uid, part.kind))


def test_a_submitter_without_javascript_and_a_coordinator_triaging(
        serve: Callable[..., Served], chromium: Callable[..., Any], tmp_path: Path) -> None:
    from playwright.sync_api import expect

    intake_db = str(tmp_path / "public" / "intake.db")
    staff = serve(settings={"intake_db": intake_db})
    staff.dc.make_intake_key(PASSPHRASE)
    store = SqlIntakeStore.open(intake_db)
    public_app = create_intake_app(store, ReceiptBook(), tickets=FormTickets(time.time, 1, 0),
                                   submissions=TokenBucket(20, 0.1, time.monotonic),
                                   checks=TokenBucket(20, 1, time.monotonic), today=lambda: datetime.now(UTC).date())
    public, stop = serve_app(public_app)
    try:
        # The submitter, with JavaScript off (as in Tor Browser's safest mode).
        page = chromium(locale="ru-RU", java_script_enabled=False)
        loaded: list[str] = []
        page.on("request", lambda r: loaded.append(r.url))
        page.goto(public)
        expect(page.locator("h1")).to_have_text("Рассказать о своём случае")
        page.fill("textarea[name=account]", ACCOUNT)
        page.fill("input[name=injured]", "сын, 24 года")
        page.fill("input[name=when]", "в марте 2024")
        page.fill("input[name=where]", "военный госпиталь")
        page.fill("textarea[name=contact]", "Signal, спросить Ольгу")
        page.set_input_files("input[name=files]", str(_photo(tmp_path / "справка.jpg")))
        page.screenshot(path=str(SHOTS / "intake-01-form.png"), full_page=True)
        time.sleep(1.2)  # the form is taken no sooner than a second after it was served
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Рассказ получен")
        code = page.locator("#receipt-code").inner_text().strip()
        assert len(code) == 29
        expect(page.locator("main")).to_contain_text("Приложено файлов: 1.")
        page.screenshot(path=str(SHOTS / "intake-02-receipt.png"), full_page=True)
        assert all(url.startswith(public) for url in loaded), loaded  # nothing loaded from elsewhere
        assert page.context.cookies() == []

        _assert_sealed_against_everything_held(public_app, store)

        # The coordinator unlocks the key, reads the submission with its suggested facts, accepts some.
        desk = chromium(locale="ru-RU")
        sign_in(desk, staff.url, "boss")
        desk.goto(f"{staff.url}/intake")
        desk.fill("input[name=passphrase]", PASSPHRASE)
        desk.click("#key button.primary")
        expect(desk.locator("#key")).to_contain_text("Ключ обращений открыт")
        desk.screenshot(path=str(SHOTS / "intake-03-queue.png"), full_page=True)
        desk.click("table.list a")
        marks = desk.locator("mark.fact")
        expect(marks.first).to_be_visible()
        assert marks.count() >= 4
        expect(desk.locator("mark.fact-injury").first).to_be_visible()
        expect(desk.locator("mark.fact-fitness_decision").first).to_be_visible()
        assert "Ольгу" not in desk.content()  # contacts stay sealed until asked for
        desk.screenshot(path=str(SHOTS / "intake-04-submission.png"), full_page=True)

        accepted = []
        for kind in ("injury", "fitness_decision", "refusal"):
            row = desk.locator(f"tr:has(input[name^='kind-'][value='{kind}'])").first
            if row.count():
                row.locator("input[type=checkbox]").check()
                accepted.append(kind)
                date_input = row.locator("input[name^='date-']")
                if not date_input.input_value():
                    date_input.fill("2024-03")
        assert {"injury", "fitness_decision"} <= set(accepted)
        desk.fill("input[name=pseudonym]", "Алексей")
        desk.fill("input[name=institution_name]", "Военный госпиталь")
        desk.select_option("select[name=institution_type]", "hospital")
        desk.screenshot(path=str(SHOTS / "intake-05-accepted.png"), full_page=True)
        desk.click("#create-case")
        expect(desk.locator(".timeline")).to_contain_text("Свидетельство")
        expect(desk.locator(".timeline")).to_contain_text("Ранение или травма")
        case_id = desk.url.rsplit("/", 1)[-1]
        events = services.case_timeline(staff.dc.uow(), case_id).events
        assert sorted(e.type.value for e in events) == sorted(
            ["testimony", "injury", "fitness_decision", *(["treatment_refused"] if "refusal" in accepted else [])])
        desk.screenshot(path=str(SHOTS / "intake-06-case.png"), full_page=True)

        [row_id] = [r.id for r in store.submissions(None, 10, 0)]
        desk.goto(f"{staff.url}/intake/{row_id}")
        desk.fill("textarea[name=text]", "Спасибо, мы завели дело и свяжемся с вами через Signal.")
        desk.click("#reply button.primary")
        expect(desk.locator(".alert-ok")).to_contain_text("Ответ зашифрован")

        # The submitter reads the reply with the code, JavaScript still off.
        page.goto(f"{public}/receipt")
        page.fill("input[name=code]", code.lower())
        page.click("button[type=submit]")
        expect(page.locator(".reply")).to_contain_text("мы завели дело")
        page.screenshot(path=str(SHOTS / "intake-07-reply.png"), full_page=True)
        page.goto(f"{public}/receipt")
        page.fill("input[name=code]", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
        page.click("button[type=submit]")
        expect(page.locator(".problems")).to_contain_text("По этому коду ничего не открылось")
    finally:
        stop()
        store.close()

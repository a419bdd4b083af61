"""The public intake form over HTTP, on SQLite and PostgreSQL: sealed on arrival, a receipt, bad input refused
with a clear message and nothing stored, and nothing the intake process holds can open what it stored."""

from __future__ import annotations

import gc
import json
import re
import types
from typing import Any

import pytest
from intake_kit import ACCOUNT, CHEAP, JPEG, Intake, make_intake, receipt_code
from nacl.public import PrivateKey

from dutycare.adapters.crypto.errors import CryptoError
from dutycare.adapters.crypto.intake_box import IntakeOpener, IntakeSealer, seal_reply
from dutycare.service_layer.intake import IntakeLimits
from dutycare.service_layer.intake_records import PartKind, part_aad, reply_aad

FACTS = {"injured": "сын, 24 года", "when": "в марте 2024", "where": "военный госпиталь", "decision": "годен"}
CONTACT = "Signal: спросить Ольгу, вечером"


def _opened(intake: Intake, submission_id: str) -> dict[PartKind, list[bytes]]:
    found: dict[PartKind, list[bytes]] = {}
    for part in intake.store.parts(submission_id):
        found.setdefault(part.kind, []).append(intake.opener.open(part.sealed, part_aad(part.uid, part.kind)))
    return found


def test_a_submission_is_sealed_on_arrival_and_its_receipt_shown_once(intake: Intake) -> None:
    answer = intake.submit({"account": ACCOUNT, **FACTS, "contact": CONTACT}, [("справка.jpg", JPEG)])
    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers and "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"
    assert "<script" not in answer.text and "http" not in answer.text.split("</head>")[0].replace("http-equiv", "")
    code = receipt_code(answer.text)
    assert re.fullmatch(r"([A-Z2-7]{4}-){5}[A-Z2-7]{4}", code)
    [row] = intake.store.submissions(None, 10, 0)
    assert row.received_on == "2026-12-01" and row.parts == 3
    opened = _opened(intake, row.id)
    document = json.loads(opened[PartKind.ACCOUNT][0])
    assert document["account"] == ACCOUNT and document["facts"] == FACTS and document["lang"] == "ru"
    assert document["attachments"][0]["name"] == "справка.jpg"
    assert document["attachments"][0]["media_type"] == "image/jpeg"
    assert json.loads(opened[PartKind.CONTACT][0])["contact"] == CONTACT
    assert opened[PartKind.ATTACHMENT] == [JPEG]
    again = intake.client.get("/receipt")
    assert code not in again.text
    assert 'href="/?lang=uk"' in answer.text  # a language link leads back to the form, not to /submit


def _reachable(root: object, limit: int = 200_000) -> list[object]:
    seen: set[int] = set()
    todo, found = [root], []
    while todo and len(found) < limit:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (type, types.ModuleType, types.FunctionType, types.FrameType)):
            continue
        seen.add(id(obj))
        found.append(obj)
        todo.extend(gc.get_referents(obj))
    return found


def test_nothing_the_intake_process_holds_opens_a_submission(intake: Intake) -> None:
    intake.submit({"account": ACCOUNT, "contact": CONTACT}, [("a.jpg", JPEG)])
    [row] = intake.store.submissions(None, 10, 0)
    parts = intake.store.parts(row.id)
    held = _reachable(intake.app.state.intake)
    assert not [o for o in held if isinstance(o, (PrivateKey, IntakeOpener))]
    candidates = {bytes(o) for o in held if isinstance(o, (bytes, bytearray)) and len(o) == 32}
    with intake.store.engine.connect() as conn:
        for table in ("intake_meta", "intake_submissions", "intake_parts", "intake_replies"):
            for record in conn.exec_driver_sql(f"SELECT * FROM {table}"):
                for value in record:
                    raw = value.encode() if isinstance(value, str) else bytes(value) if value is not None and \
                        not isinstance(value, int) else b""
                    candidates |= {raw[i:i + 32] for i in range(0, max(0, len(raw) - 31), 16)}
    assert candidates
    for key in candidates:
        opener = IntakeOpener(PrivateKey(key))
        for part in parts:
            with pytest.raises(CryptoError):
                opener.open(part.sealed, part_aad(part.uid, part.kind))
    assert isinstance(intake.app.state.intake.sealer, IntakeSealer) and not hasattr(intake.app.state.intake.sealer,
                                                                                   "chunks")


def _encodings(text: str) -> list[bytes]:
    return [text.encode(e) for e in ("utf-8", "utf-16-le", "utf-16-be", "cp1251")]


def _dump(intake: Intake) -> bytes:
    out = bytearray()
    with intake.store.engine.connect() as conn:
        for table in ("intake_meta", "intake_submissions", "intake_parts", "intake_replies"):
            for record in conn.exec_driver_sql(f"SELECT * FROM {table}"):
                for value in record:
                    out += value.encode() if isinstance(value, str) else bytes(value) if isinstance(
                        value, (bytes, memoryview)) else str(value).encode()
    return bytes(out)


def test_the_submission_text_is_nowhere_in_the_database_files_or_logs(
        intake: Intake, tmp_path: Any, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    caplog.set_level("DEBUG")
    big = JPEG + b"\x00" * (3 << 20)  # larger than Starlette's 1 MiB in-memory spool
    answer = intake.submit({"account": ACCOUNT, **FACTS, "contact": CONTACT}, [("фото.jpg", big)])
    assert answer.status_code == 200
    code = receipt_code(answer.text)
    intake.client.post("/receipt/add", data={"code": code, "addition": "Ещё: выписка из госпиталя", "lang": "ru"},
                       files=[("files", ("", b"", "application/octet-stream"))])
    intake.client.post("/submit", data={"account": "", "contact": CONTACT})  # refused input is not logged either
    out, err = capfd.readouterr()
    logs = caplog.text.encode() + out.encode() + err.encode()
    files = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    stored = _dump(intake) + files
    assert not list(spool.iterdir()), "nothing may be spooled to a temporary file"
    for phrase in ("осколок остался в колене", "нет квот", "спросить Ольгу", "сын, 24 года", "фото.jpg",
                   "выписка из госпиталя"):
        for encoded in _encodings(phrase):
            assert encoded not in stored, phrase
            assert encoded not in logs, phrase
    assert big[100:160] not in stored


@pytest.mark.parametrize(("fields", "files", "status", "message"), [
    ({"account": "   "}, [], 422, "«Что произошло»: напишите хотя бы несколько слов."),
    ({"account": "x" * 20_001}, [], 422, "не больше 20000 знаков (сейчас 20001)"),
    ({"account": ACCOUNT, "contact": "c" * 1001}, [], 422, "«Как с вами безопасно связаться (необязательно)»"),
    ({"account": ACCOUNT}, [("virus.jpg", b"MZ\x90\x00" * 64)], 422, "Файл «virus.jpg»: такой тип не принимается"),
    ({"account": ACCOUNT}, [("a.jpg", JPEG)] * 6, 422, "Файлы: не больше 5 за раз."),
    ({"account": ACCOUNT, "website": "http://spam.example"}, [], 422, "должно остаться пустым"),
])
def test_bad_input_names_the_field_and_stores_nothing(intake: Intake, fields: dict[str, str],
                                                      files: list[tuple[str, bytes]], status: int,
                                                      message: str) -> None:
    answer = intake.submit(fields, files)
    assert answer.status_code == status
    assert message in answer.text
    assert "Traceback" not in answer.text
    assert intake.store.submissions(None, 10, 0) == [] and intake.store.stored_bytes() == 0
    if fields["account"].strip() and len(fields["account"]) < 100:
        assert ACCOUNT in answer.text  # the text comes back in the form: nothing the person wrote is lost


def test_a_form_sent_too_soon_or_twice_is_refused(intake: Intake) -> None:
    page = intake.client.get("/")
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    soon = intake.client.post("/submit", data={"ticket": ticket, "account": ACCOUNT}, files=[("files", ("", b""))])
    assert soon.status_code == 422 and "подождите 5 с." in soon.text
    intake.clock.now += 10
    assert intake.client.post("/submit", data={"ticket": ticket, "account": ACCOUNT},
                              files=[("files", ("", b""))]).status_code == 200
    twice = intake.client.post("/submit", data={"ticket": ticket, "account": ACCOUNT}, files=[("files", ("", b""))])
    assert twice.status_code == 422 and "Срок действия формы истёк" in twice.text
    assert len(intake.store.submissions(None, 10, 0)) == 1


@pytest.mark.parametrize(("body", "content_type", "status", "message"), [
    (b"--xyz\r\nContent-Disposition: form-data; name=\"account\"\r\n\r\ntext", "multipart/form-data; boundary=xyz",
     400, "Форма пришла повреждённой"),
    (b"garbage", "multipart/form-data; boundary=xyz", 400, "Форма пришла повреждённой"),
    (b"account=hello", "application/x-www-form-urlencoded", 400, "Форма пришла повреждённой"),
    (b"--xyz\r\nContent-Disposition: attachment\r\n\r\nx\r\n--xyz--\r\n", "multipart/form-data; boundary=xyz",
     400, "Форма пришла повреждённой"),
    (b"".join(b"--xyz\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nx\r\n" % i for i in range(60))
     + b"--xyz--\r\n", "multipart/form-data; boundary=xyz", 400, "Форма пришла повреждённой"),
])
def test_a_malformed_body_is_refused_whole(intake: Intake, body: bytes, content_type: str, status: int,
                                          message: str) -> None:
    answer = intake.client.post("/submit", content=body, headers={"content-type": content_type})
    assert answer.status_code == status and message in answer.text and "Traceback" not in answer.text
    assert intake.store.stored_bytes() == 0


def test_an_oversized_body_is_refused_before_it_is_read(db_target: str) -> None:
    small = make_intake(db_target.replace("dutycare.db", "intake.db"), IntakeLimits(body_bytes=2 << 20))
    try:
        answer = small.submit({"account": ACCOUNT}, [("a.jpg", JPEG + bytes(3 << 20))])
        assert answer.status_code == 413 and "больше 2 МБ), ничего не сохранено" in answer.text
        assert small.store.stored_bytes() == 0
    finally:
        small.store.close()


def test_a_full_store_or_a_flood_stores_nothing_more(db_target: str) -> None:
    full = make_intake(db_target.replace("dutycare.db", "intake.db"), IntakeLimits(quota_bytes=4000), 0.0)
    try:
        assert full.submit({"account": ACCOUNT}).status_code == 200
        refused = full.submit({"account": ACCOUNT}, [("a.jpg", JPEG)])
        assert refused.status_code == 507 and "Хранилище формы заполнено" in refused.text
        assert len(full.store.submissions(None, 10, 0)) == 1
        for _ in range(100):
            full.app.state.intake.submissions.take()
        flood = full.submit({"account": "коротко"})
        assert flood.status_code == 503 and "Попробуйте через несколько минут" in flood.text
        assert len(full.store.submissions(None, 10, 0)) == 1
    finally:
        full.store.close()


def test_the_receipt_code_reads_replies_and_adds_information(intake: Intake) -> None:
    code = receipt_code(intake.submit({"account": ACCOUNT}).text)
    [row] = intake.store.submissions(None, 10, 0)
    opened = intake.client.post("/receipt", data={"code": code.lower().replace("-", " ")}, files=[("files", ("", b""))])
    assert opened.status_code == 200 and "Ответа пока нет" in opened.text
    reply_key = intake.store.reply_key(row.id)
    assert reply_key is not None
    assert intake.store.add_reply(row.id, "2026-12-02", seal_reply(reply_key, "Мы прочитали ваш рассказ.",
                                                                  reply_aad(row.id)), 10**9)
    shown = intake.client.post("/receipt", data={"code": code}, files=[("files", ("", b""))])
    assert "Мы прочитали ваш рассказ." in shown.text
    added = intake.client.post("/receipt/add", data={"code": code, "addition": "Его перевели в другую часть."},
                               files=[("files", ("скан.pdf", b"%PDF-1.7\n" + bytes(500)))])
    assert added.status_code == 200 and "Дополнение зашифровано и сохранено." in added.text
    parts = _opened(intake, row.id)
    assert json.loads(parts[PartKind.ADDITION][0])["text"] == "Его перевели в другую часть."
    assert parts[PartKind.ATTACHMENT][0].startswith(b"%PDF-1.7")
    empty = intake.client.post("/receipt/add", data={"code": code}, files=[("files", ("", b""))])
    assert empty.status_code == 422 and "напишите текст или приложите файл" in empty.text


@pytest.mark.parametrize("typed", ["AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", "not a code", "0" * 60])
def test_a_wrong_receipt_code_gives_no_hint(intake: Intake, typed: str) -> None:
    code = receipt_code(intake.submit({"account": ACCOUNT}).text)
    near = code[:-1] + ("A" if code[-1] != "A" else "B")
    for wrong in (typed, near):
        answer = intake.client.post("/receipt", data={"code": wrong}, files=[("files", ("", b""))])
        assert answer.status_code == 404
        assert "По этому коду ничего не открылось" in answer.text and "Traceback" not in answer.text
        added = intake.client.post("/receipt/add", data={"code": wrong, "addition": "x"}, files=[("files", ("", b""))])
        assert added.status_code == 404
    assert intake.store.submissions(None, 10, 0)[0].additions == 0


def test_three_languages_and_no_error_page_shows_a_traceback(intake: Intake) -> None:
    assert "Розповісти про свій випадок" in intake.client.get("/?lang=uk").text
    assert "Tell us what happened" in intake.client.get("/", headers={"accept-language": "en-GB,en;q=0.8"}).text
    assert "Рассказать о своём случае" in intake.client.get("/").text
    missing = intake.client.get("/admin")
    assert missing.status_code == 404 and "Такой страницы нет" in missing.text
    wrong = intake.client.delete("/submit")
    assert wrong.status_code == 405 and "Traceback" not in wrong.text


def test_a_cheap_receipt_cost_is_only_for_tests() -> None:
    from dutycare.adapters.crypto.intake_box import RECEIPT_COST

    assert RECEIPT_COST.mem >= 32 << 20 and CHEAP.mem < RECEIPT_COST.mem


def test_an_unexpected_error_shows_a_fixed_page_and_logs_nothing(
        intake: Intake, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("the store failed while holding: осколок остался в колене")

    caplog.set_level("DEBUG")
    monkeypatch.setattr(intake.store, "add_submission", broken)
    intake.client = type(intake.client)(intake.app, raise_server_exceptions=False)
    answer = intake.submit({"account": ACCOUNT})
    assert answer.status_code == 500 and "ничего не сохранено" in answer.text and "Traceback" not in answer.text
    assert answer.headers["cache-control"] == "no-store"
    out, err = capfd.readouterr()
    assert "осколок" not in out + err + caplog.text and "RuntimeError" not in err + caplog.text


def test_a_submission_takes_only_so_many_additions(db_target: str) -> None:
    few = make_intake(db_target.replace("dutycare.db", "intake.db"), IntakeLimits(additions=2))
    try:
        code = receipt_code(few.submit({"account": ACCOUNT}).text)
        for n in range(2):
            added = few.client.post("/receipt/add", data={"code": code, "addition": f"дополнение {n}"},
                                    files=[("files", ("", b""))])
            assert added.status_code == 200
        third = few.client.post("/receipt/add", data={"code": code, "addition": "ещё"}, files=[("files", ("", b""))])
        assert third.status_code == 429 and "столько дополнений, сколько можно" in third.text
        assert few.store.submissions(None, 10, 0)[0].additions == 2
    finally:
        few.store.close()

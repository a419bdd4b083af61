"""Identifying data is encrypted at rest: no name or testimony phrase is in the raw database or vault."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dutycare.bootstrap import Dutycare
from dutycare.scenario import load_scenario
from dutycare.service_layer import evidence, services

SECRETS = ["Максим", "Александр", "Константин", "Роман Пронин", "Расул Мусаев",
           "Осколок так и сидит в ноге", "чёрным по белому", "указание сверху и делать её нельзя",
           "Интервью Максима", "притворяюсь"]


def _raw_database_bytes(app: Dutycare, tmp_path: Path) -> bytes:
    url = app.engine.url
    if url.get_backend_name() == "sqlite":
        app.engine.dispose()
        db = Path(str(url.database))
        return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    schema = str(url.query.get("options", "")).split("=")[-1]
    dump = subprocess.run(["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-n", schema, "test"],
                          capture_output=True, check=False)
    if dump.returncode != 0:
        pytest.skip(f"pg_dump unavailable: {dump.stderr.decode()[:200]}")
    return dump.stdout


def test_no_identifying_text_is_stored_in_plaintext(app: Dutycare, tmp_path: Path) -> None:
    services.import_case_file(app.uow(), load_scenario())
    scan = tmp_path / "statement.txt"
    scan.write_text("Показания: Максим, осколок в ноге, указание сверху", encoding="utf-8")
    evidence.attach_evidence(app.uow(), app.vault(), case_id="case-a", event_id="ev-a-injury", path=scan)
    raw = _raw_database_bytes(app, tmp_path)
    assert b"i-hospital" in raw, "the dump should hold the plaintext structure, or this test proves nothing"
    vault_bytes = b"".join(p.read_bytes() for p in app.vault_dir().rglob("*") if p.is_file())
    assert vault_bytes
    for phrase in SECRETS:
        for encoding in ("utf-8", "utf-16-le", "cp1251"):
            needle = phrase.encode(encoding)
            assert needle not in raw, f"{phrase!r} found in the database ({encoding})"
            assert needle not in vault_bytes, f"{phrase!r} found in the vault ({encoding})"

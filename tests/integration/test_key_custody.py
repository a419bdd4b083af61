"""Keys that cannot be lost or misused: the vault found wherever dutycare runs, recovery shares, key rotation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dutycare.bootstrap import Dutycare, initialise, open_dutycare
from dutycare.domain.errors import DomainError
from dutycare.scenario import load_scenario
from dutycare.service_layer import evidence as evidence_service
from dutycare.service_layer import ledger_service, services
from dutycare.settings import Settings

PHOTO = "Снимок выписки из госпиталя".encode() * 100


def _with_records_and_a_file(app: Dutycare, tmp_path: Path) -> str:
    services.import_case_file(app.uow(), load_scenario())
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(PHOTO)
    ev = evidence_service.attach_evidence(app.uow(), app.vault(), case_id="case-a", event_id="ev-a-injury",
                                          path=photo)
    ledger_service.make_checkpoint(app.uow(), app.signer())
    return ev.id


def _assert_everything_opens(app: Dutycare, evidence_id: str, tmp_path: Path) -> None:
    assert services.export_case_file(app.uow()) == load_scenario()
    out = tmp_path / f"out-{evidence_id}.jpg"
    out.unlink(missing_ok=True)
    evidence_service.export_evidence(app.uow(), app.vault(), evidence_id, out)
    assert out.read_bytes() == PHOTO
    result = ledger_service.verify(app.uow(), app.trusted_key(), app.file_hasher())
    assert result.ok, result.record_problems or result.log.problems
    assert result.files_checked == 1


def test_the_default_vault_does_not_depend_on_the_working_folder(db_target: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    settings = Settings(db=db_target, key_file=tmp_path / "keys" / "org.key")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    monkeypatch.chdir(tmp_path / "one")
    app = initialise(settings)
    evidence_id = _with_records_and_a_file(app, tmp_path)
    app.close()
    monkeypatch.chdir(tmp_path / "two")
    again = open_dutycare(settings)
    try:
        _assert_everything_opens(again, evidence_id, tmp_path)
    finally:
        again.close()
    assert not list((tmp_path / "one").iterdir()) and not list((tmp_path / "two").iterdir())


def test_a_missing_vault_folder_is_named_as_a_whole(settings: Settings, tmp_path: Path) -> None:
    app = initialise(settings)
    _with_records_and_a_file(app, tmp_path)
    app.close()
    assert settings.vault is not None
    shutil.rmtree(settings.vault)
    again = open_dutycare(settings)
    try:
        with pytest.raises(DomainError, match=r"vault folder .* was not found — check --vault"):
            ledger_service.verify(again.uow(), again.trusted_key(), again.file_hasher())
        assert not settings.vault.exists()
    finally:
        again.close()

"""Keys that cannot be lost or misused: the vault found wherever dutycare runs, recovery shares, key rotation."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dutycare import key_custody
from dutycare.adapters import keychain
from dutycare.adapters.crypto import keys
from dutycare.adapters.crypto.errors import CryptoError, KeyMissing, WrongKey
from dutycare.adapters.storage import rekey
from dutycare.bootstrap import Dutycare, initialise, open_dutycare
from dutycare.domain.errors import DomainError, NotFound
from dutycare.entrypoints.web.app import create_app
from dutycare.entrypoints.web.deps import WebContext
from dutycare.scenario import load_scenario
from dutycare.service_layer import accounts, ledger_service, services
from dutycare.service_layer import evidence as evidence_service
from dutycare.service_layer.access import User
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
    ctx = create_app(app).state.web
    evidence_service.export_evidence(ctx.uow(), app.vault(), evidence_id, out, viewer=_boss(ctx),
                                     at=datetime.now(UTC))
    assert out.read_bytes() == PHOTO
    result = app.verify()
    assert result.ok, result.record_problems or result.log.problems or result.access_messages()
    assert result.files_checked == 1


def _boss(ctx: WebContext) -> User:
    """The database's coordinator (added the first time it is needed)."""
    try:
        return accounts.user_by_name(ctx.uow(), "boss")
    except NotFound:
        return accounts.add_user(ctx.uow(), "boss", "coordinator", datetime.now(UTC), by=None,
                                 password="correct horse battery")[0]


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


def test_a_database_whose_key_file_was_deleted_is_recovered_from_two_of_three_phrases(
        settings: Settings, tmp_path: Path) -> None:
    app = initialise(settings)
    evidence_id = _with_records_and_a_file(app, tmp_path)
    phrases = key_custody.split_key(app, shares=3, threshold=2)
    app.close()
    assert len(phrases) == 3 and len(set(phrases)) == 3
    assert settings.key_file is not None
    settings.key_file.unlink()
    with pytest.raises(KeyMissing):
        open_dutycare(settings)
    with pytest.raises(CryptoError, match="do not fit together"):
        key_custody.recover_key(settings, phrases[:1])
    location = key_custody.recover_key(settings, [phrases[2], phrases[0]])
    assert str(settings.key_file) in location
    again = open_dutycare(settings)
    try:
        _assert_everything_opens(again, evidence_id, tmp_path)
    finally:
        again.close()


def test_phrases_of_another_database_or_an_earlier_split_do_not_recover(settings: Settings, tmp_path: Path) -> None:
    app = initialise(settings)
    old_phrases = key_custody.split_key(app, shares=2, threshold=2)
    key_custody.split_key(app, shares=2, threshold=2)
    app.close()
    assert settings.key_file is not None
    settings.key_file.unlink()
    with pytest.raises(WrongKey, match="latest split"):
        key_custody.recover_key(settings, old_phrases)
    assert not settings.key_file.exists()


def test_a_database_never_split_says_it_cannot_be_recovered(settings: Settings) -> None:
    initialise(settings).close()
    assert settings.key_file is not None
    settings.key_file.unlink()
    with pytest.raises(KeyMissing, match="never split"):
        key_custody.recover_key(settings, ["word " * 20])


def test_a_forgotten_passphrase_is_replaced_after_recovery(db_target: str, tmp_path: Path) -> None:
    settings = Settings(db=db_target, passphrase="забытая фраза", vault=tmp_path / "data" / "vault")
    app = initialise(settings)
    evidence_id = _with_records_and_a_file(app, tmp_path)
    phrases = key_custody.split_key(app, shares=1, threshold=1)
    app.close()
    key_custody.recover_key(settings.with_(passphrase=None), phrases, new_passphrase="новая фраза")
    with pytest.raises(WrongKey):
        open_dutycare(settings)
    again = open_dutycare(settings.with_(passphrase="новая фраза"))
    try:
        _assert_everything_opens(again, evidence_id, tmp_path)
    finally:
        again.close()


def test_rotation_moves_every_record_and_file_to_a_new_key(settings: Settings, tmp_path: Path) -> None:
    app = initialise(settings)
    evidence_id = _with_records_and_a_file(app, tmp_path)
    phrases = key_custody.split_key(app, shares=3, threshold=2)
    assert settings.key_file is not None
    old_key_file = tmp_path / "old.key"
    shutil.copy(settings.key_file, old_key_file)
    done = key_custody.rotate_key(app)
    app.close()
    assert done.files == 1 and done.values > 24 and done.retired is not None and done.retired.exists()
    assert not settings.key_file.with_name(settings.key_file.name + ".new").exists()
    with pytest.raises(WrongKey, match="does not belong"):
        open_dutycare(settings.with_(key_file=old_key_file))
    again = open_dutycare(settings)
    try:
        _assert_everything_opens(again, evidence_id, tmp_path)
        ledger_service.make_checkpoint(again.uow(), again.signer())
        with again.engine.connect() as conn:
            assert rekey.still_sealed_with(conn, keys.load_key_file(old_key_file)) == []
    finally:
        again.close()
    settings.key_file.unlink()  # the old phrases still recover the new key
    key_custody.recover_key(settings, phrases[1:])
    open_dutycare(settings).close()


def test_rotation_to_a_key_file_elsewhere(settings: Settings, tmp_path: Path) -> None:
    app = initialise(settings)
    evidence_id = _with_records_and_a_file(app, tmp_path)
    new_file = tmp_path / "keys2" / "new.key"
    done = key_custody.rotate_key(app, new_key_file=new_file)
    app.close()
    assert done.retired is None and str(new_file) in done.location
    with pytest.raises(WrongKey):
        open_dutycare(settings)
    again = open_dutycare(settings.with_(key_file=new_file))
    try:
        _assert_everything_opens(again, evidence_id, tmp_path)
    finally:
        again.close()


def test_rotation_of_a_passphrase_database(db_target: str, tmp_path: Path) -> None:
    settings = Settings(db=db_target, passphrase="старая фраза", vault=tmp_path / "data" / "vault")
    app = initialise(settings)
    evidence_id = _with_records_and_a_file(app, tmp_path)
    old_key = app.org_key
    key_custody.rotate_key(app, new_passphrase="новая фраза")
    app.close()
    with pytest.raises(WrongKey):
        open_dutycare(settings)
    again = open_dutycare(settings.with_(passphrase="новая фраза"))
    try:
        assert again.org_key != old_key
        _assert_everything_opens(again, evidence_id, tmp_path)
    finally:
        again.close()


def test_a_failed_rotation_changes_nothing(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = initialise(settings)
    evidence_id = _with_records_and_a_file(app, tmp_path)

    def refuse(*_args: object) -> None:
        raise DomainError("the disk is full")

    monkeypatch.setattr(keychain, "install", refuse)
    with pytest.raises(DomainError, match="disk is full"):
        key_custody.rotate_key(app)
    monkeypatch.undo()
    app.close()
    again = open_dutycare(settings)
    try:
        _assert_everything_opens(again, evidence_id, tmp_path)
    finally:
        again.close()


def test_rotation_refuses_a_sealed_value_it_does_not_know(settings: Settings, tmp_path: Path) -> None:
    import base64

    from dutycare.adapters.storage import meta_store

    app = initialise(settings)
    evidence_id = _with_records_and_a_file(app, tmp_path)
    with app.engine.begin() as conn:
        blob = app.sealer.seal("meta", "future-secret", 1, {"secret": "x"})
        meta_store.put(conn, "future-secret", base64.b64encode(blob).decode("ascii"))
    with pytest.raises(DomainError, match=r"meta\.future-secret"):
        key_custody.rotate_key(app)
    try:
        _assert_everything_opens(app, evidence_id, tmp_path)
    finally:
        app.close()

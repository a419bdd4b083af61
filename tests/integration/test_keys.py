"""The organisation key: from a key file kept apart from the data, or from a passphrase through Argon2id."""

from __future__ import annotations

from pathlib import Path

import pytest

from dutycare import bootstrap
from dutycare.adapters.crypto.errors import KeyMissing, WrongKey
from dutycare.bootstrap import initialise, open_dutycare
from dutycare.domain.errors import DomainError
from dutycare.scenario import load_scenario
from dutycare.service_layer import services
from dutycare.settings import Settings


def test_passphrase_database_opens_only_with_its_passphrase(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "data" / "p.db"), passphrase="правильная лошадь батарея скрепка")
    app = initialise(settings, use_passphrase=True)
    services.import_case_file(app.uow(), load_scenario())
    app.close()
    with pytest.raises(WrongKey):
        open_dutycare(settings.with_(passphrase="неправильная"))
    with pytest.raises(KeyMissing):
        open_dutycare(settings.with_(passphrase=None))
    again = open_dutycare(settings)
    try:
        assert services.record_counts(again.uow())["event"] == 24
    finally:
        again.close()


def test_key_file_beside_the_data_is_refused(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "data" / "k.db"), key_file=tmp_path / "data" / "org.key")
    with pytest.raises(DomainError, match="beside the data"):
        initialise(settings)
    assert not (tmp_path / "data" / "org.key").exists()


def test_init_refuses_a_database_that_already_exists(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "data" / "k.db"), key_file=tmp_path / "keys" / "k.key")
    initialise(settings).close()
    with pytest.raises(DomainError, match="already holds"):
        initialise(settings)


def test_a_passphrase_given_to_init_locks_the_database_with_it(db_target: str, tmp_path: Path) -> None:
    settings = Settings(db=db_target, passphrase="три слова подряд", vault=tmp_path / "data" / "vault")
    initialise(settings).close()
    assert not list((tmp_path / "config").rglob("*.key"))
    with pytest.raises(WrongKey, match="passphrase is not correct"):
        open_dutycare(settings.with_(passphrase="wrong"))
    with pytest.raises(KeyMissing):
        open_dutycare(settings.with_(passphrase=None))
    open_dutycare(settings).close()


def test_a_passphrase_offered_to_a_key_file_database_is_refused(settings: Settings) -> None:
    initialise(settings).close()
    with pytest.raises(WrongKey, match="not locked with a passphrase"):
        open_dutycare(settings.with_(passphrase="wrong"))


def test_init_refuses_both_a_key_file_and_a_passphrase(db_target: str, tmp_path: Path) -> None:
    settings = Settings(db=db_target, key_file=tmp_path / "keys" / "k.key", passphrase="p",
                        vault=tmp_path / "data" / "vault")
    with pytest.raises(DomainError, match="either"):
        initialise(settings)
    assert not (tmp_path / "keys" / "k.key").exists()
    initialise(settings.with_(passphrase=None)).close()


def test_the_key_file_location_is_not_stored_in_the_database(settings: Settings) -> None:
    from dutycare.adapters.storage import meta_store

    assert settings.key_file is not None
    app = initialise(settings)
    with app.engine.connect() as conn:
        stored = meta_store.get_all(conn)
    app.close()
    assert "key_file" not in stored
    assert not any(str(settings.key_file) in value or "org.key" in value for value in stored.values())
    with pytest.raises(KeyMissing, match="does not exist"):
        open_dutycare(settings.with_(key_file=None))
    open_dutycare(settings).close()


def test_the_default_key_file_is_found_without_a_setting(db_target: str, tmp_path: Path) -> None:
    settings = Settings(db=db_target, vault=tmp_path / "data" / "vault")
    initialise(settings).close()
    again = open_dutycare(settings)
    try:
        assert "config" in bootstrap.key_location(again)
    finally:
        again.close()


def test_key_location_does_not_read_the_database(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from dutycare.adapters.storage import meta_store

    app = initialise(settings)
    try:
        monkeypatch.setattr(meta_store, "get_all", _no_reading)
        monkeypatch.setattr(meta_store, "get", _no_reading)
        assert bootstrap.key_location(app) == f"the key file {settings.key_file}"
    finally:
        app.close()


def _no_reading(*_args: object) -> None:
    raise AssertionError("key_location read the database")


def test_a_failed_init_leaves_no_database_and_no_key_file(db_target: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(db=db_target, key_file=tmp_path / "keys" / "k.key", vault=tmp_path / "data" / "vault")

    def broken(*_args: object) -> None:
        raise DomainError("the disk is full")

    monkeypatch.setattr(bootstrap, "_store_signing_key", broken)
    with pytest.raises(DomainError, match="disk is full"):
        initialise(settings)
    assert not (tmp_path / "keys" / "k.key").exists()
    assert not (tmp_path / "data" / "dutycare.db").exists()
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    initialise(settings).close()  # nothing was left that would stop a second try


def test_a_refused_init_leaves_no_database_file(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "data" / "k.db"), key_file=tmp_path / "data" / "org.key")
    with pytest.raises(DomainError, match="beside the data"):
        initialise(settings)
    assert not (tmp_path / "data" / "k.db").exists()

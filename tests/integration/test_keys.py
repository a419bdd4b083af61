"""The organisation key: from a key file kept apart from the data, or from a passphrase through Argon2id."""

from __future__ import annotations

from pathlib import Path

import pytest

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

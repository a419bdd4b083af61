"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from cli_runner import run

from db_templates import PG_ADMIN, Templates
from dutycare.settings import Settings

_DB = Path("data") / "dutycare.db"
_KEY = Path("keys") / "org.key"


def _env_for(root: Path, db_target: str) -> dict[str, str]:
    env = {**os.environ, "DUTYCARE_DB": db_target, "DUTYCARE_KEY_FILE": str(root / _KEY),
           "DUTYCARE_VAULT": str(root / "data" / "vault")}
    env.pop("DUTYCARE_ACTOR", None)
    return env


def _init_with_clerk(env: dict[str, str]) -> None:
    run("init", env=env)
    run("users", "add", "clerk", "--role", "coordinator", env=env)


@pytest.fixture(scope="session")
def _sqlite_cli_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database made by the real ``init`` and ``users add`` commands, with its key file, copied for every
    SQLite test instead of running both commands (key, schema, migrations) again each time."""
    root = tmp_path_factory.mktemp("cli-template")
    env = _env_for(root, str(root / _DB))
    env |= {"XDG_CONFIG_HOME": str(root / "config"), "XDG_DATA_HOME": str(root / "share")}
    _init_with_clerk(env)
    assert not list((root / "data").glob("*-wal")), "the template must be complete in its one file"
    return root


def _cli_build(settings: Settings) -> None:
    assert settings.key_file is not None
    root = settings.key_file.parent.parent
    env = _env_for(root, settings.db)
    _init_with_clerk(env | {"XDG_CONFIG_HOME": str(root / "config"), "XDG_DATA_HOME": str(root / "share")})


@pytest.fixture
def cli_env(db_target: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """An environment naming a fresh database, a key file outside its data directory, and the staff account the
    command line acts as (the database's first coordinator). The database and key are a copy of one made by the
    same two commands once per session (on PostgreSQL, replayed from a dump of it: tests/db_templates.py)."""
    env = _env_for(tmp_path, db_target)
    if "://" in db_target:
        templates: Templates = request.getfixturevalue("db_templates")
        templates.built("postgresql", "cli", _cli_build).copy_into(Settings(
            db=db_target, key_file=tmp_path / _KEY, vault=tmp_path / "data" / "vault"), PG_ADMIN)
    else:
        template: Path = request.getfixturevalue("_sqlite_cli_template")
        for part in (_DB, _KEY):
            (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(template / part, tmp_path / part)
        assert Path(db_target) == tmp_path / _DB
    return {**env, "DUTYCARE_ACTOR": "clerk"}

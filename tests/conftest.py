"""Fixtures shared by every test: databases on SQLite and PostgreSQL, keys kept apart from the data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from db_templates import PG_ADMIN, Fill, Templates
from dutycare.bootstrap import Dutycare, open_dutycare
from dutycare.settings import Settings

BACKENDS = ("sqlite", "postgresql")


def _postgres_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture(scope="session")
def postgres_ready() -> bool:
    """Whether PostgreSQL answers; in CI it must."""
    ok = _postgres_available()
    if not ok and os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN}, and CI needs it")
    return ok


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep default key files and environment settings of the machine out of every test."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    for name in ("DUTYCARE_DB", "DUTYCARE_KEY_FILE", "DUTYCARE_PASSPHRASE", "DUTYCARE_VAULT", "DUTYCARE_ACTOR",
                 "DUTYCARE_CHECKPOINT_DIR", "DUTYCARE_WITNESSES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def pg_url(postgres_ready: bool) -> Iterator[str]:
    """A postgresql:// URL whose search path is a fresh schema, dropped afterwards."""
    if not postgres_ready:
        pytest.skip("PostgreSQL is not running here")
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_ADMIN}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database target on each back end: an SQLite file path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "data" / "dutycare.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def settings(db_target: str, tmp_path: Path) -> Settings:
    """Settings for a new database, its key file outside the data directory."""
    return Settings(db=db_target, key_file=tmp_path / "keys" / "org.key", vault=tmp_path / "data" / "vault",
                    actor="tester")


@pytest.fixture(scope="session")
def db_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """The template databases of this test process (tests/db_templates.py)."""
    made = Templates(tmp_path_factory.mktemp("db-templates"), PG_ADMIN)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def app_contents() -> tuple[str, Fill | None]:
    """What the ``app`` database holds: a template's name and what fills it after ``initialise``. Nothing, here; a
    conftest whose tests all want a filled database overrides it."""
    return ("empty", None)


@pytest.fixture
def app(settings: Settings, db_templates: Templates, app_contents: tuple[str, Fill | None]) -> Iterator[Dutycare]:
    """An initialised dutycare database on each back end, empty unless ``app_contents`` says otherwise: a copy of
    one that ``initialise`` made for this test process."""
    backend = "postgresql" if "://" in settings.db else "sqlite"
    db_templates.get(backend, *app_contents).copy_into(settings, PG_ADMIN)
    dc = open_dutycare(settings)
    try:
        yield dc
    finally:
        dc.close()


@pytest.fixture
def second_db_target(db_target: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database on the same back end as db_target (where a restore goes)."""
    if "://" not in db_target:
        yield str(tmp_path / "second" / "dutycare.db")
        return
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_ADMIN}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

"""Databases made once per test process and copied for each test: initialising a database (schema migrations, keys)
and importing a data set into it cost far more than copying the result.

A template is made by the same calls a test's fixture made before (``initialise``, then whatever fills it) under
settings of the same shape; a test gets a copy of its database, key file and vault at its own paths. On SQLite the
copy is of the files; on PostgreSQL the template schema is dumped once with pg_dump and the dump is replayed into
the test's own schema, in one transaction. Every copy of one template shares its organisation and signing keys,
which no single test can see; a test that needs keys of its own calls ``initialise`` itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg

from dutycare.bootstrap import Dutycare, initialise
from dutycare.settings import Settings

PG_ADMIN = os.environ.get("DUTYCARE_TEST_PG", "postgresql://127.0.0.1:5432/test")
"""The PostgreSQL database tests make their schemas in."""

Fill = Callable[[Dutycare, Path], object]
"""What fills a new template database (given its app and a scratch folder); what it returns is kept with it."""
Build = Callable[[Settings], object]
"""What makes a template database at the settings given, instead of ``initialise`` and a fill."""


def settings_at(root: Path, db: str) -> Settings:
    """Settings of the shape the ``settings`` fixture makes, under ``root``."""
    return Settings(db=db, key_file=root / "keys" / "org.key", vault=root / "data" / "vault", actor="tester")


def schema_of(url: str) -> str:
    """The schema a test's PostgreSQL URL sets as its search path."""
    options = parse_qs(urlsplit(url).query)["options"][0]
    prefix = "-csearch_path="
    assert options.startswith(prefix), url
    return options[len(prefix):]


@dataclass
class Template:
    """One made database: its files under ``root``, its database (an SQLite file or a PostgreSQL URL) and, on
    PostgreSQL, its schema and that schema's dump."""

    root: Path
    db: str
    schema: str | None
    dump: str | None
    made: object

    def copy_into(self, settings: Settings, admin_url: str) -> None:
        """Give the (empty) database, key file and vault that ``settings`` name this template's contents."""
        source = settings_at(self.root, "")
        assert settings.key_file is not None and settings.vault is not None and source.key_file is not None
        _copy_file(source.key_file, settings.key_file)
        assert source.vault is not None
        shutil.copytree(source.vault, settings.vault)
        shutil.copystat(source.vault.parent, settings.vault.parent)
        if self.dump is None:
            _copy_file(Path(self.db), Path(settings.db))
            return
        assert self.schema is not None
        with psycopg.connect(admin_url) as conn, conn.cursor() as cur:
            for sql, rows in _steps(self.dump.replace(self.schema, schema_of(settings.db))):
                if rows is None:
                    cur.execute(sql)
                    continue
                with cur.copy(sql) as copy:
                    copy.write(rows)


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copystat(source.parent, target.parent)
    shutil.copy2(source, target)


@dataclass
class Templates:
    """The templates of this test process, made on first use and removed at its end."""

    base: Path
    admin_url: str
    made: dict[tuple[str, str], Template] = field(default_factory=dict)

    def get(self, backend: str, name: str, fill: Fill | None) -> Template:
        """The template ``name`` on ``backend`` ("sqlite" or "postgresql"): ``initialise``, then ``fill``, when first
        made."""
        return self.built(backend, name, lambda settings: _initialise(settings, fill))

    def built(self, backend: str, name: str, build: Build) -> Template:
        """The template ``name`` on ``backend``, made by ``build`` when first asked for."""
        key = (backend, name)
        if key not in self.made:
            self.made[key] = self._make(backend, name, build)
        return self.made[key]

    def _make(self, backend: str, name: str, build: Build) -> Template:
        root = self.base / f"{backend}-{name}"
        root.mkdir()
        schema = None
        if backend == "sqlite":
            db = str(root / "data" / "dutycare.db")
        else:
            schema = "tpl_" + uuid.uuid4().hex[:12]
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            db = f"{self.admin_url}?options=-csearch_path%3D{schema}"
        made = build(settings_at(root, db))
        if schema is None:
            assert not list((root / "data").glob("*-wal")), "the template must be complete in its one file"
            return Template(root, db, None, None, made)
        return Template(root, db, schema, _dump(self.admin_url, schema), made)

    def close(self) -> None:
        """Drop the template schemas."""
        schemas = [t.schema for t in self.made.values() if t.schema is not None]
        if schemas:
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                for schema in schemas:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _initialise(settings: Settings, fill: Fill | None) -> object:
    app = initialise(settings)
    try:
        assert settings.key_file is not None
        return fill(app, settings.key_file.parent.parent / "scratch") if fill is not None else None
    finally:
        app.close()


def _dump(admin_url: str, schema: str) -> str:
    """The SQL that rebuilds ``schema`` (into an existing schema of another name, once the name is replaced)."""
    return subprocess.run(["pg_dump", "--dbname", admin_url, "--schema", schema, "--no-owner", "--no-privileges"],
                          capture_output=True, text=True, check=True).stdout


def _steps(dump: str) -> Iterator[tuple[str, str | None]]:
    """A plain pg_dump's script as the statements to execute (rows None) and the COPY statements with their rows.
    Comments, psql's meta-commands (\\restrict) and the schema's own creation (the test's schema exists) go."""
    sql: list[str] = []
    lines = iter(dump.split("\n"))  # not splitlines: a COPY row keeps characters such as U+2028 unescaped
    for line in lines:
        if line.startswith("COPY ") and line.endswith(" FROM stdin;"):
            yield from _statements(sql)
            sql = []
            rows = []
            for row in lines:
                if row == "\\.":
                    break
                rows.append(row + "\n")
            yield line, "".join(rows)
        elif not line.startswith(("--", "\\", "CREATE SCHEMA ")):
            sql.append(line)
    yield from _statements(sql)


def _statements(lines: list[str]) -> Iterator[tuple[str, None]]:
    text = "\n".join(lines).strip()
    if text:
        yield text, None

"""Consistent database snapshots for backups, and putting one back into an empty database.

SQLite is copied with its online backup API (one step, so writers on other connections cannot tear it).
PostgreSQL is read table by table inside one REPEATABLE READ, READ ONLY transaction (the snapshot pg_dump
itself uses) into portable JSON lines. Restoring rows runs the migrations up to the backup's revision and
inserts them, so a snapshot restores into any empty database or schema, on either back end, without
client binaries matching the server's version; pg_dump's output names its source schema and does not.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, Integer, MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from dutycare.adapters.storage import schema
from dutycare.adapters.storage.engine import database_url, is_sqlite, make_engine
from dutycare.domain.errors import DomainError
from dutycare.ledger.merkle import TreeBuilder, leaf_hash
from dutycare.service_layer.ports import BackupDatabase
from dutycare.service_layer.snapshots import DatabaseSnapshot

SQLITE_FILE = "sqlite-file"
ROWS = "rows-jsonl"
SQLITE_MEMBER = "database/dutycare.sqlite3"
ROWS_PREFIX = "database/rows/"
BATCH = 1000
_VERSION_TABLE = "alembic_version"


class SqlDatabase(BackupDatabase):
    """One dutycare database (SQLite file or PostgreSQL schema) as a backup source or restore target."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.url = database_url(target)
        self.backend = "sqlite" if is_sqlite(self.url) else "postgresql"
        self._placed = False

    @property
    def shown(self) -> str:
        """The target as messages name it (a PostgreSQL password is masked)."""
        if self.backend == "sqlite":
            return self.target
        return make_url(self.url).render_as_string(hide_password=True).replace("postgresql+psycopg", "postgresql")

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file (only for SQLite targets)."""
        return Path(str(make_url(self.url).database)).expanduser().resolve()

    # --- backing up -------------------------------------------------------------------------------------

    def snapshot(self, work_dir: Path) -> DatabaseSnapshot:
        """Take a consistent snapshot into ``work_dir``; the source keeps serving readers and writers."""
        if self.backend == "sqlite":
            return self._snapshot_sqlite(work_dir)
        engine = make_engine(self.target)
        try:
            conn = self._connect(engine).execution_options(isolation_level="REPEATABLE READ",
                                                           postgresql_readonly=True)
            with conn, conn.begin():
                revision, size, root = _describe(conn, self.shown)
                files = dump_rows(conn, work_dir)
        finally:
            engine.dispose()
        return DatabaseSnapshot(self.backend, ROWS, revision, size, root, files)

    def _connect(self, engine: Engine) -> Connection:
        try:
            return engine.connect()
        except SQLAlchemyError as exc:
            raise DomainError(f"The database {self.shown} cannot be reached ({exc.__class__.__name__}); "
                              "nothing was backed up.") from None

    def _snapshot_sqlite(self, work_dir: Path) -> DatabaseSnapshot:
        if not self.sqlite_path.is_file():
            raise DomainError(f"There is no database at {self.shown}; nothing was backed up.")
        copy = work_dir / "dutycare.sqlite3"
        source = sqlite3.connect(self.sqlite_path)
        dest = sqlite3.connect(copy)
        try:
            source.backup(dest)  # one step: the copy is the database as of a single moment
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            source.close()
            dest.close()
        engine = _plain_sqlite(copy)
        try:
            with engine.connect() as conn:
                revision, size, root = _describe(conn, self.shown)
        finally:
            engine.dispose()
        return DatabaseSnapshot(self.backend, SQLITE_FILE, revision, size, root, {SQLITE_MEMBER: copy})

    # --- restoring --------------------------------------------------------------------------------------

    def ensure_empty(self) -> None:
        """Refuse a target that already holds anything: a restore never merges into or replaces data."""
        if self.backend == "sqlite":
            path = self.sqlite_path
            if path.exists() and (not path.is_file() or path.stat().st_size > 0):
                raise DomainError(f"{self.shown} already exists; restore into a new, empty database.")
            return
        engine = make_engine(self.target)
        try:
            tables = inspect(engine).get_table_names()
        except SQLAlchemyError as exc:
            raise DomainError(f"The database {self.shown} cannot be reached: {exc.__class__.__name__}.") from None
        finally:
            engine.dispose()
        if tables:
            raise DomainError(f"{self.shown} already holds tables ({', '.join(sorted(tables)[:5])}); "
                              "restore into a new, empty database or schema.")

    def place(self, fmt: str, revision: str, members: dict[str, Path], work_dir: Path) -> None:
        """Write a snapshot into this (empty) target and migrate it to this dutycare's schema."""
        _ensure_known(revision)
        self._placed = True
        if fmt == SQLITE_FILE and self.backend == "sqlite":
            self._place_file(members[SQLITE_MEMBER])
        else:
            rows = members if fmt == ROWS else _rows_of_file(members[SQLITE_MEMBER], work_dir)
            self._load_rows(revision, rows)
        engine = make_engine(self.target)
        try:
            schema.upgrade(engine)
        finally:
            engine.dispose()

    def _place_file(self, staged: Path) -> None:
        path = self.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.restoring")
        shutil.copyfile(staged, tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    def _load_rows(self, revision: str, members: dict[str, Path]) -> None:
        if self.backend == "sqlite":
            self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(self.target)
        try:
            schema.upgrade(engine, revision)
            with engine.begin() as conn:
                load_rows(conn, members)
        finally:
            engine.dispose()

    def remove(self) -> None:
        """Undo a failed restore: drop what `place` wrote (the target was empty before)."""
        if not self._placed:
            return
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                with suppress(FileNotFoundError):
                    os.unlink(f"{self.sqlite_path}{suffix}")
            return
        engine = make_engine(self.target)
        try:
            with engine.begin() as conn:
                found = MetaData()
                found.reflect(conn)
                found.drop_all(conn)
        finally:
            engine.dispose()


def _describe(conn: Connection, target: str) -> tuple[str, int, str]:
    revision = MigrationContext.configure(conn).get_current_revision()
    if revision is None:
        raise DomainError(f"{target} is not a dutycare database; nothing was backed up.")
    size, root = ledger_head(conn)
    return revision, size, root


def ledger_head(conn: Connection) -> tuple[int, str]:
    """The ledger's size and root hash (hex) as this connection sees it, read in one streaming pass."""
    tree = TreeBuilder()
    rows = conn.execution_options(yield_per=10000).execute(text("SELECT entry FROM ledger_entries ORDER BY seq"))
    for (entry,) in rows:
        tree.append(leaf_hash(bytes(entry)))
    return tree.size, tree.root().hex()


def _ensure_known(revision: str) -> None:
    try:
        known = ScriptDirectory(str(schema.MIGRATIONS)).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise DomainError(f"The backup uses schema revision {revision}, which this dutycare does not know; "
                          "restore it with the dutycare version that made it (or a newer one).")


# --- rows ------------------------------------------------------------------------------------------------


def dump_rows(conn: Connection, work_dir: Path) -> dict[str, Path]:
    """Write every table (but the migration marker) as JSON lines; one member per table."""
    found = MetaData()
    found.reflect(conn)
    files: dict[str, Path] = {}
    (work_dir / "rows").mkdir(exist_ok=True)
    for table in found.sorted_tables:
        if table.name == _VERSION_TABLE:
            continue
        path = work_dir / "rows" / f"{table.name}.jsonl"
        with open(path, "w", encoding="utf-8") as out:
            _dump_table(conn, table, out)
        files[f"{ROWS_PREFIX}{table.name}.jsonl"] = path
    return files


def _dump_table(conn: Connection, table: Table, out: Any) -> None:
    columns = [c.name for c in table.columns]
    out.write(json.dumps({"table": table.name, "columns": columns}) + "\n")
    # Rows go out in the order they were written (position), so a row that refers to an earlier row of its
    # own table (a derived evidence file) is loaded after it.
    order = [table.c.position] if "position" in table.c else list(table.primary_key.columns)
    rows = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in rows:
        out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")


def _encode(value: object) -> object:
    if isinstance(value, bytes | memoryview):
        return {"b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def _decode(value: object) -> object:
    if not isinstance(value, dict):
        return value
    (kind, raw), = value.items()
    if kind == "b64":
        return base64.b64decode(raw)
    if kind == "datetime":
        return datetime.fromisoformat(raw)
    if kind == "date":
        return date.fromisoformat(raw)
    return Decimal(raw)


def _plain_sqlite(path: Path) -> Engine:
    """An engine on a snapshot file that leaves its journal mode alone (make_engine would switch it to WAL)."""
    return create_engine(f"sqlite+pysqlite:///{path}")


def _rows_of_file(staged: Path, work_dir: Path) -> dict[str, Path]:
    engine = _plain_sqlite(staged)
    try:
        with engine.connect() as conn:
            return dump_rows(conn, work_dir)
    finally:
        engine.dispose()


def load_rows(conn: Connection, members: dict[str, Path]) -> None:
    """Replace the rows of a freshly migrated schema with those of a snapshot, in foreign-key order."""
    found = MetaData()
    found.reflect(conn)
    by_table = {_table_of(name): path for name, path in members.items() if name.startswith(ROWS_PREFIX)}
    unknown = sorted(set(by_table) - set(found.tables))
    if unknown:
        raise DomainError(f"The backup holds tables this schema does not have: {', '.join(unknown)}.")
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
    for table in reversed(found.sorted_tables):
        if table.name != _VERSION_TABLE:
            conn.execute(table.delete())
    for table in found.sorted_tables:
        if table.name in by_table:
            _load_table(conn, table, by_table[table.name])
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn, found)


def _table_of(member: str) -> str:
    return member[len(ROWS_PREFIX):].removesuffix(".jsonl")


def _load_table(conn: Connection, table: Table, path: Path) -> None:
    with open(path, encoding="utf-8") as source:
        header = json.loads(source.readline())
        columns = header["columns"]
        missing = [c for c in columns if c not in table.c]
        if header.get("table") != table.name or missing:
            raise DomainError(f"The backup's rows of {table.name} do not fit this schema (columns {missing}).")
        for batch in _batches(source, columns):
            conn.execute(table.insert(), batch)


def _batches(lines: Any, columns: list[str]) -> Iterator[list[dict[str, object]]]:
    batch: list[dict[str, object]] = []
    for line in lines:
        batch.append(dict(zip(columns, (_decode(v) for v in json.loads(line)), strict=True)))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _reset_sequences(conn: Connection, found: MetaData) -> None:
    """Move each serial column's sequence past the restored rows, so the next insert does not collide."""
    for table in found.sorted_tables:
        for column in table.columns:
            if not column.primary_key or not isinstance(column.type, Integer):
                continue
            quote = conn.dialect.identifier_preparer.quote
            quoted, col = quote(table.name), quote(column.name)
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": quoted, "c": column.name}).scalar()
            if seq:
                conn.execute(text(f"SELECT setval(:s, COALESCE((SELECT MAX({col}) FROM {quoted}), 0) + 1, "
                                  "false)"), {"s": seq})

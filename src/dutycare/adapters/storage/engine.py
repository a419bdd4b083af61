"""Engines for the two supported databases, from a path or a URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from dutycare.domain.errors import DomainError


def database_url(target: str) -> str:
    """Turn a file path or a postgresql:// URL into an SQLAlchemy URL."""
    if target.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + target.split("://", 1)[1]
    if target.startswith(("postgresql+psycopg://", "sqlite://", "sqlite+pysqlite://")):
        return target
    if "://" in target:
        raise DomainError(f"'{target}' is not a database dutycare supports: give a file path or a postgresql:// URL")
    return f"sqlite+pysqlite:///{Path(target).expanduser().resolve()}"


def is_sqlite(url: str) -> bool:
    """True for an SQLite URL."""
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(target: str) -> Engine:
    """An engine for the database named by a path or URL; SQLite gets WAL and foreign keys."""
    url = database_url(target)
    if is_sqlite(url):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)

"""Engines for the two supported databases, from a path or a URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection

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


# Connections kept open per process: at least as many as the web application runs requests at once (its
# REQUEST_THREADS), so that none is opened and closed per request.
POOL_SIZE = 10
POOL_OVERFLOW = 20


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(target: str) -> Engine:
    """An engine for the database named by a path or URL; SQLite gets WAL and foreign keys."""
    url = database_url(target)
    if is_sqlite(url):
        # A new SQLite connection parses the whole schema on its first statement and starts with an empty cache.
        engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)

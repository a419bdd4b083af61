"""Small named values kept in the database: key check, keyring, sealed signing key, schema facts."""

from __future__ import annotations

from sqlalchemy import Connection, select

from dutycare.adapters.storage import tables as t


def get(conn: Connection, key: str) -> str | None:
    """One value, or None."""
    return conn.execute(select(t.meta.c.value).where(t.meta.c.key == key)).scalar()


def get_all(conn: Connection) -> dict[str, str]:
    """Every value."""
    return dict(conn.execute(select(t.meta.c.key, t.meta.c.value)).all())


def put(conn: Connection, key: str, value: str) -> None:
    """Set one value (insert or replace)."""
    if get(conn, key) is None:
        conn.execute(t.meta.insert().values(key=key, value=value))
    else:
        conn.execute(t.meta.update().where(t.meta.c.key == key).values(value=value))

"""Key rotation in the database: every sealed value re-wrapped for a new organisation key, in one transaction.

Only the wrapped data key of each blob changes; the encrypted payloads stay byte for byte as they were. A scan of
every binary column and every meta value afterwards refuses the rotation if anything still names the old key
(a sealed column added later and not listed here), so a rotation never leaves data only the old key opens.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from sqlalchemy import Connection, LargeBinary, Table, bindparam, func, select, update

from dutycare.adapters.crypto.envelope import AadParts, rewrap
from dutycare.adapters.crypto.keys import OrgKey
from dutycare.adapters.crypto.signing import SEALED_FORMAT, SEALED_KIND
from dutycare.adapters.storage import access_tables as a
from dutycare.adapters.storage import meta_store
from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.access_store import TOTP_KIND
from dutycare.adapters.storage.search_store import KEY_NAME as SEARCH_KEY
from dutycare.domain.errors import DomainError

BATCH = 2000
SIGNING_KEY = "signing_key"
SIGNING_KEY_NAME = "signing_key_name"


@dataclass(frozen=True)
class SealedColumn:
    """A column of sealed blobs and how its rows name the record each blob is bound to."""

    table: Table
    kind: str
    version: str
    blob: str = "sealed"


SEALED_COLUMNS = (
    SealedColumn(t.people, "person", "version"),
    SealedColumn(t.sources, "source", "version"),
    SealedColumn(t.cases, "case", "version"),
    SealedColumn(t.events, "event", "version"),
    SealedColumn(t.evidence, "evidence", "version"),
    SealedColumn(t.complaint_drafts, "complaint_draft", "version"),
    SealedColumn(a.users, TOTP_KIND, "totp_version", "totp_sealed"),
)


def rewrap_database(conn: Connection, old: OrgKey, new: OrgKey) -> int:
    """Re-wrap every sealed row and sealed meta value for ``new``; returns how many values changed."""
    count = sum(_rewrap_column(conn, column, old, new) for column in SEALED_COLUMNS)
    count += _rewrap_meta(conn, old, new)
    left = still_sealed_with(conn, old)
    if left:
        raise DomainError("Key rotation stopped and changed nothing: these stored values are sealed with the old "
                          f"key in a way rotation does not know: {', '.join(left)}. Report this as a bug.")
    return count


def _rewrap_column(conn: Connection, column: SealedColumn, old: OrgKey, new: OrgKey) -> int:
    table = column.table
    ident, version, blob = table.c.id, table.c[column.version], table.c[column.blob]
    statement = update(table).where(ident == bindparam("_id")).values({column.blob: bindparam("_blob")})
    last, count = "", 0
    while True:
        rows = conn.execute(select(ident, version, blob).where(ident > last, blob.is_not(None))
                            .order_by(ident).limit(BATCH)).all()
        if not rows:
            return count
        conn.execute(statement, [{"_id": r[0], "_blob": rewrap(old, new, (column.kind, r[0], int(r[1])), bytes(r[2]))}
                                 for r in rows])
        last, count = rows[-1][0], count + len(rows)


def _rewrap_meta(conn: Connection, old: OrgKey, new: OrgKey) -> int:
    parts: dict[str, AadParts] = {SEARCH_KEY: ("meta", SEARCH_KEY, 1)}
    name = meta_store.get(conn, SIGNING_KEY_NAME)
    if name:
        parts[SIGNING_KEY] = (SEALED_KIND, name, SEALED_FORMAT)
    count = 0
    for key, aad_parts in parts.items():
        stored = meta_store.get(conn, key)
        if stored:
            blob = rewrap(old, new, aad_parts, base64.b64decode(stored))
            meta_store.put(conn, key, base64.b64encode(blob).decode("ascii"))
            count += 1
    return count


def still_sealed_with(conn: Connection, key: OrgKey) -> list[str]:
    """Every binary column and meta value that still holds a blob naming ``key``."""
    prefix = b"DCE\x01" + key.key_id()
    found = []
    for table in t.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, LargeBinary):
                hits = conn.execute(select(func.count()).select_from(table)
                                    .where(func.substr(column, 1, len(prefix)) == prefix)).scalar_one()
                if hits:
                    found.append(f"{table.name}.{column.name} ({hits})")
    for name, value in meta_store.get_all(conn).items():
        try:
            if base64.b64decode(value, validate=True).startswith(prefix):
                found.append(f"meta.{name}")
        except (binascii.Error, ValueError):
            continue
    return found

"""Access records as the access log enters them: organisations, users, API tokens, case restrictions, audit rows.

One function builds each kind of record, both for the write that enters it and for `verify`, which compares the
stored rows with the newest entry about each. Secrets appear only as SHA-256 digests of their stored form, and
entries carry only the digest of the whole record; sessions and failed sign-ins are transient and not entered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from sqlalchemy import Connection, select

from dutycare.adapters.storage import access_tables as a
from dutycare.adapters.storage.repository import RecordState
from dutycare.service_layer.ports import AccessRecords

ORGANISATION = "organisation"
USER = "user"
TOKEN = "token"
CASE_ACCESS = "case_access"
AUDIT = "audit"


def _sha256(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return hashlib.sha256(data).hexdigest()


def organisation_record(row: Any) -> dict[str, Any]:
    """An organisation as entered."""
    return {"id": row["id"], "name": row["name"], "created_at": row["created_at"]}


def user_record(row: Any) -> dict[str, Any]:
    """A user as entered: role, state and second factor, with digests of the password hash and sealed secret."""
    return {"id": row["id"], "organisation_id": row["organisation_id"], "name": row["name"],
            "display_name": row["display_name"], "role": row["role"], "active": bool(row["active"]),
            "created_at": row["created_at"], "password_sha256": _sha256(row["password_hash"]),
            "second_factor": row["totp_sealed"] is not None, "totp_sha256": _sha256(row["totp_sealed"]),
            "totp_version": int(row["totp_version"])}


def token_record(row: Any) -> dict[str, Any]:
    """An API token as entered (its last use is transient and left out)."""
    return {"id": row["id"], "user_id": row["user_id"], "label": row["label"], "created_at": row["created_at"],
            "revoked_at": row["revoked_at"], "token_hash_sha256": _sha256(row["token_hash"])}


def audit_record(row: Any) -> dict[str, Any]:
    """An audit row as entered."""
    return {"seq": int(row["seq"]), "at": row["at"], "user_id": row["user_id"], "user_name": row["user_name"],
            "action": row["action"], "target_kind": row["target_kind"], "target_id": row["target_id"],
            "detail": row["detail"]}


def case_access_record(case_id: str, restricted: Any | None, user_ids: list[str]) -> dict[str, Any]:
    """A case's restriction and named users; an open case naming nobody has this record too."""
    return {"case_id": case_id, "restricted": restricted is not None,
            "restricted_at": None if restricted is None else restricted["restricted_at"],
            "restricted_by": None if restricted is None else restricted["restricted_by"],
            "user_ids": sorted(user_ids)}


_KEYED = {ORGANISATION: (a.organisations, a.organisations.c.id, organisation_record),
          USER: (a.users, a.users.c.id, user_record),
          TOKEN: (a.api_tokens, a.api_tokens.c.id, token_record),
          AUDIT: (a.audit_log, a.audit_log.c.seq, audit_record)}


def _state(entity: str, ident: str, case_ids: tuple[str, ...], read: Callable[[], dict[str, Any]]) -> RecordState:
    try:
        return RecordState(entity, ident, case_ids, read())
    except Exception as exc:  # a verifier reports every kind of damage instead of stopping at the first
        return RecordState(entity, ident, case_ids, None, f"{type(exc).__name__}: {exc}")


class SqlAccessRecords(AccessRecords):
    """Reads access records for the access log, on the unit of work's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def record(self, entity: str, ident: str) -> dict[str, Any] | None:
        """The current record of one access entity, or None when it is not stored."""
        if entity == CASE_ACCESS:
            return self._case_access(ident)
        table, key, build = _KEYED[entity]
        if entity == AUDIT and not ident.isdigit():
            return None
        value: object = int(ident) if entity == AUDIT else ident
        row = self.conn.execute(select(table).where(key == value)).mappings().first()
        return None if row is None else build(row)

    def _case_access(self, case_id: str) -> dict[str, Any]:
        restricted = self.conn.execute(select(a.restricted_cases)
                                       .where(a.restricted_cases.c.case_id == case_id)).mappings().first()
        named = self.conn.execute(select(a.case_access.c.user_id)
                                  .where(a.case_access.c.case_id == case_id)).scalars().all()
        return case_access_record(case_id, restricted, list(named))

    def states(self) -> Iterator[RecordState]:
        """Every stored access record (or why it cannot be read), for verification."""
        for entity, (table, key, build) in _KEYED.items():
            for row in self.conn.execute(select(table).order_by(key)).mappings():
                yield _state(entity, str(row[key.name]), (), partial(build, row))
        restricted = {r["case_id"]: r for r in self.conn.execute(select(a.restricted_cases)).mappings()}
        named: dict[str, list[str]] = {}
        for case_id, user_id in self.conn.execute(select(a.case_access.c.case_id, a.case_access.c.user_id)):
            named.setdefault(case_id, []).append(user_id)
        for case_id in sorted(set(restricted) | set(named)):
            yield _state(CASE_ACCESS, case_id, (case_id,),
                         partial(case_access_record, case_id, restricted.get(case_id), named.get(case_id, [])))


def enter_existing(conn: Connection, actor: str = "migration") -> int:
    """Enter every stored access record in an empty access log (databases from before it); returns its size."""
    from dutycare.adapters.storage.ledger_store import ACCESS_LOG, SqlLedger
    from dutycare.service_layer.changes import Action, Change

    log = SqlLedger(conn, log=ACCESS_LOG)
    if log.size():
        return log.size()
    changes = [Change(Action.CREATE, s.entity, s.id, s.record) for s in SqlAccessRecords(conn).states()
               if s.record is not None]
    return log.append(changes, actor)

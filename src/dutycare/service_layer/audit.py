"""The audit log: who read identifying data, who exported, who changed users, tokens and case access.

Entries are written in the same unit of work as the read or change they record, so a read whose audit entry
cannot be written does not happen. Coordinators read the log on a page and through the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from dutycare.domain.limits import MAX_OFFSET
from dutycare.service_layer.accounts import StaffUnitOfWork, User, iso

MAX_AUDIT_PAGE = 500


class AuditAction(StrEnum):
    """What an audit entry records."""

    READ_IDENTIFYING = "read_identifying"
    EXPORT = "export"
    SIGN_IN = "sign_in"
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    CASE_ACCESS_CHANGED = "case_access_changed"


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    seq: int
    at: str
    user_id: str | None
    user_name: str
    action: str
    target_kind: str
    target_id: str
    detail: str


class AuditLog(Protocol):
    """Where audit entries are appended and read."""

    def append(self, at: str, user_id: str | None, user_name: str, action: str, target_kind: str, target_id: str,
               detail: str) -> None: ...
    def entries(self, limit: int, offset: int, action: str | None = None) -> tuple[list[AuditEntry], int]: ...


def note(uow: StaffUnitOfWork, who: User | None, action: AuditAction, target_kind: str, target_id: str,
         at: datetime, detail: str = "") -> None:
    """Append one entry inside the caller's open unit of work (the caller commits)."""
    uow.audit.append(iso(at), who.id if who else None, who.name if who else "system", action.value, target_kind,
                     target_id, detail)


def record(uow: StaffUnitOfWork, who: User | None, action: AuditAction, target_kind: str, target_id: str,
           at: datetime, detail: str = "") -> None:
    """Append one entry in its own unit of work."""
    with uow:
        note(uow, who, action, target_kind, target_id, at, detail)
        uow.commit()


def list_entries(uow: StaffUnitOfWork, limit: int = 100, offset: int = 0,
                 action: str | None = None) -> tuple[list[AuditEntry], int]:
    """A page of the audit log, newest first, and how many entries match."""
    # Bounded here for every caller: an offset past a 64-bit integer would reach the database and fail there.
    limit, offset = max(1, min(limit, MAX_AUDIT_PAGE)), min(max(0, offset), MAX_OFFSET)
    with uow:
        return uow.audit.entries(limit, offset, action or None)

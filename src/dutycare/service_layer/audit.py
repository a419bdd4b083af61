"""The audit log: who read identifying data, exported or took out evidence, signed in, and who changed users,
tokens and case access.

Entries are written in the same unit of work as the read or change they record, so a read whose audit entry
cannot be written does not happen; each is also entered in the access log, so a deleted or edited row fails
`verify`. Coordinators read the log on a page and through the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum

from dutycare.domain.limits import MAX_OFFSET
from dutycare.service_layer import access_log
from dutycare.service_layer.access import User
from dutycare.service_layer.changes import Action
from dutycare.service_layer.ports import AuditLog as AuditLog
from dutycare.service_layer.ports import StaffUnitOfWork
from dutycare.service_layer.queries import AuditEntry as AuditEntry

AUDIT = "audit"

MAX_AUDIT_PAGE = 500


class AuditAction(StrEnum):
    """What an audit entry records."""

    READ_CASE = "read_case"
    READ_IDENTIFYING = "read_identifying"
    EXPORT = "export"
    SIGN_IN = "sign_in"
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    CASE_ACCESS_CHANGED = "case_access_changed"
    PASSWORD_CHANGED = "password_changed"
    SECOND_FACTOR_CHANGED = "second_factor_changed"
    EVIDENCE_TAKEN_OUT = "evidence_taken_out"
    INTAKE_UNLOCKED = "intake_unlocked"
    INTAKE_LOCKED = "intake_locked"
    INTAKE_READ = "intake_read"
    INTAKE_CONTACT_READ = "intake_contact_read"
    INTAKE_MARKED = "intake_marked"
    INTAKE_REPLIED = "intake_replied"
    INTAKE_CASE_CREATED = "intake_case_created"


def iso(at: datetime) -> str:
    """A UTC timestamp as stored (fixed width, so text comparison orders it)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def note(uow: StaffUnitOfWork, who: User, action: AuditAction, target_kind: str, target_id: str,
         at: datetime, detail: str = "") -> None:
    """Append one entry, and enter it in the access log, inside the caller's open unit of work (the caller
    commits)."""
    seq = uow.audit.append(iso(at), who.id, who.name, action.value, target_kind, target_id, detail)
    access_log.enter(uow, who.name, AUDIT, str(seq), Action.CREATE)


def names_of(uow: StaffUnitOfWork, entries: Iterable[AuditEntry]) -> dict[str, str]:
    """What the audit page shows for ids: each case's title and each user's display name (ids stay in links)."""
    out: dict[str, str] = {}
    with uow:
        for entry in entries:
            for user_id in (entry.user_id, entry.target_id if entry.target_kind == "user" else None):
                if user_id and user_id not in out and (user := uow.access.user(user_id)) is not None:
                    out[user_id] = user.display_name
            if entry.target_kind == "case" and entry.target_id not in out and uow.records.has("case", entry.target_id):
                out[entry.target_id] = uow.records.case(entry.target_id).title
    return out


def list_entries(uow: StaffUnitOfWork, limit: int = 100, offset: int = 0,
                 action: str | None = None) -> tuple[list[AuditEntry], int]:
    """A page of the audit log, newest first, and how many entries match."""
    # Bounded here for every caller: an offset past a 64-bit integer would reach the database and fail there.
    limit, offset = max(1, min(limit, MAX_AUDIT_PAGE)), min(max(0, offset), MAX_OFFSET)
    with uow:
        return uow.audit.entries(limit, offset, action or None)

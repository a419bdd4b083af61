"""Attaching evidence files to events and taking them out again, with their chain of custody."""

from __future__ import annotations

import mimetypes
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from dutycare.domain.errors import DomainError, InvalidInput, Problem
from dutycare.domain.evidence import EvidenceFile
from dutycare.service_layer import audit
from dutycare.service_layer.accounts import StaffUnitOfWork, User
from dutycare.service_layer.audit import AuditAction
from dutycare.service_layer.changes import Action, Change
from dutycare.service_layer.ports import EvidenceStore as EvidenceStore
from dutycare.service_layer.ports import StoredFile as StoredFile
from dutycare.service_layer.ports import UnitOfWork
from dutycare.service_layer.write_path import apply_changes


def attach_evidence(uow: UnitOfWork, store: EvidenceStore, *, case_id: str, event_id: str, path: Path,
                    source_id: str | None = None, description: str | None = None,
                    derived_from: str | None = None, media_type: str | None = None) -> EvidenceFile:
    """Store a file encrypted in the vault and record it, with a ledger entry, against an event of a case."""
    if not path.is_file():
        raise DomainError(f"There is no file at {path}.")
    kind = media_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return _attach(uow, store, path, path.name, kind, case_id=case_id, event_id=event_id, source_id=source_id,
                   description=description, derived_from=derived_from)


def attach_received_file(uow: UnitOfWork, store: EvidenceStore, *, case_id: str, event_id: str, content: BinaryIO,
                         name: str, media_type: str, source_id: str | None = None,
                         description: str | None = None) -> EvidenceFile:
    """Store a file received in memory (never written out in plaintext) as evidence against an event of a case."""
    return _attach(uow, store, content, name, media_type, case_id=case_id, event_id=event_id, source_id=source_id,
                   description=description, derived_from=None)


def _attach(uow: UnitOfWork, store: EvidenceStore, content: BinaryIO | Path, name: str, kind: str, *, case_id: str,
            event_id: str, source_id: str | None, description: str | None, derived_from: str | None) -> EvidenceFile:
    with uow:
        event = uow.records.event(event_id)
        problems = []
        if case_id not in event.case_ids:
            problems.append(Problem("evidence", "event", f"event '{event_id}' is not part of case '{case_id}'"))
        if source_id is not None and not uow.records.has("source", source_id):
            problems.append(Problem("evidence", "source", f"there is no source '{source_id}'"))
        if derived_from is not None:
            uow.records.evidence(derived_from)
        if problems:
            raise InvalidInput(problems)
        file_id = "evd-" + secrets.token_hex(10)
        stored = store.put(file_id, 1, content)
        ev = EvidenceFile(id=file_id, event_id=event_id, sha256=stored.sha256, size=stored.size, media_type=kind,
                          original_name=name, added_by=uow.actor, added_at=datetime.now(UTC).isoformat(),
                          source_id=source_id, derived_from=derived_from, description=description)
        enter_evidence(uow, ev, stored.stored_path)
        uow.commit()
    return ev


def enter_evidence(uow: UnitOfWork, ev: EvidenceFile, stored_path: str) -> None:
    """Record a file already stored in the vault as evidence of its event, with its ledger entry (caller commits);
    every evidence file, attached by hand or made by dutycare (a final complaint letter), enters this way."""
    uow.records.add_evidence(ev, stored_path)
    apply_changes(uow, [Change(Action.ATTACH, "evidence", ev.id, ev.to_record(), ev.sha256)])


def export_evidence(uow: StaffUnitOfWork, store: EvidenceStore, evidence_id: str, out: Path, *, viewer: User,
                    at: datetime) -> EvidenceFile:
    """Write the decrypted original to a path, refusing it unless its SHA-256 matches the recorded one.

    The audit entry is written in the same transaction; if it cannot be committed, the file is removed again.
    """
    with uow:
        ev = uow.records.evidence(evidence_id)
        audit.note(uow, viewer, AuditAction.EVIDENCE_TAKEN_OUT, "evidence", ev.id, at,
                   f"event {ev.event_id}, {ev.size} bytes")
        store.read_to(ev.id, ev.version, out, ev.sha256)
        try:
            uow.commit()
        except BaseException:
            out.unlink(missing_ok=True)
            raise
    return ev


def list_evidence(uow: UnitOfWork, case_id: str) -> list[EvidenceFile]:
    """Every evidence file of a case."""
    with uow:
        uow.records.case(case_id)
        return uow.records.evidence_of_case(case_id)

"""Attaching evidence files to events and taking them out again, with their chain of custody."""

from __future__ import annotations

import io
import mimetypes
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from dutycare.domain.errors import DomainError, InvalidInput, NotAllowed, NotFound, Problem
from dutycare.domain.evidence import EvidenceFile
from dutycare.domain.limits import storable_text
from dutycare.service_layer import audit
from dutycare.service_layer.access import Permission, allows
from dutycare.service_layer.accounts import StaffUnitOfWork, User
from dutycare.service_layer.audit import AuditAction
from dutycare.service_layer.changes import Action, Change
from dutycare.service_layer.ports import EvidenceStore as EvidenceStore
from dutycare.service_layer.ports import StoredFile as StoredFile
from dutycare.service_layer.ports import UnitOfWork
from dutycare.service_layer.staff_records import sees_source
from dutycare.service_layer.visibility import Visibility
from dutycare.service_layer.write_path import apply_changes

MAX_FILES_PER_UPLOAD = 20
MAX_NAME = 255
PREVIEWABLE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,60}/[a-z0-9][a-z0-9!#$&^_.+-]{0,60}")


def attach_evidence(uow: UnitOfWork, store: EvidenceStore, *, case_id: str, event_id: str, path: Path,
                    source_id: str | None = None, description: str | None = None,
                    derived_from: str | None = None, media_type: str | None = None,
                    writer: User | None = None) -> EvidenceFile:
    """Store a file encrypted in the vault and record it, with a ledger entry, against an event of a case.

    With ``writer`` (a staff account; ``uow`` then a staff unit of work), the writer's role must allow writing
    events and the case must be one they see, checked inside the write's own transaction: a case hidden from
    them does not exist."""
    if not path.is_file():
        raise DomainError(f"There is no file at {path}.")
    kind = media_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return _attach(uow, store, path, path.name, kind, case_id=case_id, event_id=event_id, source_id=source_id,
                   description=description, derived_from=derived_from, writer=writer)


def attach_received_file(uow: UnitOfWork, store: EvidenceStore, *, case_id: str, event_id: str, content: BinaryIO,
                         name: str, media_type: str, source_id: str | None = None,
                         description: str | None = None) -> EvidenceFile:
    """Store a file received in memory (never written out in plaintext) as evidence against an event of a case."""
    return _attach(uow, store, content, name, media_type, case_id=case_id, event_id=event_id, source_id=source_id,
                   description=description, derived_from=None)


def _attach(uow: UnitOfWork, store: EvidenceStore, content: BinaryIO | Path, name: str, kind: str, *, case_id: str,
            event_id: str, source_id: str | None, description: str | None, derived_from: str | None,
            writer: User | None = None) -> EvidenceFile:
    if writer is not None and not allows(writer.role, Permission.EVENT_WRITE):
        raise NotAllowed("Your role may not add evidence.")
    with uow:
        if writer is not None:
            if not isinstance(uow, StaffUnitOfWork):
                raise TypeError("a writer's evidence is attached through a staff unit of work")
            Visibility(uow, writer).require_case(case_id)
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
    if not allows(viewer.role, Permission.IDENTIFYING_READ):
        raise NotAllowed("Your role may not take out evidence files (they may show identifying details).")
    with uow:
        ev = uow.records.evidence(evidence_id)
        _require_visible(uow, viewer, ev)
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
    """Every evidence file of a case (for internal use: staff reads go through `case_evidence`)."""
    with uow:
        uow.records.case(case_id)
        return uow.records.evidence_of_case(case_id)


def case_evidence(uow: StaffUnitOfWork, viewer: User, case_id: str) -> list[EvidenceFile]:
    """The evidence files of a case the viewer sees; a case hidden from them does not exist (NotFound)."""
    with uow:
        Visibility(uow, viewer).require_case(case_id)
        return uow.records.evidence_of_case(case_id)


# -- uploads from the staff pages and the API -----------------------------------------------------------------
@dataclass(frozen=True)
class IncomingFile:
    """One uploaded file as it arrives: its name and declared type as the client gave them, and its bytes."""

    name: str
    media_type: str | None
    stream: BinaryIO


class FileTooLarge(DomainError):
    """An upload brought more bytes than the evidence size limit allows."""


class _Bounded(io.RawIOBase):
    """A stream that refuses to give more than ``limit`` bytes: the vault's write stops there and keeps nothing."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self.stream, self.limit, self.seen = stream, limit, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.seen += len(data)
        if self.seen > self.limit:
            raise FileTooLarge(f"larger than {self.limit} bytes")
        return data


def _require_visible(uow: StaffUnitOfWork, viewer: User, ev: EvidenceFile) -> None:
    """NotFound unless the viewer sees a case of the file's event (a file of a hidden case does not exist)."""
    if Visibility(uow, viewer).event(uow.records.event(ev.event_id)) is None:
        raise NotFound(f"There is no evidence file '{ev.id}'.")


def clean_name(name: str) -> str:
    """The name a file is recorded under: its last path part, without control characters, at most 255 long."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if not base or not storable_text(base):
        return "file"
    return base[:MAX_NAME]


def media_type_of(declared: str | None, name: str) -> str:
    """The recorded media type: the declared one when it is well formed, else one guessed from the name."""
    kind = (declared or "").split(";")[0].strip().lower()
    if kind and kind != "application/octet-stream" and _MEDIA_TYPE.fullmatch(kind):
        return kind
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _upload_problems(uow: StaffUnitOfWork, vis: Visibility, event_case_ids: tuple[str, ...], event_id: str, *,
                     case_id: str | None, source_id: str | None, derived_from: str | None,
                     description: str | None) -> list[Problem]:
    problems = []
    if case_id is not None and case_id not in event_case_ids:
        problems.append(Problem("evidence", "case", f"event '{event_id}' is not part of case '{case_id}'"))
    if source_id is not None and (not uow.records.has("source", source_id) or not sees_source(vis, source_id)):
        problems.append(Problem("evidence", "source", f"refers to source '{source_id}', which does not exist"))
    if description is not None and not storable_text(description):
        problems.append(Problem("evidence", "description", "holds a character that cannot be stored"))
    if derived_from is not None:
        original = _evidence_or_none(uow, derived_from)
        if original is None or original.event_id != event_id:
            problems.append(Problem("evidence", "derived_from",
                                    f"refers to evidence file '{derived_from}', which is not on this event"))
        if not (description or "").strip():
            problems.append(Problem("evidence", "description",
                                    "say why the copy was made (for example: names blacked out)"))
    return problems


def _evidence_or_none(uow: StaffUnitOfWork, evidence_id: str) -> EvidenceFile | None:
    try:
        return uow.records.evidence(evidence_id)
    except NotFound:
        return None


def add_files(uow: StaffUnitOfWork, store: EvidenceStore, writer: User, event_id: str, files: Iterable[IncomingFile],
              *, limit: int, at: datetime, case_id: str | None = None, source_id: str | None = None,
              description: str | None = None, derived_from: str | None = None) -> list[EvidenceFile]:
    """Store uploaded files encrypted in the vault, streamed (never whole in memory), and record them on an event
    the writer sees, each with a ledger entry carrying its SHA-256; all of them or none.

    A file over ``limit`` bytes or an empty one refuses the upload. Whatever stops the write before its commit —
    a refusal, a client gone mid-upload, a failing database — removes every file it had put in the vault, so no
    file is kept without its record. ``derived_from`` names an original on the same event that this file is a
    copy of (a redacted scan, say), with ``description`` saying why; the original itself is never replaced.
    """
    if not allows(writer.role, Permission.EVENT_WRITE):
        raise NotAllowed("Your role may not add evidence.")
    stored_ids: list[str] = []
    try:
        with uow:
            vis = Visibility(uow, writer)
            event = vis.require_event(event_id)
            problems = _upload_problems(uow, vis, event.case_ids, event_id, case_id=case_id, source_id=source_id,
                                        derived_from=derived_from, description=description)
            if problems:
                raise InvalidInput(problems)
            added: list[EvidenceFile] = []
            for incoming in files:
                name = clean_name(incoming.name)
                if len(added) >= MAX_FILES_PER_UPLOAD:
                    raise InvalidInput([Problem("evidence", "file", f"at most {MAX_FILES_PER_UPLOAD} files at once")])
                file_id = "evd-" + secrets.token_hex(10)
                try:
                    stored = store.put(file_id, 1, _Bounded(incoming.stream, limit))  # type: ignore[arg-type]
                except FileTooLarge:
                    raise InvalidInput([Problem("evidence", "file", f"{name}: larger than the limit of "
                                                                    f"{limit >> 20} MiB")]) from None
                stored_ids.append(file_id)
                if stored.size == 0:
                    raise InvalidInput([Problem("evidence", "file", f"{name}: the file is empty")])
                ev = EvidenceFile(id=file_id, event_id=event_id, sha256=stored.sha256, size=stored.size,
                                  media_type=media_type_of(incoming.media_type, name), original_name=name,
                                  added_by=uow.actor, added_at=audit.iso(at), source_id=source_id,
                                  derived_from=derived_from, description=(description or "").strip() or None)
                uow.records.add_evidence(ev, stored.stored_path)
                added.append(ev)
            if not added:
                raise InvalidInput([Problem("evidence", "file", "choose at least one file")])
            apply_changes(uow, [Change(Action.ATTACH, "evidence", ev.id, ev.to_record(), ev.sha256) for ev in added])
            uow.commit()
    except BaseException:
        for file_id in stored_ids:
            store.discard(file_id, 1)
        raise
    return added


def read_evidence(uow: StaffUnitOfWork, viewer: User, evidence_id: str) -> EvidenceFile:
    """One evidence file's record, for a viewer who sees its event."""
    with uow:
        ev = uow.records.evidence(evidence_id)
        _require_visible(uow, viewer, ev)
        return ev

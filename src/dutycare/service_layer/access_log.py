"""The access log: who may sign in, with which role and tokens, who may see which case, and the audit rows.

It is a second Merkle log built on the same ledger code as the case ledger, with its own origin
(`<key name>/access`) and its own signed checkpoints, so the case ledger's proof bundles say nothing about who
read what. Every change enters its record here in the change's own transaction; `verify` compares the stored
rows with the newest entry about each, as it does for case records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dutycare.domain.errors import DomainError
from dutycare.ledger.checkpoint import Checkpoint, CheckpointSigner, parse_checkpoint, sign_checkpoint
from dutycare.ledger.entry import EntryError, record_digest
from dutycare.ledger.merkle import MerkleTree, leaf_hashes
from dutycare.ledger.verify import VerifyReport, latest_digest_by_entity, verify_log
from dutycare.service_layer import ledger_checks
from dutycare.service_layer.changes import Action, Change
from dutycare.service_layer.ports import CheckpointKeeper as CheckpointKeeper
from dutycare.service_layer.ports import UnitOfWork

ORIGIN_SUFFIX = "/access"


def origin_of(key_name: str) -> str:
    """The access log's origin line: the checkpoint key's name with a suffix, so the two logs never mix."""
    return key_name + ORIGIN_SUFFIX


def enter(uow: UnitOfWork, actor: str, entity: str, ident: str, action: Action | None = None) -> None:
    """Enter the current state of one access record, inside the caller's open unit of work.

    Without an action, the first entry about a record is a creation and later ones are updates.
    """
    record = uow.access_records.record(entity, ident)
    if record is None:
        raise DomainError(f"There is no {entity} '{ident}' to enter in the access log.")
    if action is None:
        action = Action.CREATE if uow.access_log.latest_digest(entity, ident) is None else Action.UPDATE
    uow.access_log.append([Change(action, entity, ident, record)], actor)


def _entries(uow: UnitOfWork) -> tuple[list[bytes], list[bytes]]:
    entries, stored = [], []
    for _, entry, leaf in uow.access_log.entries():
        entries.append(entry)
        stored.append(leaf)
    return entries, stored


def make_checkpoint(uow: UnitOfWork, signer: CheckpointSigner, now: datetime,
                    archive: CheckpointKeeper | None = None) -> tuple[Checkpoint, str]:
    """Sign the access log's current tree head and keep it, in the database and in ``archive`` (or return the last
    one if nothing was added); a log that no longer extends a checkpoint signed before is refused."""
    origin = origin_of(signer.key_name)
    with uow:
        entries, _ = _entries(uow)
        kept = uow.access_log.checkpoints()
        tree = MerkleTree(leaf_hashes(entries))
        outside = [n for _, n in archive.notes()] if archive is not None else []
        ledger_checks.refuse_rewritten(tree, [n for *_, n in kept] + outside, origin)
        if kept and kept[-1][0] == len(entries):
            note = kept[-1][3]
            if archive is not None:
                archive.keep(len(entries), note)
            return parse_checkpoint(note).checkpoint, note
        cp = Checkpoint(origin=origin_of(signer.key_name), size=tree.size, root=tree.root(),
                        time=now.replace(microsecond=0))
        note = sign_checkpoint(cp, signer)
        if archive is not None:  # kept outside first, as the case ledger's checkpoints are
            archive.keep(cp.size, note)
        uow.access_log.add_checkpoint(cp.size, cp.root, cp.time.isoformat(), note)
        uow.commit()
    return cp, note


@dataclass(frozen=True)
class AccessProblem:
    """A stored access record that does not match the access log."""

    entity: str
    id: str
    message: str

    def __str__(self) -> str:
        return f"access log: {self.entity} {self.id}: {self.message}"


@dataclass
class AccessVerification:
    """What the access log's verification found."""

    log: VerifyReport
    records_checked: int = 0
    problems: list[AccessProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True only when the log, its checkpoints and every access record agree."""
        return self.log.ok and not self.problems

    def add(self, entity: str, ident: str, message: str) -> None:
        """Report a stored value of the access log that differs from what its entries and notes say."""
        self.problems.append(AccessProblem(entity, ident, message))

    def messages(self) -> list[str]:
        """Every problem as one line, log problems first."""
        lines = [f"access log entry {p.seq}: {p.message}" if p.seq is not None else f"access log: {p.message}"
                 for p in self.log.problems]
        return lines + [str(p) for p in self.problems]


def verify(uow: UnitOfWork, key_name: str, public_key_raw: bytes, check: Any,
           anchors: list[tuple[str, str]] | None = None) -> AccessVerification:
    """Re-derive the access log and its checkpoints, check that it extends every checkpoint kept outside the
    database (``anchors``: where, note text), and check every stored access record against it."""
    with uow:
        entries, stored = _entries(uow)
        notes = [note for _, _, _, note in uow.access_log.checkpoints()]
        log = verify_log(entries, notes, key_name=key_name, public_key_raw=public_key_raw, check=check,
                         stored_leaf_hashes=stored, origin=origin_of(key_name), anchors=list(anchors or []))
        result = AccessVerification(log)
        ledger_checks.check_index_columns(uow.access_log.index_columns(), entries, result)
        ledger_checks.check_checkpoint_columns(uow.access_log.checkpoints(), result)
        _record_problems(uow, entries, result)
    return result


def _record_problems(uow: UnitOfWork, entries: list[bytes], result: AccessVerification) -> None:
    try:
        latest = latest_digest_by_entity(entries)
    except EntryError as exc:
        result.problems.append(AccessProblem("log", "-", f"entries cannot be read: {exc}"))
        return
    seen: set[tuple[str, str]] = set()
    for state in uow.access_records.states():
        seen.add((state.entity, state.id))
        result.records_checked += 1
        problem = _state_problem(state.record, state.unreadable, latest.get((state.entity, state.id)))
        if problem:
            result.problems.append(AccessProblem(state.entity, state.id, problem))
    for (entity, ident), (seq, digest, action) in latest.items():
        if (entity, ident) in seen:
            continue
        record = _stored_record(uow, entity, ident)
        if record is None or record_digest(record) != digest:  # an open case naming nobody has no rows at all
            result.problems.append(AccessProblem(
                entity, ident, f"access log entry {seq} ({action}) records it, but it is missing from the database"))


def _stored_record(uow: UnitOfWork, entity: str, ident: str) -> dict[str, Any] | None:
    try:
        return uow.access_records.record(entity, ident)
    except (KeyError, ValueError):  # an entity or id the stores do not know
        return None


def _state_problem(record: dict[str, Any] | None, unreadable: str | None,
                   latest: tuple[int, str, str] | None) -> str | None:
    if unreadable or record is None:
        return f"cannot be read back ({unreadable}); it was altered or damaged"
    if latest is None:
        return "is stored but no access log entry records it (written outside dutycare)"
    seq, digest, _ = latest
    if record_digest(record) != digest:
        return f"differs from what access log entry {seq} recorded: it was changed outside dutycare"
    return None

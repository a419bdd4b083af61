"""Ledger use cases: sign a checkpoint, verify everything against the log, prove an entry, export a bundle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dutycare.domain.errors import DomainError, NotFound
from dutycare.ledger.bundle import build_bundle
from dutycare.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    CheckpointSigner,
    VerifierKey,
    parse_checkpoint,
    sign_checkpoint,
    verify_checkpoint,
)
from dutycare.ledger.entry import EntryError, record_digest
from dutycare.ledger.merkle import MerkleTree, ProofError, leaf_hashes, verify_inclusion
from dutycare.ledger.verify import RecordHistory, VerifyReport, record_histories, verify_log
from dutycare.service_layer import access_log, ledger_checks
from dutycare.service_layer.access_log import AccessVerification
from dutycare.service_layer.findings import rebuild_all
from dutycare.service_layer.ports import CheckpointArchive as CheckpointArchive
from dutycare.service_layer.ports import FileHasher as FileHasher
from dutycare.service_layer.ports import Ledger, UnitOfWork
from dutycare.service_layer.queries import FindingRow, RecordState

SignatureCheck = Callable[[bytes, bytes, bytes], bool]
LedgerTables = Ledger  # its former name here: the ledger port now carries the checkpoint tables too


@dataclass(frozen=True)
class TrustedKey:
    """The checkpoint key a verification trusts."""

    key_name: str
    public_key_raw: bytes
    check: SignatureCheck
    witnesses: tuple[VerifierKey, ...] = ()


@dataclass(frozen=True)
class RecordProblem:
    """A stored record that does not match what the ledger says about it."""

    entity: str
    id: str
    case_ids: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        cases = f" (case {', '.join(self.case_ids)})" if self.case_ids else ""
        return f"{self.entity} {self.id}{cases}: {self.message}"


@dataclass
class Verification:
    """Everything `ledger verify` found."""

    log: VerifyReport
    records_checked: int = 0
    files_checked: int = 0
    record_problems: list[RecordProblem] = field(default_factory=list)
    access: AccessVerification | None = None  # the access log's own verification (service_layer.access_log)
    findings_rebuilt: list[FindingRow] | None = None  # None: not rebuilt, since the record did not verify

    @property
    def ok(self) -> bool:
        """True only when the log, every checkpoint, every record and every file agree, and so does the access
        log with every user, token, case restriction and audit row."""
        return self.log.ok and not self.record_problems and (self.access is None or self.access.ok)

    def access_messages(self) -> list[str]:
        """The access log's problems, one line each."""
        return self.access.messages() if self.access else []

    def add(self, entity: str, ident: str, message: str) -> None:
        """Report a stored value that differs from what the ledger covers."""
        self.record_problems.append(RecordProblem(entity, ident, (), message))


def _entries(uow: UnitOfWork) -> tuple[list[bytes], list[bytes]]:
    entries, stored = [], []
    for _, entry, leaf in uow.ledger.entries():
        entries.append(entry)
        stored.append(leaf)
    return entries, stored


def make_checkpoint(uow: UnitOfWork, signer: CheckpointSigner, archive: CheckpointArchive | None = None,
                    now: datetime | None = None) -> tuple[Checkpoint, str]:
    """Sign the current tree head and keep it, in the database and in ``archive``; reuse the last if nothing changed.

    A log that does not extend the newest checkpoint (in the database or the archive) is refused, so that a
    history rewritten behind the signer's back is never signed over.
    """
    with uow:
        entries, _ = _entries(uow)
        kept = uow.ledger.checkpoints()
        tree = MerkleTree(leaf_hashes(entries))
        outside = [n for _, n in archive.notes()] if archive is not None else []
        ledger_checks.refuse_rewritten(tree, [n for *_, n in kept] + outside, signer.key_name)
        if kept and kept[-1][0] == len(entries):
            note = kept[-1][3]
            if archive is not None:
                archive.keep(len(entries), note)
            return parse_checkpoint(note).checkpoint, note
        at = (now or uow.ledger.clock()).astimezone(UTC).replace(microsecond=0)
        cp = Checkpoint(origin=signer.key_name, size=tree.size, root=tree.root(), time=at)
        note = sign_checkpoint(cp, signer)
        if archive is not None:  # kept outside first: a checkpoint of committed entries is true even if this fails
            archive.keep(cp.size, note)
        uow.ledger.add_checkpoint(cp.size, cp.root, cp.time.isoformat(), note)
        uow.commit()
    return cp, note


def _record_problems(uow: UnitOfWork, entries: list[bytes], hash_file: FileHasher | None,
                     result: Verification) -> None:
    try:
        histories, chain = record_histories(entries)
    except EntryError as exc:
        result.record_problems.append(RecordProblem("ledger", "-", (), f"entries cannot be read: {exc}"))
        return
    for broken in chain:
        result.add("ledger entry", str(broken.seq), broken.message)
    seen: dict[tuple[str, str], dict[str, Any] | None] = {}
    for state in uow.records.record_states():
        key = (state.entity, state.id)
        seen[key] = state.record
        result.records_checked += 1
        problem = _state_problem(state, histories.get(key))
        if problem is None and state.entity == "evidence" and hash_file is not None:
            problem = _file_problem(state, hash_file)
            result.files_checked += 1
        if problem:
            result.record_problems.append(RecordProblem(state.entity, state.id, state.case_ids, problem))
    for (entity, ident), history in histories.items():
        if (entity, ident) not in seen:
            result.record_problems.append(RecordProblem(
                entity, ident, (), f"entry {history.seq} ({history.action}) records it, but it is missing from the "
                                   "database"))
    _derived_checks(uow, entries, histories, seen, hash_file, result)


def _derived_checks(uow: UnitOfWork, entries: list[bytes], histories: dict[tuple[str, str], RecordHistory],
                    records: dict[tuple[str, str], dict[str, Any] | None], hash_file: FileHasher | None,
                    result: Verification) -> None:
    """Compare every derived column and the search index with what the ledger covers."""
    ledger_checks.check_index_columns(uow.ledger.index_columns(), entries, result)
    ledger_checks.check_checkpoint_columns(uow.ledger.checkpoints(), result)
    facts = list(uow.records.row_facts())
    ledger_checks.check_row_facts(facts, histories, result)
    ledger_checks.check_link_ordinals(uow.records.link_ordinals(), result)
    if hash_file is not None:
        ledger_checks.check_stored_paths(facts, hash_file.stored_path, result)
    readable = {key: record for key, record in records.items() if record is not None}
    ledger_checks.check_search_index(uow.search, readable, result)


def _state_problem(state: RecordState, latest: RecordHistory | None) -> str | None:
    if state.unreadable or state.record is None:
        return f"cannot be read back ({state.unreadable}); it was altered or damaged"
    if latest is None:
        return "is stored but no ledger entry records it (written outside dutycare)"
    if record_digest(state.record) != latest.record_sha256:
        return f"differs from what ledger entry {latest.seq} recorded: it was changed outside dutycare"
    return None


def _file_problem(state: RecordState, hash_file: FileHasher) -> str | None:
    record = state.record
    if record is None:  # _state_problem has reported it
        return None
    try:
        actual = hash_file(state.id, int(record.get("version", 1)))
    except Exception as exc:  # the vault reports damage as errors; a verifier collects them
        return f"its file cannot be read back: {exc}"
    if actual != record["sha256"]:
        return f"its file's SHA-256 is {actual}, but {record['sha256']} was recorded"
    return None


def verify(uow: UnitOfWork, key: TrustedKey, hash_file: FileHasher | None = None,
           archive: CheckpointArchive | None = None, extra: list[tuple[str, str]] | None = None,
           access_archive: CheckpointArchive | None = None) -> Verification:
    """Re-derive every leaf, root and checkpoint, and check every stored record, derived column and file; then
    rebuild the findings (derived from the record and the day) and say which differed.

    The log must also extend every checkpoint kept in ``archive`` and each (where, note) in ``extra`` (a signed
    checkpoint kept elsewhere), and the database must still hold each of them; the access log likewise each
    checkpoint kept in ``access_archive``.
    """
    anchors = (archive.notes() if archive is not None else []) + list(extra or [])
    with uow:
        entries, stored = _entries(uow)
        notes = [note for _, _, _, note in uow.ledger.checkpoints()]
        log = verify_log(entries, notes, key_name=key.key_name, public_key_raw=key.public_key_raw,
                         check=key.check, stored_leaf_hashes=stored, origin=key.key_name, anchors=anchors,
                         witnesses=key.witnesses)
        result = Verification(log)
        _record_problems(uow, entries, hash_file, result)
        if result.ok:  # findings are derived: rebuilt from the record only once the record itself is sound
            result.findings_rebuilt = rebuild_all(uow)
            uow.commit()
    access_anchors = (access_archive.notes() if access_archive is not None else [])
    result.access = access_log.verify(uow, key.key_name, key.public_key_raw, key.check, access_anchors)
    return result


@dataclass(frozen=True)
class InclusionProof:
    """Proof that one entry is in the tree a signed checkpoint commits to."""

    seq: int
    entry: bytes
    leaf_hash: bytes
    tree_size: int
    root: bytes
    path: list[bytes]
    checkpoint: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (hashes in hex)."""
        return {"seq": self.seq, "entry": self.entry.decode("utf-8"), "leaf_hash": self.leaf_hash.hex(),
                "tree_size": self.tree_size, "root": self.root.hex(), "path": [h.hex() for h in self.path],
                "checkpoint": self.checkpoint}


def prove(uow: UnitOfWork, seq: int) -> InclusionProof:
    """An inclusion proof for one entry against the latest checkpoint that covers it."""
    with uow:
        entries, _ = _entries(uow)
        kept = uow.ledger.checkpoints()
    if not 0 <= seq < len(entries):
        raise NotFound(f"There is no ledger entry {seq}; the log holds {len(entries)} (0 to {len(entries) - 1}).")
    covering = [c for c in kept if c[0] > seq]
    if not covering:
        raise DomainError(f"No checkpoint covers entry {seq} yet. Run 'dutycare ledger checkpoint' first.")
    size, root, _, note = covering[-1]
    tree = MerkleTree(leaf_hashes(entries[:size]))
    path = tree.inclusion_proof(seq, size)
    leaf = tree.leaf(seq)
    try:
        verify_inclusion(leaf, seq, size, path, root)
    except ProofError:
        raise DomainError("The stored log does not match its checkpoint; run 'dutycare ledger verify'.") from None
    return InclusionProof(seq, entries[seq], leaf, size, root, path, note)


def export_bundle(uow: UnitOfWork, out_dir: Path, key: TrustedKey, prove_seqs: list[int] | None = None) -> list[Path]:
    """Write a proof bundle a third party can check without dutycare; needs at least one checkpoint."""
    with uow:
        entries, _ = _entries(uow)
        notes = [note for _, _, _, note in uow.ledger.checkpoints()]
    if not notes:
        raise DomainError("The ledger has no checkpoint yet. Run 'dutycare ledger checkpoint' first.")
    files = build_bundle(entries, notes, key.public_key_raw, key.key_name, prove_seqs)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = out_dir / name
        path.write_bytes(content)
        written.append(path)
    return written


def ledger_status(uow: UnitOfWork, key: TrustedKey) -> dict[str, Any]:
    """Size of the log and its newest checkpoint whose signature verifies, read from the signed note itself."""
    with uow:
        size = sum(1 for _ in uow.ledger.entries())
        kept = uow.ledger.checkpoints()
    latest: Checkpoint | None = None
    note = None
    for *_, text in kept:
        try:
            cp = verify_checkpoint(text, key.key_name, key.public_key_raw, key.check, origin=key.key_name)
        except CheckpointError:
            continue  # a note that does not verify is never shown as a checkpoint; verify names it
        if latest is None or cp.size > latest.size:
            latest, note = cp, text
    shown = None if latest is None else {"size": latest.size, "root": latest.root.hex(),
                                         "at": latest.time.isoformat(), "note": note}
    return {"size": size, "checkpoints": len(kept), "latest_checkpoint": shown,
            "uncovered_entries": size - (latest.size if latest else 0)}

"""Whole-log verification: recompute everything from the stored entry bytes and check it against checkpoints.

Pure functions only.  The storage layer passes in what it has stored; nothing here reads a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dutycare.ledger.checkpoint import Checkpoint, CheckpointError, SignatureCheck, verify_checkpoint
from dutycare.ledger.entry import EntryError, LedgerEntry, entry_problems, entry_summary
from dutycare.ledger.merkle import MerkleTree, ProofError, leaf_hashes, verify_consistency

# Problem kinds.
ENTRY_DECODE = "entry_decode"  # bytes are not the canonical encoding of a valid entry
ENTRY_SEQ = "entry_seq"  # the entry's seq is not its position in the log
LEAF_HASH = "leaf_hash"  # stored leaf hash differs from the hash of the stored bytes
LEAF_COUNT = "leaf_count"  # number of stored leaf hashes differs from number of entries
CHECKPOINT_INVALID = "checkpoint_invalid"  # unparseable, unsigned, bad signature or wrong origin
CHECKPOINT_BEYOND_LOG = "checkpoint_beyond_log"  # signed size is larger than the log: entries removed
CHECKPOINT_ROOT = "checkpoint_root"  # signed root differs from the recomputed root at that size
CHECKPOINT_CONSISTENCY = "checkpoint_consistency"  # consistency proof to the current tree failed


@dataclass(frozen=True)
class Problem:
    """One finding.  ``seq`` is the entry position, or None for a finding about a checkpoint or the log."""

    seq: int | None
    kind: str
    message: str


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of verify_log; ``ok`` is True only if there is no problem at all."""

    ok: bool
    size: int
    root: bytes
    problems: list[Problem]
    checkpoints_verified: int = 0
    latest_checkpoint: Checkpoint | None = None
    omitted_problems: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def first_problem(self) -> Problem | None:
        """The problem at the lowest entry position, else the first checkpoint problem."""
        return self.problems[0] if self.problems else None

    def summary(self) -> str:
        """A few plain sentences for a person."""
        head = f"log of {self.size} entries, root {self.root.hex()}"
        if self.ok:
            signed = self.latest_checkpoint.size if self.latest_checkpoint else 0
            return f"OK: {head}; {self.checkpoints_verified} checkpoints verified, latest covers {signed}."
        total = len(self.problems) + self.omitted_problems
        first = self.first_problem
        if first is None:
            return f"FAILED: {head}; {total} problem(s), none listed"
        where = f"entry {first.seq}" if first.seq is not None else "checkpoints"
        return f"FAILED: {head}; {total} problem(s); first at {where}: {first.message}"


def _entry_findings(
    entries: Sequence[bytes],
    computed: list[bytes],
    stored: Sequence[bytes] | None,
) -> Iterable[Problem]:
    """Yield entry-level problems in position order (each position at most once per kind)."""
    if stored is not None and len(stored) != len(entries):
        yield Problem(None, LEAF_COUNT, f"{len(stored)} stored leaf hashes for {len(entries)} entries")
    by_seq: dict[int, list[Problem]] = {}
    if stored is not None and list(stored) != computed:  # compared in C; walk only when something differs
        for seq, (mine, theirs) in enumerate(zip(computed, stored, strict=False)):
            if mine != theirs:
                message = f"stored leaf hash {bytes(theirs).hex()} differs from the entry's hash {mine.hex()}"
                by_seq.setdefault(seq, []).append(Problem(seq, LEAF_HASH, message))
    for seq, kind, message in entry_problems(entries):
        by_seq.setdefault(seq, []).append(Problem(seq, kind, message))
    for seq in sorted(by_seq):
        yield from by_seq[seq]


def _check_one_checkpoint(
    index: int, text: str, tree: MerkleTree, trust: tuple[str, bytes, SignatureCheck, str | None]
) -> tuple[Checkpoint | None, list[Problem]]:
    """Verify one checkpoint note against the key and against the recomputed tree."""
    key_name, public_key_raw, check, origin = trust
    try:
        cp = verify_checkpoint(text, key_name, public_key_raw, check, origin=origin)
    except CheckpointError as exc:
        return None, [Problem(None, CHECKPOINT_INVALID, f"checkpoint #{index}: {exc}")]
    label = f"checkpoint #{index} (size {cp.size}, signed {cp.time.isoformat()})"
    if cp.size > tree.size:
        missing = f"{cp.size - tree.size} entries signed earlier are missing from the log"
        return cp, [Problem(None, CHECKPOINT_BEYOND_LOG, f"{label}: {missing}")]
    actual = tree.root(cp.size)
    if actual != cp.root:
        message = f"{label}: signed root {cp.root.hex()} but the stored entries give {actual.hex()}"
        return cp, [Problem(None, CHECKPOINT_ROOT, message)]
    try:
        proof = tree.consistency_proof(cp.size, tree.size)
        verify_consistency(cp.size, tree.size, cp.root, tree.root(), proof)
    except ProofError as exc:
        return cp, [Problem(None, CHECKPOINT_CONSISTENCY, f"{label}: {exc}")]
    return cp, []


def _explain_root_mismatch(problem: Problem, size: int, good_sizes: list[int]) -> Problem:
    """Say which entries must have changed since a checkpoint whose root no longer matches was signed."""
    floor = max((s for s in good_sizes if s < size), default=0)
    where = f"altered or inserted entries lie in seq {floor}..{size - 1}"
    later = [s for s in good_sizes if s > size]
    if later:
        where = f"yet checkpoint size {min(later)} matches, so the signer signed two inconsistent trees"
    return Problem(None, problem.kind, f"{problem.message}; {where}")


def _checkpoint_findings(
    checkpoints: Sequence[str], tree: MerkleTree, trust: tuple[str, bytes, SignatureCheck, str | None]
) -> tuple[list[Problem], int, Checkpoint | None]:
    """Verify every checkpoint; return problems, how many verified cleanly, and the largest clean one."""
    results = [_check_one_checkpoint(i, text, tree, trust) for i, text in enumerate(checkpoints)]
    good = [cp for cp, found in results if cp is not None and not found]
    good_sizes = [cp.size for cp in good]
    problems: list[Problem] = []
    for cp, found in results:
        for problem in found:
            if problem.kind == CHECKPOINT_ROOT and cp is not None:
                problem = _explain_root_mismatch(problem, cp.size, good_sizes)
            problems.append(problem)
    latest = max(good, key=lambda cp: (cp.size, cp.time), default=None)
    return problems, len(good), latest


def verify_log(
    entries: Sequence[bytes],
    checkpoints: Sequence[str],
    *,
    key_name: str,
    public_key_raw: bytes,
    check: SignatureCheck,
    stored_leaf_hashes: Sequence[bytes] | None = None,
    origin: str | None = None,
    max_entry_problems: int = 100,
) -> VerifyReport:
    """Recompute leaf hashes and roots from ``entries`` and check entries and every signed checkpoint.

    Entry problems come first, in position order, capped at ``max_entry_problems`` (the rest are counted
    in ``omitted_problems``); checkpoint problems follow, all of them.
    """
    computed = leaf_hashes(entries)
    tree = MerkleTree(computed)
    entry_found: list[Problem] = []
    omitted = 0
    for problem in _entry_findings(entries, computed, stored_leaf_hashes):
        if len(entry_found) < max_entry_problems:
            entry_found.append(problem)
        else:
            omitted += 1
    trust = (key_name, public_key_raw, check, origin)
    cp_found, verified, latest = _checkpoint_findings(checkpoints, tree, trust)
    notes = _coverage_notes(tree.size, latest, len(checkpoints))
    problems = entry_found + cp_found
    return VerifyReport(
        ok=not problems and omitted == 0,
        size=tree.size,
        root=tree.root(),
        problems=problems,
        checkpoints_verified=verified,
        latest_checkpoint=latest,
        omitted_problems=omitted,
        notes=notes,
    )


def _coverage_notes(size: int, latest: Checkpoint | None, count: int) -> list[str]:
    """Plain remarks that are not failures, such as entries not yet covered by a checkpoint."""
    notes = []
    if count == 0:
        notes.append("no checkpoints were supplied: nothing ties these entries to a signature")
    covered = latest.size if latest else 0
    if size > covered:
        notes.append(f"{size - covered} newest entries are not yet covered by a valid signed checkpoint")
    return notes


def latest_digest_by_entity(
    entries: Iterable[LedgerEntry | bytes],
) -> dict[tuple[str, str], tuple[int, str, str]]:
    """Map (entity, id) to (seq, record_sha256, action) of the last entry that touched it.

    Stored bytes are read through the fast canonical path; bytes that are not a valid entry raise
    EntryError (run verify_log first to get a full report instead).
    """
    latest: dict[tuple[str, str], tuple[int, str, str]] = {}
    for item in entries:
        if isinstance(item, LedgerEntry):
            seq, entity, ident = item.seq, item.entity, item.id
            record, action = item.record_sha256, item.action
        elif isinstance(item, bytes | bytearray | memoryview):
            seq, entity, ident, record, action = entry_summary(bytes(item))
        else:
            raise EntryError(f"expected LedgerEntry or bytes, got {type(item).__name__}")
        key = (entity, ident)
        if key not in latest or latest[key][0] < seq:
            latest[key] = (seq, record, action)
    return latest

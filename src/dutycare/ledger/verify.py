"""Whole-log verification: recompute everything from the stored entry bytes and check it against checkpoints.

Pure functions only.  The storage layer passes in what it has stored; nothing here reads a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dutycare.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    SignatureCheck,
    VerifierKey,
    parse_checkpoint,
    verify_checkpoint,
    witness_signatures,
)
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
ENTRY_CHAIN = "entry_chain"  # an entry's prev_record_sha256 is not the digest of the record's previous entry
WITNESS_SIGNATURE = "witness_signature"  # a configured witness's co-signature does not verify
# The same checks against checkpoints kept outside the database (files beside the key, --checkpoint FILE):
ANCHOR_INVALID = "anchor_invalid"
ANCHOR_BEYOND_LOG = "anchor_beyond_log"  # the log is shorter than a checkpoint kept elsewhere: rolled back
ANCHOR_ROOT = "anchor_root"  # the log's prefix differs from what a checkpoint kept elsewhere signed
ANCHOR_CONSISTENCY = "anchor_consistency"
ANCHOR_MISSING = "anchor_missing"  # a checkpoint kept elsewhere is missing from the database's checkpoints
_AS_ANCHOR = {CHECKPOINT_INVALID: ANCHOR_INVALID, CHECKPOINT_BEYOND_LOG: ANCHOR_BEYOND_LOG,
              CHECKPOINT_ROOT: ANCHOR_ROOT, CHECKPOINT_CONSISTENCY: ANCHOR_CONSISTENCY}


@dataclass(frozen=True)
class Trust:
    """What a verification trusts: the log's key and origin, and the witnesses whose co-signatures count."""

    key_name: str
    public_key_raw: bytes
    check: SignatureCheck
    origin: str | None = None
    witnesses: tuple[VerifierKey, ...] = ()


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
    anchors_verified: int = 0
    latest_anchor: Checkpoint | None = None
    witness_signatures_verified: int = 0

    @property
    def first_problem(self) -> Problem | None:
        """The problem at the lowest entry position, else the first checkpoint problem."""
        return self.problems[0] if self.problems else None

    def summary(self) -> str:
        """A few plain sentences for a person."""
        head = f"log of {self.size} entries, root {self.root.hex()}"
        if self.ok:
            signed = self.latest_checkpoint.size if self.latest_checkpoint else 0
            outside = f"{self.anchors_verified} kept outside the database"
            witnessed = f"{self.witness_signatures_verified} witness signature(s)"
            return (f"OK: {head}; {self.checkpoints_verified} checkpoints verified, latest covers {signed}; "
                    f"{outside}; {witnessed} verified.")
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


def _witness_findings(label: str, text: str, trust: Trust) -> tuple[int, list[Problem]]:
    """Count the configured witnesses' valid co-signatures; a bad one is a problem."""
    if not trust.witnesses:
        return 0, []
    good, bad = witness_signatures(parse_checkpoint(text), trust.witnesses, trust.check)
    return len(good), [Problem(None, WITNESS_SIGNATURE, f"{label}: the co-signature of witness {name!r} is invalid")
                       for name in bad]


def _check_one_checkpoint(
    label: str, text: str, tree: MerkleTree, trust: Trust
) -> tuple[Checkpoint | None, list[Problem], int]:
    """Verify one checkpoint note against the key, the witnesses and the recomputed tree."""
    try:
        cp = verify_checkpoint(text, trust.key_name, trust.public_key_raw, trust.check, origin=trust.origin)
    except CheckpointError as exc:
        return None, [Problem(None, CHECKPOINT_INVALID, f"{label}: {exc}")], 0
    label = f"{label} (size {cp.size}, signed {cp.time.isoformat()})"
    witnessed, problems = _witness_findings(label, text, trust)
    if cp.size > tree.size:
        missing = f"{cp.size - tree.size} entries signed earlier are missing from the log"
        return cp, [*problems, Problem(None, CHECKPOINT_BEYOND_LOG, f"{label}: {missing}")], witnessed
    actual = tree.root(cp.size)
    if actual != cp.root:
        message = f"{label}: signed root {cp.root.hex()} but the stored entries give {actual.hex()}"
        return cp, [*problems, Problem(None, CHECKPOINT_ROOT, message)], witnessed
    try:
        proof = tree.consistency_proof(cp.size, tree.size)
        verify_consistency(cp.size, tree.size, cp.root, tree.root(), proof)
    except ProofError as exc:
        problems.append(Problem(None, CHECKPOINT_CONSISTENCY, f"{label}: {exc}"))
    return cp, problems, witnessed


def _explain_root_mismatch(problem: Problem, size: int, good_sizes: list[int]) -> Problem:
    """Say which entries must have changed since a checkpoint whose root no longer matches was signed."""
    floor = max((s for s in good_sizes if s < size), default=0)
    where = f"altered or inserted entries lie in seq {floor}..{size - 1}"
    later = [s for s in good_sizes if s > size]
    if later:
        where = f"yet checkpoint size {min(later)} matches, so the signer signed two inconsistent trees"
    return Problem(None, problem.kind, f"{problem.message}; {where}")


@dataclass
class _Found:
    """Checkpoint findings: problems, the checkpoints that verified cleanly, witness signatures counted."""

    problems: list[Problem] = field(default_factory=list)
    good: list[Checkpoint] = field(default_factory=list)
    witnessed: int = 0


def _checkpoint_findings(labelled: Sequence[tuple[str, str]], tree: MerkleTree, trust: Trust) -> _Found:
    """Verify every (label, note); explain root mismatches by the checkpoints that did match."""
    results = [_check_one_checkpoint(label, text, tree, trust) for label, text in labelled]
    found = _Found(good=[cp for cp, problems, _ in results if cp is not None and not problems])
    found.witnessed = sum(w for _, _, w in results)
    good_sizes = [cp.size for cp in found.good]
    for cp, problems, _ in results:
        for problem in problems:
            if problem.kind == CHECKPOINT_ROOT and cp is not None:
                problem = _explain_root_mismatch(problem, cp.size, good_sizes)
            found.problems.append(problem)
    return found


def _anchor_findings(anchors: Sequence[tuple[str, str]], tree: MerkleTree, trust: Trust,
                     inside: list[Checkpoint]) -> _Found:
    """Check checkpoints kept outside the database; each must also be among the database's own checkpoints."""
    labelled = [(f"checkpoint kept outside the database ({label})", text) for label, text in anchors]
    found = _checkpoint_findings(labelled, tree, trust)
    found.problems = [Problem(p.seq, _AS_ANCHOR.get(p.kind, p.kind), p.message) for p in found.problems]
    heads = {(cp.size, cp.root) for cp in inside}
    for cp in found.good:
        if (cp.size, cp.root) not in heads:
            message = (f"the checkpoint of size {cp.size} signed {cp.time.isoformat()} is kept outside the database "
                       "but missing from it: checkpoints were deleted from the database")
            found.problems.append(Problem(None, ANCHOR_MISSING, message))
    return found


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
    anchors: Sequence[tuple[str, str]] = (),
    witnesses: Sequence[VerifierKey] = (),
) -> VerifyReport:
    """Recompute leaf hashes and roots from ``entries`` and check entries and every signed checkpoint.

    ``anchors`` are (label, note) checkpoints kept outside the database: the log must extend each of them and the
    database must still hold each one. Entry problems come first, in position order, capped at
    ``max_entry_problems`` (the rest are counted in ``omitted_problems``); checkpoint problems follow, all of them.
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
    trust = Trust(key_name, public_key_raw, check, origin, tuple(witnesses))
    inside = _checkpoint_findings([(f"checkpoint #{i}", n) for i, n in enumerate(checkpoints)], tree, trust)
    outside = _anchor_findings(anchors, tree, trust, inside.good)
    latest = max(inside.good, key=lambda cp: (cp.size, cp.time), default=None)
    notes = _coverage_notes(tree.size, latest, len(checkpoints), len(anchors))
    problems = entry_found + inside.problems + outside.problems
    return VerifyReport(
        ok=not problems and omitted == 0,
        size=tree.size,
        root=tree.root(),
        problems=problems,
        checkpoints_verified=len(inside.good),
        latest_checkpoint=latest,
        omitted_problems=omitted,
        notes=notes,
        anchors_verified=len(outside.good),
        latest_anchor=max(outside.good, key=lambda cp: (cp.size, cp.time), default=None),
        witness_signatures_verified=inside.witnessed + outside.witnessed,
    )


def _coverage_notes(size: int, latest: Checkpoint | None, count: int, anchors: int) -> list[str]:
    """Plain remarks that are not failures, such as entries not yet covered by a checkpoint."""
    notes = []
    if count == 0:
        notes.append("no checkpoints were supplied: nothing ties these entries to a signature")
    covered = latest.size if latest else 0
    if size > covered:
        notes.append(f"{size - covered} newest entries are not yet covered by a valid signed checkpoint")
    if anchors == 0:
        notes.append("no checkpoint kept outside the database was found: a history rewritten inside the database "
                     "(entries removed, checkpoints deleted) could not be noticed")
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


@dataclass
class RecordHistory:
    """What the log says about one record: its first and newest entries and how many versions it had."""

    first_seq: int
    seq: int
    record_sha256: str
    action: str
    versions: int


_PREV = b'"prev_record_sha256":"'


def _prev_digest(data: bytes) -> str | None:
    """The prev_record_sha256 of canonical entry bytes (the key sorts after 'id' and is written only once)."""
    at = data.find(_PREV)
    return None if at < 0 else data[at + len(_PREV): at + len(_PREV) + 64].decode("ascii")


def record_histories(entries: Iterable[bytes]) -> tuple[dict[tuple[str, str], RecordHistory], list[Problem]]:
    """Each record's history, and an ``entry_chain`` problem wherever prev_record_sha256 breaks the chain.

    Raises EntryError on bytes that are not a valid entry (verify_log reports those first).
    """
    histories: dict[tuple[str, str], RecordHistory] = {}
    problems: list[Problem] = []
    for data in entries:
        seq, entity, ident, digest, action = entry_summary(data)
        known = histories.get((entity, ident))
        prev = _prev_digest(data)
        if known is not None and prev != known.record_sha256:
            problems.append(Problem(seq, ENTRY_CHAIN, f"{entity} {ident}: prev_record_sha256 {prev} is not the digest "
                                                      f"{known.record_sha256} of its previous entry {known.seq}"))
        elif known is None and prev is not None:
            problems.append(Problem(seq, ENTRY_CHAIN, f"{entity} {ident}: names a previous version, but no earlier "
                                                      "entry records it"))
        counted = 1 if action in ("create", "update") else 0
        if known is None:
            histories[(entity, ident)] = RecordHistory(seq, seq, digest, action, counted)
        else:
            known.seq, known.record_sha256, known.action = seq, digest, action
            known.versions += counted
    return histories, problems

"""Benchmark: full ledger verification against the raw cost of hashing every entry once.

    .venv/bin/python benchmarks/bench_ledger_verify.py [--entries N] [--checkpoints K]

(a) baseline: hashlib.sha256 over each stored entry, once.
(b) full verification as the storage layer runs it: verify_log over the stored entry bytes with the
    stored leaf hashes and K signed checkpoints (leaf hashes, tree, every prefix root that a checkpoint
    names, consistency proofs, canonical-decoding and seq checks, Ed25519 signatures).
The target is (b) within 5x of (a).  Timings take the best of --repeat runs, with the garbage collector
paused as timeit does.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from dutycare.ledger import (
    Checkpoint,
    LedgerEntry,
    MerkleTree,
    encode_entry,
    entry_problems,
    leaf_hashes,
    sign_checkpoint,
    verify_log,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report as bench_report

T = TypeVar("T")
ORIGIN = "bench.dutycare.example/ledger"
ACTORS = ["clerk-17", "medic.petrova", "Иванова А. П.", "intake-bot", "lawyer:kuznetsov", "Сидоренко"]
KINDS = ["case", "event", "person", "institution", "source", "evidence"]
ACTIONS = ["update", "update", "create", "attach", "update", "tombstone"]


def synthetic_entries(count: int) -> list[bytes]:
    """Realistic canonical entries: mixed actions, some Cyrillic actors, UUID-like ids, real hashes."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for seq in range(count):
        action = ACTIONS[seq % len(ACTIONS)]
        digest = hashlib.sha256(seq.to_bytes(8, "big")).hexdigest()
        entry = LedgerEntry(
            seq=seq,
            at=start + timedelta(seconds=seq * 3, microseconds=seq % 999_983),
            actor=ACTORS[seq % len(ACTORS)],
            action=action,
            entity=KINDS[seq % len(KINDS)],
            id=f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}",
            record_sha256=digest,
            file_sha256=digest[::-1] if action == "attach" else None,
            prev_record_sha256=None if action == "create" else digest[32:] + digest[:32],
        )
        out.append(encode_entry(entry))
    return out


def best_of(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    """Best wall time of ``repeat`` runs of ``work`` and its last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            began = time.perf_counter()
            result = work()
            best = min(best, time.perf_counter() - began)
        finally:
            gc.enable()
    return best, result  # type: ignore[return-value]


def signed_checkpoints(entries: list[bytes], count: int, key: Ed25519PrivateKey) -> list[str]:
    """``count`` checkpoints spread evenly over the log, the last one covering every entry."""

    class Signer:
        """CheckpointSigner over ``key``."""

        key_name = ORIGIN

        def public_key_raw(self) -> bytes:
            """Raw public key."""
            return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

        def sign(self, message: bytes) -> bytes:
            """Ed25519 signature."""
            return key.sign(message)

    tree = MerkleTree(leaf_hashes(entries))
    sizes = [len(entries) * (i + 1) // count for i in range(count)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    notes = []
    for i, size in enumerate(sizes):
        notes.append(
            sign_checkpoint(Checkpoint(ORIGIN, size, tree.root(size), start + timedelta(hours=i)), Signer())
        )
    return notes


def ed25519_check(public_key_raw: bytes, message: bytes, signature: bytes) -> bool:
    """SignatureCheck backed by cryptography."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key_raw).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def report(entries: list[bytes], baseline: float, timings: dict[str, float], full: float, ok: bool) -> None:
    """Print the figures and the ratio against the 5x target."""
    per = 1e6 / len(entries)
    print(f"(a) baseline sha256 per entry : {baseline:7.3f} s  ({baseline * per:.3f} us/entry)")
    for name, seconds in timings.items():
        print(f"    {name:<26}: {seconds:7.3f} s  ({seconds * per:.3f} us/entry)")
    print(f"(b) full verify_log           : {full:7.3f} s  ({full * per:.3f} us/entry)  ok={ok}")
    ratio = full / baseline
    print(f"ratio (b)/(a) = {ratio:.2f}x  (target <= 5x: {'met' if ratio <= 5 else 'MISSED'})")
    bench_report(f"ledger verify over {len(entries):,} entries", round(full, 2), "s", baseline=round(baseline, 2),
                 baseline_label="hashlib, one SHA-256 per entry", ratio=round(ratio, 2), target="within 5x of hashlib",
                 met=ok and ratio <= 5)


def main() -> None:
    """Build the log, time the baseline and the verification, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--checkpoints", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    began = time.perf_counter()
    entries = synthetic_entries(args.entries)
    stored = leaf_hashes(entries)
    key = Ed25519PrivateKey.from_private_bytes(b"\x11" * 32)
    notes = signed_checkpoints(entries, args.checkpoints, key)
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    size = sum(map(len, entries))
    print(
        f"built {len(entries):,} entries (mean {size / len(entries):.0f} bytes, {size / 1e6:.0f} MB) "
        f"and {len(notes)} checkpoints in {time.perf_counter() - began:.1f} s"
    )

    baseline, _ = best_of(args.repeat, lambda: [hashlib.sha256(e).digest() for e in entries])
    parts = {
        "leaf hashes": lambda: leaf_hashes(entries),
        "tree (all levels)": lambda: MerkleTree(stored),
        "decode/seq checks": lambda: list(entry_problems(entries)),
    }
    timings = {name: best_of(args.repeat, work)[0] for name, work in parts.items()}
    full, result = best_of(
        args.repeat,
        lambda: verify_log(
            entries,
            notes,
            key_name=ORIGIN,
            public_key_raw=public,
            check=ed25519_check,
            stored_leaf_hashes=stored,
        ),
    )
    report(entries, baseline, timings, full, result.ok)


if __name__ == "__main__":
    main()

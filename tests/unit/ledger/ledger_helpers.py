"""Shared test helpers for the ledger tests: a real Ed25519 signer and a synthetic log."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from dutycare.ledger import Checkpoint, LedgerEntry, MerkleTree, encode_entry, leaf_hashes, sign_checkpoint

ORIGIN = "dutycare.test/ledger"
BASE_TIME = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)


class Ed25519Signer:
    """A CheckpointSigner backed by cryptography's Ed25519."""

    def __init__(self, key_name: str = ORIGIN, seed: bytes = b"\x07" * 32) -> None:
        """Derive a deterministic key from ``seed`` so test output is stable."""
        self.key_name = key_name
        self._key = Ed25519PrivateKey.from_private_bytes(seed)

    def public_key_raw(self) -> bytes:
        """Return the raw 32-byte public key."""
        return self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def sign(self, message: bytes) -> bytes:
        """Return the Ed25519 signature over ``message``."""
        return self._key.sign(message)


def ed25519_check(public_key_raw: bytes, message: bytes, signature: bytes) -> bool:
    """SignatureCheck backed by cryptography's Ed25519."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key_raw).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def make_entry(seq: int, action: str = "update") -> LedgerEntry:
    """A plausible entry for position ``seq``."""
    digest = hashlib.sha256(f"record-{seq}".encode()).hexdigest()
    return LedgerEntry(
        seq=seq,
        at=BASE_TIME + timedelta(minutes=seq, microseconds=seq),
        actor=f"clerk-{seq % 7}",
        action=action,
        entity="evidence" if seq % 2 else "case",
        id=f"id-{seq // 3}",
        record_sha256=digest,
        file_sha256=digest if action == "attach" else None,
        prev_record_sha256=None if action == "create" else hashlib.sha256(b"prev").hexdigest(),
    )


def make_entries(count: int) -> list[bytes]:
    """``count`` encoded entries with a mix of actions."""
    actions = ("create", "update", "attach", "tombstone")
    return [encode_entry(make_entry(seq, actions[seq % 4])) for seq in range(count)]


def make_checkpoints(entries: list[bytes], sizes: list[int], signer: Ed25519Signer) -> list[str]:
    """Signed checkpoint notes over the given prefix sizes of ``entries``."""
    tree = MerkleTree(leaf_hashes(entries))
    notes = []
    for i, size in enumerate(sizes):
        cp = Checkpoint(ORIGIN, size, tree.root(size), BASE_TIME + timedelta(hours=i))
        notes.append(sign_checkpoint(cp, signer))
    return notes

"""Proof bundle: a directory of plain files that lets anyone check the log with tools/verify_bundle.py."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence

from dutycare.ledger.checkpoint import SignedCheckpoint, b64encode, key_id, parse_checkpoint, verifier_key
from dutycare.ledger.merkle import MerkleTree, leaf_hashes

BUNDLE_FORMAT = "dutycare-ledger-bundle/1"
CHECKPOINT_BEGIN = "-----BEGIN CHECKPOINT {}-----"
CHECKPOINT_END = "-----END CHECKPOINT {}-----"
# DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4); the 32 key bytes follow it.
_ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


class BundleError(ValueError):
    """The inputs cannot make a meaningful bundle (no checkpoint, wrong key, seq out of range, ...)."""


def public_key_pem(public_key_raw: bytes) -> str:
    """Return the PEM 'PUBLIC KEY' block of a raw 32-byte Ed25519 key."""
    der = base64.b64encode(_ED25519_SPKI_PREFIX + public_key_raw).decode("ascii")
    lines = [der[i : i + 64] for i in range(0, len(der), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def key_fingerprint(public_key_raw: bytes) -> str:
    """Return the hex SHA-256 of the raw public key, for comparing with an independently published copy."""
    return hashlib.sha256(public_key_raw).hexdigest()


def _entries_jsonl(entries: Sequence[bytes]) -> bytes:
    """One JSON line per entry: its position, the decoded entry for reading, and the exact bytes in base64."""
    lines = []
    for seq, data in enumerate(entries):
        try:
            readable = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            readable = None
        line = {"seq": seq, "entry": readable, "entry_b64": b64encode(data)}
        lines.append(json.dumps(line, ensure_ascii=False, separators=(", ", ": ")))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _checkpoints_txt(notes: Sequence[str]) -> bytes:
    """All checkpoint notes, each copied byte for byte between BEGIN and END lines."""
    parts = [
        "# Signed checkpoints (C2SP tlog-checkpoint bodies in C2SP signed notes), smallest tree first.\n"
        "# Each note is everything between its BEGIN and END lines, including its final newline.\n"
    ]
    for index, note in enumerate(notes):
        parts.append(f"\n{CHECKPOINT_BEGIN.format(index)}\n{note}{CHECKPOINT_END.format(index)}\n")
    return "".join(parts).encode("utf-8")


def _public_key_txt(key_name: str, public_key_raw: bytes) -> bytes:
    """The signing key in several spellings, with its fingerprint."""
    text = (
        f"key name: {key_name}\n"
        f"key id: {key_id(key_name, public_key_raw).hex()}\n"
        f"ed25519 public key (base64, 32 bytes): {b64encode(public_key_raw)}\n"
        f"fingerprint (sha256 of the 32 key bytes): {key_fingerprint(public_key_raw)}\n"
        f"verifier key (signed-note form): {verifier_key(key_name, public_key_raw)}\n"
        "\n" + public_key_pem(public_key_raw)
    )
    return text.encode("utf-8")


def _parse_signed_by(
    texts: Sequence[str], key_name: str, public_key_raw: bytes
) -> list[tuple[str, SignedCheckpoint]]:
    """Parse each note, insist it names this key, and order them by tree size then time."""
    kid = key_id(key_name, public_key_raw)
    parsed = []
    for index, text in enumerate(texts):
        note = parse_checkpoint(text)
        if not any(s.key_name == key_name and s.key_id == kid for s in note.signatures):
            raise BundleError(f"checkpoint #{index} carries no signature line for key {key_name!r}")
        parsed.append((text, note))
    parsed.sort(key=lambda pair: (pair[1].checkpoint.size, pair[1].checkpoint.time))
    return parsed


def _inclusion_items(
    tree: MerkleTree, size: int, index: int, prove: Sequence[int]
) -> list[dict[str, object]]:
    """Inclusion proof of each chosen entry in the tree of ``size`` leaves (checkpoint number ``index``)."""
    items: list[dict[str, object]] = []
    for seq in sorted(set(prove)):
        if not 0 <= seq < size:
            raise BundleError(f"entry {seq} is not covered by the latest checkpoint (size {size})")
        proof = tree.inclusion_proof(seq, size)
        hexes = [h.hex() for h in proof]
        leaf = tree.leaf(seq).hex()
        items.append({"seq": seq, "leaf_hash": leaf, "tree_size": size, "checkpoint": index, "proof": hexes})
    return items


def _consistency_items(tree: MerkleTree, sizes: Sequence[int]) -> list[dict[str, object]]:
    """Consistency proof between each pair of neighbouring checkpoint sizes."""
    items: list[dict[str, object]] = []
    for index in range(1, len(sizes)):
        old, new = sizes[index - 1], sizes[index]
        hexes = [h.hex() for h in tree.consistency_proof(old, new)]
        pair = {"from_checkpoint": index - 1, "to_checkpoint": index, "old_size": old, "new_size": new}
        items.append({**pair, "proof": hexes})
    return items


def _proofs_json(tree: MerkleTree, notes: list[tuple[str, SignedCheckpoint]], prove: Sequence[int]) -> bytes:
    """Inclusion proofs of chosen entries in the latest checkpoint, and consistency between checkpoints."""
    latest_index = len(notes) - 1
    latest = notes[latest_index][1].checkpoint
    doc = {
        "format": BUNDLE_FORMAT,
        "tree": "RFC 9162 section 2.1 Merkle tree, SHA-256; hashes in lowercase hex",
        "entries": tree.size,
        "latest_checkpoint": {"index": latest_index, "size": latest.size, "root": latest.root.hex()},
        "inclusion": _inclusion_items(tree, latest.size, latest_index, prove),
        "consistency": _consistency_items(tree, [note.checkpoint.size for _, note in notes]),
    }
    return (json.dumps(doc, indent=2) + "\n").encode("utf-8")


_README = """\
DUTYCARE LEDGER PROOF BUNDLE
============================

What this is
------------
Every change to a record in dutycare is written as a numbered entry in an
append-only log. The entries are combined into a Merkle tree (the same
construction used by Certificate Transparency, RFC 9162). From time to time the
system signs a short statement, a "checkpoint", saying: "the log now has N
entries and their tree hash is R". Changing, removing or re-ordering any entry
that a checkpoint covers changes the tree hash, so the signed checkpoint no
longer matches.

Files
-----
entries.jsonl    One line per log entry, in order. "entry_b64" holds the exact
                 bytes that were hashed; "entry" is the same thing decoded, for
                 reading only.
checkpoints.txt  The signed checkpoints, smallest first, each between BEGIN and
                 END lines.
public_key.txt   The public key that signed the checkpoints, with its
                 fingerprint.
proofs.json      Inclusion proofs (this entry is inside the signed tree) and
                 consistency proofs (each later checkpoint extends the earlier
                 one without changing it).
README.txt       This file.

How to check it
---------------
1. Install Python 3.11 or newer, then:  pip install cryptography
2. Run:  python verify_bundle.py THIS_DIRECTORY
   (verify_bundle.py is tools/verify_bundle.py in the dutycare source code.)
3. The last line says VERIFIED or FAILED. On failure it names the first
   problem found. The exit code is 0 when everything verifies and 1 otherwise.

What the checker does
---------------------
- decodes every entry, checks that its number matches its position and that
  the readable copy says the same as the hashed bytes;
- recomputes every leaf hash and the tree hash from the entries alone;
- checks each checkpoint's Ed25519 signature with the public key;
- checks that each checkpoint's tree hash equals the tree hash recomputed
  from the entries at that size;
- checks every inclusion and consistency proof in proofs.json.

One thing you must do yourself
------------------------------
The key in public_key.txt comes with the bundle, so on its own it only shows
that the bundle is internally consistent. Compare the fingerprint the checker
prints with one published independently (for example in a filed statement or
on the organisation's website), or pass it with --fingerprint so the checker
compares it for you.
"""


def build_bundle(
    entries: list[bytes],
    checkpoint_texts: list[str],
    public_key_raw: bytes,
    key_name: str,
    prove: list[int] | None,
) -> dict[str, bytes]:
    """Return file name -> content for a proof bundle over the whole log.

    ``entries`` must be every stored entry from seq 0.  ``prove`` lists the seqs that get an inclusion
    proof against the latest checkpoint; None means none (the verifier recomputes the whole tree anyway).
    """
    if not checkpoint_texts:
        raise BundleError("a bundle needs at least one signed checkpoint")
    notes = _parse_signed_by(checkpoint_texts, key_name, public_key_raw)
    tree = MerkleTree(leaf_hashes(entries))
    largest = notes[-1][1].checkpoint.size
    if largest > tree.size:
        raise BundleError(f"a checkpoint covers {largest} entries but only {tree.size} were supplied")
    return {
        "entries.jsonl": _entries_jsonl(entries),
        "checkpoints.txt": _checkpoints_txt([text for text, _ in notes]),
        "public_key.txt": _public_key_txt(key_name, public_key_raw),
        "proofs.json": _proofs_json(tree, notes, prove or []),
        "README.txt": _README.encode("utf-8"),
    }

#!/usr/bin/env python3
"""Independently check a dutycare ledger proof bundle.

Usage:  python verify_bundle.py BUNDLE_DIR [--fingerprint HEX] [--checkpoint FILE ...]

``--checkpoint FILE`` names a signed checkpoint kept apart from the bundle (published, or handed to a lawyer):
it must be signed by the bundle's key for the same log, and the bundle's entries must extend it, so a bundle
cut short or rewritten after that checkpoint fails.

Needs only Python 3.11+ and the ``cryptography`` package (pip install cryptography).  It does not use
any dutycare code: the Merkle tree (RFC 9162 section 2.1), the entry encoding and the checkpoint format
are re-implemented here so that this file can be read and checked on its own.

Exit status: 0 when everything verifies, 1 when anything fails, 2 when the check cannot run at all.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

EM_DASH_PREFIX = "\u2014 "
HEX64 = re.compile(r"[0-9a-f]{64}")
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")  # DER header of an Ed25519 public key


class BundleFailure(Exception):
    """A check failed; the message says which and why."""


# --------------------------------------------------------------------------- report


@dataclass
class Report:
    """Collects one line per check and remembers the first failure."""

    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def ok(self, message: str) -> None:
        """Record a passed check."""
        self.lines.append(f"[ok]   {message}")

    def fail(self, message: str) -> None:
        """Record a failed check."""
        self.lines.append(f"[FAIL] {message}")
        self.failures.append(message)

    def note(self, message: str) -> None:
        """Record a remark that is not a failure."""
        self.lines.append(f"[note] {message}")


# --------------------------------------------------------------------------- Merkle tree (RFC 9162 §2.1)


def sha256(data: bytes) -> bytes:
    """SHA-256 digest."""
    return hashlib.sha256(data).digest()


def hash_leaf(entry: bytes) -> bytes:
    """Leaf hash: SHA-256 of a zero byte followed by the entry."""
    return sha256(b"\x00" + entry)


def hash_children(left: bytes, right: bytes) -> bytes:
    """Interior node hash: SHA-256 of a one byte, the left hash and the right hash."""
    return sha256(b"\x01" + left + right)


class PrefixRoots:
    """Hashes of every aligned perfect subtree, so the root of any prefix of the log is cheap to get."""

    def __init__(self, leaves: list[bytes]) -> None:
        """Level 0 is the leaf hashes; level j+1 pairs up the complete pairs of level j."""
        self.levels = [leaves]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([hash_children(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    def root(self, size: int) -> bytes:
        """Root of the first ``size`` leaves: its perfect subtrees, largest first, folded from the right."""
        if size == 0:
            return sha256(b"")
        parts, start = [], 0
        for height in reversed(range(size.bit_length())):
            if size & (1 << height):
                parts.append(self.levels[height][start >> height])
                start += 1 << height
        result = parts.pop()
        while parts:
            result = hash_children(parts.pop(), result)
        return result


def inclusion_root(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: walk an inclusion path up from the leaf and return the root it reaches."""
    if not 0 <= index < size:
        raise BundleFailure(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise BundleFailure("inclusion proof is longer than the tree is tall")
        if fn % 2 == 1 or fn == sn:
            r = hash_children(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            r = hash_children(r, p)
        fn, sn = fn // 2, sn // 2
    if sn != 0:
        raise BundleFailure("inclusion proof is shorter than the tree is tall")
    return r


def check_consistency(m: int, n: int, old: bytes, new: bytes, path: list[bytes]) -> None:
    """RFC 9162 §2.1.4.2: raise BundleFailure unless ``path`` proves tree ``old`` (m) starts ``new`` (n)."""
    if not 0 <= m <= n:
        raise BundleFailure(f"sizes {m} -> {n} go backwards")
    if m in (0, n):
        if path or (m == n and old != new):
            raise BundleFailure("trivial consistency proof is not empty or the roots differ")
        return
    if not path:
        raise BundleFailure("consistency proof is empty")
    nodes = ([old] if m & (m - 1) == 0 else []) + path
    fn, sn = m - 1, n - 1
    while fn % 2 == 1:
        fn, sn = fn // 2, sn // 2
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            raise BundleFailure("consistency proof is too long")
        if fn % 2 == 1 or fn == sn:
            fr, sr = hash_children(c, fr), hash_children(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            sr = hash_children(sr, c)
        fn, sn = fn // 2, sn // 2
    if sn != 0 or fr != old or sr != new:
        raise BundleFailure("consistency proof does not lead to both signed roots")


# --------------------------------------------------------------------------- entries


def b64_strict(text: object, what: str) -> bytes:
    """Decode standard base64, refusing anything the standard encoder would not have written."""
    if not isinstance(text, str):
        raise BundleFailure(f"{what} is not a base64 string")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise BundleFailure(f"{what} is not valid base64") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise BundleFailure(f"{what} is not canonical base64")
    return data


def no_floats(text: str) -> object:
    """json hook that refuses non-integer numbers, which the entry format does not allow."""
    raise BundleFailure(f"entry contains the non-integer number {text}")


def canonical(obj: object) -> bytes:
    """The entry encoding: sorted keys, no spaces, UTF-8 written as is."""
    try:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BundleFailure("an entry holds text that is not valid Unicode") from None


def check_entry_line(position: int, line: str) -> bytes:
    """Return the exact entry bytes of one entries.jsonl line after checking it fully."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BundleFailure(f"line {position + 1} of entries.jsonl is not JSON: {exc}") from None
    if not isinstance(record, dict) or record.get("seq") != position:
        raise BundleFailure(f"line {position + 1} of entries.jsonl is not entry number {position}")
    data = b64_strict(record.get("entry_b64"), f"entry {position}")
    try:
        entry = json.loads(data.decode("utf-8"), parse_float=no_floats, parse_constant=no_floats)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleFailure(f"entry {position} is not UTF-8 JSON: {exc}") from None
    if not isinstance(entry, dict) or entry.get("v") != 1:
        raise BundleFailure(f"entry {position} is not a version 1 entry object")
    if canonical(entry) != data:
        raise BundleFailure(f"entry {position} is not in canonical form")
    if entry.get("seq") != position or isinstance(entry.get("seq"), bool):
        raise BundleFailure(f"entry {position} says it is number {entry.get('seq')!r}")
    if canonical(record.get("entry")) != data:
        raise BundleFailure(f"entry {position}: the readable copy differs from the hashed bytes")
    return data


def load_entries(folder: Path) -> list[bytes]:
    """Read and check every entry of entries.jsonl, in order."""
    text = (folder / "entries.jsonl").read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [check_entry_line(i, line) for i, line in enumerate(lines)]


# --------------------------------------------------------------------------- key and checkpoints


@dataclass
class SignedHead:
    """One checkpoint: the signed text, what it says, and its signature lines."""

    number: int
    body: bytes
    origin: str
    size: int
    root: bytes
    time: str
    signatures: list[tuple[str, bytes, bytes]]


def read_key(folder: Path) -> tuple[str, bytes]:
    """Return (key name, raw 32-byte key) from public_key.txt, checking the PEM copy agrees."""
    text = (folder / "public_key.txt").read_text(encoding="utf-8")
    fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    name = fields.get("key name", "")
    raw = b64_strict(fields.get("ed25519 public key (base64, 32 bytes)"), "public key")
    if not name or len(raw) != 32:
        raise BundleFailure("public_key.txt lacks a key name or a 32-byte Ed25519 key")
    pem = re.search(r"-----BEGIN PUBLIC KEY-----\n(.+?)\n-----END PUBLIC KEY-----", text, re.S)
    if pem is None or b64_strict(pem.group(1).replace("\n", ""), "PEM key") != SPKI_PREFIX + raw:
        raise BundleFailure("the PEM public key does not match the base64 public key")
    return name, raw


def key_id(name: str, raw: bytes) -> bytes:
    """Signed-note key ID: first 4 bytes of SHA-256(name, newline, 0x01, key)."""
    return sha256(name.encode("utf-8") + b"\n\x01" + raw)[:4]


def split_notes(folder: Path) -> list[str]:
    """Cut checkpoints.txt into the notes between BEGIN/END lines, numbered from 0 in order."""
    text = (folder / "checkpoints.txt").read_text(encoding="utf-8")
    found = re.findall(r"-----BEGIN CHECKPOINT (\d+)-----\n(.*?)-----END CHECKPOINT \1-----", text, re.S)
    if [int(n) for n, _ in found] != list(range(len(found))) or not found:
        raise BundleFailure("checkpoints.txt does not hold checkpoints numbered 0, 1, 2, ...")
    return [note for _, note in found]


def parse_note(number: int, note: str) -> SignedHead:
    """Parse a C2SP signed note holding a C2SP tlog-checkpoint body with a 'time' line."""
    if re.search(r"[\x00-\x09\x0b-\x1f]", note) or not note.endswith("\n") or "\n\n" not in note:
        raise BundleFailure(f"checkpoint {number} is not a well-formed signed note")
    cut = note.rfind("\n\n")
    body, sig_lines = note[: cut + 1], note[cut + 2 : -1].split("\n")
    lines = body[:-1].split("\n")
    if len(lines) < 4 or not re.fullmatch(r"0|[1-9]\d*", lines[1]) or not lines[3].startswith("time "):
        raise BundleFailure(f"checkpoint {number} does not have origin, size, root and time lines")
    root = b64_strict(lines[2], f"root of checkpoint {number}")
    signatures = []
    for line in sig_lines:
        parts = line[len(EM_DASH_PREFIX) :].split(" ")
        if not line.startswith(EM_DASH_PREFIX) or len(parts) != 2:
            raise BundleFailure(f"checkpoint {number} has a malformed signature line")
        blob = b64_strict(parts[1], f"signature on checkpoint {number}")
        signatures.append((parts[0], blob[:4], blob[4:]))
    return SignedHead(number, body.encode("utf-8"), lines[0], int(lines[1]), root, lines[3][5:], signatures)


def check_signature(head: SignedHead, name: str, raw: bytes) -> None:
    """Raise BundleFailure unless a signature line by this key verifies and none by it fails."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public = Ed25519PublicKey.from_public_bytes(raw)
    mine = [sig for who, kid, sig in head.signatures if who == name and kid == key_id(name, raw)]
    if not mine:
        raise BundleFailure(f"checkpoint {head.number} has no signature by key {name}")
    for sig in mine:
        try:
            public.verify(sig, head.body)
        except InvalidSignature:
            raise BundleFailure(f"checkpoint {head.number}: the signature does not verify") from None


# --------------------------------------------------------------------------- the checks


def why(matched: int, head: SignedHead) -> str:
    """Explain a root mismatch: which entries changed, or that the signer signed two different trees."""
    if matched < head.size:
        return f"entries {matched}..{head.size - 1} changed after it was signed"
    return "a checkpoint at least this large matches, so two inconsistent trees were signed"


def check_checkpoints(
    folder: Path, key: tuple[str, bytes], tree: PrefixRoots | None, report: Report
) -> list[SignedHead | None]:
    """Check every checkpoint's signature and its root against the entries; return parsed heads (or None)."""
    try:
        notes = split_notes(folder)
    except (BundleFailure, OSError, UnicodeDecodeError) as exc:
        report.fail(f"checkpoints: {exc}")
        return []
    heads: list[SignedHead | None] = []
    matched = 0  # largest size whose signed root matched the entries so far
    for number, note in enumerate(notes):
        try:
            head = parse_note(number, note)
            check_signature(head, *key)
        except BundleFailure as exc:
            report.fail(str(exc))
            heads.append(None)
            continue
        heads.append(head)
        label = f"checkpoint {number} (size {head.size}, time {head.time})"
        if tree is None:
            report.ok(f"{label}: signature valid (entries unavailable, root not compared)")
        elif head.size > len(tree.levels[0]):
            report.fail(f"{label}: signed over {head.size} entries but the bundle has {len(tree.levels[0])}")
        elif tree.root(head.size) != head.root:
            report.fail(
                f"{label}: signed root {head.root.hex()} differs from the entries' root; {why(matched, head)}"
            )
        else:
            matched = max(matched, head.size)
            report.ok(f"{label}: signature valid, root {head.root.hex()} matches the entries")
    return heads


def check_external(path: Path, key: tuple[str, bytes], tree: PrefixRoots | None, origins: set[str],
                   report: Report) -> None:
    """Check a checkpoint kept outside the bundle: same key and log, and the bundle's entries extend it."""
    try:
        head = parse_note(-1, path.read_text(encoding="utf-8"))
        check_signature(head, *key)
    except (BundleFailure, OSError, UnicodeDecodeError) as exc:
        report.fail(f"checkpoint file {path}: {exc}".replace("checkpoint -1", "it"))
        return
    label = f"checkpoint file {path} (size {head.size}, time {head.time})"
    if origins and head.origin not in origins:
        report.fail(f"{label}: it is for the log {head.origin!r}, not this bundle's log")
    elif tree is None:
        report.fail(f"{label}: the bundle's entries are unreadable, so it cannot be compared")
    elif head.size > len(tree.levels[0]):
        report.fail(f"{label}: it signs {head.size} entries but the bundle holds {len(tree.levels[0])}: "
                    "entries were removed after it was signed")
    elif tree.root(head.size) != head.root:
        report.fail(f"{label}: the bundle's first {head.size} entries differ from what it signed: "
                    "the history was rewritten")
    else:
        report.ok(f"{label}: signature valid; the bundle's entries extend it")


def signed_head(heads: list[SignedHead | None], number: object) -> SignedHead:
    """The verified checkpoint with this number, or a failure."""
    if not isinstance(number, int) or not 0 <= number < len(heads) or heads[number] is None:
        raise BundleFailure(f"proof refers to checkpoint {number!r}, which is missing or did not verify")
    return heads[number]  # type: ignore[return-value]


def hashes(items: object) -> list[bytes]:
    """Decode a list of 64-digit lowercase hex hashes."""
    if not isinstance(items, list) or not all(isinstance(h, str) and HEX64.fullmatch(h) for h in items):
        raise BundleFailure("a proof is not a list of 64-digit lowercase hex hashes")
    return [bytes.fromhex(h) for h in items]


def check_inclusion(item: dict, heads: list[SignedHead | None], leaves: list[bytes] | None) -> str:
    """Check one inclusion proof against its signed checkpoint root; return a description."""
    head = signed_head(heads, item.get("checkpoint"))
    seq, leaf = item.get("seq"), hashes([item.get("leaf_hash")])[0]
    if item.get("tree_size") != head.size or not isinstance(seq, int):
        raise BundleFailure(f"inclusion proof for entry {seq!r} names the wrong tree size or entry")
    if leaves is not None and (not 0 <= seq < len(leaves) or leaves[seq] != leaf):
        raise BundleFailure(f"inclusion proof for entry {seq}: leaf hash is not the hash of that entry")
    if inclusion_root(leaf, seq, head.size, hashes(item.get("proof"))) != head.root:
        raise BundleFailure(f"inclusion proof for entry {seq} does not reach checkpoint {head.number}'s root")
    return f"entry {seq} is included in checkpoint {head.number} (size {head.size})"


def check_consistency_item(item: dict, heads: list[SignedHead | None]) -> str:
    """Check one consistency proof between two signed checkpoints; return a description."""
    old, new = signed_head(heads, item.get("from_checkpoint")), signed_head(heads, item.get("to_checkpoint"))
    if item.get("old_size") != old.size or item.get("new_size") != new.size:
        raise BundleFailure(f"consistency proof {old.number}->{new.number} names the wrong sizes")
    try:
        check_consistency(old.size, new.size, old.root, new.root, hashes(item.get("proof")))
    except BundleFailure as exc:
        raise BundleFailure(f"consistency proof checkpoint {old.number} -> {new.number}: {exc}") from None
    return f"checkpoint {new.number} (size {new.size}) extends checkpoint {old.number} (size {old.size})"


def load_proofs(folder: Path, heads: list[SignedHead | None]) -> dict:
    """Read proofs.json and check that its 'latest checkpoint' is the signed one it claims to be."""
    try:
        doc = json.loads((folder / "proofs.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BundleFailure(f"proofs.json cannot be read: {exc}") from None
    latest = doc.get("latest_checkpoint") if isinstance(doc, dict) else None
    if not isinstance(latest, dict):
        raise BundleFailure("proofs.json does not name its latest checkpoint")
    head = signed_head(heads, latest.get("index"))
    if latest.get("size") != head.size or latest.get("root") != head.root.hex():
        raise BundleFailure("proofs.json names a latest checkpoint that differs from the signed one")
    return doc


def check_proofs(
    folder: Path, heads: list[SignedHead | None], leaves: list[bytes] | None, report: Report
) -> None:
    """Check every proof in proofs.json, each on its own."""
    try:
        doc = load_proofs(folder, heads)
    except BundleFailure as exc:
        report.fail(str(exc))
        return
    checks = [(check_inclusion, (item, heads, leaves), "inclusion") for item in doc.get("inclusion", [])]
    checks += [(check_consistency_item, (item, heads), "consistency") for item in doc.get("consistency", [])]
    for check, args, kind in checks:
        try:
            report.ok(check(*args))
        except (BundleFailure, AttributeError, TypeError) as exc:
            report.fail(f"{kind} proof: {exc}")


def check_entries(folder: Path, report: Report) -> list[bytes] | None:
    """Leaf hashes of all entries, or None (and a failure) if any entry is unreadable or wrong."""
    try:
        leaves = [hash_leaf(data) for data in load_entries(folder)]
    except (BundleFailure, OSError, UnicodeDecodeError, RecursionError) as exc:
        report.fail(f"entries: {exc}")
        return None
    report.ok(f"{len(leaves)} entries are canonical, numbered 0..{len(leaves) - 1}; readable copies match")
    return leaves


def verify(folder: Path, fingerprint: str | None, external: list[Path] | None = None) -> tuple[Report, str]:
    """Run every check on the bundle in ``folder``; return the report and a closing summary line."""
    report = Report()
    name, raw = read_key(folder)
    fp = sha256(raw).hex()
    report.ok(f"public key {name!r}: PEM and raw copies agree; fingerprint {fp}")
    if fingerprint is not None and fingerprint.strip().lower() != fp:
        report.fail(f"key fingerprint {fp} is not the expected {fingerprint}")
    leaves = check_entries(folder, report)
    tree = PrefixRoots(leaves) if leaves is not None else None
    heads = check_checkpoints(folder, (name, raw), tree, report)
    check_proofs(folder, heads, leaves, report)
    for path in external or []:
        check_external(path, (name, raw), tree, {h.origin for h in heads if h is not None}, report)
    if report.failures:
        return report, f"FAILED: {len(report.failures)} problem(s); first: {report.failures[0]}"
    latest = max((h for h in heads if h is not None), key=lambda h: h.size)
    if leaves is not None and latest.size < len(leaves):
        report.note(f"{len(leaves) - latest.size} newest entries are not yet covered by a signed checkpoint")
    if not external:
        report.note("no --checkpoint kept apart from the bundle was given: a bundle cut short or rewritten "
                    "together with its checkpoints would not be noticed")
    return report, (
        f"VERIFIED: checkpoint {latest.number} signed by {name} at {latest.time} covers {latest.size} "
        f"entries with root {latest.root.hex()}. Compare key fingerprint {fp} with an independent copy."
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Check a dutycare ledger proof bundle.")
    parser.add_argument("bundle", type=Path, help="directory holding entries.jsonl, checkpoints.txt, ...")
    parser.add_argument("--fingerprint", help="expected SHA-256 fingerprint (hex) of the signing key")
    parser.add_argument("--checkpoint", type=Path, action="append", default=[],
                        help="a signed checkpoint kept elsewhere that the bundle must extend (repeatable)")
    args = parser.parse_args(argv)
    try:
        import cryptography  # noqa: F401
    except ImportError:
        print("This check needs the 'cryptography' package: pip install cryptography", file=sys.stderr)
        return 2
    print(f"Checking dutycare ledger bundle: {args.bundle}")
    try:
        report, closing = verify(args.bundle, args.fingerprint, args.checkpoint)
    except (BundleFailure, OSError, ValueError) as exc:
        print(f"[FAIL] {exc}\nFAILED: {exc}")
        return 1
    print("\n".join(report.lines))
    print(closing)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())

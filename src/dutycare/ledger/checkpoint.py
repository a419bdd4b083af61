"""Signed tree heads as C2SP tlog-checkpoint bodies inside C2SP signed notes (Ed25519).

A checkpoint note looks like this (the signature line starts with an em dash, U+2014)::

    dutycare.example/ledger
    1234
    <base64 of the 32-byte root hash>
    time 2026-11-25T05:00:00Z

    — dutycare.example/ledger <base64(4-byte key ID || 64-byte Ed25519 signature)>

The signature covers the body text including its final newline, and the key ID is the first four bytes
of SHA-256(key name || 0x0A || 0x01 || 32-byte public key).  This package never touches a private key or
an Ed25519 implementation: signing and checking come in through ``CheckpointSigner`` and
``SignatureCheck``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from dutycare.ledger.merkle import HASH_SIZE

ED25519_SIGNATURE_TYPE = b"\x01"
ED25519_PUBLIC_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
MAX_SIGNATURES = 100

_SIZE = re.compile(r"0|[1-9][0-9]*")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")

SignatureCheck = Callable[[bytes, bytes, bytes], bool]
"""(public_key_raw, message, signature) -> True if the Ed25519 signature is valid."""


class CheckpointSigner(Protocol):
    """Something that holds an Ed25519 private key and signs checkpoint bodies with it."""

    key_name: str

    def public_key_raw(self) -> bytes:
        """Return the 32-byte Ed25519 public key."""
        ...

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature over ``message``."""
        ...


class CheckpointError(ValueError):
    """A checkpoint note is malformed, or is not validly signed by the expected key."""


def b64encode(data: bytes) -> str:
    """Standard base64 (RFC 4648 §4) with padding, as text."""
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: str, what: str) -> bytes:
    """Decode standard base64, refusing any character or padding that the encoder would not produce."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise CheckpointError(f"{what} is not valid base64: {text!r}") from None
    if b64encode(data) != text:
        raise CheckpointError(f"{what} is not canonical base64: {text!r}")
    return data


def check_key_name(name: str) -> None:
    """Raise CheckpointError unless ``name`` is a valid signed-note key name (no spaces, no '+')."""
    if not name or "+" in name or any(ch.isspace() for ch in name) or _CONTROL.search(name):
        raise CheckpointError(f"invalid key name {name!r}: it must be non-empty, without spaces or '+'")


def key_id(key_name: str, public_key_raw: bytes) -> bytes:
    """Return the 4-byte signed-note key ID for an Ed25519 key."""
    check_key_name(key_name)
    if len(public_key_raw) != ED25519_PUBLIC_KEY_SIZE:
        raise CheckpointError(f"an Ed25519 public key is 32 bytes, got {len(public_key_raw)}")
    material = key_name.encode("utf-8") + b"\n" + ED25519_SIGNATURE_TYPE + public_key_raw
    return hashlib.sha256(material).digest()[:4]


def verifier_key(key_name: str, public_key_raw: bytes) -> str:
    """Return the text form ``name+hex(key ID)+base64(0x01 || public key)`` used by signed-note tools."""
    kid = key_id(key_name, public_key_raw).hex()
    return f"{key_name}+{kid}+{b64encode(ED25519_SIGNATURE_TYPE + public_key_raw)}"


def format_checkpoint_time(at: datetime) -> str:
    """Return UTC ISO-8601 with 'Z', to the second, or to the microsecond when it has a fraction."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise CheckpointError("checkpoint time must be timezone-aware")
    utc = at.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds") + "Z"


def parse_checkpoint_time(text: str) -> datetime:
    """Parse the form written by format_checkpoint_time, rejecting any other spelling."""
    if not _TIME.fullmatch(text):
        raise CheckpointError(f"checkpoint time {text!r} is not YYYY-MM-DDTHH:MM:SS[.ffffff]Z")
    try:
        at = datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    except ValueError as exc:
        raise CheckpointError(f"checkpoint time {text!r} is not a real time: {exc}") from None
    if format_checkpoint_time(at) != text:
        raise CheckpointError(f"checkpoint time {text!r} is not canonical (drop a zero fraction)")
    return at


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: which log, how many entries, their Merkle root, and when it was signed."""

    origin: str
    size: int
    root: bytes
    time: datetime
    extensions: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        """Check the fields so that body() always yields a well-formed note text."""
        if not self.origin or "\n" in self.origin or _CONTROL.search(self.origin):
            raise CheckpointError(f"invalid origin {self.origin!r}")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise CheckpointError(f"tree size must be a non-negative integer, got {self.size!r}")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise CheckpointError("root must be a 32-byte hash")
        format_checkpoint_time(self.time)
        for line in self.extensions:
            if not line or "\n" in line or _CONTROL.search(line) or line.startswith("time "):
                raise CheckpointError(f"invalid extension line {line!r}")

    def body(self) -> str:
        """Return the note text that is signed: origin, size, base64 root, time line, extensions."""
        stamp = format_checkpoint_time(self.time)
        lines = [self.origin, str(self.size), b64encode(self.root), f"time {stamp}", *self.extensions]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class NoteSignature:
    """One signature line of a signed note."""

    key_name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class SignedCheckpoint:
    """A parsed checkpoint note: the checkpoint, the exact signed bytes, and every signature line."""

    checkpoint: Checkpoint
    body: bytes
    signatures: tuple[NoteSignature, ...]


def sign_note(text: str, signer: CheckpointSigner) -> str:
    """Return ``text`` (ending in a newline) as a signed note with one Ed25519 signature line."""
    if not text.endswith("\n") or "\n\n" in text or _CONTROL.search(text):
        raise CheckpointError(
            "note text must end in a newline and contain no blank lines or control characters"
        )
    public = signer.public_key_raw()
    kid = key_id(signer.key_name, public)
    signature = signer.sign(text.encode("utf-8"))
    if len(signature) != ED25519_SIGNATURE_SIZE:
        raise CheckpointError(f"the signer returned {len(signature)} bytes, not a 64-byte Ed25519 signature")
    return f"{text}\n{SIGNATURE_PREFIX}{signer.key_name} {b64encode(kid + signature)}\n"


def sign_checkpoint(cp: Checkpoint, signer: CheckpointSigner) -> str:
    """Return the full signed note text for ``cp``, signed by ``signer``."""
    return sign_note(cp.body(), signer)


def _parse_signature_line(line: str) -> NoteSignature:
    """Parse one '— name base64' line."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise CheckpointError(f"signature line does not start with an em dash and a space: {line!r}")
    parts = line[len(SIGNATURE_PREFIX) :].split(" ")
    if len(parts) != 2:
        raise CheckpointError(f"signature line must be '— <key name> <base64>': {line!r}")
    name, encoded = parts
    check_key_name(name)
    blob = b64decode_strict(encoded, f"signature of {name}")
    if len(blob) < 5:
        raise CheckpointError(f"signature of {name} is too short to hold a key ID and a signature")
    return NoteSignature(key_name=name, key_id=blob[:4], signature=blob[4:])


def _parse_body(body: str) -> Checkpoint:
    """Parse checkpoint note text (ending in a newline) into a Checkpoint, insisting on canonical form."""
    lines = body[:-1].split("\n")
    if len(lines) < 4 or any(not line for line in lines):
        raise CheckpointError("checkpoint text must have origin, size, root and time lines, none empty")
    origin, size_text, root_text, time_line, *extensions = lines
    if not _SIZE.fullmatch(size_text):
        raise CheckpointError(f"tree size line {size_text!r} is not a decimal number without leading zeros")
    root = b64decode_strict(root_text, "root hash")
    if len(root) != HASH_SIZE:
        raise CheckpointError(f"root hash is {len(root)} bytes, expected {HASH_SIZE}")
    if not time_line.startswith("time "):
        raise CheckpointError(f"fourth line must be 'time <UTC timestamp>', got {time_line!r}")
    at = parse_checkpoint_time(time_line[len("time ") :])
    return Checkpoint(origin=origin, size=int(size_text), root=root, time=at, extensions=tuple(extensions))


def parse_note(text: str) -> tuple[str, tuple[NoteSignature, ...]]:
    """Split a signed note into its text (with final newline) and its signature lines, unverified."""
    if _CONTROL.search(text):
        raise CheckpointError("note contains control characters other than newline")
    cut = text.rfind("\n\n")
    if cut < 0 or not text.endswith("\n"):
        raise CheckpointError("a signed note is text, a blank line, signature lines, and a final newline")
    body, signature_block = text[: cut + 1], text[cut + 2 : -1]
    signature_lines = signature_block.split("\n") if signature_block else []
    if not signature_lines:
        raise CheckpointError("note has no signature lines")
    if len(signature_lines) > MAX_SIGNATURES:
        raise CheckpointError(f"note has more than {MAX_SIGNATURES} signatures")
    return body, tuple(_parse_signature_line(line) for line in signature_lines)


def parse_checkpoint(text: str) -> SignedCheckpoint:
    """Parse a signed checkpoint note without checking any signature."""
    body, signatures = parse_note(text)
    return SignedCheckpoint(_parse_body(body), body.encode("utf-8"), signatures)


def verify_checkpoint(
    text: str,
    key_name: str,
    public_key_raw: bytes,
    check: SignatureCheck,
    *,
    origin: str | None = None,
) -> Checkpoint:
    """Return the checkpoint if ``text`` has a valid signature by the given key; else raise CheckpointError.

    Signatures by other keys (witnesses) are left to ``witness_signatures``; a signature that claims to be
    by this key but does not verify rejects the whole note.
    """
    parsed = parse_checkpoint(text)
    kid = key_id(key_name, public_key_raw)
    mine = [s for s in parsed.signatures if s.key_name == key_name and s.key_id == kid]
    if not mine:
        raise CheckpointError(f"checkpoint is not signed by key {key_name!r} (key ID {kid.hex()})")
    for sig in mine:
        sized = len(sig.signature) == ED25519_SIGNATURE_SIZE
        if not (sized and check(public_key_raw, parsed.body, sig.signature)):
            size = parsed.checkpoint.size
            raise CheckpointError(f"signature by {key_name!r} on the checkpoint of size {size} is invalid")
    if origin is not None and parsed.checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint origin is {parsed.checkpoint.origin!r}, expected {origin!r}")
    return parsed.checkpoint


@dataclass(frozen=True)
class VerifierKey:
    """A signed-note verifier key ``name+hex(key ID)+base64(0x01 || Ed25519 public key)``, e.g. a witness's."""

    name: str
    key_id: bytes
    public_key_raw: bytes

    def __str__(self) -> str:
        return verifier_key(self.name, self.public_key_raw)


def parse_verifier_key(text: str) -> VerifierKey:
    """Parse a verifier key, checking that its key ID belongs to its name and public key."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise CheckpointError(f"a verifier key is 'name+keyid+base64', got {text!r}")
    name, kid_hex, encoded = parts
    check_key_name(name)
    blob = b64decode_strict(encoded, f"verifier key of {name}")
    if len(blob) != 1 + ED25519_PUBLIC_KEY_SIZE or blob[:1] != ED25519_SIGNATURE_TYPE:
        raise CheckpointError(f"verifier key of {name} is not an Ed25519 key (type 0x01, 32 bytes)")
    kid = key_id(name, blob[1:])
    if kid.hex() != kid_hex:
        raise CheckpointError(f"verifier key of {name}: key ID {kid_hex} does not match the key ({kid.hex()})")
    return VerifierKey(name, kid, blob[1:])


def add_signature(text: str, signer: CheckpointSigner) -> str:
    """Return the signed note ``text`` with one more signature line, by ``signer`` (a witness co-signing)."""
    body, signatures = parse_note(text)
    kid = key_id(signer.key_name, signer.public_key_raw())
    if any(s.key_name == signer.key_name and s.key_id == kid for s in signatures):
        raise CheckpointError(f"the note is already signed by {signer.key_name!r}")
    _parse_body(body)
    signature = signer.sign(body.encode("utf-8"))
    if len(signature) != ED25519_SIGNATURE_SIZE:
        raise CheckpointError(f"the signer returned {len(signature)} bytes, not a 64-byte Ed25519 signature")
    return f"{text}{SIGNATURE_PREFIX}{signer.key_name} {b64encode(kid + signature)}\n"


def witness_signatures(
    parsed: SignedCheckpoint, witnesses: tuple[VerifierKey, ...], check: SignatureCheck
) -> tuple[list[str], list[str]]:
    """Check the signature lines of configured witnesses; return (names that verified, names that did not)."""
    good: list[str] = []
    bad: list[str] = []
    for w in witnesses:
        for sig in parsed.signatures:
            if sig.key_name != w.name or sig.key_id != w.key_id:
                continue
            sized = len(sig.signature) == ED25519_SIGNATURE_SIZE
            (good if sized and check(w.public_key_raw, parsed.body, sig.signature) else bad).append(w.name)
    return good, bad

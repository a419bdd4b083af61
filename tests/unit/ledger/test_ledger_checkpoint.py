"""Checkpoints: C2SP tlog-checkpoint bodies in C2SP signed notes, signed and checked with Ed25519."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from ledger_helpers import ORIGIN, Ed25519Signer, ed25519_check

from dutycare.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    key_id,
    parse_checkpoint,
    parse_note,
    sign_checkpoint,
    sign_note,
    verifier_key,
    verify_checkpoint,
)

ROOT = hashlib.sha256(b"root").digest()
TIME = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)

# golang.org/x/mod/sumdb/note example: key material and the published signed note.
GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_SIGNATURE = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
GO_NOTE = f"{GO_TEXT}\n— PeterNeumann {GO_SIGNATURE}\n"


def go_signer() -> Ed25519Signer:
    """The PeterNeumann signer: the key material is 0x01 followed by the 32-byte Ed25519 seed."""
    material = base64.b64decode(GO_SIGNER_KEY.split("+", 4)[4])
    assert material[0] == 1
    return Ed25519Signer("PeterNeumann", material[1:])


def test_go_signed_note_vector_is_reproduced_byte_for_byte() -> None:
    signer = go_signer()
    assert key_id("PeterNeumann", signer.public_key_raw()).hex() == "c74f20a3"
    assert verifier_key("PeterNeumann", signer.public_key_raw()) == GO_VERIFIER_KEY
    assert sign_note(GO_TEXT, signer) == GO_NOTE
    body, signatures = parse_note(GO_NOTE)
    assert body == GO_TEXT and signatures[0].key_id.hex() == "c74f20a3"
    assert ed25519_check(signer.public_key_raw(), body.encode(), signatures[0].signature)


def test_checkpoint_text_layout() -> None:
    signer = Ed25519Signer()
    note = sign_checkpoint(Checkpoint(ORIGIN, 1234, ROOT, TIME), signer)
    body, rest = note.split("\n\n")
    assert body.split("\n") == [ORIGIN, "1234", base64.b64encode(ROOT).decode(), "time 2026-11-25T05:00:00Z"]
    dash, name, blob = rest.rstrip("\n").split(" ")
    assert dash == "\u2014" and name == ORIGIN
    raw = base64.b64decode(blob)
    assert len(raw) == 68 and raw[:4] == key_id(ORIGIN, signer.public_key_raw())


def test_sign_parse_verify_round_trip() -> None:
    signer = Ed25519Signer()
    cp = Checkpoint(ORIGIN, 5, ROOT, TIME.replace(microsecond=42), extensions=("note: audit",))
    note = sign_checkpoint(cp, signer)
    assert parse_checkpoint(note).checkpoint == cp
    assert verify_checkpoint(note, ORIGIN, signer.public_key_raw(), ed25519_check, origin=ORIGIN) == cp


def test_non_utc_time_is_normalised() -> None:
    local = datetime(2026, 11, 25, 8, 0, tzinfo=timezone(timedelta(hours=3)))
    assert Checkpoint(ORIGIN, 1, ROOT, local).body().endswith("time 2026-11-25T05:00:00Z\n")


def signed() -> tuple[str, Ed25519Signer]:
    """A valid note and its signer."""
    signer = Ed25519Signer()
    return sign_checkpoint(Checkpoint(ORIGIN, 10, ROOT, TIME), signer), signer


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("\n10\n", "\n11\n"),
        ("time 2026-11-25T05:00:00Z", "time 2026-11-25T05:00:01Z"),
        (ORIGIN + "\n", "other.example/log\n"),
    ],
)
def test_altered_body_fails_signature(old: str, new: str) -> None:
    note, signer = signed()
    with pytest.raises(CheckpointError, match="invalid"):
        verify_checkpoint(note.replace(old, new, 1), ORIGIN, signer.public_key_raw(), ed25519_check)


def test_altered_root_or_signature_fails() -> None:
    note, signer = signed()
    root_b64 = base64.b64encode(ROOT).decode()
    other_b64 = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    with pytest.raises(CheckpointError):
        verify_checkpoint(note.replace(root_b64, other_b64), ORIGIN, signer.public_key_raw(), ed25519_check)
    body, sig_line = note.split("\n\n")
    blob = bytearray(base64.b64decode(sig_line.split(" ")[2]))
    blob[10] ^= 1
    forged = f"{body}\n\n\u2014 {ORIGIN} {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(CheckpointError, match="invalid"):
        verify_checkpoint(forged, ORIGIN, signer.public_key_raw(), ed25519_check)


def test_wrong_key_or_name_is_not_accepted() -> None:
    note, _ = signed()
    stranger = Ed25519Signer(seed=b"\x09" * 32)
    with pytest.raises(CheckpointError, match="not signed by"):
        verify_checkpoint(note, ORIGIN, stranger.public_key_raw(), ed25519_check)
    with pytest.raises(CheckpointError, match="not signed by"):
        verify_checkpoint(note, "other.example/log", Ed25519Signer().public_key_raw(), ed25519_check)


def test_unknown_cosignatures_are_ignored_but_a_bad_known_one_rejects() -> None:
    note, signer = signed()
    witness = Ed25519Signer("witness.example/w1", b"\x05" * 32)
    witness_line = sign_note(note.split("\n\n")[0] + "\n", witness).split("\n\n")[1]
    cosigned = note + witness_line
    assert verify_checkpoint(cosigned, ORIGIN, signer.public_key_raw(), ed25519_check).size == 10
    own_line = note.split("\n\n")[1]
    bad = own_line[:-5] + ("A" if own_line[-5] != "A" else "B") + own_line[-4:]
    with pytest.raises(CheckpointError):
        verify_checkpoint(note + bad, ORIGIN, signer.public_key_raw(), ed25519_check)


def test_origin_is_checked_when_given() -> None:
    note, signer = signed()
    with pytest.raises(CheckpointError, match="origin"):
        verify_checkpoint(note, ORIGIN, signer.public_key_raw(), ed25519_check, origin="elsewhere/log")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n.replace("\n10\n", "\n010\n"),
        lambda n: n.replace("\n10\n", "\n-1\n"),
        lambda n: n.replace("time 2026-11-25T05:00:00Z", "time 2026-11-25T05:00:00.000000Z"),
        lambda n: n.replace("time 2026-11-25T05:00:00Z", "time 2026-11-25 05:00:00Z"),
        lambda n: n.replace("time 2026-11-25T05:00:00Z\n", ""),
        lambda n: n.replace("time ", "when "),
        lambda n: n.replace("=\n", "\n", 1),
        lambda n: n.replace("\n\n", "\n"),
        lambda n: n.rstrip("\n"),
        lambda n: n.replace("\u2014 ", "-- "),
        lambda n: n.replace("\u2014 ", "\u2014  "),
        lambda n: n.replace("10", "1\t0", 1),
        lambda n: n.split("\n\n")[0] + "\n\n",
        lambda n: ORIGIN + "\n\n" + n.split("\n\n")[1],
    ],
)
def test_malformed_notes_are_refused(mangle: object) -> None:
    note, _ = signed()
    with pytest.raises(CheckpointError):
        parse_checkpoint(mangle(note))  # type: ignore[operator]


def test_checkpoint_fields_are_validated() -> None:
    with pytest.raises(CheckpointError):
        Checkpoint(ORIGIN, 1, b"short", TIME)
    with pytest.raises(CheckpointError):
        Checkpoint(ORIGIN, -1, ROOT, TIME)
    with pytest.raises(CheckpointError):
        Checkpoint("", 1, ROOT, TIME)
    with pytest.raises(CheckpointError):
        Checkpoint(ORIGIN, 1, ROOT, datetime(2026, 1, 1))
    with pytest.raises(CheckpointError):
        Checkpoint(ORIGIN, 1, ROOT, TIME, extensions=("time again",))
    with pytest.raises(CheckpointError):
        key_id("bad name", b"\x00" * 32)
    with pytest.raises(CheckpointError):
        key_id("a+b", b"\x00" * 32)
    with pytest.raises(CheckpointError):
        key_id(ORIGIN, b"\x00" * 31)


def test_signer_returning_wrong_size_is_refused() -> None:
    class Broken(Ed25519Signer):
        def sign(self, message: bytes) -> bytes:
            return b"\x00" * 10

    with pytest.raises(CheckpointError, match="64-byte"):
        sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT, TIME), Broken())

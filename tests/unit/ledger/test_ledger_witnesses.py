"""Witness co-signatures, checkpoints kept outside the database, and the per-record chain of entries."""

from __future__ import annotations

import dataclasses

import pytest
from ledger_helpers import ORIGIN, Ed25519Signer, ed25519_check, make_checkpoints, make_entries

from dutycare.ledger import encode_entry, record_digest, sign_checkpoint, verify_log
from dutycare.ledger import verify as kinds
from dutycare.ledger.checkpoint import (
    CheckpointError,
    add_signature,
    parse_checkpoint,
    parse_verifier_key,
    verifier_key,
    witness_signatures,
)
from dutycare.ledger.entry import LedgerEntry, decode_entry
from dutycare.ledger.verify import record_histories

SIGNER = Ed25519Signer()
WITNESS = Ed25519Signer("witness.example/w1", seed=b"\x09" * 32)


def run(entries: list[bytes], notes: list[str], anchors: list[tuple[str, str]],
        **options: object) -> kinds.VerifyReport:
    return verify_log(entries, notes, key_name=SIGNER.key_name, public_key_raw=SIGNER.public_key_raw(),
                      check=ed25519_check, origin=ORIGIN, anchors=anchors, **options)  # type: ignore[arg-type]


def test_verifier_keys_round_trip_and_refuse_a_wrong_key_id() -> None:
    text = verifier_key(WITNESS.key_name, WITNESS.public_key_raw())
    key = parse_verifier_key(text)
    assert (key.name, key.public_key_raw, str(key)) == (WITNESS.key_name, WITNESS.public_key_raw(), text)
    name, _, blob = text.split("+", 2)
    with pytest.raises(CheckpointError, match="does not match"):
        parse_verifier_key(f"{name}+{'0' * 8}+{blob}")
    with pytest.raises(CheckpointError, match="name\\+keyid\\+base64"):
        parse_verifier_key("just-a-name")


def test_a_cosignature_verifies_and_a_forged_one_does_not() -> None:
    entries = make_entries(8)
    (note,) = make_checkpoints(entries, [8], SIGNER)
    cosigned = add_signature(note, WITNESS)
    assert cosigned.startswith(note) and cosigned.count("\u2014 ") == 2
    key = parse_verifier_key(verifier_key(WITNESS.key_name, WITNESS.public_key_raw()))
    assert witness_signatures(parse_checkpoint(cosigned), (key,), ed25519_check) == ([WITNESS.key_name], [])
    other = Ed25519Signer(WITNESS.key_name, seed=b"\x0a" * 32)  # same name, different key: another key ID
    assert witness_signatures(parse_checkpoint(add_signature(note, other)), (key,), ed25519_check) == ([], [])
    forged = cosigned.replace(cosigned.rstrip("\n")[-6:], "AAAAA=")
    assert witness_signatures(parse_checkpoint(forged), (key,), ed25519_check) == ([], [WITNESS.key_name])
    with pytest.raises(CheckpointError, match="already signed"):
        add_signature(cosigned, WITNESS)
    report = run(entries, [note], [("file", forged)], witnesses=(key,))
    assert [p.kind for p in report.problems] == [kinds.WITNESS_SIGNATURE]
    good = run(entries, [note], [("file", cosigned)], witnesses=(key,))
    assert good.ok and good.witness_signatures_verified == 1 and good.anchors_verified == 1


def test_checkpoints_kept_outside_catch_truncation_rewrites_and_deleted_checkpoints() -> None:
    entries = make_entries(20)
    notes = make_checkpoints(entries, [10, 20], SIGNER)
    outside = [("kept", notes[-1])]
    assert run(entries, notes, outside).ok
    assert [p.kind for p in run(entries[:15], notes[:1], outside).problems] == [kinds.ANCHOR_BEYOND_LOG]
    assert [p.kind for p in run(entries, notes[:1], outside).problems] == [kinds.ANCHOR_MISSING]
    assert [p.kind for p in run(entries, [], outside).problems] == [kinds.ANCHOR_MISSING]
    rewritten = make_entries(20)
    rewritten[3] = rewritten[3].replace(b'"actor":"clerk-', b'"actor":"fixer-')
    fresh = make_checkpoints(rewritten, [10, 20], SIGNER)  # re-signed by someone holding the key
    kinds_found = [p.kind for p in run(rewritten, fresh, outside).problems]
    assert kinds_found[0] == kinds.ANCHOR_ROOT
    stranger = Ed25519Signer(seed=b"\x01" * 32)
    foreign = make_checkpoints(entries, [20], stranger)[0]
    assert [p.kind for p in run(entries, notes, [("x", foreign)]).problems] == [kinds.ANCHOR_INVALID]
    assert any("no checkpoint kept outside" in n for n in run(entries, notes, []).notes)


def _entry(seq: int, action: str, record: dict[str, object], prev: str | None) -> bytes:
    entry = decode_entry(make_entries(1)[0])
    return encode_entry(dataclasses.replace(entry, seq=seq, action=action, entity="case", id="c1",
                                            record_sha256=record_digest(record), prev_record_sha256=prev,
                                            file_sha256=None))


def test_record_histories_follow_the_chain_and_count_versions() -> None:
    first, second = {"n": 1}, {"n": 2}
    good = [_entry(0, "create", first, None), _entry(1, "update", second, record_digest(first)),
            _entry(2, "tombstone", {"gone": True}, record_digest(second))]
    histories, problems = record_histories(good)
    assert problems == [] and histories[("case", "c1")].versions == 2
    assert histories[("case", "c1")].first_seq == 0 and histories[("case", "c1")].action == "tombstone"
    broken = [good[0], _entry(1, "update", second, record_digest({"n": 0}))]
    assert [p.kind for p in record_histories(broken)[1]] == [kinds.ENTRY_CHAIN]
    assert isinstance(decode_entry(good[1]), LedgerEntry)


def test_a_signed_note_is_unchanged_by_parsing_for_witnesses() -> None:
    entries = make_entries(3)
    (note,) = make_checkpoints(entries, [3], SIGNER)
    assert sign_checkpoint(parse_checkpoint(note).checkpoint, SIGNER) == note

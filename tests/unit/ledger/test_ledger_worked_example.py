"""The worked example in docs/ledger.md is recomputed here, so the document cannot drift from the code."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path

from ledger_helpers import Ed25519Signer, ed25519_check

from dutycare.ledger import (
    Checkpoint,
    LedgerEntry,
    canonical_json,
    encode_entry,
    inclusion_proof,
    key_fingerprint,
    key_id,
    leaf_hash,
    node_hash,
    record_digest,
    sign_checkpoint,
    verifier_key,
    verify_checkpoint,
)

DOC = (Path(__file__).resolve().parents[3] / "docs" / "ledger.md").read_text(encoding="utf-8")
NAME = "dutycare.example/ledger"


def example_entries() -> tuple[dict[str, str], list[bytes]]:
    """The case record and the two encoded entries of the example."""
    case = {"id": "c-2026-0001", "kind": "case", "title": "Evacuation refused at field hospital"}
    file_hash = hashlib.sha256(b"scan of discharge note").hexdigest()
    evidence = {"id": "ev-0007", "case": "c-2026-0001", "file_sha256": file_hash, "label": "discharge note"}
    common = {"actor": "clerk.ivanova"}
    first = LedgerEntry(
        seq=0,
        at=datetime(2026, 11, 25, 4, 58, 12, 345678, tzinfo=UTC),
        action="create",
        entity="case",
        id="c-2026-0001",
        record_sha256=record_digest(case),
        **common,
    )
    second = LedgerEntry(
        seq=1,
        at=datetime(2026, 11, 25, 4, 59, 1, tzinfo=UTC),
        action="attach",
        entity="evidence",
        id="ev-0007",
        record_sha256=record_digest(evidence),
        file_sha256=file_hash,
        **common,
    )
    return case, [encode_entry(first), encode_entry(second)]


def test_worked_example_matches_the_document() -> None:
    signer = Ed25519Signer(NAME, bytes(range(32)))
    case, entries = example_entries()
    leaves = [leaf_hash(e) for e in entries]
    root = node_hash(*leaves)
    note = sign_checkpoint(Checkpoint(NAME, 2, root, datetime(2026, 11, 25, 5, 0, tzinfo=UTC)), signer)
    public = signer.public_key_raw()
    shown = [
        canonical_json(case).decode(),
        record_digest(case),
        *(e.decode() for e in entries),
        *(leaf.hex() for leaf in leaves),
        root.hex(),
        note.split("\n\n")[0],
        note.split("\n\n")[1].strip(),
        base64.b64encode(public).decode(),
        key_id(NAME, public).hex(),
        key_fingerprint(public),
        verifier_key(NAME, public),
    ]
    for text in shown:
        assert text in DOC, text
    assert inclusion_proof(leaves, 1, 2) == [leaves[0]]
    assert verify_checkpoint(note, NAME, public, ed25519_check).root == root

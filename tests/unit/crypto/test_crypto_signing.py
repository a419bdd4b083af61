"""Checkpoint signing with an Ed25519 key sealed by the organisation key."""

from __future__ import annotations

import pytest

from dutycare.adapters.crypto.envelope import seal
from dutycare.adapters.crypto.errors import CorruptCiphertext, WrongKey
from dutycare.adapters.crypto.keys import OrgKey
from dutycare.adapters.crypto.signing import Ed25519CheckpointSigner, ed25519_check

MESSAGE = b"checkpoint|ledger-1|height=42|root=abcd"


def test_sign_and_check() -> None:
    signer = Ed25519CheckpointSigner.generate("ledger-2025")
    signature = signer.sign(MESSAGE)
    assert signer.key_name == "ledger-2025"
    assert len(signer.public_key_raw()) == 32
    assert len(signature) == 64
    assert ed25519_check(signer.public_key_raw(), MESSAGE, signature)


def test_check_is_false_for_any_mismatch() -> None:
    signer = Ed25519CheckpointSigner.generate("k")
    public, signature = signer.public_key_raw(), signer.sign(MESSAGE)
    other = Ed25519CheckpointSigner.generate("k").public_key_raw()
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    assert not ed25519_check(public, MESSAGE + b"!", signature)
    assert not ed25519_check(public, MESSAGE, flipped)
    assert not ed25519_check(other, MESSAGE, signature)


@pytest.mark.parametrize(
    ("public", "signature"), [(b"", b"\x00" * 64), (b"\x00" * 31, b"\x00" * 64), (None, b"\x00" * 10)]
)
def test_check_never_raises_on_malformed_input(public: bytes | None, signature: bytes) -> None:
    key = public if public is not None else Ed25519CheckpointSigner.generate("k").public_key_raw()
    assert ed25519_check(key, MESSAGE, signature) is False


def test_sealed_key_round_trip() -> None:
    org_key = OrgKey.generate()
    signer = Ed25519CheckpointSigner.generate("ledger-2025")
    blob = signer.to_sealed(org_key)
    restored = Ed25519CheckpointSigner.from_sealed(org_key, "ledger-2025", blob)
    assert restored.public_key_raw() == signer.public_key_raw()
    assert ed25519_check(signer.public_key_raw(), MESSAGE, restored.sign(MESSAGE))


def test_sealed_key_does_not_contain_the_private_key() -> None:
    org_key = OrgKey.generate()
    signer = Ed25519CheckpointSigner.generate("k")
    assert signer._private_key.private_bytes_raw() not in signer.to_sealed(org_key)
    assert signer._private_key.private_bytes_raw().hex() not in repr(signer)


def test_sealed_key_needs_the_org_key() -> None:
    blob = Ed25519CheckpointSigner.generate("k").to_sealed(OrgKey.generate())
    with pytest.raises(WrongKey):
        Ed25519CheckpointSigner.from_sealed(OrgKey.generate(), "k", blob)


def test_sealed_key_is_bound_to_its_name() -> None:
    org_key = OrgKey.generate()
    blob = Ed25519CheckpointSigner.generate("k1").to_sealed(org_key)
    with pytest.raises(CorruptCiphertext):
        Ed25519CheckpointSigner.from_sealed(org_key, "k2", blob)


def test_sealed_blob_without_an_ed25519_key_is_refused() -> None:
    org_key = OrgKey.generate()
    blob = seal(org_key, ("checkpoint-signing-key", "k", 1), b"too short")
    with pytest.raises(CorruptCiphertext, match="does not hold an Ed25519 key"):
        Ed25519CheckpointSigner.from_sealed(org_key, "k", blob)

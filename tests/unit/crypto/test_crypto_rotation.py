"""Re-wrapping for a new organisation key, and recovery phrases."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dutycare.adapters.crypto import envelope, recovery
from dutycare.adapters.crypto.errors import CorruptCiphertext, CryptoError, WrongKey
from dutycare.adapters.crypto.keys import OrgKey
from dutycare.adapters.vault import HEADER_LEN, EvidenceVault

PARTS = ("event", "ev-01", 3)


def test_rewrap_moves_a_blob_to_the_new_key_and_keeps_the_payload() -> None:
    old, new = OrgKey.generate(), OrgKey.generate()
    blob = envelope.seal(old, PARTS, "Раненый".encode())
    moved = envelope.rewrap(old, new, PARTS, blob)
    assert envelope.open_(new, PARTS, moved) == "Раненый".encode()
    assert moved[envelope.MIN_BLOB_LEN - 16 - 12:] == blob[envelope.MIN_BLOB_LEN - 16 - 12:]
    assert envelope.key_id_of(moved) == new.key_id()
    with pytest.raises(WrongKey):
        envelope.open_(old, PARTS, moved)


def test_rewrap_refuses_a_blob_of_another_record_or_key() -> None:
    old, new = OrgKey.generate(), OrgKey.generate()
    blob = envelope.seal(old, PARTS, b"x")
    with pytest.raises(CorruptCiphertext):
        envelope.rewrap(old, new, ("event", "ev-02", 3), blob)
    with pytest.raises(WrongKey):
        envelope.rewrap(OrgKey.generate(), new, PARTS, blob)


def test_any_threshold_of_the_phrases_recovers_the_key() -> None:
    key = OrgKey.generate()
    phrases, record = recovery.split(key, shares=3, threshold=2)
    assert recovery.shares_needed(phrases[1]) == 2
    for pair in ((0, 1), (0, 2), (2, 1)):
        assert recovery.recover(record, [phrases[i] for i in pair]) == key
    assert recovery.recover(record, ["  " + phrases[0].upper() + " ", phrases[1]]) == key
    with pytest.raises(CryptoError, match="do not fit together"):
        recovery.recover(record, phrases[:1])
    words = phrases[0].split()
    words[5] = "academic" if words[5] != "academic" else "acid"
    with pytest.raises(CryptoError):
        recovery.recover(record, [" ".join(words), phrases[1]])


@pytest.mark.parametrize(("shares", "threshold"), [(3, 4), (3, 1), (0, 0), (17, 2)])
def test_impossible_splits_are_refused(shares: int, threshold: int) -> None:
    with pytest.raises(CryptoError, match="threshold"):
        recovery.split(OrgKey.generate(), shares, threshold)


def test_resealing_for_a_rotated_key_keeps_the_phrases_and_trusts_only_its_own_public_key() -> None:
    old, new = OrgKey.generate(), OrgKey.generate()
    phrases, record = recovery.split(old, shares=2, threshold=2)
    resealed = recovery.reseal(record, old, new)
    assert recovery.recover(resealed, phrases) == new
    _, foreign = recovery.split(OrgKey.generate(), shares=2, threshold=2)
    swapped = {**record, "public_key": foreign["public_key"]}
    with pytest.raises(WrongKey):
        recovery.reseal(swapped, old, new)  # type: ignore[arg-type]


def test_vault_rewrap_changes_only_the_header(tmp_path: Path) -> None:
    old, new = OrgKey.generate(), OrgKey.generate()
    vault = EvidenceVault(tmp_path / "vault", old, chunk_size=64)
    data = bytes(range(256)) * 3
    vault.put("evd-01", 1, io.BytesIO(data))
    path = vault.path_for("evd-01", 1)
    before = path.read_bytes()
    assert vault.rewrap("evd-01", 1, new) is True
    after = path.read_bytes()
    assert after[HEADER_LEN:] == before[HEADER_LEN:] and after[:HEADER_LEN] != before[:HEADER_LEN]
    assert b"".join(EvidenceVault(tmp_path / "vault", new).open_blob("evd-01", 1)) == data
    with pytest.raises(WrongKey):
        b"".join(vault.open_blob("evd-01", 1))
    assert vault.rewrap("evd-01", 1, new) is False
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]

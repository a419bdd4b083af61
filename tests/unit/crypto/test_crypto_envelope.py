"""Envelope encryption: round trips, wrong keys, tampering and record binding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dutycare.adapters.crypto.envelope import MIN_BLOB_LEN, describe, open_, record_aad, seal
from dutycare.adapters.crypto.errors import CorruptCiphertext, WrongKey
from dutycare.adapters.crypto.keys import OrgKey

PARTS = ("event", "ev-12", 3)
PHRASES = ("Раненому бойцу отказали в эвакуации", "Wounded soldier refused evacuation")


@pytest.fixture(scope="module")
def key() -> OrgKey:
    return OrgKey.generate()


@pytest.mark.parametrize(
    "plaintext", [b"", b"x", b"a" * 200, "Сведения о ранении".encode(), bytes(range(256))]
)
def test_round_trip(key: OrgKey, plaintext: bytes) -> None:
    assert open_(key, PARTS, seal(key, PARTS, plaintext)) == plaintext


@settings(max_examples=50, deadline=None)
@given(
    plaintext=st.binary(max_size=512),
    kind=st.text(min_size=1, max_size=20),
    record_id=st.text(max_size=40),
    version=st.integers(min_value=0, max_value=2**40),
)
def test_round_trip_property(plaintext: bytes, kind: str, record_id: str, version: int) -> None:
    key = OrgKey(b"\x01" * 32)
    parts = (kind, record_id, version)
    assert open_(key, parts, seal(key, parts, plaintext)) == plaintext


def test_blob_layout(key: OrgKey) -> None:
    blob = seal(key, PARTS, b"a" * 200)
    assert blob[:3] == b"DCE"
    assert blob[3] == 1
    assert blob[4:8] == key.key_id()
    assert len(blob) == MIN_BLOB_LEN + 200 == 296


def test_each_seal_is_fresh(key: OrgKey) -> None:
    assert seal(key, PARTS, b"same") != seal(key, PARTS, b"same")


def test_plaintext_does_not_appear_in_blob(key: OrgKey) -> None:
    blob = seal(key, PARTS, " / ".join(PHRASES).encode())
    for phrase in PHRASES:
        assert phrase.encode() not in blob
        for word in phrase.split():
            if len(word) > 3:
                assert word.encode() not in blob


def test_wrong_key_is_reported_as_wrong_key(key: OrgKey) -> None:
    blob = seal(key, PARTS, b"secret")
    with pytest.raises(WrongKey, match="different organisation key"):
        open_(OrgKey.generate(), PARTS, blob)


def test_every_single_byte_flip_is_detected(key: OrgKey) -> None:
    blob = seal(key, PARTS, b"identifying details")
    for position in range(len(blob)):
        for mask in (0x01, 0x80):
            damaged = bytearray(blob)
            damaged[position] ^= mask
            with pytest.raises(CorruptCiphertext):
                open_(key, PARTS, bytes(damaged))


def test_every_truncation_is_detected(key: OrgKey) -> None:
    blob = seal(key, PARTS, b"identifying details")
    for length in range(len(blob)):
        with pytest.raises(CorruptCiphertext):
            open_(key, PARTS, blob[:length])


def test_appended_bytes_are_detected(key: OrgKey) -> None:
    with pytest.raises(CorruptCiphertext):
        open_(key, PARTS, seal(key, PARTS, b"x") + b"\x00")


@pytest.mark.parametrize(
    "other",
    [
        ("person", "ev-12", 3),
        ("event", "ev-13", 3),
        ("event", "ev-12", 4),
        ("event", "ev-12"),
        ("event", "ev-12", 3, 0),
    ],
)
def test_other_associated_data_is_refused_and_named(key: OrgKey, other: tuple[str | int, ...]) -> None:
    blob = seal(key, PARTS, b"secret")
    with pytest.raises(CorruptCiphertext) as caught:
        open_(key, other, blob)
    assert describe(other) in str(caught.value)


def test_aad_encoding_matches_documented_form() -> None:
    assert record_aad(("event", "ev-12", 3)) == b"dutycare|v1|event|ev-12|3"


def test_aad_encoding_is_injective_for_separators() -> None:
    assert record_aad(("a|b", "c")) != record_aad(("a", "b|c"))
    assert record_aad(("a\\", "b")) != record_aad(("a\\|b",))
    assert record_aad(("a", "")) != record_aad(("a|",))


def test_aad_parts_must_be_str_or_int() -> None:
    with pytest.raises(TypeError):
        record_aad(("event", True))
    with pytest.raises(TypeError):
        record_aad(("event", 1.5))  # type: ignore[arg-type]


def test_unknown_format_version_is_reported(key: OrgKey) -> None:
    blob = bytearray(seal(key, PARTS, b"x"))
    blob[3] = 9
    with pytest.raises(CorruptCiphertext, match="format 9"):
        open_(key, PARTS, bytes(blob))

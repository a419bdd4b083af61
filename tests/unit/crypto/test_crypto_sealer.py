"""RecordSealer: canonical JSON fields bound to kind, id and version."""

from __future__ import annotations

import pytest

from dutycare.adapters.crypto.envelope import open_
from dutycare.adapters.crypto.errors import CorruptCiphertext, WrongKey
from dutycare.adapters.crypto.keys import OrgKey
from dutycare.adapters.crypto.sealer import RecordSealer, canonical_json

FIELDS: dict[str, object] = {
    "name": "Иван Петров",
    "unit": "Latin and Кириллица",
    "birth_year": 1990,
    "note": None,
    "wounds": ["shrapnel", {"where": "leg", "days": 3}],
}


@pytest.fixture(scope="module")
def key() -> OrgKey:
    return OrgKey.generate()


def test_round_trip(key: OrgKey) -> None:
    sealer = RecordSealer(key)
    assert sealer.open("person", "p-1", 1, sealer.seal("person", "p-1", 1, FIELDS)) == FIELDS


def test_fields_are_sealed_as_canonical_json(key: OrgKey) -> None:
    blob = RecordSealer(key).seal("person", "p-1", 1, {"b": 1, "a": "я"})
    assert open_(key, ("person", "p-1", 1), blob) == '{"a":"я","b":1}'.encode()
    assert canonical_json({"b": 1, "a": "я"}) == canonical_json({"a": "я", "b": 1})


def test_sensitive_phrases_are_not_visible(key: OrgKey) -> None:
    blob = RecordSealer(key).seal("person", "p-1", 1, FIELDS)
    for phrase in ("Иван Петров", "Кириллица", "shrapnel", "Latin"):
        assert phrase.encode() not in blob


@pytest.mark.parametrize(
    ("kind", "record_id", "version"),
    [("event", "p-1", 1), ("person", "p-2", 1), ("person", "p-1", 2), ("person", "p-1", 0)],
)
def test_mismatched_kind_id_or_version_fails(key: OrgKey, kind: str, record_id: str, version: int) -> None:
    sealer = RecordSealer(key)
    blob = sealer.seal("person", "p-1", 1, FIELDS)
    with pytest.raises(CorruptCiphertext):
        sealer.open(kind, record_id, version, blob)


def test_blobs_swapped_between_rows_are_refused(key: OrgKey) -> None:
    sealer = RecordSealer(key)
    rows = {rid: sealer.seal("person", rid, 1, {"name": rid}) for rid in ("p-1", "p-2")}
    with pytest.raises(CorruptCiphertext, match="person/p-1/1"):
        sealer.open("person", "p-1", 1, rows["p-2"])


def test_wrong_key(key: OrgKey) -> None:
    blob = RecordSealer(key).seal("person", "p-1", 1, FIELDS)
    with pytest.raises(WrongKey):
        RecordSealer(OrgKey.generate()).open("person", "p-1", 1, blob)


def test_non_json_fields_are_refused(key: OrgKey) -> None:
    with pytest.raises(TypeError):
        RecordSealer(key).seal("person", "p-1", 1, {"when": object()})
    with pytest.raises(ValueError):
        RecordSealer(key).seal("person", "p-1", 1, {"x": float("nan")})


def test_bad_versions_are_refused(key: OrgKey) -> None:
    with pytest.raises(ValueError):
        RecordSealer(key).seal("person", "p-1", -1, FIELDS)
    with pytest.raises(ValueError):
        RecordSealer(key).seal("person", "p-1", True, FIELDS)


def test_repr_hides_key(key: OrgKey) -> None:
    assert key._material.hex() not in repr(RecordSealer(key))


@pytest.mark.parametrize("fields", [
    {"full_name": "Иванов Иван Иванович", "contacts": "+7 900 123-45-67", "notes": None},
    {"b": True, "a": False, "n": 0, "big": 2**63 - 1, "neg": -(2**63)},
    {"text": "кавычки \" и \\ обратная черта, \x00 \x1f \u2028 \u2029 \ud7ff \U0001f600", "empty": ""},
    {"given_by": ["p-1", "p-2"], "nested": [[1, "a"], [], [None, True]]},
    {"summary": "Отказ", "details": {"treatment": "операция", "reason_kind": "none_given", "z": {"b": 1, "a": []}}},
    {"details": {"ratio": 0.5}, "keys": {"b": None}},  # a float inside an object: the standard encoder again
    {"huge": 2**64 + 1, "ratio": 0.5},  # past msgspec: the standard encoder writes these
    {},
])
def test_the_fast_encoder_writes_exactly_canonical_json(key: OrgKey, fields: dict[str, object]) -> None:
    """The sealer's plaintext is canonical JSON byte for byte, whichever encoder wrote it."""
    assert RecordSealer(key).encode(fields) == canonical_json(fields)


def test_nan_is_still_refused(key: OrgKey) -> None:
    with pytest.raises(ValueError):
        RecordSealer(key).seal("person", "p-1", 1, {"x": [float("nan")]})

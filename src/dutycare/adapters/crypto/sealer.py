"""Seal and open the sensitive fields of one stored record."""

from __future__ import annotations

import json
from collections.abc import Mapping

from dutycare.adapters import canonical_json as fast
from dutycare.adapters.crypto.envelope import open_, seal
from dutycare.adapters.crypto.errors import CorruptCiphertext
from dutycare.adapters.crypto.keys import OrgKey


def canonical_json(fields: Mapping[str, object]) -> bytes:
    """Encode fields as canonical JSON: sorted keys, no spaces, UTF-8, no NaN or infinity."""
    text = json.dumps(
        dict(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


class RecordSealer:
    """Encrypts a record's sensitive fields, bound to the record's kind, id and version.

    The fields are encoded by msgspec (`adapters.canonical_json`), which writes the same bytes as `canonical_json`
    for the values records hold (texts, whole numbers, booleans, nulls, lists and objects of those) about seven
    times faster; anything else — a float, which could be NaN, a lone surrogate, a key that is not a text — is
    encoded (or refused) by `canonical_json` itself.
    """

    def __init__(self, org_key: OrgKey) -> None:
        self._org_key = org_key

    def __repr__(self) -> str:
        return "RecordSealer(<key hidden>)"

    def seal(self, kind: str, record_id: str, version: int, fields: Mapping[str, object]) -> bytes:
        """Encrypt ``fields`` for exactly this record; only :meth:`open` with the same triple reverses it."""
        return seal(self._org_key, (kind, record_id, _checked_version(version)), self.encode(fields))

    def encode(self, fields: Mapping[str, object]) -> bytes:
        """The plaintext of ``fields``: canonical JSON (sorted keys, no spaces, UTF-8)."""
        encoded = fast.fast_bytes(fields)
        return canonical_json(fields) if encoded is None else encoded

    def open(self, kind: str, record_id: str, version: int, blob: bytes) -> dict[str, object]:
        """Decrypt fields sealed for this record; CorruptCiphertext if the blob belongs to another."""
        parts = (kind, record_id, _checked_version(version))
        fields = json.loads(open_(self._org_key, parts, blob).decode("utf-8"))
        if not isinstance(fields, dict):
            raise CorruptCiphertext(
                f"The encrypted record {kind}/{record_id}/{version} does not hold a set of fields. "
                "Restore it from a backup."
            )
        return fields


def _checked_version(version: int) -> int:
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValueError(f"a record version is a non-negative integer, not {version!r}")
    return version

"""Canonical JSON written by msgspec, for the two encodings a bulk write makes for every record.

The ledger's canonical JSON (sorted keys, no spaces, UTF-8, `ledger.entry.canonical_json`) is the standard
library's encoder, which the domain keeps to. msgspec writes the very same bytes, about eight times faster, for the
values records hold: texts, whole numbers of any size, booleans, nulls, and lists and objects with text keys of
those. It writes floats differently (``1e16`` where json writes ``1e+16``) and refuses keys that are not texts, so
a value with a float goes to the standard encoder, and so does one msgspec refuses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import msgspec

from dutycare.ledger.entry import plain_record_digest

__all__ = ["fast_bytes", "is_plain", "parsed_record_digest"]

_encode = msgspec.json.Encoder(order="sorted").encode
_sha256 = hashlib.sha256


def is_plain(value: object) -> bool:
    """Whether msgspec writes ``value`` as the standard encoder does: no float anywhere in it (the two write exponents
    differently, and only the standard encoder refuses NaN), and only text keys."""
    if isinstance(value, list):
        return all(is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(type(key) is str and is_plain(item) for key, item in value.items())
    return value is None or isinstance(value, str | int)


def fast_bytes(fields: Mapping[str, object]) -> bytes | None:
    """The canonical JSON bytes of a mapping of fields, or None where the standard encoder must write them (a float)
    or say what is wrong (a lone surrogate, a key that is not a text)."""
    if type(fields) is not dict or not is_plain(fields):
        return None
    try:
        return _encode(fields)
    except (TypeError, ValueError):  # ValueError: a lone surrogate, an integer of thousands of digits
        return None


def parsed_record_digest(record: Mapping[str, object]) -> str:
    """`plain_record_digest` of a record the interchange parser made (texts, booleans, safe integers, lists and
    objects with text keys, never a float), from msgspec's bytes: the record is not walked first, as there."""
    if type(record) is dict:
        try:
            return _sha256(_encode(record)).hexdigest()
        except (TypeError, ValueError):  # ValueError: a lone surrogate, an integer of thousands of digits
            pass  # the standard encoder says what is wrong, as it does on the ordinary path
    return plain_record_digest(record)

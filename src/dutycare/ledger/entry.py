"""Ledger entries and the canonical JSON encoding that is hashed into the Merkle tree.

Canonical JSON here means: UTF-8, object keys sorted by code point, no insignificant whitespace, non-ASCII
characters written as themselves, only the escapes Python's ``json`` module emits (``\\" \\\\ \\b \\f \\n
\\r \\t`` and ``\\u00XX`` for other control characters), and integers only (no floats), each within
±(2**53 - 1) so every JSON implementation reads them exactly.  For such data the bytes coincide with
RFC 8785 (JCS) output whenever the keys are ASCII, as they are for entries.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring as _quote  # the escaping json.dumps(ensure_ascii=False) writes

ENTRY_VERSION = 1
ACTIONS = ("create", "update", "attach", "tombstone")
KNOWN_ENTITIES = ("case", "event", "person", "institution", "source", "evidence", "publication")
MAX_SAFE_INT = 2**53 - 1

_HEX64 = re.compile(r"[0-9a-f]{64}")
_ENTITY = re.compile(r"[a-z][a-z0-9_]{0,63}")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_REQUIRED = ("v", "seq", "at", "actor", "action", "entity", "id", "record_sha256")
_OPTIONAL = ("file_sha256", "prev_record_sha256")


class CanonicalJsonError(ValueError):
    """A value cannot be written as canonical JSON (float, non-string key, unsupported type, ...)."""


class EntryError(ValueError):
    """Entry fields are invalid, or entry bytes are not the canonical encoding of a valid entry."""


def _plain(value: object, path: str) -> object:
    """Return a plain dict/list/str/int/bool/None copy of ``value``, rejecting anything non-canonical."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        if not -MAX_SAFE_INT <= value <= MAX_SAFE_INT:
            raise CanonicalJsonError(f"{path}: integer {value} is outside ±(2**53 - 1)")
        return int(value)
    if isinstance(value, float):
        raise CanonicalJsonError(f"{path}: floats are not allowed in canonical JSON (got {value!r})")
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJsonError(f"{path}: object keys must be strings, got {type(key).__name__}")
            out[key] = _plain(item, f"{path}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [_plain(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise CanonicalJsonError(f"{path}: values of type {type(value).__name__} are not allowed")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def _dump(obj: object) -> bytes:
    """Serialise an already-checked plain value as canonical JSON bytes."""
    text = _CANONICAL(obj)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalJsonError(f"string is not valid Unicode (lone surrogate): {exc}") from None


def canonical_json(obj: object) -> bytes:
    """Return the canonical JSON bytes of ``obj`` (sorted keys, compact, UTF-8, integers only)."""
    return _dump(_plain(obj, "$"))


def record_digest(record: Mapping[str, object]) -> str:
    """Return the hex SHA-256 of the canonical JSON of a record's full state."""
    return hashlib.sha256(canonical_json(record)).hexdigest()


def plain_record_digest(record: Mapping[str, object]) -> str:
    """record_digest of a record already known to hold only text, booleans, safe integers, lists and objects with
    text keys (what the interchange parser makes): the same bytes, without walking the record to check it first."""
    return hashlib.sha256(_dump(record)).hexdigest()


def format_timestamp(at: datetime) -> str:
    """Return ``at`` as UTC ISO-8601 with microseconds and a 'Z' suffix, e.g. 2026-11-25T05:00:00.000000Z."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise EntryError("timestamps must be timezone-aware (use datetime.now(UTC))")
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_timestamp(text: str) -> datetime:
    """Parse the exact form written by format_timestamp into an aware UTC datetime."""
    if not _TIMESTAMP.fullmatch(text):
        raise EntryError(f"timestamp {text!r} is not of the form YYYY-MM-DDTHH:MM:SS.ffffffZ")
    try:
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    except ValueError as exc:
        raise EntryError(f"timestamp {text!r} is not a real date and time: {exc}") from None


def _require(ok: bool, message: str) -> None:
    """Raise EntryError with ``message`` unless ``ok``."""
    if not ok:
        raise EntryError(message)


def _is_text(value: object) -> bool:
    """True for a non-empty str that encodes to UTF-8."""
    if not isinstance(value, str) or not value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_hex64(value: object) -> bool:
    """True for a lowercase 64-digit hex string."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def _is_int(value: object) -> bool:
    """True for a real int (not bool) in 0..MAX_SAFE_INT."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SAFE_INT


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One append-only log entry: who did what to which record, and the hash of the record afterwards."""

    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    id: str
    record_sha256: str
    file_sha256: str | None = None
    prev_record_sha256: str | None = None
    v: int = ENTRY_VERSION

    def __post_init__(self) -> None:
        """Check every field; raise EntryError naming the first bad one."""
        _require(self.v == ENTRY_VERSION and _is_int(self.v), f"v must be {ENTRY_VERSION}, got {self.v!r}")
        _require(_is_int(self.seq), f"seq must be an integer in 0..2**53-1, got {self.seq!r}")
        _require(isinstance(self.at, datetime), f"at must be a datetime, got {type(self.at).__name__}")
        format_timestamp(self.at)
        _require(_is_text(self.actor), f"actor must be a non-empty string, got {self.actor!r}")
        _require(self.action in ACTIONS, f"action must be one of {', '.join(ACTIONS)}; got {self.action!r}")
        _require(
            isinstance(self.entity, str) and _ENTITY.fullmatch(self.entity) is not None,
            f"entity must be a lowercase kind such as 'case' or 'evidence', got {self.entity!r}",
        )
        _require(_is_text(self.id), f"id must be a non-empty string, got {self.id!r}")
        _require(_is_hex64(self.record_sha256), f"record_sha256 must be hex: {self.record_sha256!r}")
        for name in _OPTIONAL:
            value = getattr(self, name)
            _require(value is None or _is_hex64(value), f"{name} must be 64 lowercase hex or None: {value!r}")
        _require(self.action != "attach" or self.file_sha256 is not None, "'attach' needs file_sha256")

    def to_json_obj(self) -> dict[str, object]:
        """Return the entry as the plain JSON object that is encoded (optional fields omitted when None)."""
        obj: dict[str, object] = {
            "v": self.v,
            "seq": self.seq,
            "at": format_timestamp(self.at),
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "id": self.id,
            "record_sha256": self.record_sha256,
        }
        for name in _OPTIONAL:
            if getattr(self, name) is not None:
                obj[name] = getattr(self, name)
        return obj


def entry_bytes(seq: int, at: str, actor: str, action: str, entity: str, entity_id: str, record_sha256: str,
                file_sha256: str | None = None, prev_record_sha256: str | None = None) -> bytes:
    """The canonical bytes of an entry with these fields (``at`` as format_timestamp writes it).

    The one encoder of entries: encode_entry uses it for every write, and the bulk import calls it directly with
    fields it has checked once per import (time, actor) or that are valid by construction (kind, digest). Keys are
    written in sorted order; action, entity, time and digests need no escaping, so only the actor and the id are
    quoted, exactly as json.dumps(ensure_ascii=False) quotes strings.
    """
    parts = ['{"action":"', action, '","actor":', _quote(actor), ',"at":"', at, '","entity":"', entity, '",']
    if file_sha256 is not None:
        parts += ['"file_sha256":"', file_sha256, '",']
    parts += ['"id":', _quote(entity_id), ","]
    if prev_record_sha256 is not None:
        parts += ['"prev_record_sha256":"', prev_record_sha256, '",']
    parts += ['"record_sha256":"', record_sha256, '","seq":', str(seq), ',"v":', str(ENTRY_VERSION), "}"]
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalJsonError(f"string is not valid Unicode (lone surrogate): {exc}") from None


def encode_entry(entry: LedgerEntry) -> bytes:
    """Return the canonical bytes of ``entry``; these exact bytes are stored and leaf-hashed."""
    return entry_bytes(entry.seq, format_timestamp(entry.at), entry.actor, entry.action, entry.entity, entry.id,
                       entry.record_sha256, entry.file_sha256, entry.prev_record_sha256)


def reference_encoding(entry: LedgerEntry) -> bytes:
    """The entry's bytes by the general canonical JSON encoder (what entry_bytes is tested against)."""
    return _dump(entry.to_json_obj())


def _reject_number(text: str) -> object:
    """json.loads hook: refuse floats, NaN and Infinity."""
    raise EntryError(f"non-integer number {text} in entry")


def _entry_from_obj(obj: object) -> LedgerEntry:
    """Build a LedgerEntry from a decoded JSON object, checking field names and types."""
    if not isinstance(obj, dict):
        raise EntryError("entry must be a JSON object")
    missing = [k for k in _REQUIRED if k not in obj]
    unknown = sorted(k for k in obj if k not in _REQUIRED and k not in _OPTIONAL)
    _require(not missing, f"entry lacks field(s) {', '.join(missing)}")
    _require(not unknown, f"entry has unknown field(s) {', '.join(unknown)}")
    _require(isinstance(obj["at"], str), "at must be a string")
    fields = {k: obj[k] for k in (*_REQUIRED, *_OPTIONAL) if k in obj}
    fields["at"] = parse_timestamp(obj["at"])
    return LedgerEntry(**fields)


def decode_entry(data: bytes) -> LedgerEntry:
    """Decode stored entry bytes, rejecting anything that is not exactly the canonical encoding."""
    try:
        obj = json.loads(data.decode("utf-8"), parse_float=_reject_number, parse_constant=_reject_number)
    except UnicodeDecodeError as exc:
        raise EntryError(f"entry is not valid UTF-8: {exc}") from None
    except json.JSONDecodeError as exc:
        raise EntryError(f"entry is not valid JSON: {exc}") from None
    entry = _entry_from_obj(obj)
    if encode_entry(entry) != data:
        raise EntryError("entry bytes are valid but not canonical (spacing, key order, escapes, duplicates)")
    return entry


# Fast path for bulk checks.  The patterns below match only the canonical encoding of a valid entry:
# keys in sorted order; strings that are well-formed UTF-8 (RFC 3629 byte ranges, no surrogates) with
# exactly the escapes the encoder writes; real calendar dates (29 February is left to the slow path);
# lowercase hex; canonical integers; a file hash on every 'attach'.  So a match proves decode_entry
# would accept the bytes.  Anything that does not match goes to decode_entry, which stays the authority
# and explains the problem.
_CHAR = (
    rb'(?:[^"\\\x00-\x1f\x80-\xff]++'  # a run of printable ASCII other than quote and backslash
    rb"|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
    rb'|\\(?:["\\bfnrt]|u00(?:0[0-7bef]|1[0-9a-f])))'
)
_STR = rb'(?=[^"])' + _CHAR + rb"*+"  # non-empty JSON string body
_H64 = rb"[^\x00-/:-`g-\xff]{64}"  # exactly [0-9a-f]{64}, spelt so that re uses a fast bitmap
_DATE = (
    rb"(?!0000)\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    rb"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))"
)
_TIME = rb"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z"


def _entry_pattern(capture: bool) -> re.Pattern[bytes]:
    """Compile the canonical-entry pattern; with ``capture``, entity, id and record hash are groups 2-4."""

    def group(body: bytes) -> bytes:
        """Wrap ``body`` in a capturing group when capturing."""
        return b"(" + body + b")" if capture else body

    return re.compile(
        rb'\{"action":"(?:create|update|(attach)|tombstone)","actor":"' + _STR + rb'",'
        rb'"at":"' + _DATE + _TIME + rb'","entity":"' + group(rb"[a-z][a-z0-9_]{0,63}") + rb'",'
        rb'(?(1)"file_sha256":"' + _H64 + rb'",|(?:"file_sha256":"' + _H64 + rb'",)?)'
        rb'"id":"' + group(_STR) + rb'",(?:"prev_record_sha256":"' + _H64 + rb'",)?'
        rb'"record_sha256":"' + group(_H64) + rb'","seq":(0|[1-9]\d{0,15}+),"v":1\}'
    )


_CHECK = _entry_pattern(capture=False)  # groups: 1 attach, 2 seq
_SUMMARY = _entry_pattern(capture=True)  # groups: 1 attach, 2 entity, 3 id, 4 record, 5 seq


def _slow_problem(data: bytes, seq: int) -> tuple[str, str] | None:
    """Check one entry through decode_entry; return (kind, message) or None."""
    try:
        entry = decode_entry(data)
    except EntryError as exc:
        return "entry_decode", str(exc)
    if entry.seq != seq:
        return "entry_seq", f"entry at position {seq} carries seq {entry.seq}"
    return None


def entry_problems(entries: Iterable[bytes], start: int = 0) -> Iterator[tuple[int, str, str]]:
    """Yield (position, kind, message) for each entry that is not canonical or whose seq is not its position.

    Kinds are "entry_decode" and "entry_seq".  Positions count from ``start``.
    """
    match = _CHECK.fullmatch
    for seq, data in enumerate(entries, start):
        m = match(data)
        if m is not None and int(m[2]) == seq <= MAX_SAFE_INT:
            continue
        problem = _slow_problem(data, seq)
        if problem is not None:
            yield seq, *problem


def entry_summary(data: bytes) -> tuple[int, str, str, str, str]:
    """Return (seq, entity, id, record_sha256, action) of stored entry bytes; raise EntryError if invalid."""
    m = _SUMMARY.fullmatch(data)
    if m is None or b"\\" in m[3] or int(m[5]) > MAX_SAFE_INT:
        e = decode_entry(data)
        return e.seq, e.entity, e.id, e.record_sha256, e.action
    action = data[11 : data.index(b'"', 11)].decode()  # the value after {"action":"
    return int(m[5]), m[2].decode(), m[3].decode(), m[4].decode(), action

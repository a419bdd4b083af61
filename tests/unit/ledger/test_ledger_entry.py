"""Entry encoding: canonical bytes, strict decoding, and the fast bulk check agreeing with decode_entry."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dutycare.ledger.entry import (
    CanonicalJsonError,
    EntryError,
    LedgerEntry,
    canonical_json,
    decode_entry,
    encode_entry,
    entry_problems,
    entry_summary,
    format_timestamp,
    parse_timestamp,
    record_digest,
)

H1 = hashlib.sha256(b"one").hexdigest()
H2 = hashlib.sha256(b"two").hexdigest()
AT = datetime(2026, 11, 25, 5, 0, 0, 123456, tzinfo=UTC)


def sample(**changes: object) -> LedgerEntry:
    """A valid entry with some fields replaced."""
    fields: dict[str, object] = {
        "seq": 7,
        "at": AT,
        "actor": "clerk",
        "action": "update",
        "entity": "case",
        "id": "c-1",
        "record_sha256": H1,
        "prev_record_sha256": H2,
    }
    fields.update(changes)
    return LedgerEntry(**fields)  # type: ignore[arg-type]


GOLDEN = (
    '{"action":"update","actor":"clerk","at":"2026-11-25T05:00:00.123456Z","entity":"case","id":"c-1",'
    f'"prev_record_sha256":"{H2}","record_sha256":"{H1}","seq":7,"v":1}}'
).encode()


def test_golden_encoding() -> None:
    assert encode_entry(sample()) == GOLDEN
    assert decode_entry(GOLDEN) == sample()


def test_optional_fields_are_omitted_and_attach_carries_file_hash() -> None:
    plain = encode_entry(sample(prev_record_sha256=None, action="create"))
    assert b"prev_record_sha256" not in plain and b"file_sha256" not in plain
    attached = sample(action="attach", file_sha256=H2)
    assert b'"file_sha256":"' + H2.encode() in encode_entry(attached)
    assert decode_entry(encode_entry(attached)) == attached


def test_timestamps_are_utc_with_microseconds_and_z() -> None:
    moscow = timezone(timedelta(hours=3))
    local = datetime(2026, 1, 1, 3, 0, tzinfo=moscow)
    assert format_timestamp(local) == "2026-01-01T00:00:00.000000Z"
    assert parse_timestamp("2026-01-01T00:00:00.000000Z") == local
    for bad in ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000000+00:00", "2026-02-30T00:00:00.000000Z"):
        with pytest.raises(EntryError):
            parse_timestamp(bad)
    with pytest.raises(EntryError, match="timezone-aware"):
        format_timestamp(datetime(2026, 1, 1))


def test_non_ascii_is_written_as_utf8_and_control_characters_escaped() -> None:
    entry = sample(actor='Иванов\u2028"q"\\\n\x01\x7f', id="дело/1")
    data = encode_entry(entry)
    assert "Иванов".encode() in data and b"\\u0001" in data and b'\\"q\\"' in data and b"\\n" in data
    assert decode_entry(data) == entry


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"seq": -1}, "seq"),
        ({"seq": True}, "seq"),
        ({"seq": 2**53}, "seq"),
        ({"at": datetime(2026, 1, 1)}, "timezone"),
        ({"actor": ""}, "actor"),
        ({"actor": "\ud800"}, "actor"),
        ({"action": "delete"}, "action"),
        ({"entity": "Case"}, "entity"),
        ({"id": ""}, "id"),
        ({"record_sha256": H1.upper()}, "record_sha256"),
        ({"record_sha256": H1[:-1]}, "record_sha256"),
        ({"prev_record_sha256": "zz"}, "prev_record_sha256"),
        ({"action": "attach"}, "file_sha256"),
        ({"v": 2}, "v must be"),
    ],
)
def test_invalid_fields_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(EntryError, match=message):
        sample(**changes)


def reencoded(**replace: object) -> bytes:
    """GOLDEN re-serialised with some JSON values replaced (canonical layout)."""
    obj = json.loads(GOLDEN)
    obj.update(replace)
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


NON_CANONICAL = [
    GOLDEN.replace(b'"seq":7', b'"seq": 7'),
    GOLDEN + b"\n",
    b" " + GOLDEN,
    GOLDEN.replace(b'{"action":"update",', b"{").replace(b'"v":1}', b'"v":1,"action":"update"}'),
    GOLDEN.replace(b'"seq":7', b'"seq":7.0'),
    GOLDEN.replace(b'"seq":7', b'"seq":07'),
    GOLDEN.replace(b'"seq":7', b'"seq":7,"seq":7'),
    GOLDEN.replace(b'"actor":"clerk"', b'"actor":"cl\\u0065rk"'),
    GOLDEN.replace(b'"id":"c-1"', b'"id":"c\\/1"'),
    GOLDEN.replace(b'"seq":7', b'"seq":NaN'),
    GOLDEN.replace(b'"clerk"', b'"cl\xffrk"'),
    reencoded(extra=1),
    reencoded(seq="7"),
    reencoded(v=2),
    reencoded(at="2026-11-25T05:00:00Z"),
    reencoded(at="2026-02-30T05:00:00.000000Z"),
    reencoded(record_sha256=H1.upper()),
    b"[]",
    b"",
]


@pytest.mark.parametrize("data", NON_CANONICAL)
def test_decode_refuses_anything_but_the_canonical_bytes(data: bytes) -> None:
    with pytest.raises(EntryError):
        decode_entry(data)
    assert [kind for _, kind, _ in entry_problems([data], start=7)] == ["entry_decode"]
    with pytest.raises(EntryError):
        entry_summary(data)


def test_entry_problems_reports_positions_and_seq() -> None:
    good = [encode_entry(sample(seq=i)) for i in range(4)]
    stream = [good[0], good[2], good[1], b"junk", good[3]]
    found = list(entry_problems(stream))
    kinds = [(seq, kind) for seq, kind, _ in found]
    assert kinds == [(1, "entry_seq"), (2, "entry_seq"), (3, "entry_decode"), (4, "entry_seq")]
    assert "carries seq 2" in found[0][2]


def fast_and_slow(data: bytes, seq: int = 7) -> tuple[bool, bool]:
    """(fast check accepts, decode_entry accepts) for one entry at position ``seq``."""
    try:
        slow = decode_entry(data).seq == seq
    except EntryError:
        slow = False
    return not list(entry_problems([data], start=seq)), slow


@pytest.mark.parametrize(
    ("day", "valid"),
    [
        (b"2024-02-29", True),
        (b"2000-02-29", True),
        (b"2026-02-29", False),
        (b"1900-02-29", False),
        (b"2026-02-30", False),
        (b"2026-04-31", False),
        (b"2026-12-31", True),
        (b"2026-13-01", False),
        (b"0000-01-01", False),
        (b"0001-01-01", True),
    ],
)
def test_calendar_edge_cases_agree(day: bytes, valid: bool) -> None:
    data = GOLDEN.replace(b"2026-11-25", day)
    assert fast_and_slow(data) == (valid, valid)


@pytest.mark.parametrize(
    ("actor", "valid"),
    [
        ("é".encode(), True),
        ("€".encode(), True),
        ("𝄞".encode(), True),
        ("\ufffd".encode(), True),
        (b"\xc0\x80", False),  # overlong NUL
        (b"\xed\xa0\x80", False),  # encoded surrogate
        (b"\xf4\x90\x80\x80", False),  # beyond U+10FFFF
        (b"\xe2\x82", False),  # truncated
        (b"\x80", False),  # stray continuation byte
        (b"\x7f", True),  # DEL is written as is
        (b"\\u0041", False),  # needless escape
        (b"\\u001F", False),  # uppercase escape
        (b"\\u001f", True),
        (b"\\u0009", False),  # tab has a short escape
        (b"\\t", True),
        (b"\\/", False),
    ],
)
def test_string_edge_cases_agree(actor: bytes, valid: bool) -> None:
    data = GOLDEN.replace(b'"actor":"clerk"', b'"actor":"' + actor + b'"')
    assert fast_and_slow(data) == (valid, valid)


def test_huge_seq_is_refused_by_both_paths() -> None:
    data = GOLDEN.replace(b'"seq":7', b'"seq":9999999999999999')
    assert fast_and_slow(data, 9999999999999999) == (False, False)
    with pytest.raises(EntryError):
        entry_summary(data)


def test_entry_summary_reads_escaped_and_plain_entries() -> None:
    plain = sample()
    escaped = sample(id='c-"1"\n', action="tombstone")
    assert entry_summary(encode_entry(plain)) == (7, "case", "c-1", H1, "update")
    assert entry_summary(encode_entry(escaped)) == (7, "case", 'c-"1"\n', H1, "tombstone")


def test_canonical_json_rules() -> None:
    nested = {"b": [1, {"z": None, "a": True}], "a": "é"}
    assert canonical_json(nested) == '{"a":"é","b":[1,{"a":true,"z":null}]}'.encode()
    assert canonical_json((1, 2)) == b"[1,2]"
    for bad in ({"x": 1.5}, {1: "x"}, {"x": 2**53}, {"x": b"bytes"}, {"x": float("nan")}, {"x": "\udc00"}):
        with pytest.raises(CanonicalJsonError):
            canonical_json(bad)


def test_record_digest_is_sha256_of_canonical_json() -> None:
    record = {"name": "Петров", "wounds": ["leg"], "age": 31}
    assert record_digest(record) == hashlib.sha256(canonical_json(record)).hexdigest()
    assert record_digest({"b": 1, "a": 2}) == record_digest({"a": 2, "b": 1})


# --- Hypothesis: any valid entry round-trips, and the fast check never accepts what decode rejects ------

texts = st.text(min_size=1, max_size=40).filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s))
hexes = st.binary(min_size=32, max_size=32).map(bytes.hex)
moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC))


@st.composite
def entries(draw: st.DrawFn) -> LedgerEntry:
    """Random valid entries."""
    action = draw(st.sampled_from(["create", "update", "attach", "tombstone"]))
    file_hash = draw(hexes) if action == "attach" else draw(st.none() | hexes)
    return LedgerEntry(
        seq=draw(st.integers(0, 2**53 - 1)),
        at=draw(moments),
        actor=draw(texts),
        action=action,
        entity=draw(st.sampled_from(["case", "event", "person", "institution", "source", "evidence", "x_1"])),
        id=draw(texts),
        record_sha256=draw(hexes),
        file_sha256=file_hash,
        prev_record_sha256=draw(st.none() | hexes),
    )


@settings(max_examples=300, deadline=None)
@given(entry=entries())
def test_round_trip_and_fast_path_accepts(entry: LedgerEntry) -> None:
    data = encode_entry(entry)
    assert decode_entry(data) == entry
    assert list(entry_problems([data], start=entry.seq)) == []
    assert entry_summary(data) == (entry.seq, entry.entity, entry.id, entry.record_sha256, entry.action)


@settings(max_examples=400, deadline=None)
@given(entry=entries(), data=st.data())
def test_fast_path_agrees_with_decode_on_mutations(entry: LedgerEntry, data: st.DataObject) -> None:
    raw = bytearray(encode_entry(entry))
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    mutated = bytes(raw)
    try:
        decoded_ok = decode_entry(mutated).seq == entry.seq
    except EntryError:
        decoded_ok = False
    fast_ok = not list(entry_problems([mutated], start=entry.seq))
    assert fast_ok == decoded_ok

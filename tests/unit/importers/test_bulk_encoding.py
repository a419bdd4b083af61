"""The bulk writer's shortcuts give byte for byte what the ordinary write path gives."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from dutycare.adapters.canonical_json import fast_bytes, parsed_record_digest
from dutycare.adapters.storage.bulk_writer import CreateEntries, SearchWords
from dutycare.domain.interchange import parse_case_file
from dutycare.ledger.entry import (
    LedgerEntry,
    canonical_json,
    encode_entry,
    plain_record_digest,
    record_digest,
    reference_encoding,
)
from dutycare.scenario import load_scenario
from dutycare.service_layer.changes import created
from dutycare.service_layer.search import record_words
from dutycare.synth import write_jsonl

AT = datetime(2026, 11, 25, 5, 0, 1, 123456, tzinfo=UTC)
ids = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)


@settings(max_examples=300)
@given(ids, st.integers(0, 2**53 - 1), st.sampled_from(["person", "case", "event", "source"]), ids)
def test_entries_are_encoded_exactly_as_encode_entry_does(entity_id: str, seq: int, entity: str, actor: str) -> None:
    digest = "ab" * 32
    entry = LedgerEntry(seq=seq, at=AT, actor=actor, action="create", entity=entity, id=entity_id,
                        record_sha256=digest)
    assert CreateEntries(AT, actor).encode(seq, entity, entity_id, digest) == encode_entry(entry)
    assert encode_entry(entry) == reference_encoding(entry)


hexes = st.one_of(st.none(), st.text("0123456789abcdef", min_size=64, max_size=64))


@settings(max_examples=300)
@given(ids, st.integers(0, 2**53 - 1), st.sampled_from(["create", "update", "attach", "tombstone"]), ids, hexes,
       hexes)
def test_the_one_entry_encoder_writes_what_the_general_canonical_encoder_writes(
        entity_id: str, seq: int, action: str, actor: str, file_sha256: str | None, prev: str | None) -> None:
    entry = LedgerEntry(seq=seq, at=AT, actor=actor, action=action, entity="evidence", id=entity_id,
                        record_sha256="cd" * 32, file_sha256=file_sha256 if action != "attach" else "ef" * 32,
                        prev_record_sha256=prev)
    assert encode_entry(entry) == reference_encoding(entry)


def _synth_changes() -> list:
    out = io.StringIO()
    write_jsonl(out, 60, 4)
    doc: dict = {"format": "dutycare-case-file", "format_version": 1, "people": [], "institutions": [],
                 "sources": [], "cases": [], "events": []}
    sections = {"person": "people", "institution": "institutions", "source": "sources", "case": "cases",
                "event": "events"}
    for line in out.getvalue().splitlines()[1:]:
        rec = json.loads(line)
        doc[sections[rec.pop("record")]].append(rec)
    return [*created(parse_case_file(doc)), *created(parse_case_file(load_scenario()))]


def test_record_digests_and_search_words_match_the_ordinary_path() -> None:
    words = SearchWords()
    for change in _synth_changes():
        assert plain_record_digest(change.record) == record_digest(change.record)
        assert parsed_record_digest(change.record) == record_digest(change.record)
        if change.entity in ("case", "event", "person"):
            assert words.of_record(change.entity, change.record) == record_words(change.entity, change.record)


@given(st.text(max_size=200))
def test_words_of_any_text_match(text: str) -> None:
    record = {"id": "c", "title": text, "summary": text.upper()}
    assert SearchWords().of_record("case", record) == record_words("case", record)


texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
plain_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53 - 1), 2**53 - 1) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4), max_leaves=20)


@settings(max_examples=500)
@given(st.dictionaries(texts, plain_values, max_size=6))
def test_msgspec_writes_the_canonical_bytes_of_any_record(record: dict[str, object]) -> None:
    """Every text (all of Unicode but lone surrogates), nesting, key order: the same bytes, so the same digest."""
    assert fast_bytes(record) == canonical_json(record)
    assert parsed_record_digest(record) == record_digest(record)


def test_what_msgspec_would_write_otherwise_goes_to_the_standard_encoder() -> None:
    assert fast_bytes({"ratio": 0.5}) is None  # json writes 1e+16 where msgspec writes 1e16
    assert fast_bytes({"nested": {"x": [1e16]}}) is None
    assert fast_bytes({"huge": 2**64 + 1}) == json.dumps({"huge": 2**64 + 1}, separators=(",", ":")).encode()
    assert fast_bytes({"text": "\ud800"}) is None
    assert fast_bytes({"keys": {1: "a"}}) is None
    assert fast_bytes({"digits": 10**5000}) is None  # past Python's limit for turning integers into text
    assert parsed_record_digest({"huge": 2**64 + 1}) == plain_record_digest({"huge": 2**64 + 1})

"""verify_log and latest_digest_by_entity: every kind of tampering is found and located."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ledger_helpers import (
    BASE_TIME,
    ORIGIN,
    Ed25519Signer,
    ed25519_check,
    make_checkpoints,
    make_entries,
    make_entry,
)

from dutycare.ledger import (
    EMPTY_ROOT,
    Checkpoint,
    EntryError,
    LedgerEntry,
    VerifyReport,
    encode_entry,
    latest_digest_by_entity,
    leaf_hashes,
    sign_checkpoint,
    verify_log,
)
from dutycare.ledger import verify as kinds

SIGNER = Ed25519Signer()


def run(entries: list[bytes], notes: list[str], **options: object) -> VerifyReport:
    """verify_log with the test key."""
    return verify_log(
        entries,
        notes,
        key_name=SIGNER.key_name,
        public_key_raw=SIGNER.public_key_raw(),
        check=ed25519_check,
        **options,  # type: ignore[arg-type]
    )


def log(size: int = 40, sizes: tuple[int, ...] = (10, 25, 40)) -> tuple[list[bytes], list[str]]:
    """A clean log and its checkpoints."""
    entries = make_entries(size)
    return entries, make_checkpoints(entries, list(sizes), SIGNER)


def altered(entry: bytes) -> bytes:
    """Same entry, different (still canonical) content: another actor."""
    return entry.replace(b'"actor":"clerk-', b'"actor":"fixer-')


def test_clean_log_verifies() -> None:
    entries, notes = log()
    report = run(entries, notes, stored_leaf_hashes=leaf_hashes(entries), origin=ORIGIN)
    assert report.ok and report.problems == [] and report.size == 40
    assert report.checkpoints_verified == 3 and report.latest_checkpoint is not None
    assert report.latest_checkpoint.size == 40
    assert len(report.notes) == 1 and "no checkpoint kept outside the database" in report.notes[0]
    assert report.summary().startswith("OK: log of 40 entries")


def test_uncovered_tail_and_missing_checkpoints_are_noted_not_failed() -> None:
    entries, notes = log(sizes=(10,))
    assert run(entries, notes).ok
    assert "30 newest entries" in run(entries, notes).notes[0]
    assert "no checkpoints" in run(entries, []).notes[0]


def test_changed_entry_with_stored_hashes_is_pinpointed() -> None:
    entries, notes = log()
    stored = leaf_hashes(entries)
    entries[17] = altered(entries[17])
    report = run(entries, notes, stored_leaf_hashes=stored)
    assert not report.ok
    assert report.first_problem is not None
    assert (report.first_problem.seq, report.first_problem.kind) == (17, kinds.LEAF_HASH)
    root_problems = [p for p in report.problems if p.kind == kinds.CHECKPOINT_ROOT]
    assert len(root_problems) == 2  # checkpoints of size 25 and 40 cover entry 17
    assert "seq 10..24" in root_problems[0].message
    assert report.latest_checkpoint is not None and report.latest_checkpoint.size == 10


def test_rewritten_entry_and_hash_are_caught_by_the_signed_roots() -> None:
    entries, notes = log()
    entries[30] = altered(entries[30])
    report = run(entries, notes, stored_leaf_hashes=leaf_hashes(entries))
    assert [p.kind for p in report.problems] == [kinds.CHECKPOINT_ROOT]
    assert "seq 25..39" in report.problems[0].message
    assert report.summary().startswith("FAILED")


def test_non_canonical_entry_is_reported_at_its_position() -> None:
    entries, notes = log()
    entries[3] = entries[3].replace(b'"v":1}', b'"v": 1}')
    report = run(entries, notes)
    assert report.first_problem is not None
    assert (report.first_problem.seq, report.first_problem.kind) == (3, kinds.ENTRY_DECODE)


def test_reordered_entries_are_reported_as_out_of_sequence() -> None:
    entries, notes = log()
    entries[5], entries[6] = entries[6], entries[5]
    report = run(entries, notes)
    seq_problems = [(p.seq, p.kind) for p in report.problems if p.seq is not None]
    assert seq_problems == [(5, kinds.ENTRY_SEQ), (6, kinds.ENTRY_SEQ)]


def test_removed_entries_are_detected() -> None:
    entries, notes = log()
    report = run(entries[:35], notes)
    assert [p.kind for p in report.problems] == [kinds.CHECKPOINT_BEYOND_LOG]
    assert "5 entries signed earlier are missing" in report.problems[0].message


def test_bad_signatures_and_foreign_checkpoints_are_reported() -> None:
    entries, notes = log()
    stranger = Ed25519Signer(seed=b"\x02" * 32)
    foreign = make_checkpoints(entries, [20], stranger)[0]
    broken = notes[1].replace("\n25\n", "\n26\n")
    report = run(entries, [notes[0], broken, foreign, notes[2]])
    assert [p.kind for p in report.problems] == [kinds.CHECKPOINT_INVALID] * 2
    assert report.checkpoints_verified == 2


def test_wrong_origin_is_reported() -> None:
    entries, notes = log()
    report = run(entries, notes, origin="other.example/log")
    assert {p.kind for p in report.problems} == {kinds.CHECKPOINT_INVALID}


def test_split_view_is_called_out() -> None:
    entries, notes = log()
    other = list(entries)
    other[2] = altered(other[2])
    fork = make_checkpoints(other, [15], SIGNER)[0]
    report = run(entries, [*notes, fork])
    assert [p.kind for p in report.problems] == [kinds.CHECKPOINT_ROOT]
    assert "two inconsistent trees" in report.problems[0].message


def test_problem_cap_and_leaf_count() -> None:
    entries, notes = log()
    shifted = entries[1:]  # every entry now sits one place too early
    report = run(shifted, notes, stored_leaf_hashes=leaf_hashes(shifted)[:-1], max_entry_problems=5)
    assert len([p for p in report.problems if p.seq is not None]) == 4
    assert report.problems[0].kind == kinds.LEAF_COUNT
    assert report.omitted_problems > 0 and not report.ok


def test_checkpoints_with_equal_sizes_and_empty_log() -> None:
    entries, notes = log(sizes=(0, 12, 12))
    assert run(entries, notes).ok
    empty = run([], [sign_checkpoint(Checkpoint(ORIGIN, 0, EMPTY_ROOT, BASE_TIME), SIGNER)])
    assert empty.ok and empty.size == 0 and empty.root == EMPTY_ROOT


def test_latest_digest_by_entity() -> None:
    entries = [
        make_entry(0, "create"),
        make_entry(1, "create"),
        make_entry(2, "update"),
        make_entry(3, "tombstone"),
    ]
    escaped = LedgerEntry(
        seq=4,
        at=BASE_TIME + timedelta(hours=1),
        actor='a "quoted" actor',
        action="update",
        entity="person",
        id="p\n1",
        record_sha256="ab" * 32,
    )
    stored = [encode_entry(e) for e in [*entries, escaped]]
    from_bytes = latest_digest_by_entity(stored)
    from_objects = latest_digest_by_entity([*entries, escaped])
    assert from_bytes == from_objects
    assert from_bytes[("person", "p\n1")] == (4, "ab" * 32, "update")
    assert from_bytes[("case", "id-0")] == (2, entries[2].record_sha256, "update")
    assert from_bytes[("evidence", "id-1")] == (3, entries[3].record_sha256, "tombstone")
    with pytest.raises(EntryError):
        latest_digest_by_entity([b"not an entry"])

"""Memory stays flat: junk is refused after reading little of it, without being held, and a larger file does not
need more memory per record."""

from __future__ import annotations

import os
import random
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from bulk_helpers import bulk_import, synth_lines, verified, write_lines

from bytes_read import bytes_read
from dutycare.adapters.storage import bulk_writer
from dutycare.bootstrap import Dutycare, initialise
from dutycare.domain.errors import InvalidInput
from dutycare.service_layer import import_sources
from dutycare.settings import Settings

JUNK_BYTES = 30 << 20


def _peak(run: Callable[[], object]) -> tuple[int, int, object]:
    """The Python heap's peak while the work ran, the bytes it read, and its outcome (or the InvalidInput raised)."""

    def outcome() -> object:
        try:
            return run()
        except InvalidInput as exc:
            return exc

    tracemalloc.start()
    try:
        result, read = bytes_read(outcome)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, read, result


def _junk(path: Path, kind: str) -> Path:
    rng = random.Random(7)
    with path.open("wb") as f:
        for _ in range(JUNK_BYTES >> 20):
            if kind == "bytes":
                f.write(rng.randbytes(1 << 20))
            elif kind == "one-line":
                f.write(b"x" * (1 << 20))
            else:  # text that looks like writing but is no format at all
                words = ("отказ", "операция", "госпиталь", "lorem", "ipsum", "{", "}", ",", '"', "\n")
                f.write((" ".join(rng.choice(words) for _ in range(300_000))).encode()[:1 << 20])
    return path


# What each may read: junk whose first lines are no format stops there, well inside its 30 MiB; a single line
# without an end is read through once to find its end; a workbook is hashed whole (to tell whether it changed
# while it was read) before it is opened.
STOPS_EARLY, ONCE = 4 << 20, JUNK_BYTES + (1 << 20)


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("suffix", "kind", "may_read"), [
    (".jsonl", "bytes", STOPS_EARLY), (".jsonl", "text", STOPS_EARLY), (".jsonl", "one-line", ONCE),
    (".csv", "bytes", STOPS_EARLY), (".csv", "text", STOPS_EARLY), (".json", "text", STOPS_EARLY),
    (".xlsx", "bytes", ONCE)])
def test_tens_of_megabytes_of_junk_are_refused_after_little_reading_in_little_memory(
        app: Dutycare, tmp_path: Path, suffix: str, kind: str, may_read: int) -> None:
    path = _junk(tmp_path / f"junk{suffix}", kind)
    assert os.path.getsize(path) == JUNK_BYTES
    peak, read, outcome = _peak(lambda: bulk_import(app, path))
    assert isinstance(outcome, InvalidInput), outcome
    assert read < may_read, f"read {read / (1 << 20):.1f} MiB of {JUNK_BYTES >> 20} MiB of junk"
    assert peak < 12 << 20, f"peak {peak >> 20} MiB"


def test_memory_grows_only_by_the_ids_kept_for_reference_checks(tmp_path: Path) -> None:
    """Records are never all held: the peak grows by what the id sets need (well under 400 bytes a record), findings
    included (each case is evaluated from the events held for it and let go)."""
    peaks, records = [], []
    for cases in (300, 2000):
        app = initialise(Settings(db=str(tmp_path / f"d{cases}" / "x.db"), key_file=tmp_path / f"k{cases}" / "k.key",
                                  vault=tmp_path / f"d{cases}" / "v"))
        try:
            lines = synth_lines(cases, seed=cases)
            path = write_lines(tmp_path / f"s{cases}.jsonl", lines)
            peak, _, outcome = _peak(lambda a=app, p=path: bulk_import(a, p))
            assert not isinstance(outcome, InvalidInput), outcome
            peaks.append(peak)
            records.append(len(lines))
        finally:
            app.close()
    per_record = (peaks[1] - peaks[0]) / (records[1] - records[0])
    assert per_record < 400, f"{per_record:.0f} bytes per record; peaks {[p >> 20 for p in peaks]} MiB"


@pytest.mark.parametrize("db_target", ["sqlite", "postgresql"], indirect=True)
def test_the_digests_of_words_remembered_are_bounded_and_the_index_stays_exact(
        app: Dutycare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large vocabulary (names, places) does not grow the import: past the bound the digests are computed again,
    and every record still has exactly its words in the index (`ledger verify` checks them)."""
    kept = 40
    monkeypatch.setattr(bulk_writer, "DIGESTS_KEPT", kept)
    most: list[int] = []
    learn = bulk_writer.SearchRows._learn

    def spy(self: bulk_writer.SearchRows, words: set[str]) -> None:
        learn(self, words)
        most.append(len(self.digests) - len(words))

    monkeypatch.setattr(bulk_writer.SearchRows, "_learn", spy)
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", 50)
    bulk_import(app, write_lines(tmp_path / "s.jsonl", synth_lines(100, seed=4)))
    assert len(most) > 10 and max(most) <= kept, most
    assert verified(app)

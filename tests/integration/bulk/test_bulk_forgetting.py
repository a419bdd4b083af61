"""The one-pass import keeps knowing only recent records (its memory is flat in the file's size): what it has
forgotten it asks of the database, and an id used twice far apart is refused by the database's own key, after which
the whole file is checked again, so the problems reported are the same as with full knowledge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest
from bulk_helpers import CountingSource, as_case_file, bulk_import, snapshot, synth_lines, verified, write_lines

from dutycare.adapters.importers import open_source
from dutycare.adapters.storage.bulk_writer import SqlBulkStore
from dutycare.bootstrap import Dutycare
from dutycare.domain.errors import InvalidInput
from dutycare.domain.interchange import case_file_to_dict, parse_case_file
from dutycare.scenario import load_scenario
from dutycare.service_layer import bulk_import as bi
from dutycare.service_layer import import_checks, import_sources, import_writes, services
from dutycare.service_layer.raw_record import RawRecord

LIMIT = 40  # records known once written; the files below hold several hundred


class Kept(import_checks.RecentKnowledge):
    """RecentKnowledge that notes how much it ever held."""

    made: ClassVar[list[Kept]] = []

    def __init__(self) -> None:
        super().__init__()
        Kept.made.append(self)
        self.most_recent = self.most_unwritten = 0

    def written(self) -> None:
        self.most_unwritten = max(self.most_unwritten, len(self.event_types) + sum(map(len, self.seen.values())))
        super().written()
        self.most_recent = max(self.most_recent, len(self.recent))


@pytest.fixture
def forgetful(monkeypatch: pytest.MonkeyPatch) -> list[Kept]:
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", 30)
    monkeypatch.setattr(import_checks, "RECENT_IDS", LIMIT)
    monkeypatch.setattr(import_writes, "RecentKnowledge", Kept)
    Kept.made = []
    return Kept.made


def _by_id(doc: dict) -> dict:
    return {k: sorted(v, key=lambda r: r["id"]) if isinstance(v, list) else v for k, v in doc.items()}


def test_a_long_file_is_written_in_one_pass_knowing_only_recent_records(
        app: Dutycare, tmp_path: Path, forgetful: list[Kept]) -> None:
    lines = synth_lines(60, seed=8)
    doc = as_case_file(lines)
    source = CountingSource(open_source(write_lines(tmp_path / "long.jsonl", lines)))
    result = bi.import_records(app.uow(), source, SqlBulkStore.for_uow)
    assert source.reads == 1, "what was forgotten was found in the database, not by reading the file again"
    assert result.counts["events"] == len(doc["events"]) > 10 * LIMIT
    [kept] = forgetful
    assert kept.most_recent == LIMIT, "records written long before were forgotten"
    held = (import_writes.MAX_HELD_BATCHES + 1) * import_sources.BATCH_RECORDS
    assert 0 < kept.most_unwritten <= held
    assert _by_id(services.export_case_file(app.uow())) == _by_id(case_file_to_dict(parse_case_file(doc)))
    assert verified(app)


@pytest.mark.parametrize("kind", ["event", "person", "institution"])
@pytest.mark.parametrize("stored", [False, True], ids=["into an empty database", "beside stored records"])
def test_an_id_used_again_long_after_is_reported_as_with_full_knowledge(
        app: Dutycare, tmp_path: Path, forgetful: list[Kept], monkeypatch: pytest.MonkeyPatch, kind: str,
        stored: bool) -> None:
    # Into an empty database the id is refused by the table's key (IdTaken); beside stored records, by the
    # lookup of each batch's ids, which by then sees the first record, written earlier in the same transaction.
    lines = synth_lines(60, seed=9)
    if stored:
        services.import_case_file(app.uow(), load_scenario())
        taken = {r["id"] for section in ("people", "institutions") for r in load_scenario()[section]}
        lines = [x for x in lines if json.loads(x).get("id") not in taken]  # these are stored already
    before = snapshot(app)
    first = next(i for i, x in enumerate(lines) if json.loads(x).get("record") == kind)
    lines.append(lines[first])  # by now long forgotten: the database's key refuses it
    path = write_lines(tmp_path / "twice.jsonl", lines)
    with pytest.raises(InvalidInput) as forgot:
        bulk_import(app, path)
    assert forgetful[0].most_recent == LIMIT
    assert snapshot(app) == before
    rid = json.loads(lines[first])["id"]
    assert f"line {len(lines)} ({kind} {rid}).id: '{rid}' is used twice in this file" in map(str, forgot.value.problems)
    monkeypatch.setattr(import_checks, "RECENT_IDS", 10 * len(lines))  # nothing forgotten
    with pytest.raises(InvalidInput) as knew:
        bulk_import(app, path)
    assert [str(p) for p in forgot.value.problems] == [str(p) for p in knew.value.problems]
    assert snapshot(app) == before


def test_records_of_different_kinds_with_one_id_are_known_apart_once_written() -> None:
    known = import_checks.RecentKnowledge(limit=10)
    known.remember(RawRecord("person", {"id": "x"}, "line 2"))
    known.remember(RawRecord("event", {"id": "x", "type": "surgery_refused"}, "line 3"))
    known.written()
    assert known.defined("person", "x") and known.defined("event", "x")
    assert not known.defined("case", "x") and not known.defined("institution", "x")
    assert known.known_type("x") == "surgery_refused"
    known.found_in_database("case", {"4x"})  # not the event "x", whose key is its code and "x"
    assert known.defined("case", "4x") and not known.defined("event", "4x") and not known.defined("case", "x")


def test_a_stored_record_named_while_another_is_named_ahead_keeps_the_file_in_one_pass(
        app: Dutycare, tmp_path: Path, forgetful: list[Kept], monkeypatch: pytest.MonkeyPatch) -> None:
    """A record the file names but does not define (stored before, or written and forgotten) is asked of the
    database once a batch has waited for it, not only when the writer may hold no more. Asked only then, a record
    named a few lines ahead in the newest batch (as a group's joint complaint names the next case) was still open,
    and the whole file was checked and written again: 99x the baseline instead of 50x at a million events."""
    monkeypatch.setattr(import_checks, "RECENT_IDS", 1 << 20)  # nothing forgotten: the stored record alone waits
    services.import_case_file(app.uow(), load_scenario())
    taken = {r["id"] for section in ("people", "institutions") for r in load_scenario()[section]}
    records = [x for x in synth_lines(60, seed=8)[1:] if json.loads(x).get("id") not in taken]
    batch, most = import_sources.BATCH_RECORDS, import_writes.MAX_HELD_BATCHES
    named = next(i for i in range(12 * batch, 13 * batch) if json.loads(records[i]).get("institution"))
    rec = json.loads(records[named])
    rec["institution"] = "i-hospital"  # stored before the import, and not in the file
    records[named] = json.dumps(rec, ensure_ascii=False)
    last = (12 + most + 1) * batch  # the first record after the batch at which the writer may wait no more
    case = next(i for i in range(last - batch, last) if json.loads(records[i])["record"] == "case")
    records.insert(last, records.pop(case))  # the case's events in that batch now name it a few records ahead
    lines = [synth_lines(1)[0], *records]
    source = CountingSource(open_source(write_lines(tmp_path / "ahead.jsonl", lines)))
    result = bi.import_records(app.uow(), source, SqlBulkStore.for_uow)
    assert result.counts["events"] == sum(json.loads(x).get("record") == "event" for x in lines)
    assert source.reads == 1, "written in one pass, not checked and written again"
    assert verified(app)

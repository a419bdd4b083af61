"""Bulk imports on SQLite and PostgreSQL: the same records, ledger and index as the ordinary path; all or nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from bulk_helpers import CountingSource, as_case_file, bulk_import, snapshot, synth_lines, verified, write_lines
from openpyxl import Workbook
from sqlalchemy import func, insert, select, text

from dutycare.adapters.importers import open_source
from dutycare.adapters.importers.progress import ImportProgress
from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.access_tables import login_failures, search_postings, search_terms
from dutycare.adapters.storage.bulk_writer import SqlBulkStore, analyse_written_tables
from dutycare.bootstrap import Dutycare, initialise
from dutycare.domain.dates import DateParseError, PartialDate
from dutycare.domain.errors import DomainError, InvalidInput
from dutycare.domain.interchange import case_file_to_dict, parse_case_file
from dutycare.scenario import load_scenario
from dutycare.service_layer import bulk_import as bi
from dutycare.service_layer import findings, import_sources, import_writes, services
from dutycare.settings import Settings


def _ledger_facts(app: Dutycare) -> list[tuple[int, str, str, str]]:
    with app.engine.connect() as conn:
        rows = conn.execute(select(t.ledger_entries.c.entry).order_by(t.ledger_entries.c.seq)).scalars()
        out = []
        for raw in rows:
            e = json.loads(bytes(raw))
            out.append((e["seq"], e["entity"], e["id"], e["record_sha256"]))
        return out


def _terms_per_record(app: Dutycare) -> dict[tuple[str, str], int]:
    with app.engine.connect() as conn:
        out: dict[tuple[str, str], int] = {}
        for kind, rid in conn.execute(select(search_terms.c.kind, search_terms.c.record_id)):
            out[(kind, rid)] = out.get((kind, rid), 0) + 1
        return out


def test_a_synthetic_file_gives_what_the_ordinary_path_gives(app: Dutycare, tmp_path: Path) -> None:
    lines = synth_lines(120, seed=3)
    result = bulk_import(app, write_lines(tmp_path / "synth.jsonl", lines))
    doc = as_case_file(lines)
    assert result.counts == {s: len(doc[s]) for s in ("people", "institutions", "sources", "cases", "events")}
    assert result.ledger_size == sum(result.counts.values())
    assert services.export_case_file(app.uow()) == case_file_to_dict(parse_case_file(doc))
    assert verified(app)

    other = initialise(Settings(db=str(tmp_path / "plain" / "p.db"), key_file=tmp_path / "k2" / "p.key",
                                vault=tmp_path / "plain" / "v"))
    try:
        services.import_case_file(other.uow(), doc)
        assert _ledger_facts(other) == _ledger_facts(app)
        assert _terms_per_record(other) == _terms_per_record(app)
        assert snapshot(other)["findings"] == snapshot(app)["findings"] > 0
    finally:
        other.close()


def test_a_bad_record_at_the_very_end_leaves_the_database_as_it_was(app: Dutycare, tmp_path: Path) -> None:
    services.import_case_file(app.uow(), load_scenario())
    before = snapshot(app)
    taken = {r["id"] for section in ("people", "institutions") for r in load_scenario()[section]}
    lines = [x for x in synth_lines(300, seed=4) if json.loads(x).get("id") not in taken]  # these exist already
    lines.append(json.dumps({"record": "event", "id": "e-last", "type": "injury", "date": "2024-13",
                             "cases": ["c-0000001"], "sources": [{"source": "s-0000001-0"}],
                             "details": {"injury": "x"}}))
    with pytest.raises(InvalidInput) as caught:
        bulk_import(app, write_lines(tmp_path / "bad.jsonl", lines))
    with pytest.raises(DateParseError) as why:
        PartialDate.parse("2024-13")
    assert [str(p) for p in caught.value.problems] == [f"line {len(lines)} (event e-last).date: {why.value}"]
    assert snapshot(app) == before


def _import_counting(app: Dutycare, path: Path) -> tuple[bi.ImportResult, int]:
    source = CountingSource(open_source(path))
    result = bi.import_records(app.uow(), source, SqlBulkStore.for_uow)
    return result, source.reads


def test_a_file_in_order_is_read_once_holding_batches_that_refer_a_little_ahead(
        app: Dutycare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", 30)
    lines = synth_lines(80, seed=5)
    doc = as_case_file(lines)
    joint = [e for e in doc["events"] if len(e["cases"]) > 1]
    assert joint, "the synthetic file has joint complaints naming a case defined after the complaint"
    result, reads = _import_counting(app, write_lines(tmp_path / "in-order.jsonl", lines))
    assert reads == 1
    assert result.counts["events"] == len(doc["events"])
    assert _by_id(services.export_case_file(app.uow())) == _by_id(case_file_to_dict(parse_case_file(doc)))
    assert verified(app)


def test_batches_held_for_records_ahead_are_written_a_batch_at_a_time_with_the_same_ledger(
        app: Dutycare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches that waited for records named further on are written together, parents first, but their rows are
    made one batch's worth at a time (the import's peak memory would otherwise grow with how many waited); the
    ledger is the one a single write of them makes."""
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", 30)
    merged, written = [], []
    merge, write = import_writes.merge, SqlBulkStore.write
    monkeypatch.setattr(import_writes, "merge", lambda parts: merged.append(len(parts)) or merge(parts))
    monkeypatch.setattr(SqlBulkStore, "write", lambda self, batch, changes: written.append(len(changes)) or write(
        self, batch, changes))
    lines = synth_lines(80, seed=5)
    result, reads = _import_counting(app, write_lines(tmp_path / "in-order.jsonl", lines))
    assert reads == 1 and max(merged) > 1, merged
    assert max(written) <= 30 and sum(written) == result.ledger_size, written

    assert verified(app)

    other = initialise(Settings(db=str(tmp_path / "whole" / "w.db"), key_file=tmp_path / "k2" / "w.key",
                                vault=tmp_path / "whole" / "v"))
    monkeypatch.setattr(import_writes, "parts_of", lambda cf, size: iter([cf]))
    try:
        bulk_import(other, tmp_path / "in-order.jsonl")
        assert max(written) > 30  # each merge written at once, as before
        assert _ledger_facts(other) == _ledger_facts(app)
    finally:
        other.close()


def _chained_lines(blocks: int, size: int) -> list[str]:
    """A file whose every batch of ``size`` records ends with a joint complaint naming the next batch's first case
    and person, so that no batch is complete before the one after it is read."""
    def line(**rec: object) -> str:
        return json.dumps(rec, ensure_ascii=False)

    out = [line(format="dutycare-records", format_version=1),
           line(record="institution", id="i-ombudsman", name="Уполномоченный", type="ombudsman")]
    out += [line(record="person", id=f"p-{k}", pseudonym=f"Солдат {k}", role="affected") for k in range(size - 1)]
    for k in range(blocks):
        block = [line(record="person", id=f"p-b{k}", pseudonym=f"Боец {k}", role="affected"),
                 line(record="case", id=f"c-{k}", person=f"p-b{k}", title=f"Дело {k}", status="open"),
                 line(record="source", id=f"s-{k}", kind="own_account", title="Рассказ", reliability="C")]
        complaint = {"record": "event", "type": "complaint", "date": "2024-08-31", "sources": [{"source": f"s-{k}"}],
                     "details": {"addressees": ["i-ombudsman"], "channel": "gosuslugi",
                                                                  "subject": "отказ в лечении"}}
        while len(block) < size - 1:
            block.append(line(**{**complaint, "details": {**complaint["details"], "applicants": [f"p-b{k}"]}},
                              id=f"e-{k}-{len(block)}", cases=[f"c-{k}"]))
        both = {**complaint["details"], "applicants": [f"p-b{k}", f"p-b{k + 1}"]}  # type: ignore[dict-item]
        block.append(line(**{**complaint, "details": both}, id=f"e-{k}-joint", cases=[f"c-{k}", f"c-{k + 1}"]))
        out += block
    out += [line(record="person", id=f"p-b{blocks}", pseudonym="Последний", role="affected"),
            line(record="case", id=f"c-{blocks}", person=f"p-b{blocks}", title="Последнее дело", status="open")]
    return out


def test_a_run_of_batches_each_naming_the_next_is_written_as_it_goes_not_held_to_its_end(
        app: Dutycare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each batch ends by naming the next batch's first case: the batches before the newest are written with the
    records they name from it, so no more than two batches wait at a time (all of them waited before, and past
    eight the file was checked and written again). The joint complaints' findings are stored as soon as both their
    cases are evaluated, not held to the end, and the findings are those of an ordinary import."""
    size, blocks = 30, 3 * import_writes.MAX_HELD_BATCHES
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", size)
    merged: list[int] = []
    merge = import_writes.merge
    monkeypatch.setattr(import_writes, "merge", lambda parts: merged.append(sum(map(_records, parts)))
                        or merge(parts))
    waiting: list[int] = []  # how many joint findings wait, after each evaluation of cases
    evaluate = findings.ImportFindings._evaluate
    monkeypatch.setattr(findings.ImportFindings, "_evaluate",
                        lambda self, ids: evaluate(self, ids) or waiting.append(len(self.joint)))
    lines = _chained_lines(blocks, size)
    result, reads = _import_counting(app, write_lines(tmp_path / "chained.jsonl", lines))
    assert reads == 1, "read once: no batch waited past the limit"
    assert max(merged) <= 2 * size, merged
    assert len(waiting) > blocks and max(waiting) <= 2 and waiting[-1] == 0, waiting
    joint = {k: r for k, r in _finding_rows(app).items() if len(r[-1]) > 1}
    assert len(joint) >= blocks, "each joint complaint has findings of both its cases"
    doc = as_case_file(lines)
    assert result.counts == {s: len(doc[s]) for s in ("people", "institutions", "sources", "cases", "events")}
    assert _by_id(services.export_case_file(app.uow())) == _by_id(case_file_to_dict(parse_case_file(doc)))
    assert verified(app)
    for k in (0, blocks - 1):
        assert f"e-{k}-joint" in {e.id for e in services.case_timeline(app.uow(), f"c-{k + 1}").events}
    other = initialise(Settings(db=str(tmp_path / "plain" / "p.db"), key_file=tmp_path / "k2" / "p.key",
                                vault=tmp_path / "plain" / "v"))
    try:
        services.import_case_file(other.uow(), doc)
        assert _finding_rows(other) == _finding_rows(app)
    finally:
        other.close()


def test_a_synthetic_file_written_early_in_part_gives_what_the_ordinary_path_gives(
        app: Dutycare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a generated file whose joint complaints straddle two batch boundaries in a row (at 37 records a batch),
    a batch is written early with records taken from the next one: the records and findings are an ordinary
    import's, and the ledger verifies."""
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", 37)
    early: list[int] = []  # how many batches still waited after each early write
    ready_part = import_writes.ready_part

    def counted(held: list, open_refs: set) -> object:
        found = ready_part(held, open_refs)
        if found is not None:
            early.append(len(found[1]))
        return found

    monkeypatch.setattr(import_writes, "ready_part", counted)
    lines = synth_lines(300, seed=13)
    bulk_import(app, write_lines(tmp_path / "synth.jsonl", lines))
    assert early, "a batch was written before the next one was complete"
    assert verified(app)
    other = initialise(Settings(db=str(tmp_path / "plain" / "p.db"), key_file=tmp_path / "k2" / "p.key",
                                vault=tmp_path / "plain" / "v"))
    try:
        services.import_case_file(other.uow(), as_case_file(lines))
        assert _by_id(services.export_case_file(app.uow())) == _by_id(services.export_case_file(other.uow()))
        assert _finding_rows(other) == _finding_rows(app)
    finally:
        other.close()


def _records(cf: object) -> int:
    return sum(len(getattr(cf, s)) for s in ("people", "institutions", "sources", "cases", "events"))


def test_records_named_before_they_are_defined_are_written_parents_first(app: Dutycare, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", 50)
    lines = synth_lines(80, seed=5)
    result, reads = _import_counting(app, write_lines(tmp_path / "reversed.jsonl", [lines[0], *reversed(lines[1:])]))
    assert reads == 4, "checked once, then written in three sweeps: parents, cases, events"
    assert result.counts["events"] == len([x for x in lines if '"record":"event"' in x])
    assert _by_id(services.export_case_file(app.uow())) == _by_id(case_file_to_dict(parse_case_file(
        as_case_file(lines))))
    assert verified(app)


def _by_id(doc: dict) -> dict:
    return {k: sorted(v, key=lambda r: r["id"]) if isinstance(v, list) else v for k, v in doc.items()}


def test_a_file_may_add_to_records_already_in_the_database(app: Dutycare, tmp_path: Path) -> None:
    services.import_case_file(app.uow(), load_scenario())
    answer = {"record": "event", "id": "ev-answer", "type": "complaint_answered", "date": "2024-05-02",
              "cases": ["case-a", "case-b"], "institution": "i-prosecutor-general",
              "sources": [{"source": "s-05"}],
              "details": {"complaint": "ev-joint-appeal", "outcome": "formal_reply"}}
    wrong = {**answer, "id": "ev-wrong", "details": {"complaint": "ev-a-injury", "outcome": "formal_reply"}}
    result = bulk_import(app, write_lines(tmp_path / "more.jsonl", [json.dumps(answer, ensure_ascii=False)]))
    assert result.counts["events"] == 1 and result.case_ids is None  # the bulk writer lists no cases
    for case_id in ("case-a", "case-b"):
        assert "ev-answer" in {e.id for e in services.case_timeline(app.uow(), case_id).events}
    with pytest.raises(InvalidInput) as caught:
        bulk_import(app, write_lines(tmp_path / "wrong.jsonl", [json.dumps(answer), json.dumps(wrong)]))
    assert [str(p) for p in caught.value.problems] == [
        "line 1 (event ev-answer).id: an event 'ev-answer' already exists in the database",
        "line 2 (event ev-wrong).details.complaint: refers to event 'ev-a-injury' of type injury, not complaint"]
    assert verified(app)


def test_a_case_file_is_streamed_into_the_bulk_writer(app: Dutycare, tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(load_scenario(), ensure_ascii=False), encoding="utf-8")
    result = bulk_import(app, path)
    assert result.counts["events"] == 24
    assert services.export_case_file(app.uow()) == load_scenario()
    assert verified(app)


def _rows_csv(rows: list[list[str]], encoding: str, sep: str = ";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep).writerows(rows)
    return buffer.getvalue().encode(encoding)


HEADER = ["event_id", "event_type", "event_date", "case_id", "institution_id", "source_id", "category",
          "case_title", "person_id", "person_pseudonym", "person_age", "institution_name", "institution_type",
          "source_kind", "source_title", "source_reliability"]


@pytest.mark.parametrize("db_target", ["sqlite", "postgresql"], indirect=True)
def test_a_cp1251_spreadsheet_from_excel_imports(app: Dutycare, tmp_path: Path) -> None:
    rows = [HEADER,
            ["ev-1", "fitness_decision", "2024-01", "case-1", "i-vvk", "s-1", "A", "Признан годным", "p-1",
             "Максим", "21", "ВВК при госпитале", "medical_commission", "own_account", "Рассказ Максима", "C"],
            ["ev-2", "fitness_decision", "2024-02", "case-1", "i-vvk", "s-1", "Б", "", "p-1", "", "", "", "", "",
             "", ""]]
    path = tmp_path / "excel.csv"
    path.write_bytes(_rows_csv(rows, "cp1251"))
    result = bulk_import(app, path)
    assert result.counts == {"people": 1, "institutions": 1, "sources": 1, "cases": 1, "events": 2}
    events = services.case_timeline(app.uow(), "case-1").events
    assert [e.details["category"] for e in events] == ["А", "Б"]
    assert services.case_timeline(app.uow(), "case-1").person.pseudonym == "Максим"
    assert verified(app)


def test_spreadsheet_problems_name_row_and_column(app: Dutycare, tmp_path: Path) -> None:
    rows = [HEADER,
            ["ev-1", "fitness_decision", "2024-01", "case-1", "i-vvk", "s-1", "Z", "Признан годным", "p-1",
             "Максим", "двадцать", "ВВК", "medical_commission", "own_account", "Рассказ", "C"],
            ["ev-2", "fitness_decision", "2024-02-30", "case-2", "i-vvk", "s-9", "Б", "", "", "", "", "", "", "",
             "", ""]]
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "rows.xlsx")
    with pytest.raises(InvalidInput) as caught:
        bulk_import(app, tmp_path / "rows.xlsx")
    assert sorted(str(p) for p in caught.value.problems) == sorted([
        "sheet 'Sheet', row 2, column K (person_age): must be a whole number from 0 to 130",
        "sheet 'Sheet', row 2, column G (category): 'Z' is not a fitness category; use А, Б, В, Г or Д",
        "sheet 'Sheet', row 3, column C (event_date): '2024-02-30' is not a real calendar date (day is out of "
        "range for month)",
        "sheet 'Sheet', row 3, column D (case_id): refers to case 'case-2', which does not exist",
        "sheet 'Sheet', row 3, column F (source_id): refers to source 's-9', which does not exist",
    ])
    assert services.record_counts(app.uow())["event"] == 0


def test_a_write_that_races_the_import_stops_it_cleanly(app: Dutycare, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # A file that refers forwards (across batches) is checked whole before it is written: a write may come between.
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", 50)
    lines = synth_lines(30, seed=6)
    path = write_lines(tmp_path / "s.jsonl", [lines[0], *reversed(lines[1:])])
    original = bi.write_source

    def racing(*args: object, **kwargs: object) -> object:
        monkeypatch.setattr(bi, "write_source", original)  # the racing write itself goes through unhindered
        services.import_case_file(app.uow(), {"format": "dutycare-case-file", "format_version": 1,
                                              "people": [{"id": "p-0000030", "pseudonym": "Другой"}]})
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bi, "write_source", racing)
    with pytest.raises(DomainError, match="another write added a record with one of its ids; nothing was written"):
        bulk_import(app, path)
    assert services.record_counts(app.uow()) == {"person": 1, "institution": 0, "source": 0, "case": 0, "event": 0}
    assert verified(app)


def _finding_rows(app: Dutycare) -> dict[str, tuple]:
    with app.engine.connect() as conn:
        links: dict[str, list[str]] = {}
        for key, case_id in conn.execute(select(t.finding_cases.c.finding_key, t.finding_cases.c.case_id)):
            links.setdefault(key, []).append(case_id)
        return {r.key: (r.rule_id, r.scope, r.severity, r.certainty, r.institution_id, r.event_ids,
                        r.explanation_ru, r.explanation_en, tuple(sorted(links.get(r.key, []))))
                for r in conn.execute(select(t.findings))}


@pytest.mark.parametrize("layout", ["in order", "late events", "added to stored cases"])
def test_findings_written_during_an_import_equal_a_full_re_evaluation(app: Dutycare, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      layout: str) -> None:
    """Cases are evaluated from the events as they are written; cases touched again later, and cases stored before
    the import, are refreshed from the database. Either way the findings are those of evaluating everything anew."""
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", 40)  # many batches: most cases are evaluated mid-import
    lines = synth_lines(150, seed=8)
    first_cases = [x for x in lines if '"record":"case"' in x][:40]
    early = {json.loads(x)["id"] for x in first_cases}
    moved = [x for x in lines if '"record":"event"' in x and json.loads(x)["type"] in
             ("fitness_decision", "treatment_refused") and set(json.loads(x)["cases"]) & early]
    assert len(moved) > 10
    rest = [x for x in lines if x not in moved]
    if layout == "late events":  # events of early cases come at the very end of the file
        lines = rest + moved
    elif layout == "added to stored cases":  # the early cases are stored already; the file adds events to them
        cut = rest.index(first_cases[-1]) + 1
        bulk_import(app, write_lines(tmp_path / "first.jsonl", rest[:cut]))
        lines = [lines[0], *rest[cut:], *moved]
    result = bulk_import(app, write_lines(tmp_path / "f.jsonl", lines))
    assert result.counts["events"] > 0
    imported = _finding_rows(app)
    assert {row[0] for row in imported.values()} >= {"R1", "R8"}
    findings.refresh_all(app.uow())
    assert _finding_rows(app) == imported


def test_postgresql_has_statistics_of_the_tables_a_bulk_import_filled(app: Dutycare, tmp_path: Path) -> None:
    if app.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's planner is left to its own estimates")
    written = (t.people, t.sources, t.cases, t.events, t.event_cases, t.event_sources, t.ledger_entries,
               search_terms, search_postings)
    estimate = text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)")

    def estimates() -> dict[str, tuple[float, int]]:
        with app.engine.connect() as conn:
            return {table.name: (conn.execute(estimate, {"name": table.name}).scalar_one(),
                                 conn.execute(select(func.count()).select_from(table)).scalar_one())
                    for table in written}

    bulk_import(app, write_lines(tmp_path / "synth.jsonl", synth_lines(80, seed=5)))
    first = estimates()
    # reltuples is -1 until a table is first analysed; ANALYZE sets it to the rows it saw (all, in tables this size)
    assert all(rows > 60 and guess == rows for guess, rows in first.values()), first
    # Afterwards only a table changed by more than autovacuum's threshold (50 rows and a tenth) is analysed again.
    with app.engine.connect() as conn, conn.begin():
        conn.execute(insert(t.cases).from_select(
            [c.name for c in t.cases.c],
            select(*(func.concat("again-", c) if c.name == "id" else c + 1000 if c.name == "position" else c
                     for c in t.cases.c)).limit(5)))
        conn.execute(insert(login_failures), [{"key": "k", "at": str(n)} for n in range(70)])
        assert analyse_written_tables(conn) == ["login_failures"]
        conn.rollback()


def test_postgresql_statistics_follow_a_table_grown_by_many_small_imports(app: Dutycare) -> None:
    """Imports each smaller than autovacuum's threshold still add up: once the rows changed since the table was
    last analysed pass it, the next import analyses it (otherwise statistics stayed at the first import's size
    while batch after batch filled the table, and common-word lists took seconds)."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's planner is left to its own estimates")

    def write(rows: int, start: int) -> list[str]:
        with app.engine.connect() as conn:
            with conn.begin():
                conn.execute(insert(login_failures), [{"key": "k", "at": str(start + n)} for n in range(rows)])
                analysed = analyse_written_tables(conn)
            conn.execute(text("SELECT pg_stat_force_next_flush()"))  # this session's counts, visible to the next
            conn.commit()
        return analysed

    assert write(70, 0) == ["login_failures"]  # never analysed: 70 > 50
    assert write(30, 100) == []  # 30 < 50 + 7
    assert write(30, 200) == ["login_failures"]  # 30 since the last analysis, and 30 now


@pytest.mark.parametrize("order", ["in order", "reversed"])
def test_the_progress_display_names_each_phase_of_the_import_in_turn(app: Dutycare, tmp_path: Path, order: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking and writing (then writing parents first, for a file that names records before it defines them),
    findings, the search index and the commit each get a line of their own, so a long import says what it is doing
    and a benchmark can time each."""
    monkeypatch.setattr(import_sources, "BATCH_RECORDS", 50)
    lines = synth_lines(40, seed=3)
    if order == "reversed":
        lines = [lines[0], *reversed(lines[1:])]
    shown = io.StringIO()
    bi.import_records(app.uow(), open_source(write_lines(tmp_path / "s.jsonl", lines)), SqlBulkStore.for_uow,
                      ImportProgress(shown, live=False))
    phases = [line.removeprefix("dutycare import: ").removesuffix("…") for line in shown.getvalue().splitlines()
              if line.endswith("…")]
    expected = (["checking and writing", "updating findings", "building the search index", "committing"]
                if order == "in order" else
                ["checking and writing", "writing", "building the search index", "updating findings", "committing"])
    assert phases == expected

"""Tamper evidence end to end: every kind of stored thing, altered by one byte, is caught by verify."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from dutycare.adapters.storage import tables as t
from dutycare.bootstrap import Dutycare
from dutycare.scenario import load_scenario
from dutycare.service_layer import event_writes, evidence, ledger_service, services


def _loaded(app: Dutycare, tmp_path: Path) -> str:
    services.import_case_file(app.uow(), load_scenario())
    scan = tmp_path / "knee-mri.txt"
    scan.write_bytes(b"MRI report: ligament tear, surgery indicated. " * 50)
    ev = evidence.attach_evidence(app.uow(), app.vault(), case_id="case-b", event_id="ev-b-finding", path=scan,
                                  source_id="s-03")
    event_writes.update_event(app.uow(), "ev-c-injury", {**load_scenario()["events"][14], "date": "2023-05"})
    event_writes.delete_event(app.uow(), "ev-a-deployed-2", "duplicate of another entry")
    ledger_service.make_checkpoint(app.uow(), app.signer())
    return ev.id


def _verify(app: Dutycare) -> ledger_service.Verification:
    return ledger_service.verify(app.uow(), app.trusted_key(), app.file_hasher())


def _flip(blob: bytes, at: int = -5) -> bytes:
    data = bytearray(blob)
    data[at] ^= 0x01
    return bytes(data)


def test_untouched_database_verifies(app: Dutycare, tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    result = _verify(app)
    assert result.ok, [str(p) for p in result.record_problems] + [p.message for p in result.log.problems]
    assert result.records_checked == 5 + 5 + 6 + 3 + 24 + 1 and result.files_checked == 1
    assert result.log.size == 43 + 1 + 1 + 1


def _tamper_sql(app: Dutycare, statement: Callable[[], object]) -> None:
    with app.engine.begin() as conn:
        conn.execute(statement())


def _sealed_of(app: Dutycare, table: t.Table, key: str) -> bytes:
    with app.engine.connect() as conn:
        return bytes(conn.execute(select(table.c.sealed).where(table.c.id == key)).scalar_one())


TAMPERS = ["event_details", "event_sealed", "event_date", "person_sealed", "case_status", "ledger_entry",
           "ledger_leaf", "checkpoint_note", "deleted_row", "evidence_file", "evidence_hash", "tombstone_undone"]


@pytest.mark.parametrize("what", TAMPERS)
def test_one_altered_byte_is_caught(app: Dutycare, tmp_path: Path, what: str) -> None:
    evidence_id = _loaded(app, tmp_path)
    ev, ld = t.events, t.ledger_entries
    if what == "event_details":
        _tamper_sql(app, lambda: update(ev).where(ev.c.id == "ev-a-fit-1").values(details='{"category": "Б"}'))
    elif what == "event_sealed":
        blob = _flip(_sealed_of(app, ev, "ev-c-refused-1"))
        _tamper_sql(app, lambda: update(ev).where(ev.c.id == "ev-c-refused-1").values(sealed=blob))
    elif what == "event_date":
        _tamper_sql(app, lambda: update(ev).where(ev.c.id == "ev-b-malingering").values(date="2024-02"))
    elif what == "person_sealed":
        blob = _flip(_sealed_of(app, t.people, "p-01"), 40)
        _tamper_sql(app, lambda: update(t.people).where(t.people.c.id == "p-01").values(sealed=blob))
    elif what == "case_status":
        _tamper_sql(app, lambda: update(t.cases).where(t.cases.c.id == "case-c").values(status="closed"))
    elif what == "ledger_entry":
        with app.engine.connect() as conn:
            entry = bytes(conn.execute(select(ld.c.entry).where(ld.c.seq == 7)).scalar_one())
        altered = entry.replace(b'"actor":"tester"', b'"actor":"tester"'.replace(b"t", b"T", 1))
        _tamper_sql(app, lambda: update(ld).where(ld.c.seq == 7).values(entry=altered))
    elif what == "ledger_leaf":
        with app.engine.connect() as conn:
            leaf = bytes(conn.execute(select(ld.c.leaf_hash).where(ld.c.seq == 3)).scalar_one())
        _tamper_sql(app, lambda: update(ld).where(ld.c.seq == 3).values(leaf_hash=_flip(leaf, 0)))
    elif what == "checkpoint_note":
        with app.engine.connect() as conn:
            note = conn.execute(select(t.checkpoints.c.note)).scalar_one()
        lines = note.split("\n")
        lines[1] = str(int(lines[1]) - 1)
        _tamper_sql(app, lambda: update(t.checkpoints).values(note="\n".join(lines)))
    elif what == "deleted_row":
        _tamper_sql(app, lambda: text("DELETE FROM event_sources WHERE event_id = 'ev-b-testimony'"))
        _tamper_sql(app, lambda: text("DELETE FROM event_cases WHERE event_id = 'ev-b-testimony'"))
        _tamper_sql(app, lambda: text("DELETE FROM events WHERE id = 'ev-b-testimony'"))
    elif what == "evidence_file":
        path = next(p for p in app.vault_dir().rglob("*.bin"))
        path.chmod(0o600)
        path.write_bytes(_flip(path.read_bytes(), len(path.read_bytes()) // 2))
    elif what == "evidence_hash":
        _tamper_sql(app, lambda: update(t.evidence).where(t.evidence.c.id == evidence_id).values(sha256="0" * 64))
    elif what == "tombstone_undone":
        _tamper_sql(app, lambda: update(ev).where(ev.c.id == "ev-a-deployed-2").values(deleted_at=None))
    result = _verify(app)
    assert not result.ok, f"tampering with {what} went unnoticed"


def test_verify_names_the_case_and_event_that_changed(app: Dutycare, tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    _tamper_sql(app, lambda: update(t.events).where(t.events.c.id == "ev-a-fit-2").values(details='{"category": "Б"}'))
    result = _verify(app)
    assert [str(p) for p in result.record_problems] == [
        "event ev-a-fit-2 (case case-a): differs from what ledger entry 40 recorded: it was changed outside dutycare"
    ] or any("ev-a-fit-2 (case case-a)" in str(p) for p in result.record_problems)


def test_a_failed_write_leaves_no_ledger_entry(app: Dutycare, tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    before = ledger_service.ledger_status(app.uow(), app.trusted_key())["size"]
    bad = {"id": "ev-x", "type": "fitness_decision", "date": "2024-05", "cases": ["case-a"],
           "institution": "i-commission", "sources": [{"source": "s-01"}], "details": {"category": "Ж"}}
    with pytest.raises(Exception, match="problem"):
        event_writes.record_event(app.uow(), bad)
    assert ledger_service.ledger_status(app.uow(), app.trusted_key())["size"] == before
    assert _verify(app).ok


def test_inclusion_proof_and_bundle_check_with_the_standalone_verifier(app: Dutycare, tmp_path: Path) -> None:
    import subprocess
    import sys

    _loaded(app, tmp_path)
    proof = ledger_service.prove(app.uow(), 10)
    assert proof.tree_size == 46 and len(proof.path) == 6
    out = tmp_path / "bundle"
    ledger_service.export_bundle(app.uow(), out, app.trusted_key(), [0, 10, 45])
    tool = Path(__file__).resolve().parents[2] / "tools" / "verify_bundle.py"
    ok = subprocess.run([sys.executable, str(tool), str(out)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    lines = (out / "entries.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    import base64

    raw = base64.b64decode(first["entry_b64"]).replace(b'"actor":"tester"', b'"actor":"Tester"')
    first["entry_b64"] = base64.b64encode(raw).decode()
    lines[0] = json.dumps(first)
    (out / "entries.jsonl").write_text("\n".join(lines) + "\n")
    bad = subprocess.run([sys.executable, str(tool), str(out)], capture_output=True, text=True)
    assert bad.returncode == 1


def test_two_updates_of_one_record_in_one_append_chain_their_digests(app: Dutycare) -> None:
    from dutycare.ledger.entry import decode_entry, record_digest
    from dutycare.service_layer.changes import Action, Change

    first, second = {"id": "x", "n": 1}, {"id": "x", "n": 2}
    with app.uow() as uow:
        uow.ledger.append([Change(Action.CREATE, "note", "x", {"id": "x", "n": 0}),
                           Change(Action.UPDATE, "note", "x", first),
                           Change(Action.UPDATE, "note", "x", second)], "tester")
        entries = [decode_entry(e) for _, e, _ in uow.ledger.entries()]  # type: ignore[attr-defined]
    assert entries[1].prev_record_sha256 == entries[0].record_sha256
    assert entries[2].prev_record_sha256 == record_digest(first)

"""Issue 11, findings 1 and 2: a history rewritten inside the database, and values shown that were not verified."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner, Result

from dutycare.adapters.crypto.signing import new_witness_key, witness_signer
from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.access_tables import search_postings, search_terms
from dutycare.bootstrap import Dutycare
from dutycare.domain.errors import DomainError, SearchIndexDamaged
from dutycare.entrypoints.cli.main import build_app
from dutycare.ledger.checkpoint import add_signature, parse_verifier_key
from dutycare.ledger.entry import decode_entry, encode_entry
from dutycare.ledger.merkle import leaf_hash
from dutycare.ledger.verify import ANCHOR_BEYOND_LOG, ANCHOR_MISSING, ANCHOR_ROOT, WITNESS_SIGNATURE
from dutycare.scenario import load_scenario
from dutycare.service_layer import event_writes, ledger_service, services

VICTIM = "ev-b-testimony"
ANCHOR_KINDS = {ANCHOR_BEYOND_LOG, ANCHOR_ROOT, ANCHOR_MISSING}


def _loaded(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    ledger_service.make_checkpoint(app.uow(), app.signer(), app.checkpoint_folder())


def _verify(app: Dutycare, archive: bool = True, extra: list[tuple[str, str]] | None = None,
            key: ledger_service.TrustedKey | None = None) -> ledger_service.Verification:
    return ledger_service.verify(app.uow(), key or app.trusted_key(), app.file_hasher(),
                                 app.checkpoint_folder() if archive else None, extra)


def _problems(result: ledger_service.Verification) -> list[str]:
    return [p.message for p in result.log.problems] + [str(p) for p in result.record_problems]


def rewrite_history(app: Dutycare, event_id: str) -> None:
    """Remove an event as a careful attacker with the database but no key would: rows, index, entries, checkpoints.

    Later entries are renumbered and their leaf hashes recomputed, later positions closed up, every checkpoint
    deleted, so that nothing inside the database disagrees with anything else.
    """
    ld = t.ledger_entries
    with app.engine.begin() as conn:
        position = conn.execute(select(t.events.c.position).where(t.events.c.id == event_id)).scalar_one()
        for table, column in ((t.event_sources, "event_id"), (t.event_cases, "event_id"), (t.events, "id")):
            conn.execute(delete(table).where(table.c[column] == event_id))
        conn.execute(update(t.events).where(t.events.c.position > position)
                     .values(position=t.events.c.position - 1))
        conn.execute(delete(search_terms).where(search_terms.c.record_id == event_id))
        conn.execute(delete(search_postings).where(search_postings.c.record_id == event_id))
        kept = [decode_entry(bytes(e)) for e in conn.execute(select(ld.c.entry).order_by(ld.c.seq)).scalars()]
        kept = [e for e in kept if e.id != event_id]
        conn.execute(delete(ld))
        rows = []
        for seq, entry in enumerate(kept):
            data = encode_entry(dataclasses.replace(entry, seq=seq))
            rows.append({"seq": seq, "entity": entry.entity, "entity_id": entry.id, "entry": data,
                         "leaf_hash": leaf_hash(data)})
        conn.execute(insert(ld), rows)
        conn.execute(delete(t.checkpoints))


def test_a_rewritten_history_fails_against_the_checkpoint_kept_outside(app: Dutycare) -> None:
    _loaded(app)
    rewrite_history(app, VICTIM)
    inside_only = _verify(app, archive=False)
    assert inside_only.ok, _problems(inside_only)  # the rewrite is perfect as far as the database can tell
    result = _verify(app)
    assert not result.ok
    assert result.log.first_problem is not None and result.log.first_problem.kind in ANCHOR_KINDS
    assert "kept outside the database" in " ".join(_problems(result))


def test_deleting_only_the_newest_checkpoint_is_noticed(app: Dutycare) -> None:
    _loaded(app)
    event_writes.delete_event(app.uow(), "ev-a-deployed-2", "duplicate")
    ledger_service.make_checkpoint(app.uow(), app.signer(), app.checkpoint_folder())
    with app.engine.begin() as conn:
        newest = conn.execute(select(t.checkpoints.c.size).order_by(t.checkpoints.c.size.desc())).scalars().first()
        conn.execute(delete(t.checkpoints).where(t.checkpoints.c.size == newest))
    result = _verify(app)
    assert not result.ok and [p.kind for p in result.log.problems] == [ANCHOR_MISSING]


def test_deleting_every_checkpoint_is_noticed(app: Dutycare) -> None:
    _loaded(app)
    with app.engine.begin() as conn:
        conn.execute(delete(t.checkpoints))
    result = _verify(app)
    assert not result.ok and result.log.first_problem is not None
    assert result.log.first_problem.kind == ANCHOR_MISSING


def test_a_checkpoint_file_kept_elsewhere_catches_the_rewrite(app: Dutycare, tmp_path: Path) -> None:
    _loaded(app)
    folder = app.checkpoint_folder()
    (_, note), = folder.notes()
    for path in folder.root.iterdir():  # the attacker also removed the copy beside the key
        path.unlink()
    rewrite_history(app, VICTIM)
    without = _verify(app)
    assert without.ok and any("no checkpoint kept outside" in n for n in without.log.notes)
    result = _verify(app, extra=[("held by the lawyer", note)])
    assert not result.ok and result.log.first_problem is not None
    assert result.log.first_problem.kind in ANCHOR_KINDS and "held by the lawyer" in result.log.first_problem.message


def test_the_signer_refuses_to_sign_over_a_rewritten_history(app: Dutycare) -> None:
    _loaded(app)
    rewrite_history(app, VICTIM)
    with pytest.raises(DomainError, match="history was rewritten"):
        ledger_service.make_checkpoint(app.uow(), app.signer(), app.checkpoint_folder())


def test_witness_cosignatures_are_verified(app: Dutycare, tmp_path: Path) -> None:
    _loaded(app)
    secret, public = new_witness_key("lawyer.example/witness")
    folder = app.checkpoint_folder()
    path = Path(folder.notes()[0][0])
    path.write_text(add_signature(path.read_text(), witness_signer(secret)))
    key = dataclasses.replace(app.trusted_key(), witnesses=(parse_verifier_key(public),))
    good = _verify(app, key=key)
    assert good.ok and good.log.witness_signatures_verified == 1 and good.log.anchors_verified == 1
    body, _, last = path.read_text().rstrip("\n").rpartition("\n")
    forged = last[:-8] + ("AAAAAAA=" if not last.endswith("AAAAAAA=") else "BBBBBBB=")
    path.write_text(f"{body}\n{forged}\n")
    bad = _verify(app, key=key)
    assert not bad.ok and [p.kind for p in bad.log.problems] == [WITNESS_SIGNATURE]


def test_status_shows_the_signed_note_not_the_free_columns(app: Dutycare) -> None:
    _loaded(app)
    before = ledger_service.ledger_status(app.uow(), app.trusted_key())["latest_checkpoint"]
    with app.engine.begin() as conn:
        conn.execute(update(t.checkpoints).values(root=b"\x00" * 32, at="2020-01-01T00:00:00+00:00"))
    after = ledger_service.ledger_status(app.uow(), app.trusted_key())["latest_checkpoint"]
    assert after == before and after["root"] != "00" * 32
    result = _verify(app)
    assert not result.ok and any("differs from its signed note" in p for p in _problems(result))


@pytest.mark.parametrize("column", ["date_start", "date_end"])
def test_a_changed_derived_date_is_named(app: Dutycare, column: str) -> None:
    _loaded(app)
    with app.engine.begin() as conn:
        conn.execute(text(f"UPDATE events SET {column} = '1999-01-01' WHERE id = 'ev-a-fit-1'"))
    result = _verify(app)
    assert not result.ok
    assert any(p.id == "ev-a-fit-1" and f"derived column {column}" in p.message for p in result.record_problems)


def test_a_missing_search_key_is_an_error_not_an_empty_result(app: Dutycare) -> None:
    _loaded(app)
    with app.engine.begin() as conn:
        conn.execute(delete(t.meta).where(t.meta.c.key == "search_index_key"))
    with app.uow() as uow, pytest.raises(SearchIndexDamaged, match="search index key is missing or unreadable"):
        uow.search.digests(["травма"])
    result = _verify(app)
    assert any("search index key is missing" in p for p in _problems(result))


def test_an_altered_entity_id_column_cannot_steer_the_next_entry(app: Dutycare) -> None:
    _loaded(app)
    ld = t.ledger_entries
    with app.engine.begin() as conn:  # the newest entry (another record's) now claims to be about ev-a-fit-1
        newest = conn.execute(select(ld.c.seq).order_by(ld.c.seq.desc())).scalars().first()
        conn.execute(update(ld).where(ld.c.seq == newest).values(entity="event", entity_id="ev-a-fit-1"))
    record = next(e for e in load_scenario()["events"] if e["id"] == "ev-a-fit-1")
    with pytest.raises(DomainError, match="index columns"):
        event_writes.update_event(app.uow(), "ev-a-fit-1", {**record, "date": "2024-03"})
    result = _verify(app)
    assert any("its index columns" in p for p in _problems(result))


def test_a_corrupted_date_end_is_named_not_a_traceback(app: Dutycare) -> None:
    _loaded(app)
    try:
        with app.engine.begin() as conn:
            conn.execute(text("UPDATE events SET date_end = '2024-0e-31' WHERE id = 'ev-b-finding'"))
    except DBAPIError:
        assert app.engine.dialect.name == "postgresql"  # PostgreSQL refuses a date that is not one
        return
    result = _verify(app)
    assert not result.ok
    assert any(p.id == "ev-b-finding" and "date_end" in p.message for p in result.record_problems)


def _cli(app: Dutycare, *args: str, **env_extra: str) -> Result:
    """Run the dutycare command in this process (as the installed command would, through GuardedGroup)."""
    s = app.settings
    env = {"DUTYCARE_DB": s.db, "DUTYCARE_KEY_FILE": str(s.key_file), "DUTYCARE_VAULT": str(s.vault), **env_extra}
    result = CliRunner().invoke(build_app(), list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = Path(__file__).resolve().parents[2] / "tools" / "verify_bundle.py"
    return subprocess.run([sys.executable, str(tool), *args], capture_output=True, text=True, timeout=300)


def test_the_cli_and_the_standalone_checker_catch_the_rewrite(app: Dutycare, tmp_path: Path) -> None:
    _loaded(app)
    ledger_service.export_bundle(app.uow(), tmp_path / "before", app.trusted_key())
    (_, note), = app.checkpoint_folder().notes()
    lawyer_copy = tmp_path / "lawyer.checkpoint"
    lawyer_copy.write_text(note)
    witness = tmp_path / "witness.key"
    public = _cli(app, "ledger", "witness-key", "lawyer.example/witness", "--out", str(witness)).stdout.strip()
    assert _cli(app, "ledger", "cosign", str(lawyer_copy), "--witness-key", str(witness)).exit_code == 0
    good = _cli(app, "ledger", "verify", "--checkpoint", str(lawyer_copy), DUTYCARE_WITNESSES=public)
    assert good.exit_code == 0, good.output
    assert "2 checkpoints kept outside the database and 1 witness signatures verified" in good.stdout
    rewrite_history(app, VICTIM)
    failed = _cli(app, "ledger", "verify")
    assert failed.exit_code == 1 and "kept outside the database" in failed.output, failed.output
    for path in app.checkpoint_folder().root.iterdir():  # the copy beside the key is gone too
        path.unlink()
    alone = _cli(app, "ledger", "verify")
    assert alone.exit_code == 0 and "no checkpoint kept outside the database" in alone.stdout
    held = _cli(app, "ledger", "verify", "--checkpoint", str(lawyer_copy), "--format", "json")
    assert held.exit_code == 1 and "lawyer.checkpoint" in held.stdout
    ledger_service.make_checkpoint(app.uow(), app.signer())  # someone holding the key signs the rewritten log
    ledger_service.export_bundle(app.uow(), tmp_path / "after", app.trusted_key())
    assert _tool(str(tmp_path / "before"), "--checkpoint", str(lawyer_copy)).returncode == 0
    assert _tool(str(tmp_path / "after")).returncode == 0  # consistent in itself
    caught = _tool(str(tmp_path / "after"), "--checkpoint", str(lawyer_copy))
    assert caught.returncode == 1 and "entries were removed" in caught.stdout, caught.stdout


def test_checkpoints_go_beside_the_key_or_where_the_setting_says(app: Dutycare, tmp_path: Path) -> None:
    assert app.settings.key_file is not None
    beside = app.checkpoint_folder().root
    assert beside.parent == app.settings.key_file.resolve().parent / "checkpoints"
    elsewhere = Dutycare(app.settings.with_(checkpoint_dir=tmp_path / "published"), app.engine, app.org_key)
    _loaded(elsewhere)
    (where, _), = elsewhere.checkpoint_folder().notes()
    assert Path(where).parent.parent == (tmp_path / "published").resolve()
    assert not beside.exists()
    with pytest.raises(DomainError, match="witnesses setting"):
        Dutycare(app.settings.with_(witnesses="not-a-key"), app.engine, app.org_key).trusted_key()

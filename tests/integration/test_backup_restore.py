"""Backup and restore on SQLite and PostgreSQL: round trip, and refusal of damaged, cut or foreign backups."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from dutycare.adapters.backup_archive import ArchiveWriter, BackupIdentity, BackupRefused, read_archive
from dutycare.adapters.crypto.keys import create_key_file
from dutycare.adapters.storage.engine import make_engine
from dutycare.adapters.storage.snapshot import SqlDatabase
from dutycare.bootstrap import Dutycare, open_dutycare
from dutycare.domain.errors import DomainError
from dutycare.entrypoints.web.app import create_app
from dutycare.scenario import load_scenario
from dutycare.service_layer import accounts, backup, event_writes, evidence, ledger_service, services
from dutycare.service_layer.backup import MemberDigest
from dutycare.settings import Settings

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SCAN = b"MRI report: ligament tear, surgery indicated. " * 3000


@pytest.fixture
def identity() -> BackupIdentity:
    return BackupIdentity.generate()


@pytest.fixture
def target(second_db_target: str, settings: Settings, tmp_path: Path) -> Settings:
    """Where a restore goes: an empty database and vault, opened with the source's organisation key."""
    return Settings(db=second_db_target, key_file=settings.key_file, vault=tmp_path / "restored" / "vault",
                    actor="tester")


def _loaded(app: Dutycare, tmp_path: Path) -> str:
    services.import_case_file(app.uow(), load_scenario())
    scan = tmp_path / "knee-mri.txt"
    scan.write_bytes(SCAN)
    ev = evidence.attach_evidence(app.uow(), app.vault(), case_id="case-b", event_id="ev-b-finding", path=scan,
                                  source_id="s-03")
    ledger_service.make_checkpoint(app.uow(), app.signer())
    return ev.id


def _backup(app: Dutycare, out: Path, identity: BackupIdentity, checkpoints: Path | None = None,
            chunk_size: int = 64 * 1024) -> backup.BackupSummary:
    return backup.create_backup(SqlDatabase(app.settings.db), app.vault_dir(), checkpoints,
                                lambda: ArchiveWriter(out, identity.recipient(), chunk_size=chunk_size),
                                out.parent, NOW)


def _verify(settings: Settings) -> ledger_service.Verification:
    dc = open_dutycare(settings)
    try:
        return ledger_service.verify(dc.uow(), dc.trusted_key(), dc.file_hasher())
    finally:
        dc.close()


def _restore(backup_file: Path, identity: BackupIdentity, target: Settings,
             checkpoints: Path | None = None) -> backup.RestoreSummary:
    return backup.restore_backup(backup_file, lambda path, staging: read_archive(path, identity, staging),
                                 SqlDatabase(target.db), target.vault_dir(), checkpoints, lambda: _verify(target))


def _assert_nothing_left(target: Settings) -> None:
    if "://" in target.db:
        engine = make_engine(target.db)
        try:
            assert inspect(engine).get_table_names() == []
        finally:
            engine.dispose()
    else:
        assert not list(Path(target.db).parent.glob(Path(target.db).name + "*"))
    vault = target.vault_dir()
    assert not vault.exists() or not any(vault.iterdir())
    assert not list(vault.parent.glob(".dutycare-restore-*"))


def test_round_trip_restores_everything_and_verifies(app: Dutycare, target: Settings, identity: BackupIdentity,
                                                     tmp_path: Path) -> None:
    evidence_id = _loaded(app, tmp_path)
    out = tmp_path / "backups" / "full.dcb"
    out.parent.mkdir()
    made = _backup(app, out, identity)
    assert made.ledger_size == 44 and made.count(backup.VAULT_PREFIX) == 1
    assert SCAN[:40] not in out.read_bytes()  # the archive is encrypted as a whole

    restored = _restore(out, identity, target)
    assert restored.verification.ok and restored.verification.files_checked == 1 and restored.vault_files == 1
    dc = open_dutycare(target)
    try:
        assert services.export_case_file(dc.uow()) == services.export_case_file(app.uow())
        copy = tmp_path / "copy.txt"
        ctx = create_app(dc).state.web
        boss, _ = accounts.add_user(ctx.uow(), "boss", "coordinator", datetime.now(UTC), by=None,
                                    password="correct horse battery")
        evidence.export_evidence(ctx.uow(boss), dc.vault(), evidence_id, copy, viewer=boss, at=datetime.now(UTC))
        assert copy.read_bytes() == SCAN
        ledger_service.make_checkpoint(dc.uow(), dc.signer())  # the restored copy takes new writes
    finally:
        dc.close()


def test_manifest_describes_the_backup(app: Dutycare, identity: BackupIdentity, tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    made = _backup(app, tmp_path / "full.dcb", identity)
    m = made.manifest
    expected_backend = "postgresql" if "://" in app.settings.db else "sqlite"
    assert (m["format"], m["format_version"], m["created_at"]) == ("dutycare-backup", 1, NOW.isoformat())
    assert m["backend"] == expected_backend and m["schema_revision"]
    status = ledger_service.ledger_status(app.uow(), app.trusted_key())
    assert m["ledger"]["size"] == status["size"] == 44
    assert m["ledger"]["root"] == status["latest_checkpoint"]["root"]
    assert all(len(v["sha256"]) == 64 for v in m["members"].values())


def test_serial_columns_continue_after_restore(app: Dutycare, target: Settings, identity: BackupIdentity,
                                              tmp_path: Path) -> None:
    ctx, now = create_app(app).state.web, datetime.now(UTC)
    boss, _ = accounts.add_user(ctx.uow(), "boss", "coordinator", now, by=None, password="correct horse battery")
    accounts.add_user(ctx.uow(), "anna", "caseworker", now, by=boss, password="correct horse battery")
    with app.engine.connect() as conn:
        before = conn.execute(text("SELECT MAX(seq) FROM audit_log")).scalar_one()
    _backup(app, tmp_path / "full.dcb", identity)
    _restore(tmp_path / "full.dcb", identity, target)
    row = ("INSERT INTO audit_log (at, user_name, action, target_kind, target_id, detail) "
           "VALUES ('2026-12-01T00:00:00Z', 'tester', 'read', 'case', 'case-a', '')")
    engine = make_engine(target.db)
    try:
        with engine.begin() as conn:
            conn.execute(text(row))
            assert conn.execute(text("SELECT MAX(seq) FROM audit_log")).scalar_one() == before + 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("where", ["magic", "sealed_key", "first_part", "middle", "last_byte"])
def test_one_changed_byte_is_refused_and_nothing_is_left(app: Dutycare, target: Settings, identity: BackupIdentity,
                                                         tmp_path: Path, where: str) -> None:
    _loaded(app, tmp_path)
    out = tmp_path / "full.dcb"
    _backup(app, out, identity)
    data = bytearray(out.read_bytes())
    at = {"magic": 2, "sealed_key": 60, "first_part": 200, "middle": len(data) // 2, "last_byte": len(data) - 1}[where]
    data[at] ^= 0x01
    out.write_bytes(bytes(data))
    with pytest.raises(BackupRefused) as caught:
        _restore(out, identity, target)
    assert "not a dutycare backup" in str(caught.value) or "tampered" in str(caught.value)
    _assert_nothing_left(target)


@pytest.mark.parametrize("keep", [0.0, 0.5, 0.999])
def test_truncated_backup_is_refused(app: Dutycare, target: Settings, identity: BackupIdentity, tmp_path: Path,
                                     keep: float) -> None:
    _loaded(app, tmp_path)
    out = tmp_path / "full.dcb"
    _backup(app, out, identity)
    data = out.read_bytes()
    out.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(BackupRefused):
        _restore(out, identity, target)
    _assert_nothing_left(target)


def test_truncated_on_a_part_boundary_is_refused(app: Dutycare, target: Settings, identity: BackupIdentity,
                                                 tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    out = tmp_path / "full.dcb"
    _backup(app, out, identity, chunk_size=4096)
    data = out.read_bytes()
    out.write_bytes(data[: 101 + 24 + 3 * (4096 + 17)])
    with pytest.raises(BackupRefused, match="cut short"):
        _restore(out, identity, target)
    _assert_nothing_left(target)


def test_wrong_identity_is_refused_clearly(app: Dutycare, target: Settings, identity: BackupIdentity,
                                           tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    _backup(app, tmp_path / "full.dcb", identity)
    with pytest.raises(BackupRefused, match="encrypted to another backup key"):
        _restore(tmp_path / "full.dcb", BackupIdentity.generate(), target)
    _assert_nothing_left(target)


class _DroppingArchive:
    """An archive writer that leaves one member out but lists it in the manifest (an incomplete backup)."""

    def __init__(self, inner: ArchiveWriter, drop_prefix: str) -> None:
        self.inner, self.drop_prefix, self.dropped = inner, drop_prefix, ""

    def __enter__(self) -> _DroppingArchive:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.__exit__(*exc)  # type: ignore[arg-type]

    def add_file(self, name: str, path: Path) -> MemberDigest:
        if name.startswith(self.drop_prefix) and not self.dropped:
            self.dropped = name
            return MemberDigest("0" * 64, 0)
        return self.inner.add_file(name, path)

    def add_bytes(self, name: str, data: bytes) -> MemberDigest:
        return self.inner.add_bytes(name, data)


def test_a_missing_member_is_named(app: Dutycare, target: Settings, identity: BackupIdentity, tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    out = tmp_path / "full.dcb"
    sink = _DroppingArchive(ArchiveWriter(out, identity.recipient()), backup.VAULT_PREFIX)
    backup.create_backup(SqlDatabase(app.settings.db), app.vault_dir(), None, lambda: sink, tmp_path, NOW)
    with pytest.raises(backup.BackupIncomplete) as caught:
        _restore(out, identity, target)
    assert sink.dropped and sink.dropped in str(caught.value) and "missing" in str(caught.value)
    _assert_nothing_left(target)


class _LyingArchive(_DroppingArchive):
    """An archive writer whose manifest records a wrong SHA-256 for one database member."""

    def add_file(self, name: str, path: Path) -> MemberDigest:
        real = self.inner.add_file(name, path)
        if name.startswith(self.drop_prefix) and not self.dropped:
            self.dropped = name
            return MemberDigest("f" * 64, real.size)
        return real


def test_a_member_that_differs_from_the_manifest_is_named(app: Dutycare, target: Settings,
                                                          identity: BackupIdentity, tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    out = tmp_path / "full.dcb"
    sink = _LyingArchive(ArchiveWriter(out, identity.recipient()), "database/")
    backup.create_backup(SqlDatabase(app.settings.db), app.vault_dir(), None, lambda: sink, tmp_path, NOW)
    with pytest.raises(backup.BackupIncomplete, match="does not match the SHA-256") as caught:
        _restore(out, identity, target)
    assert sink.dropped in str(caught.value)
    _assert_nothing_left(target)


class _FutureArchive(_DroppingArchive):
    """An archive writer whose manifest names a schema revision no dutycare has made yet."""

    def add_bytes(self, name: str, data: bytes) -> MemberDigest:
        manifest = json.loads(data)
        manifest["schema_revision"] = "9999_from_the_future"
        return self.inner.add_bytes(name, json.dumps(manifest).encode())


def test_a_schema_from_a_newer_dutycare_is_refused(app: Dutycare, target: Settings, identity: BackupIdentity,
                                                   tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    out = tmp_path / "full.dcb"
    sink = _FutureArchive(ArchiveWriter(out, identity.recipient()), "(drop nothing)")
    backup.create_backup(SqlDatabase(app.settings.db), app.vault_dir(), None, lambda: sink, tmp_path, NOW)
    with pytest.raises(backup.RestoreFailed, match="9999_from_the_future, which this dutycare does not know"):
        _restore(out, identity, target)
    _assert_nothing_left(target)


def test_a_backup_that_does_not_verify_is_undone(app: Dutycare, target: Settings, identity: BackupIdentity,
                                                 tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    with app.engine.begin() as conn:
        conn.execute(text("UPDATE events SET date = '2024-02' WHERE id = 'ev-b-malingering'"))
    _backup(app, tmp_path / "full.dcb", identity)
    with pytest.raises(backup.RestoreFailed, match=r"does not verify: event ev-b-malingering.*undone"):
        _restore(tmp_path / "full.dcb", identity, target)
    _assert_nothing_left(target)


def test_wrong_organisation_key_is_undone(app: Dutycare, target: Settings, identity: BackupIdentity,
                                          tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    _backup(app, tmp_path / "full.dcb", identity)
    other = tmp_path / "other-keys" / "org.key"
    other.parent.mkdir()
    create_key_file(other)
    with pytest.raises(backup.RestoreFailed, match=r"does not belong to this database.*undone"):
        _restore(tmp_path / "full.dcb", identity, target.with_(key_file=other))
    _assert_nothing_left(target)


def test_non_empty_target_is_refused_and_left_alone(app: Dutycare, identity: BackupIdentity, settings: Settings,
                                                    tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    _backup(app, tmp_path / "full.dcb", identity)
    before = services.export_case_file(app.uow())
    with pytest.raises(DomainError, match="already"):
        _restore(tmp_path / "full.dcb", identity, settings.with_(vault=tmp_path / "fresh-vault"))
    assert services.export_case_file(app.uow()) == before and _verify(settings).ok


def test_external_checkpoints_are_backed_up_and_restored(app: Dutycare, target: Settings, identity: BackupIdentity,
                                                         tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    cps = tmp_path / "checkpoints"
    cps.mkdir()
    note = ledger_service.ledger_status(app.uow(), app.trusted_key())["latest_checkpoint"]["note"]
    (cps / "0000044.checkpoint").write_text(note, encoding="utf-8")
    (cps / ".partial.tmp").write_text("not a checkpoint", encoding="utf-8")
    made = _backup(app, tmp_path / "full.dcb", identity, checkpoints=cps)
    assert list(made.manifest["members"]).count("checkpoints/0000044.checkpoint") == 1
    assert made.count(backup.CHECKPOINT_PREFIX) == 1
    with pytest.raises(DomainError, match="--checkpoints"):
        _restore(tmp_path / "full.dcb", identity, target)
    _assert_nothing_left(target)
    restored_cps = tmp_path / "restored-checkpoints"
    restored = _restore(tmp_path / "full.dcb", identity, target, checkpoints=restored_cps)
    assert restored.checkpoint_files == 1
    assert (restored_cps / "0000044.checkpoint").read_text(encoding="utf-8") == note


def test_restores_across_back_ends(app: Dutycare, identity: BackupIdentity, settings: Settings, tmp_path: Path,
                                   pg_url: str) -> None:
    _loaded(app, tmp_path)
    _backup(app, tmp_path / "full.dcb", identity)
    other = pg_url if "://" not in settings.db else str(tmp_path / "as-sqlite" / "dutycare.db")
    cross = Settings(db=other, key_file=settings.key_file, vault=tmp_path / "cross-vault", actor="tester")
    restored = _restore(tmp_path / "full.dcb", identity, cross)
    assert restored.verification.ok and restored.verification.files_checked == 1
    dc = open_dutycare(cross)
    try:
        assert services.export_case_file(dc.uow()) == services.export_case_file(app.uow())
    finally:
        dc.close()


def test_backup_while_another_connection_writes_is_consistent(app: Dutycare, target: Settings,
                                                              identity: BackupIdentity, tmp_path: Path) -> None:
    _loaded(app, tmp_path)
    doc = load_scenario()
    stop = threading.Event()
    written: list[int] = []

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            event_writes.record_event(app.uow(), {**doc["events"][0], "id": f"ev-extra-{n}"})
            n += 1
            written.append(n)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 3:
            stop.wait(0.01)
        backups = [tmp_path / f"during-{i}.dcb" for i in range(3)]
        sizes = [_backup(app, out, identity).ledger_size for out in backups]
    finally:
        stop.set()
        writer.join()
    assert len(set(sizes)) > 1 or len(written) > 3, "the writer did not run during the backups"
    restored = _restore(backups[-1], identity, target)
    assert restored.verification.ok and restored.verification.log.size == sizes[-1] > 44
    assert restored.manifest["ledger"] == {"size": sizes[-1], "root": restored.verification.log.root.hex()}

"""Backup and restore: a consistent snapshot encrypted to a backup key, and a restore that proves itself first.

A backup holds the database snapshot, every evidence file of the vault and the external checkpoint files,
each as an archive member, and a manifest (written last) with the SHA-256 of every member. A restore
checks every member against the manifest, writes only into empty targets, and counts as done only
after the ledger of the restored copy verifies; otherwise it removes everything it wrote.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dutycare.domain.errors import DomainError
from dutycare.service_layer.ledger_service import Verification
from dutycare.service_layer.ports import ArchiveReader as ArchiveReader
from dutycare.service_layer.ports import ArchiveSink as ArchiveSink
from dutycare.service_layer.ports import BackupDatabase as BackupDatabase
from dutycare.service_layer.snapshots import DatabaseSnapshot as DatabaseSnapshot
from dutycare.service_layer.snapshots import MemberDigest as MemberDigest

MANIFEST = "manifest.json"
FORMAT = "dutycare-backup"
FORMAT_VERSION = 1
VAULT_PREFIX = "vault/"
CHECKPOINT_PREFIX = "checkpoints/"
DATABASE_PREFIX = "database/"
_VAULT_FILE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}\.v[0-9]{1,10}\.bin")
_CHECKPOINT_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


class BackupIncomplete(DomainError):
    """A backup whose members do not match its manifest: something is missing, extra or changed."""


class RestoreFailed(DomainError):
    """A restore that was undone; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds."""

    manifest: dict[str, Any]

    @property
    def ledger_size(self) -> int:
        """Entries in the ledger at backup time."""
        return int(self.manifest["ledger"]["size"])

    def count(self, prefix: str) -> int:
        """How many members start with a prefix (vault/, checkpoints/)."""
        return sum(1 for name in self.manifest["members"] if name.startswith(prefix))


@dataclass
class RestoreSummary:
    """What a restore put back, and the verification that passed on it."""

    manifest: dict[str, Any]
    verification: Verification
    vault_files: int = 0
    checkpoint_files: int = 0


# --- backing up ----------------------------------------------------------------------------------------


def create_backup(database: BackupDatabase, vault_dir: Path, checkpoint_dir: Path | None,
                  open_archive: Callable[[], ArchiveSink], work_parent: Path, now: datetime) -> BackupSummary:
    """Snapshot the database, then add the vault and checkpoint files and a manifest of every member.

    The vault is listed after the snapshot: files are written before the rows that name them, so every
    file the snapshot refers to is already there (a later, unreferenced file does no harm).
    """
    with _file_errors("nothing was backed up"), \
            tempfile.TemporaryDirectory(dir=work_parent, prefix=".dutycare-backup-") as work:
        snap = database.snapshot(Path(work))
        members = dict(snap.files)
        members.update(vault_files(vault_dir))
        members.update(checkpoint_files(checkpoint_dir))
        digests: dict[str, MemberDigest] = {}
        with open_archive() as archive:
            for name, path in members.items():
                digests[name] = archive.add_file(name, path)
            manifest = _manifest(snap, digests, now)
            archive.add_bytes(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))
    return BackupSummary(manifest)


def _manifest(snap: DatabaseSnapshot, digests: dict[str, MemberDigest], now: datetime) -> dict[str, Any]:
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "created_at": now.isoformat(),
            "backend": snap.backend, "database_format": snap.format, "schema_revision": snap.revision,
            "ledger": {"size": snap.ledger_size, "root": snap.ledger_root},
            "members": {name: {"sha256": d.sha256, "size": d.size} for name, d in sorted(digests.items())}}


def vault_files(vault_dir: Path) -> dict[str, Path]:
    """Every stored evidence file (not temporary files, never through a symbolic link), by member name."""
    return {VAULT_PREFIX + rel: path for rel, path in _walk(vault_dir) if _VAULT_FILE.fullmatch(rel)}


def checkpoint_files(checkpoint_dir: Path | None) -> dict[str, Path]:
    """Every file in the external checkpoint folder (hidden and oddly named files are left out)."""
    if checkpoint_dir is None:
        return {}
    if not checkpoint_dir.is_dir():
        raise DomainError(f"The checkpoint folder {checkpoint_dir} does not exist; nothing was backed up.")
    return {CHECKPOINT_PREFIX + rel: path for rel, path in _walk(checkpoint_dir)
            if ".." not in rel and all(_CHECKPOINT_PART.fullmatch(part) for part in rel.split("/"))}


def _walk(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


# --- restoring -----------------------------------------------------------------------------------------


@dataclass
class _Placed:
    """What a restore has written so far, so a failure can take it back."""

    database: BackupDatabase
    dirs: list[tuple[Path, bool]] = field(default_factory=list)

    def undo(self) -> None:
        self.database.remove()
        for folder, existed in self.dirs:
            shutil.rmtree(folder, ignore_errors=True)
            if existed:
                folder.mkdir(mode=0o700, exist_ok=True)


def restore_backup(backup_file: Path, read_archive: ArchiveReader, database: BackupDatabase, vault_dir: Path,
                   checkpoint_dir: Path | None, verify_restored: Callable[[], Verification]) -> RestoreSummary:
    """Check a backup completely, restore it into empty targets, and keep it only if its ledger verifies."""
    database.ensure_empty()
    _ensure_empty_dir(vault_dir, "evidence vault")
    if checkpoint_dir is not None:
        _ensure_empty_dir(checkpoint_dir, "checkpoint")
    with _file_errors("nothing was restored"):
        vault_dir.parent.mkdir(parents=True, exist_ok=True)
        return _restore_staged(backup_file, read_archive, _Placed(database), vault_dir, checkpoint_dir,
                               verify_restored)


def _restore_staged(backup_file: Path, read_archive: ArchiveReader, placed: _Placed, vault_dir: Path,
                    checkpoint_dir: Path | None, verify_restored: Callable[[], Verification]) -> RestoreSummary:
    with tempfile.TemporaryDirectory(dir=vault_dir.parent, prefix=".dutycare-restore-") as work:
        staging = Path(work) / "members"
        manifest = check_members(read_archive(backup_file, staging), staging)
        if checkpoint_dir is None and _named(manifest, CHECKPOINT_PREFIX):
            raise DomainError("This backup holds external checkpoint files; say where they go with --checkpoints DIR. "
                              "Nothing was restored.")
        try:
            return _place_and_verify(manifest, staging, Path(work), placed, vault_dir, checkpoint_dir,
                                     verify_restored)
        except BaseException as exc:
            placed.undo()
            if not isinstance(exc, Exception):  # interrupted: undone, and the interruption goes on
                raise
            raise RestoreFailed(f"{_reason(exc)} The restore was undone; nothing was left behind.") from exc


@contextmanager
def _file_errors(outcome: str) -> Iterator[None]:
    """A file that cannot be read or written (full disk, no permission) becomes a message, not a traceback."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise DomainError(f"{exc.strerror or exc}{where}; {outcome}.") from exc


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text if text.endswith(".") else text + "."


def _place_and_verify(manifest: dict[str, Any], staging: Path, work: Path, placed: _Placed, vault_dir: Path,
                      checkpoint_dir: Path | None, verify_restored: Callable[[], Verification]) -> RestoreSummary:
    db_members = {name: staging / name for name in _named(manifest, DATABASE_PREFIX)}
    placed.database.place(manifest["database_format"], manifest["schema_revision"], db_members, work)
    summary_counts = [_move_dir(staging / VAULT_PREFIX.rstrip("/"), vault_dir, placed)]
    if checkpoint_dir is not None:
        summary_counts.append(_move_dir(staging / CHECKPOINT_PREFIX.rstrip("/"), checkpoint_dir, placed))
    result = verify_restored()
    _check_verified(result, manifest)
    checkpoints = summary_counts[1] if len(summary_counts) > 1 else 0
    return RestoreSummary(manifest, result, summary_counts[0], checkpoints)


def _check_verified(result: Verification, manifest: dict[str, Any]) -> None:
    if not result.ok:
        problems = [p.message if p.seq is None else f"entry {p.seq}: {p.message}" for p in result.log.problems]
        problems += [str(p) for p in result.record_problems] + result.access_messages()
        raise DomainError(f"The restored copy does not verify: {problems[0] if problems else 'unknown problem'}")
    want = manifest["ledger"]
    if result.log.size != want["size"] or result.log.root.hex() != want["root"]:
        raise DomainError(f"The restored ledger has {result.log.size} entries with root {result.log.root.hex()}, "
                          f"but the backup's manifest records {want['size']} with root {want['root']}")


def _move_dir(source: Path, target: Path, placed: _Placed) -> int:
    existed = target.exists()
    placed.dirs.append((target, existed))
    if existed:
        target.rmdir()  # checked empty before the restore began
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.move(str(source), str(target))
    else:
        target.mkdir(mode=0o700)
    return sum(1 for _, _, names in os.walk(target) for _ in names)


def _ensure_empty_dir(folder: Path, what: str) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise DomainError(f"The {what} folder {folder} is not empty; restore into a new, empty folder.")


def _named(manifest: dict[str, Any], prefix: str) -> list[str]:
    return [name for name in manifest["members"] if name.startswith(prefix)]


def check_members(digests: dict[str, MemberDigest], staging: Path) -> dict[str, Any]:
    """The manifest, once every member it lists is present, unchanged and the only one there."""
    if MANIFEST not in digests:
        raise BackupIncomplete("The backup has no manifest: it is incomplete or was not made by dutycare. "
                               "Nothing was restored.")
    manifest = _read_manifest(staging / MANIFEST)
    listed: dict[str, dict[str, Any]] = manifest["members"]
    present = set(digests) - {MANIFEST}
    missing = sorted(set(listed) - present)
    if missing:
        raise BackupIncomplete(f"The backup is incomplete: {_names(missing)} listed in its manifest "
                               f"{'is' if len(missing) == 1 else 'are'} missing. Nothing was restored.")
    extra = sorted(present - set(listed))
    if extra:
        raise BackupIncomplete(f"The backup holds {_names(extra)}, which its manifest does not list. "
                               "Nothing was restored.")
    for name in sorted(listed):
        if digests[name].sha256 != listed[name]["sha256"] or digests[name].size != listed[name]["size"]:
            raise BackupIncomplete(f"The backup member {name} does not match the SHA-256 its manifest records. "
                                   "Nothing was restored.")
    return manifest


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


_MANIFEST_FIELDS = {"created_at": str, "backend": str, "database_format": str, "schema_revision": str,
                    "ledger": dict, "members": dict}


def _read_manifest(path: Path) -> dict[str, Any]:
    with suppress(OSError, ValueError):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(manifest, dict) and manifest.get("format") == FORMAT:
            if manifest.get("format_version") != FORMAT_VERSION:
                raise BackupIncomplete(f"The backup uses manifest version {manifest.get('format_version')}, which "
                                       "this dutycare does not know. Nothing was restored.")
            if _well_formed(manifest):
                return manifest
    raise BackupIncomplete("The backup's manifest cannot be read. Nothing was restored.")


def _well_formed(manifest: dict[str, Any]) -> bool:
    if not all(isinstance(manifest.get(k), kind) for k, kind in _MANIFEST_FIELDS.items()):
        return False
    ledger, members = manifest["ledger"], manifest["members"]
    return (isinstance(ledger.get("size"), int) and isinstance(ledger.get("root"), str)
            and all(isinstance(m, dict) and isinstance(m.get("sha256"), str) and isinstance(m.get("size"), int)
                    for m in members.values()))

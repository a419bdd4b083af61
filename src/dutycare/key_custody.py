"""Keeping the organisation key: split it into recovery phrases, recover it after a loss, rotate it.

These are maintenance operations on a whole database, run from the command line while no server is writing to
it; docs/keys.md explains when to use each.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from dutycare.adapters import keychain
from dutycare.adapters.crypto import keys, recovery
from dutycare.adapters.crypto.errors import KeyMissing
from dutycare.adapters.storage import meta_store, rekey
from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.engine import database_url
from dutycare.adapters.vault import EvidenceVault
from dutycare.bootstrap import Dutycare, data_dirs, open_engine
from dutycare.settings import Settings

PENDING_KEYRING = "rotation_pending_keyring"


@dataclass(frozen=True)
class Rotation:
    """What a key rotation did."""

    location: str
    values: int
    files: int
    retired: Path | None = None


def split_key(app: Dutycare, shares: int, threshold: int) -> list[str]:
    """New recovery phrases for this database's key (``threshold`` of ``shares`` recover it); earlier ones stop."""
    phrases, record = recovery.split(app.org_key, shares, threshold)
    with app.engine.begin() as conn:
        keychain.put_recovery_record(conn, record)
    return phrases


def shares_needed(phrase: str) -> int:
    """How many phrases recovery needs, read from any one of them."""
    return recovery.shares_needed(phrase)


def recover_key(settings: Settings, phrases: list[str], *, new_passphrase: str | None = None) -> str:
    """Give a database whose key file or passphrase was lost its key back; returns where the key now is."""
    engine = open_engine(settings)
    try:
        with engine.begin() as conn:
            record = keychain.recovery_record(conn)
            if record is None:
                raise KeyMissing("This database's key was never split into recovery phrases ('dutycare keys split'), "
                                 "so it cannot be recovered. Restore the key file or passphrase from a backup.")
            org_key = recovery.recover(record, phrases)
            keychain.ensure_key_check(conn, org_key)
            if keychain.method_of(conn) == keychain.PASSPHRASE:
                if not new_passphrase:
                    raise KeyMissing("Choose a new passphrase for the recovered key with --passphrase.")
                keychain.relock_with_passphrase(conn, org_key, new_passphrase)
                return keychain.PASSPHRASE_LOCATION
            return _write_recovered_key_file(settings, org_key)
    finally:
        engine.dispose()


def _write_recovered_key_file(settings: Settings, org_key: keys.OrgKey) -> str:
    path = keychain.key_file_path(settings.key_file, database_url(settings.db))
    keychain.refuse_beside_data(path, data_dirs(settings))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    keys.write_key_file(path, org_key)
    return keychain.describe_key_file(path)


def rotate_key(app: Dutycare, *, new_key_file: Path | None = None, new_passphrase: str | None = None) -> Rotation:
    """Move every sealed value and vault file to a new organisation key; the old key no longer opens the data.

    The new key is kept (a ``.new`` key file, or a pending keyring) before anything changes, so running the
    rotation again after a crash finishes it with the same new key.
    """
    with app.engine.connect() as conn:
        by_passphrase = keychain.method_of(conn) == keychain.PASSPHRASE
    passphrase = new_passphrase or app.settings.passphrase
    files = _vault_files(app)
    if by_passphrase:
        new = _stage_pending_keyring(app, passphrase)
        values = _rotate_everything(app, new, passphrase, app.vault() if files else None, files)
        return Rotation(keychain.PASSPHRASE_LOCATION, values, len(files))
    new, staged, target = _stage_key_file(app, new_key_file)
    values = _rotate_everything(app, new, passphrase, app.vault() if files else None, files)
    retired = _swap_key_files(staged, target, app.org_key) if target is not None else None
    return Rotation(keychain.describe_key_file(target or staged), values, len(files), retired)


def _rotate_everything(app: Dutycare, new: keys.OrgKey, passphrase: str | None, vault: EvidenceVault | None,
                       files: list[tuple[str, int]]) -> int:
    try:
        with app.engine.begin() as conn:
            values = rekey.rewrap_database(conn, app.org_key, new)
            keychain.install(conn, app.org_key, new, passphrase)
            conn.execute(t.meta.delete().where(t.meta.c.key == PENDING_KEYRING))
            for file_id, version in files:
                assert vault is not None
                vault.rewrap(file_id, version, new)
    except BaseException:
        if vault is not None:  # the database rolled back: put the files back under the key it still uses
            undo = EvidenceVault(app.vault_dir(), new)
            for file_id, version in files:
                with suppress(Exception):
                    undo.rewrap(file_id, version, app.org_key)
        raise
    return values


def _stage_key_file(app: Dutycare, new_key_file: Path | None) -> tuple[keys.OrgKey, Path, Path | None]:
    """The new key in a file of its own: the ``.new`` sibling of the current key file, or the path given."""
    current = keychain.key_file_path(app.settings.key_file, database_url(app.settings.db))
    if new_key_file is not None and new_key_file.expanduser().resolve() != current:
        staged, target = new_key_file.expanduser().resolve(), None
    else:
        staged, target = current.with_name(current.name + ".new"), current
    keychain.refuse_beside_data(staged, data_dirs(app.settings))
    staged.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if staged.exists():
        return keys.load_key_file(staged), staged, target  # an interrupted rotation: finish it with that key
    return keys.create_key_file(staged), staged, target


def _stage_pending_keyring(app: Dutycare, passphrase: str | None) -> keys.OrgKey:
    if not passphrase:
        raise KeyMissing("A passphrase is needed to lock the new key. Pass --passphrase or set DUTYCARE_PASSPHRASE.")
    with app.engine.begin() as conn:
        pending = meta_store.get(conn, PENDING_KEYRING)
        if pending:
            return keys.unlock_keyring(json.loads(pending), passphrase)
        new = keys.OrgKey.generate()
        meta_store.put(conn, PENDING_KEYRING, json.dumps(keys.passphrase_keyring_for(new, passphrase)))
    return new


def _swap_key_files(staged: Path, target: Path, old: keys.OrgKey) -> Path:
    """Put the new key file where the old one was; the old one is kept beside it, renamed, for old backups."""
    retired = target.with_name(f"{target.name}.retired-{old.key_id().hex()}")
    os.replace(target, retired)
    os.replace(staged, target)
    return retired


def _vault_files(app: Dutycare) -> list[tuple[str, int]]:
    """Every stored version of every evidence file the database records."""
    with app.engine.connect() as conn:
        rows = conn.execute(select(t.evidence.c.id, t.evidence.c.version).order_by(t.evidence.c.id)).all()
    vault = EvidenceVault(app.vault_dir(), app.org_key)
    found: list[tuple[str, int]] = []
    for file_id, latest in rows:
        found += [(file_id, v) for v in range(1, int(latest) + 1) if v == latest or vault.exists(file_id, v)]
    return found

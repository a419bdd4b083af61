"""Where the organisation key comes from for a database: a key file kept apart from the data, or a passphrase.

The database records only which of the two it uses (``key_method``), never where a key file is: a copy of the
database must not point at the removable disk or the folder its key lives in. The key file is found from the
setting (``--key-file``/``DUTYCARE_KEY_FILE``) or at the default per-database path under the user's config folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from dutycare.adapters.crypto import keys, recovery
from dutycare.adapters.crypto.errors import KeyMissing, WrongKey
from dutycare.adapters.storage import meta_store
from dutycare.domain.errors import DomainError

METHOD = "key_method"
KEYRING = "keyring"
KEY_CHECK = "key_check"
PASSPHRASE = "passphrase"
KEY_FILE = "key_file"

Ask = Callable[[str], str]


@dataclass(frozen=True)
class Unlocked:
    """An organisation key and a plain description of where it came from (never the key itself)."""

    key: keys.OrgKey
    location: str
    created_file: Path | None = None


def default_key_path(db_url: str) -> Path:
    """The default key file for a database: under the user's configuration directory, never beside the data."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "dutycare" / "keys"
    stem = Path(db_url.split("?")[0].rsplit("/", 1)[-1]).stem or "dutycare"
    digest = hashlib.sha256(db_url.encode()).hexdigest()[:8]
    return base / f"{stem}-{digest}.key"


def key_file_path(key_file: Path | None, db_url: str) -> Path:
    """The key file a database uses: the one the settings name, else the default for this database."""
    return (key_file or default_key_path(db_url)).expanduser().resolve()


def describe_key_file(path: Path) -> str:
    """How messages name a key file."""
    return f"the key file {path}"


PASSPHRASE_LOCATION = "a passphrase (Argon2id)"


def refuse_beside_data(key_path: Path, data_dirs: list[Path]) -> None:
    """Refuse a key file inside a data directory: a seized copy of the data must not carry its key."""
    resolved = key_path.expanduser().resolve()
    for d in data_dirs:
        if resolved.parent == d.resolve() or d.resolve() in resolved.parents:
            raise DomainError(
                f"The key file {resolved} would sit beside the data in {d}. Keep keys apart from the data: "
                "choose another --key-file location (see docs/keys.md)."
            )


def set_up_key(conn: Connection, *, key_file: Path | None, passphrase: str | None, db_url: str) -> Unlocked:
    """Create (or adopt) the organisation key for a new database and record which method unlocks it."""
    if passphrase is not None:
        org_key, record = keys.new_passphrase_keyring(passphrase)
        meta_store.put(conn, METHOD, PASSPHRASE)
        meta_store.put(conn, KEYRING, json.dumps(record, sort_keys=True))
        unlocked = Unlocked(org_key, PASSPHRASE_LOCATION)
    else:
        path = key_file_path(key_file, db_url)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        created = None if path.exists() else path
        org_key = keys.create_key_file(path) if created else keys.load_key_file(path)
        meta_store.put(conn, METHOD, KEY_FILE)
        unlocked = Unlocked(org_key, describe_key_file(path), created)
    meta_store.put(conn, KEY_CHECK, keys.key_check_value(org_key))
    return unlocked


def unlock(conn: Connection, *, key_file: Path | None, passphrase: str | None, db_url: str,
           ask: Ask | None = None) -> Unlocked:
    """The organisation key of an initialised database, checked against the key check it stored."""
    method = meta_store.get(conn, METHOD)
    if method == PASSPHRASE:
        if not passphrase and ask is not None:
            passphrase = ask("Passphrase")
        if not passphrase:
            raise KeyMissing("This database is locked with a passphrase. Set DUTYCARE_PASSPHRASE or pass --passphrase.")
        org_key = keys.unlock_keyring(json.loads(meta_store.get(conn, KEYRING) or "{}"), passphrase)
        unlocked = Unlocked(org_key, PASSPHRASE_LOCATION)
    elif method == KEY_FILE:
        if passphrase:
            raise WrongKey("A passphrase was given, but this database is not locked with a passphrase: it opens "
                           "with its key file. Leave out --passphrase and DUTYCARE_PASSPHRASE. See docs/keys.md.")
        path = key_file_path(key_file, db_url)
        unlocked = Unlocked(keys.load_key_file(path), describe_key_file(path))
    else:
        raise DomainError("This database has no organisation key set up. Run 'dutycare init' first.")
    keys.ensure_matches(unlocked.key, meta_store.get(conn, KEY_CHECK) or "")
    return unlocked


RECOVERY = "recovery"


def method_of(conn: Connection) -> str | None:
    """How this database's key is unlocked: 'key_file', 'passphrase', or None before init."""
    return meta_store.get(conn, METHOD)


def recovery_record(conn: Connection) -> recovery.RecoveryRecord | None:
    """The stored recovery record, if the key was split into share phrases."""
    stored = meta_store.get(conn, RECOVERY)
    return json.loads(stored) if stored else None


def put_recovery_record(conn: Connection, record: recovery.RecoveryRecord) -> None:
    """Keep a (new) recovery record; earlier phrases stop working."""
    meta_store.put(conn, RECOVERY, json.dumps(record, sort_keys=True))


def ensure_key_check(conn: Connection, org_key: keys.OrgKey) -> None:
    """Raise WrongKey unless ``org_key`` is this database's key."""
    keys.ensure_matches(org_key, meta_store.get(conn, KEY_CHECK) or "")


def install(conn: Connection, old: keys.OrgKey, new: keys.OrgKey, passphrase: str | None) -> None:
    """Make ``new`` this database's key: key check, passphrase keyring and recovery record follow it."""
    if method_of(conn) == PASSPHRASE:
        if not passphrase:
            raise KeyMissing("A passphrase is needed to lock the new key. Pass --passphrase or set "
                             "DUTYCARE_PASSPHRASE.")
        meta_store.put(conn, KEYRING, json.dumps(keys.passphrase_keyring_for(new, passphrase), sort_keys=True))
    record = recovery_record(conn)
    if record is not None:
        put_recovery_record(conn, recovery.reseal(record, old, new))
    meta_store.put(conn, KEY_CHECK, keys.key_check_value(new))


def relock_with_passphrase(conn: Connection, org_key: keys.OrgKey, passphrase: str) -> None:
    """Wrap the (recovered) key under a new passphrase."""
    meta_store.put(conn, KEYRING, json.dumps(keys.passphrase_keyring_for(org_key, passphrase), sort_keys=True))

"""Where the organisation key comes from for a database: a key file kept apart from the data, or a passphrase."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from sqlalchemy import Connection

from dutycare.adapters.crypto import keys
from dutycare.adapters.crypto.errors import KeyMissing
from dutycare.adapters.storage import meta_store
from dutycare.domain.errors import DomainError

METHOD = "key_method"


def default_key_path(db_url: str) -> Path:
    """The default key file for a database: under the user's configuration directory, never beside the data."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "dutycare" / "keys"
    stem = Path(db_url.split("?")[0].rsplit("/", 1)[-1]).stem or "dutycare"
    digest = hashlib.sha256(db_url.encode()).hexdigest()[:8]
    return base / f"{stem}-{digest}.key"


def refuse_beside_data(key_path: Path, data_dirs: list[Path]) -> None:
    """Refuse a key file inside a data directory: a seized copy of the data must not carry its key."""
    resolved = key_path.expanduser().resolve()
    for d in data_dirs:
        if resolved.parent == d.resolve() or d.resolve() in resolved.parents:
            raise DomainError(
                f"The key file {resolved} would sit beside the data in {d}. Keep keys apart from the data: "
                "choose another --key-file location (see docs/keys.md)."
            )


def set_up_key(conn: Connection, *, key_file: Path | None, passphrase: str | None, db_url: str) -> keys.OrgKey:
    """Create (or adopt) the organisation key for a new database and record how to find it."""
    if passphrase is not None:
        org_key, record = keys.new_passphrase_keyring(passphrase)
        meta_store.put(conn, METHOD, "passphrase")
        meta_store.put(conn, "keyring", json.dumps(record, sort_keys=True))
    else:
        path = (key_file or default_key_path(db_url)).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        org_key = keys.load_key_file(path) if path.exists() else keys.create_key_file(path)
        meta_store.put(conn, METHOD, "key_file")
        meta_store.put(conn, "key_file", str(path))
    meta_store.put(conn, "key_check", keys.key_check_value(org_key))
    return org_key


def unlock(conn: Connection, *, key_file: Path | None, passphrase: str | None) -> keys.OrgKey:
    """The organisation key of an initialised database, checked against the key check it stored."""
    method = meta_store.get(conn, METHOD)
    if method == "passphrase":
        if not passphrase:
            raise KeyMissing("This database is locked with a passphrase. Set DUTYCARE_PASSPHRASE or pass --passphrase.")
        record = json.loads(meta_store.get(conn, "keyring") or "{}")
        org_key = keys.unlock_keyring(record, passphrase)
    elif method == "key_file":
        recorded = meta_store.get(conn, "key_file")
        path = key_file or (Path(recorded) if recorded else None)
        if path is None:
            raise KeyMissing("No key file is recorded for this database. Pass --key-file or set DUTYCARE_KEY_FILE.")
        org_key = keys.load_key_file(path)
    else:
        raise DomainError("This database has no organisation key set up. Run 'dutycare init' first.")
    keys.ensure_matches(org_key, meta_store.get(conn, "key_check") or "")
    return org_key

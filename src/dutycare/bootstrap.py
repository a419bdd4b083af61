"""The composition root: builds engines, keys, repositories and the unit of work from Settings.

Nothing here runs at import time; every connection and key read happens when a function is called.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect

from dutycare.adapters import keychain
from dutycare.adapters.checkpoint_folder import CheckpointFolder, folder_name
from dutycare.adapters.crypto.keys import OrgKey
from dutycare.adapters.crypto.sealer import RecordSealer
from dutycare.adapters.crypto.signing import Ed25519CheckpointSigner, ed25519_check
from dutycare.adapters.storage import meta_store, schema
from dutycare.adapters.storage.engine import database_url, is_sqlite, make_engine
from dutycare.adapters.storage.ledger_store import Clock, SqlLedger, utc_now
from dutycare.adapters.storage.unit_of_work import SqlUnitOfWork
from dutycare.adapters.vault import EvidenceVault
from dutycare.domain.errors import DomainError
from dutycare.jurisdictions.clocks import default_clock_book
from dutycare.ledger.checkpoint import CheckpointError, VerifierKey, parse_verifier_key
from dutycare.rules.registry import load_rules
from dutycare.service_layer.findings import RuleBook
from dutycare.service_layer.ledger_service import TrustedKey
from dutycare.settings import Settings

SIGNING_KEY = "signing_key"
SIGNING_KEY_NAME = "signing_key_name"


class VaultFiles:
    """The vault as verification reads it: the SHA-256 of a file's plaintext, and where the file is kept."""

    def __init__(self, vault: EvidenceVault) -> None:
        self.vault = vault

    def __call__(self, file_id: str, version: int) -> str:
        digest = hashlib.sha256()
        for chunk in self.vault.open_blob(file_id, version):
            digest.update(chunk)
        return digest.hexdigest()

    def stored_path(self, file_id: str, version: int) -> str:
        """A file's path relative to the vault's root, as evidence rows record it."""
        return self.vault.relative_path(file_id, version)


@dataclass
class Dutycare:
    """An opened dutycare database with its keys: the one object entrypoints talk to."""

    settings: Settings
    engine: Engine
    org_key: OrgKey
    clock: Clock = field(default=utc_now)

    def __post_init__(self) -> None:
        self.sealer = RecordSealer(self.org_key)
        self._rulebook: RuleBook | None = None

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work (use it in a with-block)."""
        return SqlUnitOfWork(self.engine, self.sealer, lambda conn: SqlLedger(conn, self.clock), self.actor,
                             self.rulebook, self.today)

    @cached_property
    def actor(self) -> str:
        """Who the ledger names for changes made here (looked up once: it may read the user database)."""
        return self.settings.who

    def today(self) -> date:
        """The day findings and deadlines are judged on (from the injectable clock)."""
        return self.clock().date()

    @property
    def rulebook(self) -> RuleBook:
        """The rule packs (built-in and plug-ins) and clock rules, loaded on first use."""
        if self._rulebook is None:
            self._rulebook = RuleBook(tuple(load_rules()), default_clock_book())
        return self._rulebook

    def signer(self) -> Ed25519CheckpointSigner:
        """The checkpoint signing key, unsealed with the organisation key."""
        with self.engine.connect() as conn:
            name = meta_store.get(conn, SIGNING_KEY_NAME)
            blob = meta_store.get(conn, SIGNING_KEY)
        if not name or not blob:
            raise DomainError("This database has no checkpoint signing key. Run 'dutycare init' on a new database.")
        try:
            sealed = base64.b64decode(blob, validate=True)
        except ValueError:  # binascii.Error is a ValueError
            raise DomainError("The sealed checkpoint signing key in this database is damaged: the database was "
                              "altered. Restore it from a backup.") from None
        return Ed25519CheckpointSigner.from_sealed(self.org_key, name, sealed)

    def trusted_key(self) -> TrustedKey:
        """This database's checkpoint key, and the configured witnesses, as a verification trusts them."""
        signer = self.signer()
        return TrustedKey(signer.key_name, signer.public_key_raw(), ed25519_check, self.witnesses())

    def witnesses(self) -> tuple[VerifierKey, ...]:
        """The witness verifier keys named by the settings."""
        try:
            return tuple(parse_verifier_key(k) for k in (self.settings.witnesses or "").replace(",", " ").split())
        except CheckpointError as exc:
            raise DomainError(f"The witnesses setting (DUTYCARE_WITNESSES) holds a bad verifier key: {exc}") from None

    def checkpoint_folder(self) -> CheckpointFolder:
        """Where this log's checkpoints are also kept, outside the database."""
        base = self.settings.checkpoint_dir
        if base is None:
            base = self._key_folder() / "checkpoints"
        return CheckpointFolder(base.expanduser().resolve() / folder_name(self.signer().key_name))

    def _key_folder(self) -> Path:
        """The folder of the key file in use, or the user's dutycare configuration folder for a passphrase."""
        if self.settings.key_file is not None:
            return self.settings.key_file.expanduser().resolve().parent
        with self.engine.connect() as conn:
            recorded = meta_store.get(conn, "key_file")
        if recorded:
            return Path(recorded).parent
        return keychain.default_key_path(database_url(self.settings.db)).parent

    def file_hasher(self) -> VaultFiles:
        """Decrypts vault files to hash them, and says where the vault keeps each one."""
        return VaultFiles(self.vault())

    def vault_dir(self) -> Path:
        """Where this database keeps its evidence files."""
        return self.settings.vault_dir()

    def vault(self) -> EvidenceVault:
        """The encrypted evidence vault of this database."""
        root = self.vault_dir()
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        return EvidenceVault(root, self.org_key)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def _data_dirs(settings: Settings) -> list[Path]:
    dirs = [settings.vault_dir()]
    if "://" not in settings.db:
        dirs.append(Path(settings.db).expanduser().resolve().parent)
    return dirs


def _has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


def _store_signing_key(conn: Connection, org_key: OrgKey, origin: str) -> None:
    signer = Ed25519CheckpointSigner.generate(origin)
    meta_store.put(conn, SIGNING_KEY_NAME, origin)
    meta_store.put(conn, SIGNING_KEY, base64.b64encode(signer.to_sealed(org_key)).decode("ascii"))


def initialise(settings: Settings, *, use_passphrase: bool = False, origin: str | None = None) -> Dutycare:
    """Create the schema of a new, empty database and set up its organisation and signing keys.

    ``origin`` names the log in its checkpoints; by default it is unique to this database.
    """
    origin = origin or f"dutycare/{secrets.token_hex(6)}"
    if is_sqlite(database_url(settings.db)):
        Path(settings.db).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db)
    if _has_tables(engine):
        engine.dispose()
        raise DomainError(f"{settings.db} already holds a dutycare database (or other tables); nothing was changed.")
    if use_passphrase and not settings.passphrase:
        raise DomainError("A passphrase is needed: pass --passphrase or set DUTYCARE_PASSPHRASE.")
    if not use_passphrase:
        key_path = settings.key_file or keychain.default_key_path(database_url(settings.db))
        keychain.refuse_beside_data(key_path, _data_dirs(settings))
    schema.upgrade(engine)
    with engine.begin() as conn:
        org_key = keychain.set_up_key(conn, key_file=settings.key_file,
                                      passphrase=settings.passphrase if use_passphrase else None,
                                      db_url=database_url(settings.db))
        _store_signing_key(conn, org_key, origin)
    return Dutycare(settings, engine, org_key)


def open_dutycare(settings: Settings, clock: Clock = utc_now) -> Dutycare:
    """Open an initialised database, checking its schema and its key."""
    url = database_url(settings.db)
    if is_sqlite(url) and not Path(settings.db).expanduser().exists():
        raise DomainError(f"There is no database at {settings.db}. Create one with 'dutycare init --db {settings.db}'.")
    engine = make_engine(settings.db)
    try:
        current = schema.current_revision(engine)
        if current is None:
            raise DomainError(f"{settings.db} is not a dutycare database yet. Run 'dutycare init --db {settings.db}'.")
        if current != schema.head_revision():
            raise DomainError(f"{settings.db} uses an older schema ({current}). Run 'dutycare migrate' to bring it up.")
        with engine.connect() as conn:
            org_key = keychain.unlock(conn, key_file=settings.key_file, passphrase=settings.passphrase)
    except BaseException:
        engine.dispose()
        raise
    return Dutycare(settings, engine, org_key, clock)


def key_location(app: Dutycare) -> str:
    """A plain description of where this database's key lives (never the key itself)."""
    with app.engine.connect() as conn:
        values = meta_store.get_all(conn)
    if values.get(keychain.METHOD) == "passphrase":
        return "a passphrase (Argon2id)"
    return f"the key file {values.get('key_file')}"

"""The composition root: builds engines, keys, repositories and the unit of work from Settings.

Nothing here runs at import time; every connection and key read happens when a function is called.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, select

from dutycare.adapters import keychain
from dutycare.adapters.checkpoint_folder import CheckpointFolder, folder_name
from dutycare.adapters.crypto.intake_box import (
    MIN_PASSPHRASE,
    IntakeSealer,
    LockedIntakeKey,
    ReceiptBook,
    StoredIntakeKeyLock,
)
from dutycare.adapters.crypto.keys import OrgKey
from dutycare.adapters.crypto.sealer import RecordSealer
from dutycare.adapters.crypto.signing import Ed25519CheckpointSigner, ed25519_check
from dutycare.adapters.letters import LetterWriter
from dutycare.adapters.reports.report import HtmlPdfReports
from dutycare.adapters.storage import meta_store, schema, tables
from dutycare.adapters.storage.engine import database_url, is_sqlite, make_engine
from dutycare.adapters.storage.intake_store import SqlIntakeStore
from dutycare.adapters.storage.ledger_store import ACCESS_LOG, Clock, SqlLedger, utc_now
from dutycare.adapters.storage.unit_of_work import SqlUnitOfWork
from dutycare.adapters.text_facts.natasha_suggester import NatashaFactSuggester
from dutycare.adapters.vault import EvidenceVault
from dutycare.domain.errors import DomainError
from dutycare.jurisdictions.clocks import default_clock_book
from dutycare.ledger.checkpoint import CheckpointError, VerifierKey, parse_verifier_key
from dutycare.rules.registry import load_rules
from dutycare.service_layer import access_log, ledger_service
from dutycare.service_layer.field_collection import SealingQueue
from dutycare.service_layer.findings import RuleBook
from dutycare.service_layer.ledger_service import TrustedKey, Verification
from dutycare.service_layer.ports import FactSuggester, FileHasher
from dutycare.settings import Settings

INTAKE_PRIVATE_KEY = "intake_private_key"
SIGNING_KEY = "signing_key"
SIGNING_KEY_NAME = "signing_key_name"


class VaultFiles(FileHasher):
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
    key_source: str = "an organisation key given directly"

    def __post_init__(self) -> None:
        self.sealer = RecordSealer(self.org_key)
        self._rulebook: RuleBook | None = None
        self._intake: SqlIntakeStore | None = None
        self._suggester: FactSuggester | None = None
        self.actor: str = self.settings.who  # who the case ledger names; the CLI sets it to its staff account

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work (use it in a with-block)."""
        return SqlUnitOfWork(self.engine, self.sealer, lambda conn: SqlLedger(conn, self.clock), self.actor,
                             self.rulebook, self.today, lambda conn: SqlLedger(conn, self.clock, ACCESS_LOG))

    def today(self) -> date:
        """The day findings and deadlines are judged on (from the injectable clock)."""
        return self.clock().date()

    @property
    def rulebook(self) -> RuleBook:
        """The rule packs (built-in and plug-ins) and clock rules, loaded on first use."""
        if self._rulebook is None:
            self._rulebook = RuleBook(tuple(load_rules()), default_clock_book())
        return self._rulebook

    @property
    def fact_suggester(self) -> FactSuggester:
        """Suggests facts from free text; its language models load on the first text, once for this process."""
        if self._suggester is None:
            self._suggester = fact_suggester()
        return self._suggester

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
        """Where the case ledger's checkpoints are also kept, outside the database."""
        return CheckpointFolder(self._checkpoint_base() / folder_name(self.signer().key_name))

    def access_checkpoint_folder(self) -> CheckpointFolder:
        """Where the access log's checkpoints are also kept, outside the database (a folder of its own)."""
        return CheckpointFolder(self._checkpoint_base() / folder_name(access_log.origin_of(self.signer().key_name)))

    def _checkpoint_base(self) -> Path:
        return checkpoint_base(self.settings)

    def verify(self, extra: list[tuple[str, str]] | None = None) -> Verification:
        """Verify both logs, every record and every evidence file against the checkpoints kept in and outside the
        database (and ``extra``: (where, note text) of checkpoints kept elsewhere)."""
        return ledger_service.verify(self.uow(), self.trusted_key(), self.file_hasher(), self.checkpoint_folder(),
                                     extra, self.access_checkpoint_folder())

    def reports(self) -> HtmlPdfReports:
        """The renderer of publications (HTML, PDF, charts)."""
        return HtmlPdfReports()

    def file_hasher(self) -> VaultFiles:
        """Decrypts vault files to hash them, and says where the vault keeps each one."""
        return VaultFiles(self.vault())

    def vault_dir(self) -> Path:
        """Where this database keeps its evidence files."""
        return self.settings.vault_dir()

    def vault(self) -> EvidenceVault:
        """The encrypted evidence vault of this database; refuses a missing folder while files are recorded."""
        root = self.vault_dir()
        if not root.is_dir():
            if self._holds_evidence():
                raise DomainError(f"The vault folder {root} was not found — check --vault (DUTYCARE_VAULT): this "
                                  "database records evidence files, so they are kept somewhere else or the folder "
                                  "was removed (restore it from a backup).")
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
        return EvidenceVault(root, self.org_key)

    def letters(self) -> LetterWriter:
        """Renders complaint letters to PDF and DOCX from the templates shipped with dutycare."""
        return LetterWriter()

    def _holds_evidence(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(tables.evidence.c.id).limit(1)).first() is not None

    def intake_store(self) -> SqlIntakeStore | None:
        """The public intake's database, opened on first use (None when none is configured or none exists yet)."""
        if self._intake is None:
            target = self.settings.intake_target()
            if target is None or ("://" not in target and not Path(target).exists()):
                return None
            self._intake = SqlIntakeStore.open(target)
        return self._intake

    def intake_key_lock(self) -> StoredIntakeKeyLock | None:
        """The intake private key as this database keeps it, locked with its passphrase (None if not made yet)."""
        with self.engine.connect() as conn:
            text = meta_store.get(conn, INTAKE_PRIVATE_KEY)
        return StoredIntakeKeyLock(LockedIntakeKey.from_text(text)) if text else None

    def make_intake_key(self, passphrase: str) -> bytes:
        """Make the intake key pair: the private half, locked, kept here; the public half set in the intake
        database (created if needed) and returned. Refuses to replace a key: earlier submissions would be lost."""
        if len(passphrase) < MIN_PASSPHRASE:
            raise DomainError(f"The intake key's passphrase must be at least {MIN_PASSPHRASE} characters long.")
        if self.intake_key_lock() is not None:
            raise DomainError("This database already has an intake key; nothing was changed (a new key would make "
                              "every submission sealed to the old one unreadable).")
        target = self.settings.intake_target()
        if target is None:
            raise DomainError("Name the intake database: pass --intake-db or set DUTYCARE_INTAKE_DB.")
        locked = LockedIntakeKey.generate(passphrase)
        store = SqlIntakeStore.open(target)
        try:
            store.set_public_key(locked.public_key)
        finally:
            store.close()
        with self.engine.begin() as conn:
            meta_store.put(conn, INTAKE_PRIVATE_KEY, locked.to_text())
        return locked.public_key

    def close(self) -> None:
        """Release the database connections."""
        if self._intake is not None:
            self._intake.close()
        self.engine.dispose()


def fact_suggester() -> FactSuggester:
    """The suggester of facts from Russian free text (natasha and pymorphy3; nothing loads until a text comes)."""
    return NatashaFactSuggester()


def _data_dirs(settings: Settings) -> list[Path]:
    dirs = [settings.vault_dir()]
    if "://" not in settings.db:
        dirs.append(Path(settings.db).expanduser().resolve().parent)
    return dirs


def checkpoint_base(settings: Settings) -> Path:
    """The folder the checkpoints of a database's logs are also written to: the setting, or 'checkpoints' beside
    the key file (for a passphrase, beside where the default key file would be)."""
    if settings.checkpoint_dir is not None:
        return settings.checkpoint_dir.expanduser().resolve()
    key_file = settings.key_file or keychain.default_key_path(database_url(settings.db))
    return key_file.expanduser().resolve().parent / "checkpoints"


def _has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


def _store_signing_key(conn: Connection, org_key: OrgKey, origin: str) -> None:
    signer = Ed25519CheckpointSigner.generate(origin)
    meta_store.put(conn, SIGNING_KEY_NAME, origin)
    meta_store.put(conn, SIGNING_KEY, base64.b64encode(signer.to_sealed(org_key)).decode("ascii"))


def initialise(settings: Settings, *, use_passphrase: bool = False, origin: str | None = None) -> Dutycare:
    """Create the schema of a new, empty database and set up its organisation and signing keys.

    A passphrase in the settings locks the database with it (as ``use_passphrase`` does); otherwise the key goes
    into a key file. ``origin`` names the log in its checkpoints; by default it is unique to this database. On
    failure nothing this call created is left behind: no database file, tables, key file or vault folder.
    """
    origin = origin or f"dutycare/{secrets.token_hex(6)}"
    url = database_url(settings.db)
    passphrase = _init_passphrase(settings, use_passphrase)
    if passphrase is None:
        keychain.refuse_beside_data(keychain.key_file_path(settings.key_file, url), _data_dirs(settings))
    with _undo_on_failure(settings) as undo:
        engine = make_engine(settings.db)
        undo.engine = engine
        if _has_tables(engine):
            raise DomainError(f"{settings.db} already holds a dutycare database (or other tables); "
                              "nothing was changed.")
        undo.tables = True
        schema.upgrade(engine)
        with engine.begin() as conn:
            unlocked = keychain.set_up_key(conn, key_file=settings.key_file, passphrase=passphrase, db_url=url)
            undo.key_file = unlocked.created_file
            _store_signing_key(conn, unlocked.key, origin)
        _make_vault_folder(settings.vault_dir(), undo)
    return Dutycare(settings, engine, unlocked.key, key_source=unlocked.location)


def _init_passphrase(settings: Settings, use_passphrase: bool) -> str | None:
    """The passphrase a new database is locked with, or None for a key file; refuses an ambiguous choice."""
    if not (use_passphrase or settings.passphrase):
        return None
    if not settings.passphrase:
        raise DomainError("A passphrase is needed: pass --passphrase or set DUTYCARE_PASSPHRASE.")
    if settings.key_file is not None:
        raise DomainError("Lock a new database either with a passphrase or with a key file, not both: leave out "
                          "--key-file (DUTYCARE_KEY_FILE) or --passphrase (DUTYCARE_PASSPHRASE). See docs/keys.md.")
    return settings.passphrase


@dataclass
class _Undo:
    """What a failed initialise must remove again."""

    sqlite_file: Path | None
    engine: Engine | None = None
    tables: bool = False
    key_file: Path | None = None
    vault: Path | None = None

    def run(self) -> None:
        if self.engine is not None:
            if self.tables and self.sqlite_file is None:
                with suppress(Exception):
                    schema.downgrade(self.engine, "base")
                    with self.engine.begin() as conn:
                        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            self.engine.dispose()
        if self.sqlite_file is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                self.sqlite_file.with_name(self.sqlite_file.name + suffix).unlink(missing_ok=True)
        if self.key_file is not None:
            self.key_file.unlink(missing_ok=True)
        if self.vault is not None:
            with suppress(OSError):
                self.vault.rmdir()


@contextmanager
def _undo_on_failure(settings: Settings) -> Iterator[_Undo]:
    sqlite_file = None
    if is_sqlite(database_url(settings.db)):
        path = Path(settings.db).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite_file = None if path.exists() else path
    undo = _Undo(sqlite_file)
    try:
        yield undo
    except BaseException:
        undo.run()
        raise


def _make_vault_folder(root: Path, undo: _Undo) -> None:
    if not root.exists():
        root.mkdir(parents=True, mode=0o700)
        undo.vault = root


def open_dutycare(settings: Settings, clock: Clock = utc_now, ask: keychain.Ask | None = None) -> Dutycare:
    """Open an initialised database, checking its schema and its key (``ask`` prompts for a missing passphrase)."""
    url = database_url(settings.db)
    engine = open_engine(settings)
    try:
        with engine.connect() as conn:
            unlocked = keychain.unlock(conn, key_file=settings.key_file, passphrase=settings.passphrase,
                                       db_url=url, ask=ask)
    except BaseException:
        engine.dispose()
        raise
    return Dutycare(settings, engine, unlocked.key, clock, unlocked.location)


def open_engine(settings: Settings) -> Engine:
    """An engine on an initialised database at this dutycare's schema, before any key is read."""
    if is_sqlite(database_url(settings.db)) and not Path(settings.db).expanduser().exists():
        raise DomainError(f"There is no database at {settings.db}. Create one with 'dutycare init --db {settings.db}'.")
    engine = make_engine(settings.db)
    try:
        current = schema.current_revision(engine)
        if current is None:
            raise DomainError(f"{settings.db} is not a dutycare database yet. Run 'dutycare init --db {settings.db}'.")
        if current != schema.head_revision():
            raise DomainError(f"{settings.db} uses an older schema ({current}). Run 'dutycare migrate' to bring it up.")
    except BaseException:
        engine.dispose()
        raise
    return engine


def data_dirs(settings: Settings) -> list[Path]:
    """The folders that hold this database's data, where no key may be kept."""
    return _data_dirs(settings)


def key_location(app: Dutycare) -> str:
    """A plain description of where this database's key lives (never the key itself; the database is not read)."""
    return app.key_source


@dataclass
class IntakeSide:
    """What the public intake process holds: its database (with the public key) and its receipt book; no
    private key, and nothing of the case database."""

    store: SqlIntakeStore
    receipts: ReceiptBook

    def public_key(self) -> bytes:
        """The intake public key the store seals to (open_intake refuses a store without one)."""
        key = self.store.public_key()
        assert key is not None
        return key

    def close(self) -> None:
        """Release the intake database's connections."""
        self.store.close()


def open_intake(target: str, receipts: ReceiptBook | None = None) -> IntakeSide:
    """Open the public intake's database (created on first use) for the intake process."""
    store = SqlIntakeStore.open(target)
    if store.public_key() is None:
        store.close()
        raise DomainError(f"The intake database {target} has no intake public key yet: a coordinator runs "
                          "'dutycare intake keygen' (or 'dutycare intake set-public-key' on a separate server).")
    return IntakeSide(store, receipts or ReceiptBook())


def open_field_queue(target: str, today: date) -> tuple[SealingQueue, IntakeSide]:
    """The intake database as offline collection feeds it (sealed to its public key); close the side after."""
    side = open_intake(target)
    public_key = side.store.public_key()
    assert public_key is not None  # open_intake refuses a database without one
    return SealingQueue(side.store, side.receipts, IntakeSealer(public_key), today), side

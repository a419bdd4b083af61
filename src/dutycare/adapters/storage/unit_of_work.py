"""The SQL unit of work: one connection, one transaction, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from dutycare.adapters.storage.access_records import SqlAccessRecords
from dutycare.adapters.storage.drafts_store import SqlComplaintDrafts
from dutycare.adapters.storage.findings_store import SqlFindings
from dutycare.adapters.storage.ledger_store import ACCESS_LOG, SqlLedger
from dutycare.adapters.storage.mapping import Sealer
from dutycare.adapters.storage.repository import SqlRecords
from dutycare.adapters.storage.search_store import SqlSearchIndex
from dutycare.service_layer.ports import UnitOfWork
from dutycare.service_layer.rulebook import RuleBook

LedgerFactory = Callable[[Connection], SqlLedger]


class SqlUnitOfWork(UnitOfWork):
    """A transaction on SQLite or PostgreSQL with the record repository, the ledger and the access log on it."""

    records: SqlRecords
    ledger: SqlLedger
    search: SqlSearchIndex
    findings: SqlFindings
    access_log: SqlLedger
    access_records: SqlAccessRecords
    drafts: SqlComplaintDrafts

    def __init__(self, engine: Engine, sealer: Sealer, ledger_factory: LedgerFactory, actor: str,
                 rulebook: RuleBook, today: Callable[[], date],
                 access_log_factory: LedgerFactory | None = None) -> None:
        self.engine = engine
        self.sealer = sealer
        self.ledger_factory = ledger_factory
        self.access_log_factory = access_log_factory or (lambda conn: SqlLedger(conn, log=ACCESS_LOG))
        self.actor = actor
        self.rulebook = rulebook
        self.today = today
        self._conn: Connection | None = None

    def __enter__(self) -> Self:
        self._conn = self.engine.connect()
        self._conn.begin()
        self.records = SqlRecords(self._conn, self.sealer)
        self.ledger = self.ledger_factory(self._conn)
        self.access_log = self.access_log_factory(self._conn)
        self.access_records = SqlAccessRecords(self._conn)
        self.search = SqlSearchIndex(self._conn, self.sealer)
        self.findings = SqlFindings(self._conn)
        self.drafts = SqlComplaintDrafts(self._conn, self.sealer)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.rollback()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def connection(self) -> Connection:
        """The open connection (adapters only)."""
        assert self._conn is not None, "the unit of work is not open"
        return self._conn

    def commit(self) -> None:
        """Commit the transaction; a new one starts for anything written after."""
        self.connection.commit()
        self.connection.begin()

    def rollback(self) -> None:
        """Discard what was not committed."""
        if self._conn is not None and self._conn.in_transaction():
            self._conn.rollback()

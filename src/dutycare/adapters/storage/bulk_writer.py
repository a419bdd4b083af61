"""Bulk writing for large imports, inside the unit of work's own transaction.

Rows come from the same mapping and the same sealer as every other write; ledger entries are the same canonical
bytes `SqlLedger.append` stores (a cheaper template, checked against `encode_entry` on every batch); search index
rows are the same keyed digests `SqlSearchIndex.replace` stores. What differs is only how rows reach the tables:
SQLite gets `executemany` on the driver connection in large batches; PostgreSQL gets binary `COPY` through
psycopg on the same connection. Nothing is committed here: the caller commits once, after the last batch.
"""

from __future__ import annotations

import functools
import json
import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import psycopg
from sqlalchemy import BigInteger, Connection, Date, Integer, LargeBinary, Table, func, select
from sqlalchemy import text as sql_text

from dutycare.adapters.canonical_json import parsed_record_digest
from dutycare.adapters.storage import mapping as m
from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.access_tables import search_terms
from dutycare.adapters.storage.ledger_store import Clock, SqlLedger
from dutycare.adapters.storage.repository import KIND_TABLES
from dutycare.adapters.storage.search_store import SqlSearchIndex
from dutycare.adapters.storage.unit_of_work import SqlUnitOfWork
from dutycare.domain.errors import IdTaken
from dutycare.domain.model import CaseFile
from dutycare.ledger.entry import LedgerEntry, entry_bytes, format_timestamp
from dutycare.ledger.merkle import leaf_hash
from dutycare.service_layer import search
from dutycare.service_layer.changes import Action, Change
from dutycare.service_layer.ports import BulkStore
from dutycare.service_layer.queries import FindingRow
from dutycare.service_layer.search import texts_of

D = TypeVar("D")
LOOKUP_CHUNK = 500
SQLITE_CACHE_KIB = 65536  # a larger page cache while one transaction writes a large file (it also bounds the
# sorter that builds the search postings; 128 MiB cost 76 MiB more memory at 150,000 lines for 2 % of the time)
SQLITE_SORTING_CACHE_KIB = 8192  # while the postings are sorted: SQLite's memory then peaks at about three times the
# cache (the cache, and the sorter's lists sized by it); 16 MiB peaked at 52 MiB, 8 MiB at 28, at 300,000 events
DIGESTS_KEPT = 1 << 15
"""Words whose keyed digests an import remembers (about 130 bytes each); past that it starts again, so that a file
with a large vocabulary (names, places) does not grow the import's memory with it."""


def _chunks(items: Collection[str], size: int = LOOKUP_CHUNK) -> Iterator[list[str]]:
    ordered = sorted(items)
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


# -- ledger entries --------------------------------------------------------------------------------------------
class CreateEntries:
    """The bytes of the 'create' entries of one import, by the ledger's one encoder (ledger.entry.entry_bytes).

    The time and actor are the same for every entry and are checked once, by building one LedgerEntry; kinds are
    the import's own, ids passed the interchange parser, digests are hex by construction.
    """

    def __init__(self, at: datetime, actor: str) -> None:
        LedgerEntry(seq=0, at=at, actor=actor, action="create", entity="event", id="x", record_sha256="0" * 64)
        self.at = format_timestamp(at)
        self.actor = actor

    def encode(self, seq: int, entity: str, entity_id: str, digest: str) -> bytes:
        """The entry's bytes, exactly as encode_entry writes them (it calls the same function)."""
        return entry_bytes(seq, self.at, self.actor, "create", entity, entity_id, digest)


# -- search index rows -----------------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
class SearchWords:
    """The words search.record_words finds, with each word normalised once per import instead of every time."""

    def __init__(self) -> None:
        self._normalise = functools.lru_cache(maxsize=1 << 15)(search.normalise)
        self.words = functools.lru_cache(maxsize=1 << 12)(self._words)  # short texts (reasons, treatments) repeat

    def _words(self, text: str) -> frozenset[str]:
        n = self._normalise
        return frozenset({n(w) for w in _WORD.findall(text) if len(w) >= 2})

    def of_record(self, kind: str, record: Mapping[str, Any]) -> set[str]:
        """Every indexed word of one record, as search.record_words gives it."""
        out: set[str] = set()
        for text in texts_of(kind, record):
            if text:
                out |= self.words(text)
        return out


class SearchRows:
    """Rows of the keyed search index for new records."""

    KINDS = frozenset({"case", "event", "person"})

    def __init__(self, index: SqlSearchIndex, before_direct_write: Callable[[], None]) -> None:
        self.index = index
        self.before_direct_write = before_direct_write
        self.words = SearchWords()
        self.digests: dict[str, str] = {}
        self.ready = index.digests([]) is not None

    def rows(self, changes: Sequence[Change]) -> list[tuple[str, str, str]]:
        """(kind, record_id, term) for every indexed word of every new record, in the table's order."""
        found = [(c, self.words.of_record(c.entity, c.record)) for c in changes if c.entity in self.KINDS]
        found = [(c, w) for c, w in found if w]
        if not found:
            return []
        if not self.ready:  # the index key is made by the first ordinary indexed write
            first, words = found.pop(0)
            self.before_direct_write()
            self.index.replace(first.entity, first.entity_id, words)
            self.ready = True
        self._learn({w for _, words in found for w in words})
        d = self.digests
        rows = [(c.entity, c.entity_id, term) for c, words in found for term in {d[w] for w in words}]
        rows.sort()  # neighbouring keys go into the table together
        return rows

    def _learn(self, words: set[str]) -> None:
        if len(self.digests) >= DIGESTS_KEPT:
            self.digests.clear()  # the batch's own words are computed again below
        new = sorted(words - self.digests.keys())
        if new:
            digests = self.index.digests(new)
            assert digests is not None, "the index key is made before words are looked up"
            self.digests.update(zip(new, digests, strict=True))


# -- getting rows into tables ----------------------------------------------------------------------------------
def _pg_type(column: Any) -> str:
    kind = column.type
    if isinstance(kind, BigInteger):
        return "int8"
    if isinstance(kind, Integer):
        return "int4"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, LargeBinary):
        return "bytea"
    return "text"


def _driver_connection(conn: Connection, kind: type[D]) -> D:
    """The driver's own connection under a SQLAlchemy connection, checked to be the driver expected."""
    raw = conn.connection.driver_connection
    if not isinstance(raw, kind):
        raise TypeError(f"expected a {kind.__name__} connection, not {type(raw).__name__}")
    return raw


class SqliteTables:
    """executemany on the SQLite driver connection, inside the open transaction."""

    def __init__(self, conn: Connection) -> None:
        self.raw = _driver_connection(conn, sqlite3.Connection)
        self.raw.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")

    def put(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Insert rows (dates as ISO text, as SQLAlchemy stores them on SQLite)."""
        if rows:
            marks = ",".join("?" * len(columns))
            try:
                self.raw.executemany(f"INSERT INTO {table.name} ({','.join(columns)}) VALUES ({marks})", rows)
            except sqlite3.IntegrityError as exc:
                raise _raced(exc) from exc

    @staticmethod
    def day(value: date) -> Any:
        """A date as this database stores it."""
        return value.isoformat()

    def sync(self) -> None:
        """Everything put is written already."""

    def before_sorting(self) -> None:
        """A smaller page cache while the postings are sorted: SQLite gives each sort as much memory as the cache,
        on top of the cache itself."""
        self.raw.execute(f"PRAGMA cache_size=-{SQLITE_SORTING_CACHE_KIB}")

    def close(self, failed: bool = False) -> None:
        """Give the connection its usual page cache back."""
        self.raw.execute("PRAGMA cache_size=-2000")


class PostgresTables:
    """Binary COPY through psycopg on the same connection and transaction.

    One background thread sends the COPYs, in the order they were put, so that the server stores one batch while
    this process prepares the next; nothing else uses the connection until `sync` or `close` has waited for it.
    """

    QUEUE_DEPTH = 16

    def __init__(self, conn: Connection) -> None:
        self.raw: psycopg.Connection[Any] = _driver_connection(conn, psycopg.Connection)
        self.jobs: queue.Queue[tuple[Table, tuple[str, ...], list[tuple[Any, ...]]] | None] = queue.Queue(
            self.QUEUE_DEPTH)
        self.failure: BaseException | None = None
        self.abandoned = False
        self.thread = threading.Thread(target=self._send, name="dutycare-copy", daemon=True)
        self.thread.start()

    def put(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Queue rows for one table (waits while the queue is full)."""
        self._raise_failure()
        if rows:
            self.jobs.put((table, tuple(columns), rows))

    def _send(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                if self.failure is None and not self.abandoned:
                    self._copy(*job)
            except BaseException as exc:  # handed to the importing thread, which stops and rolls back
                self.failure = exc
            finally:
                self.jobs.task_done()

    def _copy(self, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        types = [_pg_type(table.c[name]) for name in columns]
        with self.raw.cursor() as cur, cur.copy(
                f"COPY {table.name} ({','.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)

    def _raise_failure(self) -> None:
        if self.failure is not None:
            if isinstance(self.failure, psycopg.errors.UniqueViolation):
                raise _raced(self.failure) from self.failure
            raise self.failure

    @staticmethod
    def day(value: date) -> Any:
        """Dates go as they are."""
        return value

    def sync(self) -> None:
        """Wait until everything put is in the database."""
        self.jobs.join()
        self._raise_failure()

    def before_sorting(self) -> None:
        """The server sorts in its own memory (work_mem)."""

    def close(self, failed: bool = False) -> None:
        """Stop the sending thread; after a failure, drop what is still queued."""
        self.abandoned = failed
        if self.thread.is_alive():
            self.jobs.put(None)
            self.thread.join()


def _raced(exc: BaseException) -> IdTaken:
    return IdTaken("While this file was being imported, another write added a record with one of its ids; "
                       f"nothing was written. Import the file again. ({exc})")


# -- the store -------------------------------------------------------------------------------------------------
RowMaker = Callable[[Any, int], dict[str, Any]]
LINK_COLUMNS = ("event_id", "case_id", "ordinal")
CITE_COLUMNS = ("event_id", "ordinal", "source_id", "locator")
LEDGER_COLUMNS = ("seq", "entity", "entity_id", "entry", "leaf_hash")
SEARCH_COLUMNS = ("kind", "record_id", "term")
FINDING_COLUMNS = ("key", "rule_id", "scope", "severity", "certainty", "institution_id", "event_ids",
                   "explanation_ru", "explanation_en", "evaluated_at")
FINDING_CASE_COLUMNS = ("finding_key", "case_id")
STALE_TABLES = sql_text("""
    SELECT x.relname FROM pg_stat_xact_user_tables x JOIN pg_class c ON c.oid = x.relid
    LEFT JOIN pg_stat_user_tables s ON s.relid = x.relid
    WHERE x.schemaname = current_schema()
      AND x.n_tup_ins + x.n_tup_upd + x.n_tup_del > 0
      AND abs(coalesce(s.n_live_tup, 0) + x.n_tup_ins - x.n_tup_del - greatest(c.reltuples, 0))
          > current_setting('autovacuum_analyze_threshold')::float8
            + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0)
    ORDER BY x.relname""")
"""The tables this transaction changed whose rows, counting it, differ from what the planner last saw by more than
autovacuum waits for before it analyses one. The counts since the last analysis add up over transactions (the
server's live-row count, plus this session's not yet reported), so a table grown by many imports, each too small
to count on its own, is analysed once together they do."""


def analyse_written_tables(conn: Connection) -> list[str]:
    """Give PostgreSQL's planner statistics of the tables an import has filled, before it commits; return them.

    Without them a freshly filled schema is planned as if empty until autovacuum comes round (if it runs at all),
    and every case list took seconds instead of milliseconds. A table is analysed when its size, with this import,
    has moved from the planner's by more than autovacuum's own threshold, so many small imports into a large database
    do not each analyse it, yet all of them together do.
    ANALYZE reads a bounded sample of each table, and inside the import's transaction it counts that
    transaction's rows. SQLite is left without statistics: with them (ANALYZE at 100,000 cases) its planner
    counted a common word's cases from the table instead of the covering index, and no case list got faster.
    """
    if conn.dialect.name != "postgresql":
        return []
    stale = [str(name) for name in conn.execute(STALE_TABLES).scalars()]
    if stale:
        quote = conn.dialect.identifier_preparer.quote
        conn.execute(sql_text("ANALYZE " + ", ".join(quote(name) for name in stale)))
    return stale


class SqlBulkStore(BulkStore):
    """The bulk writer the import uses on SQLite and PostgreSQL (service_layer.bulk_import.BulkStore)."""

    def __init__(self, conn: Connection, sealer: m.Sealer, clock: Clock, actor: str, index: SqlSearchIndex) -> None:
        self.conn = conn
        self.sealer = sealer
        self.clock = clock
        self.actor = actor
        self.index = index
        self.positions: dict[str, int] = {}
        self.seq = 0
        self.tables: SqliteTables | PostgresTables | None = None
        self.entries: CreateEntries | None = None
        self.search: SearchRows | None = None
        self.first_seq = 0  # the ledger's size when the import started: entries from it on are the import's
        self.had_cases = True

    refuses_taken_ids = True  # the tables' keys refuse a second record with an id (IdTaken, at a write or a sync)

    @classmethod
    def for_uow(cls, uow: SqlUnitOfWork) -> SqlBulkStore:
        """The store on an open SQL unit of work's connection."""
        return cls(uow.connection, uow.sealer, uow.ledger.clock, uow.actor, uow.search)

    # -- lookups ---------------------------------------------------------------------------------------------
    def is_empty(self, kind: str) -> bool:
        """True when no record of this kind exists."""
        table = KIND_TABLES[kind]
        return self.conn.execute(select(table.c.id).limit(1)).first() is None

    def existing(self, kind: str, ids: Collection[str]) -> set[str]:
        """Which of these ids exist, asked in chunks."""
        return self._ids(kind, ids, withdrawn=False)

    def _ids(self, kind: str, ids: Collection[str], withdrawn: bool) -> set[str]:
        self.sync()
        table = KIND_TABLES[kind]
        only = [table.c.deleted_at.is_not(None)] if withdrawn else []
        found: set[str] = set()
        for chunk in _chunks(ids):
            found.update(self.conn.execute(select(table.c.id).where(table.c.id.in_(chunk), *only)).scalars())
        return found

    def event_types(self, ids: Collection[str]) -> dict[str, str]:
        """Types of the existing ones of these events."""
        self.sync()
        out: dict[str, str] = {}
        for chunk in _chunks(ids):
            q = select(t.events.c.id, t.events.c.type).where(t.events.c.id.in_(chunk))
            out.update({str(i): str(ty) for i, ty in self.conn.execute(q)})
        return out

    def withdrawn_kinds(self) -> set[str]:
        """The kinds with at least one withdrawn record (one probe each; a first import finds none)."""
        self.sync()
        return {kind for kind, table in KIND_TABLES.items()
                if self.conn.execute(select(table.c.id).where(table.c.deleted_at.is_not(None)).limit(1)).first()}

    def withdrawn(self, kind: str, ids: Collection[str]) -> set[str]:
        """Which of these ids name withdrawn records, asked in chunks."""
        return self._ids(kind, ids, withdrawn=True)

    # -- writing ---------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Take the write lock and the ledger's lock; read where positions and the ledger continue."""
        sqlite = self.conn.dialect.name == "sqlite"
        if sqlite:  # a write that changes nothing makes SQLite take its write lock now, before sizes are read
            self.conn.execute(t.meta.update().where(t.meta.c.key.is_(None)).values(value=""))
        self.seq = self.first_seq = SqlLedger(self.conn, self.clock).append([], self.actor)  # appends nothing
        for kind, table in KIND_TABLES.items():
            last = self.conn.execute(select(func.max(table.c.position))).scalar()
            self.positions[kind] = 0 if last is None else int(last) + 1
        self.had_cases = self.positions["case"] > 0
        self.entries = CreateEntries(self.clock(), self.actor)
        self.tables = SqliteTables(self.conn) if sqlite else PostgresTables(self.conn)
        self.search = SearchRows(self.index, self.tables.sync)

    def write(self, batch: CaseFile, changes: list[Change]) -> None:
        """Write a batch: record rows, link rows, ledger rows and search rows, parents first."""
        assert self.tables is not None and self.search is not None, "start() first"
        s = self.sealer
        self._records("person", t.people, batch.people, lambda p, pos: m.person_row(p, pos, 1, s))
        self._records("institution", t.institutions, batch.institutions, lambda i, pos: m.institution_row(i, pos, 1))
        self._records("source", t.sources, batch.sources, lambda x, pos: m.source_row(x, pos, 1, s))
        self._records("case", t.cases, batch.cases, lambda c, pos: m.case_row(c, pos, 1, s))
        self._events(batch)
        self.tables.put(t.ledger_entries, LEDGER_COLUMNS, self._ledger_rows(changes))
        self.tables.put(search_terms, SEARCH_COLUMNS, self.search.rows(changes))

    def _records(self, kind: str, table: Table, records: Sequence[Any], make: RowMaker) -> list[dict[str, Any]]:
        assert self.tables is not None
        start = self.positions[kind]
        rows = [make(r, start + i) for i, r in enumerate(records)]
        self.positions[kind] = start + len(rows)
        if rows:
            self.tables.put(table, tuple(rows[0]), [tuple(r.values()) for r in rows])
        return rows

    def _events(self, batch: CaseFile) -> None:
        assert self.tables is not None
        tables, s = self.tables, self.sealer

        def make(e: Any, pos: int) -> dict[str, Any]:
            row = m.event_row(e, pos, 1, s)
            row["date_start"], row["date_end"] = tables.day(row["date_start"]), tables.day(row["date_end"])
            return row

        self._records("event", t.events, batch.events, make)
        links = [(e.id, c, i) for e in batch.events for i, c in enumerate(e.case_ids)]
        cites = [(e.id, i, c.source_id, c.locator) for e in batch.events for i, c in enumerate(e.citations)]
        tables.put(t.event_cases, LINK_COLUMNS, links)
        tables.put(t.event_sources, CITE_COLUMNS, cites)

    def _ledger_rows(self, changes: Iterable[Change]) -> list[tuple[Any, ...]]:
        assert self.entries is not None
        encode = self.entries.encode
        rows: list[tuple[Any, ...]] = []
        for change in changes:
            if change.action is not Action.CREATE:
                raise ValueError("the bulk writer only creates records")
            data = encode(self.seq, change.entity, change.entity_id, parsed_record_digest(change.record))
            rows.append((self.seq, change.entity, change.entity_id, data, leaf_hash(data)))
            self.seq += 1
        return rows

    def put_findings(self, rows: list[FindingRow]) -> None:
        """Write findings of cases this import created, with the records (the same rows SqlFindings stores)."""
        assert self.tables is not None, "start() first"
        self.tables.put(t.findings, FINDING_COLUMNS, [
            (r.key, r.rule_id, r.scope, r.severity, r.certainty, r.institution_id, json.dumps(r.event_ids),
             r.explanation_ru, r.explanation_en, r.evaluated_at) for r in rows])
        self.tables.put(t.finding_cases, FINDING_CASE_COLUMNS, [(r.key, c) for r in rows for c in r.case_ids])

    def sync(self) -> None:
        """Wait until every row put so far is in the database, so that the connection may be used for other work."""
        if self.tables is not None:
            self.tables.sync()

    def finish(self) -> int:
        """Wait until everything is written, post the new records' words under their cases; return the ledger's
        new size."""
        self.sync()
        if not self.had_cases:  # a first import: derive every posting in one pass, in the index's order
            if self.tables is not None:
                self.tables.before_sorting()
            self.index.rebuild_postings()
        else:  # the new records' ids are read back from the ledger, not kept while writing (flat memory)
            self.index.post_created_since(self.first_seq)
        analyse_written_tables(self.conn)
        return self.seq

    def close(self, failed: bool = False) -> None:
        """Stop background sending and restore connection settings (after success or failure alike)."""
        if self.tables is not None:
            self.tables.close(failed)
            self.tables = None


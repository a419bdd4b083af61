"""The logs' tables (the case ledger and the access log): entries appended in the writer's own transaction, and
signed checkpoints."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Table, func, select, text

from dutycare.adapters.storage import access_tables as a
from dutycare.adapters.storage import tables as t
from dutycare.domain.errors import DomainError
from dutycare.ledger.entry import EntryError, LedgerEntry, decode_entry, encode_entry, record_digest
from dutycare.ledger.merkle import leaf_hash
from dutycare.service_layer.changes import Action, Change
from dutycare.service_layer.ports import Ledger

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class LogTables:
    """The tables of one log and the PostgreSQL advisory lock that serialises its appends."""

    entries: Table
    checkpoints: Table
    lock_id: int


# "dutycare" and "dutyacce": each log has its own lock, so audit entries never wait behind a case import.
CASE_LOG = LogTables(t.ledger_entries, t.checkpoints, 0x6475747963617265)
ACCESS_LOG = LogTables(a.access_entries, a.access_checkpoints, 0x6475747961636365)


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class SqlLedger(Ledger):
    """Appends ledger entries on the unit of work's connection, so a write and its entry commit together."""

    def __init__(self, conn: Connection, clock: Clock = utc_now, log: LogTables = CASE_LOG) -> None:
        self.conn = conn
        self.clock = clock
        self.log = log
        self._entries = log.entries
        self._checkpoints = log.checkpoints

    def _lock(self) -> None:
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self.log.lock_id})
        else:  # take SQLite's write lock before reading the log's size, so two writers cannot share a seq
            self.conn.execute(text("UPDATE meta SET value = value WHERE key = 'key_check'"))

    def size(self) -> int:
        """How many entries the log holds (entries are numbered from 0 without gaps)."""
        last = self.conn.execute(select(func.max(self._entries.c.seq))).scalar()
        return 0 if last is None else int(last) + 1

    def latest_digest(self, entity: str, entity_id: str) -> str | None:
        """The record digest of the newest entry about one record, read from the entry's own (covered) bytes.

        The entity columns only find candidates; an entry whose bytes name another record is refused, so an
        altered index column cannot make the next entry chain to the wrong record.
        """
        q = (select(self._entries.c.seq, self._entries.c.entry)
             .where(self._entries.c.entity == entity, self._entries.c.entity_id == entity_id)
             .order_by(self._entries.c.seq.desc()).limit(1))
        row = self.conn.execute(q).first()
        if row is None:
            return None
        try:
            entry = decode_entry(bytes(row[1]))
        except EntryError:
            entry = None
        if entry is None or (entry.entity, entry.id, entry.seq) != (entity, entity_id, int(row[0])):
            raise DomainError(f"Ledger entry {row[0]} does not hold what its index columns say ({entity} "
                              f"{entity_id}): the database was altered. Run 'dutycare ledger verify'; nothing "
                              "was written.")
        return entry.record_sha256

    def index_columns(self) -> list[tuple[object, object, object]]:
        """Every entry's (seq, entity, entity_id) index columns, in order, for verify to compare with the entry."""
        q = select(self._entries.c.seq, self._entries.c.entity, self._entries.c.entity_id)
        return [tuple(row) for row in self.conn.execute(q.order_by(self._entries.c.seq))]

    def append(self, changes: Iterable[Change], actor: str) -> int:
        """Append one entry per change; return the new size of the log."""
        self._lock()
        seq = self.size()
        at = self.clock()
        rows: list[dict[str, object]] = []
        for change in changes:
            prev = None
            if change.action is not Action.CREATE:
                if rows:  # the record's previous entry may still be buffered: make it visible to the query
                    self.conn.execute(self._entries.insert(), rows)
                    rows = []
                prev = self.latest_digest(change.entity, change.entity_id)
            digest = record_digest(change.record)
            entry = LedgerEntry(seq=seq, at=at, actor=actor, action=change.action.value, entity=change.entity,
                                id=change.entity_id, record_sha256=digest,
                                file_sha256=change.file_sha256, prev_record_sha256=prev)
            data = encode_entry(entry)
            rows.append({"seq": seq, "entity": change.entity, "entity_id": change.entity_id, "entry": data,
                         "leaf_hash": leaf_hash(data)})
            seq += 1
            if len(rows) >= 5000:
                self.conn.execute(self._entries.insert(), rows)
                rows = []
        if rows:
            self.conn.execute(self._entries.insert(), rows)
        return seq

    def entries(self, batch: int = 10000) -> Iterator[tuple[int, bytes, bytes]]:
        """Every (seq, entry bytes, stored leaf hash), in order, read in batches."""
        start = 0
        while True:
            q = (select(self._entries.c.seq, self._entries.c.entry, self._entries.c.leaf_hash)
                 .where(self._entries.c.seq >= start).order_by(self._entries.c.seq).limit(batch))
            rows = self.conn.execute(q).all()
            if not rows:
                return
            for seq, entry, leaf in rows:
                yield _number(seq, "ledger entry"), _blob(entry), _blob(leaf)
            start = int(rows[-1][0]) + 1

    def leaf_hashes(self) -> list[bytes]:
        """Every stored leaf hash, in order."""
        return [leaf for _, _, leaf in self.entries()]

    def add_checkpoint(self, size: int, root: bytes, at: str, note: str) -> None:
        """Keep a signed checkpoint."""
        self.conn.execute(self._checkpoints.insert().values(size=size, root=root, at=at, note=note))

    def checkpoints(self) -> list[tuple[int, bytes, str, str]]:
        """Every checkpoint (size, root, time, note text), oldest first."""
        q = select(self._checkpoints.c.size, self._checkpoints.c.root, self._checkpoints.c.at, self._checkpoints.c.note)
        rows = self.conn.execute(q.order_by(self._checkpoints.c.size))
        return [(_number(s, "checkpoint"), _blob(r), str(a), str(n)) for s, r, a, n in rows]


def _blob(value: object) -> bytes:
    """A stored binary value; text or another type put there by hand is read as bytes, for verify to refuse."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode("utf-8", "surrogatepass")


def _number(value: object, what: str) -> int:
    """A stored position; anything else means the table was altered by hand."""
    if isinstance(value, int):
        return value
    raise DomainError(f"A {what} row has the position {value!r}, which is not a number: the database was altered. "
                      "Restore it from a backup.")

"""The keyed search index: HMAC-SHA256 digests of normalised words, per record, and nothing in plaintext.

The HMAC key is random, made on the first indexed write and kept in the meta table sealed with the organisation
key, so the index cannot be read (or tested word by word) without that key.

Two tables hold it. `search_terms` has the words of each record (what verification compares with the records).
`search_postings` has the same words as posting lists per case, in case-list order: a case's own words, its
person's and those of its live events, each row naming the record it comes from. It is derived from the first
table and the links between records, with one statement per kind of record (`post`), so that the ordinary
write and the bulk import fill it the same way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Collection

from sqlalchemy import (
    ColumnElement,
    Connection,
    Insert,
    Select,
    delete,
    except_,
    func,
    insert,
    literal_column,
    select,
    union,
    union_all,
)

from dutycare.adapters.crypto.errors import CryptoError
from dutycare.adapters.storage import meta_store
from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.access_tables import search_postings, search_terms
from dutycare.adapters.storage.mapping import Sealer
from dutycare.domain.errors import SearchIndexDamaged
from dutycare.service_layer.ports import SearchIndex

KEY_NAME = "search_index_key"
DIGEST_CHARS = 32  # 128 bits of the HMAC: collisions are negligible for any vocabulary
POSTING_COLUMNS = ("term", "position", "case_id", "kind", "record_id")


def posting_rows(kind: str, *where: ColumnElement[bool]) -> Select[tuple[str, int, str, str, str]]:
    """The postings of records of one kind (optionally narrowed), from their stored words and links.

    A case's words are posted under it, a person's under each case of that person, an event's under each case
    it is linked to (a withdrawn event has no words, so it is posted nowhere).
    """
    s, c = search_terms.c, t.cases.c
    if kind == "case":
        source = search_terms.join(t.cases, c.id == s.record_id)
    elif kind == "person":
        source = search_terms.join(t.cases, c.person_id == s.record_id)
    elif kind == "event":
        source = (search_terms.join(t.event_cases, t.event_cases.c.event_id == s.record_id)
                  .join(t.cases, c.id == t.event_cases.c.case_id))
        withdrawn = select(t.events.c.id).where(t.events.c.deleted_at.is_not(None))  # they have no words; a guard
        where = (*where, s.record_id.not_in(withdrawn))
    else:
        raise ValueError(f"no postings for {kind} records")
    return (select(s.term, c.position, c.id.label("case_id"), s.kind, s.record_id).select_from(source)
            .where(s.kind == kind, *where))


def postings_from_terms(kind: str, *where: ColumnElement[bool]) -> Insert:
    """INSERT … SELECT of those postings."""
    return insert(search_postings).from_select(list(POSTING_COLUMNS), posting_rows(kind, *where))


class SqlSearchIndex(SearchIndex):
    """The search index on the unit of work's connection."""

    def __init__(self, conn: Connection, sealer: Sealer) -> None:
        self.conn = conn
        self.sealer = sealer
        self._key: bytes | None = None

    def _load_key(self, create: bool) -> bytes | None:
        if self._key is None:
            stored = meta_store.get(self.conn, KEY_NAME)
            if stored is not None:
                try:
                    opened = self.sealer.open("meta", KEY_NAME, 1, base64.b64decode(stored))
                    self._key = base64.b64decode(str(opened["key"]))
                except (CryptoError, ValueError, KeyError):
                    raise SearchIndexDamaged() from None
            elif create:
                key = secrets.token_bytes(32)
                sealed = self.sealer.seal("meta", KEY_NAME, 1, {"key": base64.b64encode(key).decode("ascii")})
                meta_store.put(self.conn, KEY_NAME, base64.b64encode(sealed).decode("ascii"))
                self._key = key
        return self._key

    @staticmethod
    def _digest(key: bytes, word: str) -> str:
        return hmac.new(key, word.encode("utf-8"), hashlib.sha256).hexdigest()[:DIGEST_CHARS]

    def replace(self, kind: str, record_id: str, words: set[str]) -> None:
        """Make these the words of one record, and post them under the cases the record belongs to."""
        self.remove(kind, record_id)
        if words:
            key = self._load_key(create=True)
            assert key is not None
            rows = [{"term": d, "kind": kind, "record_id": record_id}
                    for d in sorted({self._digest(key, w) for w in words})]
            self.conn.execute(search_terms.insert(), rows)
            self.post(kind, [record_id])
        if kind == "case":  # a new case carries its person's words too
            person = self.conn.execute(select(t.cases.c.person_id).where(t.cases.c.id == record_id)).scalar()
            if person is not None:
                self._unpost("person", str(person))
                self.post("person", [str(person)])

    def post(self, kind: str, record_ids: Collection[str]) -> None:
        """Post the stored words of these records under their cases (they must have no postings yet)."""
        if record_ids:
            self.conn.execute(postings_from_terms(kind, search_terms.c.record_id.in_(sorted(record_ids))))

    def post_created_since(self, seq: int) -> None:
        """Post the words of the cases (with their people's) and events created from this ledger entry on (a bulk
        import into a database that has cases already): the ledger names them, so nothing lists them meanwhile."""
        entries = t.ledger_entries.c

        def created(entity: str) -> Select[tuple[str]]:
            return select(entries.entity_id).where(entries.seq >= seq, entries.entity == entity)

        self.conn.execute(postings_from_terms("case", search_terms.c.record_id.in_(created("case"))))
        self.conn.execute(postings_from_terms("person", t.cases.c.id.in_(created("case"))))
        self.conn.execute(postings_from_terms("event", search_terms.c.record_id.in_(created("event"))))

    def rebuild_postings(self) -> None:
        """Derive every posting again from the stored words and the links between records.

        Millions of rows after a first import: they go in in the table's key order (one sort) with the index by
        record built afterwards (another), so that neither is filled at random places, which makes the database
        read and write its pages over and over once they outgrow the page cache. The index is dropped and built
        again only inside an open transaction (DDL is transactional on both back ends, so a kill leaves it as it
        was); otherwise the rows go in with it in place."""
        by_record = next(i for i in search_postings.indexes if i.name == "ix_search_postings_record")
        rebuild_index = self._in_open_transaction()
        if rebuild_index:
            by_record.drop(self.conn)
        self.conn.execute(delete(search_postings))
        rows = union_all(*(posting_rows(kind) for kind in ("case", "person", "event")))
        ordered = rows.order_by(*(literal_column(name) for name in POSTING_COLUMNS))
        self.conn.execute(insert(search_postings).from_select(list(POSTING_COLUMNS), ordered))
        if rebuild_index:
            by_record.create(self.conn)

    def _in_open_transaction(self) -> bool:
        raw = self.conn.connection.driver_connection
        if isinstance(raw, sqlite3.Connection):
            return raw.in_transaction  # the driver begins lazily, before the first change
        return self.conn.dialect.name == "postgresql" and self.conn.in_transaction()

    def _unpost(self, kind: str, record_id: str) -> None:
        self.conn.execute(delete(search_postings).where(search_postings.c.kind == kind,
                                                        search_postings.c.record_id == record_id))

    def remove(self, kind: str, record_id: str) -> None:
        """Forget a record's words."""
        self.conn.execute(delete(search_terms).where(search_terms.c.kind == kind,
                                                     search_terms.c.record_id == record_id))
        self._unpost(kind, record_id)

    def digests(self, words: list[str]) -> list[str] | None:
        """The stored form of query words, or None when nothing was ever indexed.

        An index that holds words but whose key is gone was altered: that is an error, not an empty result.
        """
        key = self._load_key(create=False)
        if key is None and not self.is_empty():
            raise SearchIndexDamaged()
        return None if key is None else [self._digest(key, w) for w in words]

    def has_key(self) -> bool:
        """True when the index key is stored."""
        return self._load_key(create=False) is not None

    def terms(self) -> dict[tuple[str, str], set[str]]:
        """Every stored digest, by (kind, record id), for verification."""
        found: dict[tuple[str, str], set[str]] = {}
        for term, kind, record_id in self.conn.execute(select(search_terms.c.term, search_terms.c.kind,
                                                              search_terms.c.record_id)):
            found.setdefault((kind, record_id), set()).add(term)
        return found

    def is_empty(self) -> bool:
        """True when nothing is indexed."""
        return self.conn.execute(select(search_terms.c.term).limit(1)).first() is None

    def postings_differ(self) -> int:
        """How many postings differ from what the stored words and the links between records give (0 when intact)."""
        p = search_postings.c
        stored = select(*(p[n] for n in POSTING_COLUMNS))
        expected = select(union(*(posting_rows(kind) for kind in ("case", "person", "event"))).subquery())
        missing = select(func.count()).select_from(except_(expected, stored).subquery())
        extra = select(func.count()).select_from(except_(stored, expected).subquery())
        return int(self.conn.execute(missing).scalar_one()) + int(self.conn.execute(extra).scalar_one())

    def size(self) -> int:
        """How many (word, record) pairs the index holds."""
        return int(self.conn.execute(select(func.count()).select_from(search_terms)).scalar_one())

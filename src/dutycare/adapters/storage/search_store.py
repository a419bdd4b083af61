"""The keyed search index: HMAC-SHA256 digests of normalised words, per record, and nothing in plaintext.

The HMAC key is random, made on the first indexed write and kept in the meta table sealed with the organisation
key, so the index cannot be read (or tested word by word) without that key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import Connection, delete, func, select

from dutycare.adapters.crypto.errors import CryptoError
from dutycare.adapters.storage import meta_store
from dutycare.adapters.storage.access_tables import search_terms
from dutycare.adapters.storage.mapping import Sealer
from dutycare.domain.errors import SearchIndexDamaged
from dutycare.service_layer.ports import SearchIndex

KEY_NAME = "search_index_key"
DIGEST_CHARS = 32  # 128 bits of the HMAC: collisions are negligible for any vocabulary


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
        """Make these the words of one record."""
        self.remove(kind, record_id)
        if not words:
            return
        key = self._load_key(create=True)
        assert key is not None
        rows = [{"term": d, "kind": kind, "record_id": record_id} for d in sorted({self._digest(key, w)
                                                                                    for w in words})]
        self.conn.execute(search_terms.insert(), rows)

    def remove(self, kind: str, record_id: str) -> None:
        """Forget a record's words."""
        self.conn.execute(delete(search_terms).where(search_terms.c.kind == kind,
                                                     search_terms.c.record_id == record_id))

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

    def size(self) -> int:
        """How many (word, record) pairs the index holds."""
        return int(self.conn.execute(select(func.count()).select_from(search_terms)).scalar_one())

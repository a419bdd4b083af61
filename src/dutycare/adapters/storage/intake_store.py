"""The intake database: its own SQLite file or PostgreSQL database, apart from the case database.

The public intake process writes here and holds nothing else; the staff application reads it and writes replies
and triage states back. Every column is either sealed (to the intake public key, or to a submitter's receipt) or
says nothing about what a person wrote: an id, the day, a status, counts and sizes. Its schema is small and
versioned here (``SCHEMA_VERSION``), created on first use; it is not part of the case database's migrations.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from dutycare.adapters.storage.engine import make_engine
from dutycare.domain.errors import DomainError
from dutycare.service_layer.intake_records import (
    PartKind,
    SealedPart,
    StoredPart,
    StoredReceipt,
    StoredReply,
    SubmissionRow,
    SubmissionStatus,
)
from dutycare.service_layer.ports import IntakeStore

SCHEMA_VERSION = "1"
PUBLIC_KEY = "intake_public_key"

metadata = MetaData()

intake_meta = Table(
    "intake_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

intake_submissions = Table(
    "intake_submissions", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("received_on", String(10), nullable=False),
    Column("selector", String(64), nullable=False, unique=True),
    Column("salt", LargeBinary, nullable=False),
    Column("verifier", LargeBinary, nullable=False),
    Column("reply_public_key", LargeBinary, nullable=False),
    Column("status", String(16), nullable=False, server_default=SubmissionStatus.NEW.value),
    Column("parts", Integer, nullable=False, server_default="0"),
    Column("additions", Integer, nullable=False, server_default="0"),
)

intake_parts = Table(
    "intake_parts", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", String(40), ForeignKey("intake_submissions.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("uid", String(40), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("received_on", String(10), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sealed", LargeBinary, nullable=False),
)

intake_replies = Table(
    "intake_replies", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", String(40), ForeignKey("intake_submissions.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("sent_on", String(10), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sealed", LargeBinary, nullable=False),
)


class SqlIntakeStore(IntakeStore):
    """The intake database through SQLAlchemy Core; each method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, target: str) -> SqlIntakeStore:
        """Open (creating on first use) the intake database at a path or postgresql:// URL."""
        if "://" not in target:
            Path(target).expanduser().parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = make_engine(target)
        metadata.create_all(engine)
        with engine.begin() as conn:
            found = conn.execute(select(intake_meta.c.value).where(intake_meta.c.key == "schema")).scalar()
            if found is None:
                conn.execute(insert(intake_meta).values(key="schema", value=SCHEMA_VERSION))
            elif found != SCHEMA_VERSION:
                engine.dispose()
                raise DomainError(f"{target} is an intake database of another version ({found}); this dutycare "
                                  f"reads version {SCHEMA_VERSION}.")
        return cls(engine)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def public_key(self) -> bytes | None:
        """The intake public key submissions are sealed to, if one was set."""
        with self.engine.connect() as conn:
            text = conn.execute(select(intake_meta.c.value).where(intake_meta.c.key == PUBLIC_KEY)).scalar()
        return base64.b64decode(text) if text else None

    def set_public_key(self, public_key: bytes) -> None:
        """Set (or replace) the public key new submissions are sealed to."""
        value = base64.b64encode(public_key).decode("ascii")
        with self.engine.begin() as conn:
            done = conn.execute(update(intake_meta).where(intake_meta.c.key == PUBLIC_KEY).values(value=value))
            if not done.rowcount:
                conn.execute(insert(intake_meta).values(key=PUBLIC_KEY, value=value))

    def stored_bytes(self) -> int:
        """How many bytes of sealed data the database holds."""
        with self.engine.connect() as conn:
            return self._stored(conn)

    @staticmethod
    def _stored(conn: Connection) -> int:
        parts = conn.execute(select(func.coalesce(func.sum(intake_parts.c.size), 0))).scalar()
        replies = conn.execute(select(func.coalesce(func.sum(intake_replies.c.size), 0))).scalar()
        return int(parts or 0) + int(replies or 0)

    def add_submission(self, submission_id: str, received_on: str, receipt: StoredReceipt,
                       parts: Sequence[SealedPart], quota_bytes: int) -> bool:
        """Store a new submission with its parts; False (and nothing stored) if the quota would be exceeded or
        the receipt's selector is taken."""
        size = sum(len(p.sealed) for p in parts)
        try:
            with self.engine.begin() as conn:
                if self._stored(conn) + size > quota_bytes:
                    return False
                conn.execute(insert(intake_submissions).values(
                    id=submission_id, received_on=received_on, selector=receipt.selector, salt=receipt.salt,
                    verifier=receipt.verifier, reply_public_key=receipt.reply_public_key, parts=len(parts)))
                self._insert_parts(conn, submission_id, received_on, parts)
        except IntegrityError:
            return False
        return True

    @staticmethod
    def _insert_parts(conn: Connection, submission_id: str, received_on: str, parts: Sequence[SealedPart]) -> None:
        if parts:
            conn.execute(insert(intake_parts), [
                {"submission_id": submission_id, "uid": p.uid, "kind": p.kind.value, "received_on": received_on,
                 "size": len(p.sealed), "sealed": p.sealed} for p in parts])

    def add_parts(self, submission_id: str, received_on: str, parts: Sequence[SealedPart], quota_bytes: int,
                  max_additions: int) -> bool:
        """Add parts sent later with the receipt; False if the quota or the submission's limit would be passed."""
        size = sum(len(p.sealed) for p in parts)
        with self.engine.begin() as conn:
            row = conn.execute(select(intake_submissions.c.additions).where(
                intake_submissions.c.id == submission_id).with_for_update()).first()
            if row is None or row.additions >= max_additions or self._stored(conn) + size > quota_bytes:
                return False
            conn.execute(update(intake_submissions).where(intake_submissions.c.id == submission_id).values(
                additions=intake_submissions.c.additions + 1, parts=intake_submissions.c.parts + len(parts)))
            self._insert_parts(conn, submission_id, received_on, parts)
        return True

    def receipt(self, selector: str) -> tuple[str, StoredReceipt] | None:
        """The submission id and stored receipt with this selector digest."""
        s = intake_submissions.c
        with self.engine.connect() as conn:
            row = conn.execute(select(s.id, s.selector, s.salt, s.verifier, s.reply_public_key).where(
                s.selector == selector)).first()
        if row is None:
            return None
        return row.id, StoredReceipt(row.selector, bytes(row.salt), bytes(row.verifier), bytes(row.reply_public_key))

    def submissions(self, status: SubmissionStatus | None, limit: int, offset: int) -> list[SubmissionRow]:
        """A page of submissions, oldest first (the order they arrived in)."""
        s = intake_submissions.c
        query = select(s.id, s.received_on, s.status, s.parts, s.additions).order_by(s.seq)
        if status is not None:
            query = query.where(s.status == status.value)
        with self.engine.connect() as conn:
            rows = conn.execute(query.limit(limit).offset(offset)).all()
        return [SubmissionRow(r.id, r.received_on, SubmissionStatus(r.status), r.parts, r.additions) for r in rows]

    def submission(self, submission_id: str) -> SubmissionRow | None:
        """One submission's row."""
        s = intake_submissions.c
        with self.engine.connect() as conn:
            r = conn.execute(select(s.id, s.received_on, s.status, s.parts, s.additions).where(
                s.id == submission_id)).first()
        return SubmissionRow(r.id, r.received_on, SubmissionStatus(r.status), r.parts, r.additions) if r else None

    def parts(self, submission_id: str) -> list[StoredPart]:
        """Every sealed part of a submission, in the order received."""
        p = intake_parts.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(p.uid, p.kind, p.received_on, p.sealed).where(
                p.submission_id == submission_id).order_by(p.seq)).all()
        return [StoredPart(r.uid, PartKind(r.kind), r.received_on, bytes(r.sealed)) for r in rows]

    def reply_key(self, submission_id: str) -> bytes | None:
        """The public key replies to this submission are sealed to."""
        s = intake_submissions.c
        with self.engine.connect() as conn:
            found = conn.execute(select(s.reply_public_key).where(s.id == submission_id)).scalar()
        return bytes(found) if found is not None else None

    def add_reply(self, submission_id: str, sent_on: str, sealed: bytes, quota_bytes: int) -> bool:
        """Store a sealed reply; False if the quota would be exceeded."""
        with self.engine.begin() as conn:
            if self._stored(conn) + len(sealed) > quota_bytes:
                return False
            conn.execute(insert(intake_replies).values(submission_id=submission_id, sent_on=sent_on,
                                                       size=len(sealed), sealed=sealed))
        return True

    def replies(self, submission_id: str) -> list[StoredReply]:
        """The sealed replies to a submission, oldest first."""
        r = intake_replies.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(r.sent_on, r.sealed).where(r.submission_id == submission_id)
                                .order_by(r.seq)).all()
        return [StoredReply(x.sent_on, bytes(x.sealed)) for x in rows]

    def set_status(self, submission_id: str, status: SubmissionStatus) -> bool:
        """Mark a submission (spam, made into a case); False if there is none."""
        with self.engine.begin() as conn:
            done = conn.execute(update(intake_submissions).where(intake_submissions.c.id == submission_id)
                                .values(status=status.value))
        return bool(done.rowcount)

"""The interfaces the service layer depends on, in one place; adapters subclass the one they fulfil.

Repositories and stores are Protocols (a test fake may satisfy one structurally); the units of work are abstract
classes. Everything here imports only the domain and the service layer's data modules, never a service, so no
service needs a ``TYPE_CHECKING`` import to name an interface.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Protocol, Self

from dutycare.domain.complaint_drafts import ComplaintDraft, Letter
from dutycare.domain.errors import Problem
from dutycare.domain.events import Event
from dutycare.domain.evidence import EvidenceFile
from dutycare.domain.intake_form import FieldSubmission
from dutycare.domain.model import Case, CaseFile, Institution, Person, Source, Timeline
from dutycare.domain.suggested_facts import Suggestion
from dutycare.service_layer.access import Access, ApiToken, User
from dutycare.service_layer.changes import Change
from dutycare.service_layer.intake_records import (
    SealedPart,
    StoredPart,
    StoredReceipt,
    StoredReply,
    SubmissionRow,
    SubmissionStatus,
)
from dutycare.service_layer.pattern_model import ReportContent
from dutycare.service_layer.queries import (
    AuditEntry,
    CaseFilter,
    CaseQuery,
    CaseRow,
    FilterChoices,
    FindingRow,
    GroupCount,
    RecordState,
    RowFacts,
)
from dutycare.service_layer.raw_record import RawRecord
from dutycare.service_layer.rulebook import RuleBook
from dutycare.service_layer.snapshots import DatabaseSnapshot, MemberDigest


# -- the case record ---------------------------------------------------------------------------------------
class Records(Protocol):
    """The case-record repository the services use."""

    def has(self, kind: str, record_id: str) -> bool: ...
    def event_type(self, event_id: str) -> str | None: ...
    def count(self, kind: str) -> int: ...
    def add_case_file(self, cf: CaseFile) -> None: ...
    def add_events(self, events: Sequence[Event]) -> None: ...
    def case(self, case_id: str) -> Case: ...
    def event(self, event_id: str) -> Event: ...
    def replace_event(self, event: Event) -> int: ...
    def tombstone_event(self, event_id: str, at: str, reason: str) -> Event: ...
    def replace_record(self, record: Person | Case | Source | Institution) -> int: ...
    def withdraw_record(self, kind: str, record_id: str, at: str, reason: str) -> None: ...
    def is_withdrawn(self, kind: str, record_id: str) -> bool: ...
    def source(self, source_id: str) -> Source: ...
    def institution(self, institution_id: str) -> Institution: ...
    def sources_by_id(self, ids: Iterable[str]) -> dict[str, Source]: ...
    def all_sources(self) -> list[Source]: ...
    def cases_of_person(self, person_id: str) -> list[str]: ...
    def cases_citing(self, source_id: str) -> set[str]: ...
    def person(self, person_id: str) -> Person: ...
    def timeline(self, case_id: str, *, case: Case | None = None,
                 institutions: dict[str, Institution] | None = None) -> Timeline: ...
    def institutions_by_id(self, ids: Iterable[str] | None = None) -> dict[str, Institution]: ...
    def events_at_institutions(self, institution_ids: Iterable[str]) -> list[Event]: ...
    def all_records(self) -> CaseFile: ...
    def add_evidence(self, ev: EvidenceFile, stored_path: str) -> None: ...
    def evidence(self, evidence_id: str) -> EvidenceFile: ...
    def evidence_of_case(self, case_id: str) -> list[EvidenceFile]: ...
    def list_cases(self, flt: CaseFilter, limit: int = 50, offset: int = 0) -> tuple[list[CaseRow], int]: ...
    def events_by_case(self, case_ids: Sequence[str], facts_only: bool = False) -> dict[str, list[Event]]: ...
    def event_facts_at_institutions(self, institution_ids: Iterable[str],
                                    types: Iterable[str] | None = None) -> list[Event]: ...
    def event_facts_by_id(self, event_ids: Iterable[str]) -> list[Event]: ...
    def events_of_types(self, types: Iterable[str]) -> list[Event]: ...
    def all_case_ids(self) -> list[str]: ...
    def record_states(self) -> Iterable[RecordState]: ...
    def row_facts(self) -> Iterable[RowFacts]: ...
    def link_ordinals(self) -> dict[tuple[str, str], list[object]]: ...


class Findings(Protocol):
    """Stored findings, replaced whenever what they concern changes."""

    def replace_for_cases(self, case_ids: Iterable[str], scopes: Iterable[str], rows: Iterable[FindingRow]) -> None: ...
    def replace_for_institutions(self, institution_ids: Iterable[str], scope: str,
                                 rows: Iterable[FindingRow]) -> None: ...
    def store(self, rows: Iterable[FindingRow]) -> None: ...
    def clear(self) -> None: ...
    def for_cases(self, case_ids: Iterable[str]) -> list[FindingRow]: ...
    def for_case(self, case_id: str) -> list[FindingRow]: ...
    def of_rules_at_institutions(self, rule_ids: Iterable[str], institution_ids: Iterable[str]) -> list[FindingRow]: ...
    def all(self) -> list[FindingRow]: ...
    def case_ids_with_rule(self, rule_id: str) -> set[str]: ...


class Ledger(Protocol):
    """An append-only log (the case ledger or the access log), with its signed checkpoints."""

    clock: Callable[[], datetime]
    """The time a new checkpoint is signed at."""

    def append(self, changes: Iterable[Change], actor: str) -> int:
        """Append one entry per change; return the new tree size."""
        ...

    def entries(self) -> Iterable[tuple[int, bytes, bytes]]:
        """Every (seq, entry bytes, stored leaf hash), in order."""
        ...

    def latest_digest(self, entity: str, entity_id: str) -> str | None:
        """The record digest of the newest entry about one record (None if no entry names it)."""
        ...

    def index_columns(self) -> list[tuple[object, object, object]]:
        """Every entry's (seq, entity, entity_id) columns as stored, in order."""
        ...

    def add_checkpoint(self, size: int, root: bytes, at: str, note: str) -> None:
        """Keep a signed checkpoint."""
        ...

    def checkpoints(self) -> list[tuple[int, bytes, str, str]]:
        """Every checkpoint (size, root, time, note text), oldest first."""
        ...


class SearchIndex(Protocol):
    """Where normalised words are stored as keyed digests, per record."""

    def replace(self, kind: str, record_id: str, words: set[str]) -> None:
        """Make these the words of one record (replacing what it had)."""
        ...

    def remove(self, kind: str, record_id: str) -> None:
        """Forget a record's words."""
        ...

    def is_empty(self) -> bool:
        """True when nothing is indexed."""
        ...

    def digests(self, words: list[str]) -> list[str] | None:
        """The stored form of words, or None when nothing was ever indexed."""
        ...

    def has_key(self) -> bool:
        """True when the index key is stored."""
        ...

    def terms(self) -> dict[tuple[str, str], set[str]]:
        """Every stored digest, by (kind, record id)."""
        ...

    def postings_differ(self) -> int:
        """How many per-case postings differ from what the stored words and record links give (0 when intact)."""
        ...


class AccessRecords(Protocol):
    """The access records (users, tokens, case restrictions, audit rows) as the access log enters them."""

    def record(self, entity: str, ident: str) -> dict[str, Any] | None: ...
    def states(self) -> Iterable[RecordState]: ...


class ComplaintDrafts(Protocol):
    """Complaint drafts (letters drafted from cases), sealed at rest."""

    def add(self, draft: ComplaintDraft) -> None: ...
    def replace(self, draft: ComplaintDraft) -> None: ...
    def get(self, draft_id: str) -> ComplaintDraft: ...
    def of_cases(self, case_ids: Iterable[str]) -> list[ComplaintDraft]: ...


class UnitOfWork(abc.ABC):
    """A transaction over the repositories; it rolls back unless commit() is called."""

    records: Records
    ledger: Ledger
    access_log: Ledger
    access_records: AccessRecords
    search: SearchIndex
    findings: Findings
    drafts: ComplaintDrafts
    rulebook: RuleBook
    actor: str
    today: Callable[[], date]

    def now(self) -> datetime:
        """The moment of this unit of work, from the injectable clock its ledger signs with (inside a with-block)."""
        return self.ledger.clock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None:
        """Make everything written in this unit permanent."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard everything written in this unit that was not committed."""


# -- the staff application ---------------------------------------------------------------------------------
class AccessStore(Protocol):
    """Storage of users, sessions, tokens and failed sign-ins."""

    def ensure_organisation(self, org_id: str, name: str, at: str) -> bool: ...
    def add_user(self, user: User, password_hash: str) -> None: ...
    def user(self, user_id: str) -> User | None: ...
    def user_by_name(self, name: str) -> tuple[User, str] | None: ...
    def users(self) -> list[User]: ...
    def update_user(self, user_id: str, **values: object) -> None: ...
    def totp_secret(self, user_id: str) -> str | None: ...
    def set_totp_secret(self, user_id: str, secret: str | None) -> None: ...
    def add_session(self, token_hash: str, user_id: str, csrf: str, second_factor_done: bool, at: str) -> None: ...
    def session(self, token_hash: str) -> tuple[str, str, bool, str, str] | None: ...
    def session_with_user(self, token_hash: str) -> tuple[tuple[str, bool, str, str], User] | None: ...
    def touch_session(self, token_hash: str, at: str, second_factor_done: bool | None = None) -> None: ...
    def end_session(self, token_hash: str) -> None: ...
    def end_sessions_of(self, user_id: str) -> None: ...
    def add_token(self, token: ApiToken, token_hash: str) -> None: ...
    def token_by_hash(self, token_hash: str) -> ApiToken | None: ...
    def token_with_user(self, token_hash: str) -> tuple[ApiToken, User] | None: ...
    def tokens(self, user_id: str | None = None) -> list[ApiToken]: ...
    def update_token(self, token_id: str, **values: object) -> None: ...
    def add_failure(self, key: str, at: str) -> None: ...
    def failures_since(self, key: str, since: str) -> int: ...
    def clear_failures(self, key: str) -> None: ...


class AuditLog(Protocol):
    """Where audit entries are appended and read."""

    def append(self, at: str, user_id: str | None, user_name: str, action: str, target_kind: str, target_id: str,
               detail: str) -> int: ...
    def entries(self, limit: int, offset: int, action: str | None = None) -> tuple[list[AuditEntry], int]: ...


class CaseQueries(Protocol):
    """Queries of the staff application that join the case record with access, findings and the search index."""

    def visible_cases(self, viewer: User, query: CaseQuery, term_digests: list[str] | None, limit: int,
                      offset: int) -> tuple[list[CaseRow], int]: ...
    def visible_regions(self, viewer: User) -> tuple[str, ...]: ...
    def case_access(self, case_id: str) -> Access: ...
    def set_case_access(self, case_id: str, restricted: bool, user_ids: frozenset[str], at: str, by: str) -> None: ...
    def filter_choices(self, viewer: User | None = None) -> FilterChoices: ...
    def search_digests(self, words: list[str]) -> list[str] | None: ...


class PatternQueries(Protocol):
    """Counts across the cases a viewer sees, as GROUP BY queries over the stored record and findings."""

    def counts(self, viewer: User, query: CaseQuery, term_digests: list[str] | None, grouping: str,
               institution_type: str | None, rule_id: str | None) -> list[GroupCount]:
        """Per group: cases and cases with the measure (a refused treatment, or a finding of ``rule_id``); for a
        period grouping the key is the month (YYYY-MM) of each case's first live event."""
        ...

    def population_size(self, viewer: User, query: CaseQuery, term_digests: list[str] | None) -> int:
        """How many cases the viewer sees that match the filters."""
        ...

    def population(self, viewer: User, query: CaseQuery, term_digests: list[str] | None) -> list[str]:
        """The ids of those cases, sorted."""
        ...

    def combination_count(self, viewer: User, region: str | None, unit_id: str,
                          age_band: tuple[int, int] | None) -> int:
        """How many cases the viewer sees share a region, an event at a unit and a person's age band."""
        ...


class Publications(Protocol):
    """Stored publications: their record (as the ledger covers it) and their files."""

    def add(self, record: dict[str, Any], files: dict[str, bytes], population: list[str]) -> None: ...
    def update(self, publication_id: str, **values: object) -> None: ...
    def record(self, publication_id: str) -> dict[str, Any] | None: ...
    def records(self) -> list[dict[str, Any]]: ...
    def file(self, publication_id: str, name: str) -> bytes | None: ...
    def population(self, publication_id: str) -> list[str]: ...


class ReportRenderer(Protocol):
    """Draws a report's charts and writes it as files (HTML, PDF, the tables as JSON and CSV)."""

    def render(self, content: ReportContent) -> dict[str, tuple[bytes, str]]:
        """Each file's name mapped to its bytes and media type."""
        ...


class StaffUnitOfWork(UnitOfWork):
    """A unit of work that also carries the access store, the audit log and the staff case queries (the access
    log and the access records come with every unit of work)."""

    access: AccessStore
    audit: AuditLog
    views: CaseQueries
    patterns: PatternQueries
    publications: Publications


# -- evidence files ----------------------------------------------------------------------------------------
class StoredFile(Protocol):
    """What the vault reports about a file it stored."""

    @property
    def sha256(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def stored_path(self) -> str: ...


class LetterRenderer(Protocol):
    """Turns a complaint letter into a page: PDF to print and sign, DOCX to edit."""

    def pdf(self, letter: Letter) -> bytes: ...
    def docx(self, letter: Letter) -> bytes: ...


class EvidenceStore(Protocol):
    """The encrypted, path-confined file store."""

    def put(self, file_id: str, version: int, source: BinaryIO | Path) -> StoredFile: ...
    def read_to(self, file_id: str, version: int, out_path: Path, expected_sha256: str) -> int: ...
    def discard(self, file_id: str, version: int) -> None: ...


class FileHasher(Protocol):
    """Re-reads a stored evidence file and returns the SHA-256 of its plaintext."""

    def __call__(self, file_id: str, version: int) -> str: ...

    def stored_path(self, file_id: str, version: int) -> str:
        """Where the vault keeps a file, relative to the vault's root."""
        ...


# -- verification -----------------------------------------------------------------------------------------
class Found(Protocol):
    """Where a check of derived columns reports what it finds."""

    def add(self, entity: str, ident: str, message: str) -> None: ...


# -- checkpoints kept outside the database -----------------------------------------------------------------
class CheckpointArchive(Protocol):
    """Signed checkpoints kept outside the database (files beside the key, or a folder the settings name)."""

    def keep(self, size: int, note: str) -> object:
        """Keep one signed checkpoint; one already kept for that size stays as it is."""
        ...

    def notes(self) -> list[tuple[str, str]]:
        """Every (where, note text) kept."""
        ...


CheckpointKeeper = CheckpointArchive
"""The access log's name for the same kind of folder."""


# -- backup and restore ------------------------------------------------------------------------------------
class BackupDatabase(Protocol):
    """A database as the source of a snapshot or the target of a restore."""

    backend: str

    def snapshot(self, work_dir: Path) -> DatabaseSnapshot: ...
    def ensure_empty(self) -> None: ...
    def place(self, fmt: str, revision: str, members: dict[str, Path], work_dir: Path) -> None: ...
    def remove(self) -> None: ...


class ArchiveSink(Protocol):
    """An archive being written; it is complete only when its with-block ends without an error."""

    def __enter__(self) -> Self: ...
    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...
    def add_file(self, name: str, path: Path) -> MemberDigest: ...
    def add_bytes(self, name: str, data: bytes) -> MemberDigest: ...


ArchiveReader = Callable[[Path, Path], dict[str, MemberDigest]]
"""Decrypts a backup file into a staging folder (one file per member) and returns each member's digest."""


# -- imports -----------------------------------------------------------------------------------------------
class RecordSource(Protocol):
    """Records from a file or a document; every call to items() reads again from the beginning."""

    def items(self) -> Iterator[RawRecord | Problem]:
        """Each record, or a problem where a record could not be read; a fatal problem ends the iteration."""
        ...

    def progress(self) -> tuple[int, int]:
        """How much of the source the current pass has read, and its total size (in bytes; 0 if unknown)."""
        ...

    def digest(self) -> str | None:
        """The SHA-256 of what the last completed pass read, to prove both passes read the same (None if n/a)."""
        ...


class Progress(Protocol):
    """Where an import reports how far it has got."""

    def start(self, phase: str) -> None:
        """A phase begins: 'checking', 'writing', 'committing'."""
        ...

    def update(self, records: int, fraction: float | None) -> None:
        """Records done so far in this phase, and the fraction of the phase done (None if unknown)."""
        ...

    def finish(self) -> None:
        """The import is over (written or not)."""
        ...


class BulkStore(Protocol):
    """Looks up and writes records, their ledger entries and search index entries, inside the unit of work."""

    refuses_taken_ids: bool
    """True when writing a record whose id exists already raises IdTaken, at that write or a later sync (so the
    import need not remember every id it has written to refuse one used twice)."""

    def is_empty(self, kind: str) -> bool:
        """True when no record of this kind exists yet (lookups can be skipped)."""
        ...

    def existing(self, kind: str, ids: Collection[str]) -> set[str]:
        """Which of these ids already exist."""
        ...

    def event_types(self, ids: Collection[str]) -> dict[str, str]:
        """The types of those of these events that exist."""
        ...

    def withdrawn_kinds(self) -> set[str]:
        """The kinds of record of which some may have been withdrawn (the others need no asking)."""
        ...

    def withdrawn(self, kind: str, ids: Collection[str]) -> set[str]:
        """Which of these ids name records that were withdrawn (nothing new may refer to them)."""
        ...

    def start(self) -> None:
        """Prepare to write (take the ledger's lock)."""
        ...

    def write(self, batch: CaseFile, changes: list[Change]) -> None:
        """Write one batch of validated new records and one ledger entry per change."""
        ...

    def sync(self) -> None:
        """Wait until everything written so far has reached the database (before the connection is used else)."""
        ...

    def put_findings(self, rows: list[FindingRow]) -> None:
        """Write findings of cases this import created (so no finding with their keys is stored yet)."""
        ...

    def finish(self) -> int:
        """Flush everything still buffered; return the ledger's new size."""
        ...

    def close(self, failed: bool = False) -> None:
        """Release what the store holds (a sending thread, connection settings), after success or failure."""
        ...


# -- the public intake's own database -------------------------------------------------------------------------
class IntakeStore(Protocol):
    """The intake database: sealed submissions, receipts and sealed replies (never the case database)."""

    def public_key(self) -> bytes | None: ...
    def set_public_key(self, public_key: bytes) -> None: ...
    def stored_bytes(self) -> int: ...
    def add_submission(self, submission_id: str, received_on: str, receipt: StoredReceipt,
                       parts: Sequence[SealedPart], quota_bytes: int) -> bool: ...
    def add_parts(self, submission_id: str, received_on: str, parts: Sequence[SealedPart], quota_bytes: int,
                  max_additions: int) -> bool: ...
    def receipt(self, selector: str) -> tuple[str, StoredReceipt] | None: ...
    def submissions(self, status: SubmissionStatus | None, limit: int, offset: int) -> list[SubmissionRow]: ...
    def submission(self, submission_id: str) -> SubmissionRow | None: ...
    def parts(self, submission_id: str) -> list[StoredPart]: ...
    def reply_key(self, submission_id: str) -> bytes | None: ...
    def add_reply(self, submission_id: str, sent_on: str, sealed: bytes, quota_bytes: int) -> bool: ...
    def replies(self, submission_id: str) -> list[StoredReply]: ...
    def set_status(self, submission_id: str, status: SubmissionStatus) -> bool: ...


class ReplyReader(Protocol):
    """The key a receipt code derives: it opens the organisation's replies to that submission."""

    def open_reply(self, sealed: bytes, aad: bytes) -> str: ...


class ReceiptMaker(Protocol):
    """Makes receipt codes and checks typed ones against what is stored (only a slow hash of each code)."""

    def new(self) -> tuple[str, StoredReceipt]: ...
    def parse(self, typed: str) -> tuple[str, str] | None: ...
    def check(self, letters: str, stored: StoredReceipt | None) -> ReplyReader | None: ...


class IntakeKey(Protocol):
    """The unlocked intake private key (in the staff application's memory only)."""

    def open(self, sealed: bytes, aad: bytes) -> bytes: ...
    def seal_reply(self, reply_public_key: bytes, text: str, aad: bytes) -> bytes: ...


class IntakeKeyLock(Protocol):
    """The intake private key as kept: locked with a passphrase."""

    def unlock_or_none(self, passphrase: str) -> IntakeKey | None: ...


# -- suggested facts ------------------------------------------------------------------------------------------
class FactSuggester(Protocol):
    """Suggests facts from a free-text account; nothing is stored, a person accepts each suggestion."""

    def suggest(self, text: str, known_date: date | None = None) -> list[Suggestion]: ...


# -- field collection -----------------------------------------------------------------------------------------
class SubmissionSealer(Protocol):
    """Seals a part of a submission to the intake public key (and can never open it)."""

    def seal(self, plaintext: bytes, aad: bytes) -> bytes: ...


class IntakeQueue(Protocol):
    """The triage queue as offline collection feeds it: each submission sealed on arrival, as the web form's are."""

    def add(self, submission: FieldSubmission) -> str | None:
        """Queue one submission; its id in the queue, or None when the queue is full."""
        ...

"""The one import path: records streamed from a file or a document are validated and written — with their ledger
entries, search index entries and findings — in one transaction, or nothing is written.

Most sources are read once (`check_and_write`): each batch is validated against what the file has defined so far and
the database, and written while everything so far is valid; the first problem rolls the writing back and checking
goes on to the end, so that every problem is reported. Validation keeps only ids and event types, never the
records, so memory stays flat however long the file is. A source that names records long before defining them is
validated whole first and then read again and written parents first (`check_source`, `write_source`). Records go
to a store: the plain repositories (`RepositoryStore`) or a bulk writer for large files. Both use the same row
mapping, the same encryption and the same ledger entry encoding; neither commits.
"""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dutycare.domain.errors import DomainError, InvalidInput, Problem
from dutycare.domain.events import EVENT_SPECS, FieldKind
from dutycare.domain.interchange import (
    EVENT_REF_TYPES,
    FORMAT_NAME,
    FORMAT_VERSION,
    SECTION_KINDS,
    SECTIONS,
    parse_case_file,
)
from dutycare.domain.limits import storable_text
from dutycare.domain.model import CaseFile
from dutycare.domain.names_in_ids import NamesInIds
from dutycare.service_layer.changes import Change, created
from dutycare.service_layer.findings import ImportFindings, refresh_findings
from dutycare.service_layer.ports import BulkStore as BulkStore
from dutycare.service_layer.ports import Progress as Progress
from dutycare.service_layer.ports import RecordSource as RecordSource
from dutycare.service_layer.ports import UnitOfWork
from dutycare.service_layer.queries import FindingRow
from dutycare.service_layer.raw_record import RawRecord as RawRecord
from dutycare.service_layer.raw_record import Relocate as Relocate
from dutycare.service_layer.search import index_changes

KINDS = ("person", "institution", "source", "case", "event")
SECTION_OF = {kind: section for section, kind in SECTION_KINDS.items()}
MAX_PROBLEMS_KEPT = 100
BATCH_RECORDS = 2000
MAX_HELD_BATCHES = 8  # how many batches may wait for records named further on before the import falls back to
# checking the whole file first and then writing it parents first
# When a file names records before defining them, rows must still reach the tables parents first.
KIND_SWEEPS: tuple[tuple[str, ...], ...] = (("person", "institution", "source"), ("case",), ("event",))
_BATCH_LOCATION = re.compile(r"^(\w+)\[(\d+)\]")
_PARENT_LOCATION = re.compile(r"^institutions \(id (.*)\)$")
_EVENT_REFS: dict[str, tuple[tuple[str, str], ...]] = {
    t.value: tuple((f.name, EVENT_REF_TYPES[f.name].value if f.name in EVENT_REF_TYPES else "")
                   for f in spec.fields if f.kind is FieldKind.EVENT)
    for t, spec in EVENT_SPECS.items()
}
# The event types other events may refer to; None when some reference accepts any type.
_REFERRED_EVENT_TYPES: frozenset[str] | None = (
    None if any(not wanted for refs in _EVENT_REFS.values() for _, wanted in refs)
    else frozenset(t.value for t in EVENT_REF_TYPES.values()))


_TYPE_NAMES = {t.value: t.value for t in EVENT_SPECS}


# -- what flows in ---------------------------------------------------------------------------------------------
class NoProgress(Progress):
    """Reports nothing."""

    def start(self, phase: str) -> None:
        """Nothing."""

    def update(self, records: int, fraction: float | None) -> None:
        """Nothing."""

    def finish(self) -> None:
        """Nothing."""


# -- where it goes ---------------------------------------------------------------------------------------------
U = TypeVar("U", bound=UnitOfWork)
StoreFactory = Callable[[U], BulkStore]  # a store for the unit of work it is given (a SQL store needs a SQL one)


class RepositoryStore(BulkStore):
    """The plain path through the unit of work's repositories; fine for documents of any ordinary size."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.size: int | None = None

    def is_empty(self, kind: str) -> bool:
        """Whether no record of this kind exists."""
        return self.uow.records.count(kind) == 0

    def existing(self, kind: str, ids: Collection[str]) -> set[str]:
        """Which ids exist, asked one by one."""
        return {i for i in ids if self.uow.records.has(kind, i)}

    def event_types(self, ids: Collection[str]) -> dict[str, str]:
        """Types of existing events, asked one by one."""
        found = {i: self.uow.records.event_type(i) for i in ids}
        return {i: t for i, t in found.items() if t is not None}

    def start(self) -> None:
        """Nothing to prepare."""

    def write(self, batch: CaseFile, changes: list[Change]) -> None:
        """Insert the batch, append its ledger entries and index its text."""
        self.uow.records.add_case_file(batch)
        self.size = self.uow.ledger.append(changes, self.uow.actor)
        index_changes(self.uow.search, changes)

    def sync(self) -> None:
        """Everything is written at once."""

    def put_findings(self, rows: list[FindingRow]) -> None:
        """Store the findings."""
        self.uow.findings.store(rows)

    def finish(self) -> int:
        """The ledger's size."""
        return self.size if self.size is not None else self.uow.ledger.append([], self.uow.actor)

    def close(self, failed: bool = False) -> None:
        """Nothing to release."""


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    counts: dict[str, int]
    ledger_size: int
    sha256: str | None = None
    case_ids: frozenset[str] = frozenset()
    warnings: tuple[str, ...] = ()  # written anyway, but worth a look: e.g. an id holding a person's name


# -- problems --------------------------------------------------------------------------------------------------
@dataclass
class ProblemLog:
    """The first problems found, and how many there were in all."""

    limit: int = MAX_PROBLEMS_KEPT
    kept: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: Problem) -> None:
        """Count a problem; keep it if there is room and it is not a repeat of the last one."""
        if self.kept and self.kept[-1] == problem:
            return
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(problem)

    def raise_if_any(self) -> None:
        """Raise InvalidInput when anything was wrong."""
        if self.total:
            raise InvalidInput(self.kept, self.total)


def header_problems(head: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with a case file's top-level fields (format, version, unknown keys)."""
    out = []
    if head.get("format") != FORMAT_NAME:
        out.append(Problem("document", "format", f"must be '{FORMAT_NAME}'"))
    if head.get("format_version") != FORMAT_VERSION:
        out.append(Problem("document", "format_version",
                           f"is {head.get('format_version')!r}; this dutycare reads version {FORMAT_VERSION}"))
    allowed = ("format", "format_version", *SECTIONS)
    out += [Problem("document", key, "unknown field") for key in head if key not in allowed]
    return out


def section_location(section: str, index: int, raw: Any) -> str:
    """Where a record sits in a case file, as the interchange parser names it: ``events[3] (id ev-1)``."""
    rid = raw.get("id") if isinstance(raw, Mapping) else None
    return f"{section}[{index}]" + (f" (id {rid})" if isinstance(rid, str) else "")


class DocumentRecords(RecordSource):
    """The records of an interchange document already in memory."""

    def __init__(self, document: Any) -> None:
        self.document = document

    def items(self) -> Iterator[RawRecord | Problem]:
        """Header problems (which end the reading), then every record in section order."""
        doc = self.document
        if not isinstance(doc, Mapping):
            yield Problem("document", "", "must be a JSON object")
            return
        head = header_problems(doc)
        if head:
            yield from head
            return
        for section in SECTIONS:
            yield from self._section(section, doc.get(section, []))

    @staticmethod
    def _section(section: str, items: Any) -> Iterator[RawRecord | Problem]:
        if not isinstance(items, list):
            yield Problem(section, "", "must be a list")
            return
        kind = SECTION_KINDS[section]
        for i, raw in enumerate(items):
            where = section_location(section, i, raw)
            if isinstance(raw, Mapping):
                yield RawRecord(kind, raw, where)
            else:
                yield Problem(where, "", "must be an object")

    def progress(self) -> tuple[int, int]:
        """Unknown."""
        return 0, 0

    def digest(self) -> str | None:
        """Not applicable: the document cannot change between passes."""
        return None


# -- knowledge gathered by the first pass ----------------------------------------------------------------------
@dataclass
class Knowledge:
    """The ids (and event types) of the file, and what it refers to outside itself."""

    seen: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS if k != "event"})
    event_types: dict[str, str] = field(default_factory=dict)
    in_database: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    database_event_types: dict[str, str] = field(default_factory=dict)
    pending: set[tuple[str, str]] = field(default_factory=set)
    pending_events: dict[str, str] = field(default_factory=dict)
    complete: Knowledge | None = None  # on a second check, what the whole file holds
    forward: bool | None = None  # set by compact()
    saw_forward: bool = False  # a forward reference was settled (and dropped from pending) while importing

    def defined(self, kind: str, record_id: str) -> bool:
        """Whether the file (so far) defines this record."""
        return record_id in (self.event_types if kind == "event" else self.seen[kind])

    def refers(self, kind: str, record_id: str) -> bool:
        """Whether a reference may stand; on the first check, unknown ones are noted and judged at the end."""
        pool = self.complete or self
        if pool.defined(kind, record_id) or record_id in self.in_database[kind]:
            return True
        if self.complete is not None:
            return False
        self.pending.add((kind, record_id))
        return True

    def event_type(self, event_id: str, assumed: Mapping[str, str]) -> str | None:
        """The type of a referenced event; on the first check, a not-yet-seen one is assumed to be as wanted."""
        pool = self.complete or self
        found = pool.event_types.get(event_id) or self.database_event_types.get(event_id)
        if found is not None or self.complete is not None or event_id not in assumed:
            return found
        self.pending_events[event_id] = assumed[event_id]
        return assumed[event_id] or "event"

    def remember(self, rec: RawRecord) -> None:
        """Note a record's id (and an event's type) once its batch is checked."""
        rid = rec.data.get("id")
        if not isinstance(rid, str):
            return
        if rec.kind == "event":
            etype = rec.data.get("type")
            # One shared string per type, not one per event (a million events would hold ~50 MB of copies).
            self.event_types[rid] = _TYPE_NAMES.get(etype, etype) if isinstance(etype, str) else ""
        else:
            self.seen[rec.kind].add(rid)

    def forward_references(self) -> bool:
        """Whether any reference named a record the file defines only further on."""
        if self.forward is not None:
            return self.forward
        return self.saw_forward or any(self.defined(k, r) for k, r in self.pending)

    def compact(self) -> None:
        """Once the file is known to be valid, keep only what writing needs: whether to write parents first, and
        the types of events other events refer to (every reference was checked, so those are all it asks for)."""
        self.forward = self.forward_references()
        self.seen = {kind: set() for kind in self.seen}
        self.pending.clear()
        if _REFERRED_EVENT_TYPES is not None:
            self.event_types = {i: t for i, t in self.event_types.items() if t in _REFERRED_EVENT_TYPES}


class _Known:
    """What one batch's validation may take as existing (the interchange parser's KnownRecords)."""

    def __init__(self, knowledge: Knowledge, batch_ids: Mapping[str, set[str]],
                 claimed_in_db: Mapping[str, set[str]], assumed: Mapping[str, str]) -> None:
        self.knowledge = knowledge
        self.batch_ids = batch_ids
        self.claimed_in_db = claimed_in_db
        self.assumed = assumed

    def has(self, kind: str, record_id: str) -> bool:
        """A batch's own ids are asked about to see whether the database holds them already."""
        if record_id in self.batch_ids.get(kind, ()):
            return record_id in self.claimed_in_db.get(kind, ())
        return self.knowledge.refers(kind, record_id)

    def event_type(self, event_id: str) -> str | None:
        """The type of an event outside the batch."""
        return self.knowledge.event_type(event_id, self.assumed)


class _Validated:
    """Knowledge for the writing pass: everything was checked, only event types are still needed."""

    def __init__(self, knowledge: Knowledge, batch_ids: Mapping[str, set[str]]) -> None:
        self.knowledge = knowledge
        self.batch_ids = batch_ids

    def has(self, kind: str, record_id: str) -> bool:
        """New ids are new; references were checked."""
        return record_id not in self.batch_ids.get(kind, ())

    def event_type(self, event_id: str) -> str | None:
        """The type recorded by the first pass."""
        k = self.knowledge
        return k.event_types.get(event_id) or k.database_event_types.get(event_id)


# -- one batch through the interchange parser ------------------------------------------------------------------
@dataclass
class Batch:
    """Raw records gathered for one call of the interchange parser."""

    records: list[RawRecord] = field(default_factory=list)

    def ids(self) -> dict[str, set[str]]:
        """The ids the batch defines, per kind."""
        out: dict[str, set[str]] = defaultdict(set)
        for rec in self.records:
            rid = rec.data.get("id")
            if isinstance(rid, str):
                out[rec.kind].add(rid)
        return out

    def document(self) -> tuple[dict[str, Any], dict[str, list[RawRecord]]]:
        """The batch as a case-file document, and each section's records in document order."""
        index: dict[str, list[RawRecord]] = {s: [] for s in SECTIONS}
        for rec in self.records:
            index[SECTION_OF[rec.kind]].append(rec)
        doc: dict[str, Any] = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION}
        doc.update({s: [r.data for r in recs] for s, recs in index.items() if recs})
        return doc, index


def relocate(problem: Problem, index: Mapping[str, list[RawRecord]]) -> Problem:
    """Point a problem the parser found in a batch document back at the record's place in the source."""
    m = _BATCH_LOCATION.match(problem.location)
    if m and m[1] in index and int(m[2]) < len(index[m[1]]):
        return index[m[1]][int(m[2])].problem(problem.field, problem.message)
    m = _PARENT_LOCATION.match(problem.location)
    if m:
        for rec in index["institutions"]:
            if rec.data.get("id") == m[1]:
                return rec.problem(problem.field, problem.message)
    return problem


# -- the first pass: check everything --------------------------------------------------------------------------
class Checker:
    """Validates a source batch by batch, keeping ids and types, never records."""

    def __init__(self, store: BulkStore, knowledge: Knowledge, log: ProblemLog) -> None:
        self.store = store
        self.k = knowledge
        self.log = log
        self.counts: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.empty = {kind: store.is_empty(kind) for kind in KINDS}

    def check(self, batch: Batch) -> CaseFile | None:
        """Validate one batch against the file so far and the database; return its records if it has no problem."""
        problems_before = self.log.total
        batch_ids = batch.ids()
        for rec in batch.records:
            self._own_problems(rec)
        # Ids storage cannot hold are not looked up (the parser refuses them; the database could not even be asked).
        claimed = {kind: self.store.existing(kind, {i for i in ids if storable_text(i)})
                   for kind, ids in batch_ids.items() if not self.empty[kind]}
        doc, index = batch.document()
        parsed: CaseFile | None = None
        try:
            parsed = parse_case_file(doc, known=_Known(self.k, batch_ids, claimed, self._assumed(batch, batch_ids)))
        except InvalidInput as exc:
            for p in exc.problems:
                self.log.add(relocate(p, index))
        for rec in batch.records:
            self.k.remember(rec)
            self.counts[rec.kind] += 1
        return parsed if self.log.total == problems_before else None

    def settle(self, may_wait: bool = False) -> bool:
        """Settle the references the file so far left open; True when every one stands.

        A reference to a record the file has defined since (further on) stands, and is remembered as a forward
        reference; one to a record in the database stands too. With ``may_wait``, the database is not asked yet
        (the record may still come further on; asking would stall a bulk writer's pipeline). Once the whole file has
        been read, what is still open after settling without waiting is a dangling reference.
        """
        k = self.k
        later = {ref for ref in k.pending if k.defined(*ref)}
        if later:
            k.pending -= later
            k.saw_forward = True
        self._settle_event_references()
        if may_wait or (not k.pending and not k.pending_events):
            return not k.pending and not k.pending_events
        wanted: dict[str, set[str]] = defaultdict(set)
        for kind, rid in k.pending:
            wanted[kind].add(rid)
        for kind, ids in wanted.items():
            found = self.store.existing(kind, ids)
            k.in_database[kind] |= found
            k.pending -= {(kind, rid) for rid in found}
        unseen = [e for e in k.pending_events if e not in k.event_types]
        if unseen:
            k.database_event_types.update(self.store.event_types(unseen))
        self._settle_event_references()
        return not k.pending and not k.pending_events

    def _settle_event_references(self) -> None:
        """Drop the event references whose event is now known (in the file or the database) with the wanted type."""
        k = self.k
        for eid, wanted_type in list(k.pending_events.items()):
            found_type = k.event_types.get(eid) or k.database_event_types.get(eid)
            if found_type is not None and (not wanted_type or found_type == wanted_type):
                del k.pending_events[eid]

    def _own_problems(self, rec: RawRecord) -> None:
        rid = rec.data.get("id")
        if isinstance(rid, str) and self.k.defined(rec.kind, rid):
            self.log.add(rec.problem("id", f"'{rid}' is used twice in this file"))

    def _assumed(self, batch: Batch, batch_ids: Mapping[str, set[str]]) -> dict[str, str]:
        """Event references to events not seen yet, with the type each wants (checked at the end)."""
        out: dict[str, str] = {}
        for rec in batch.records:
            details = rec.data.get("details")
            if rec.kind != "event" or not isinstance(details, Mapping):
                continue
            for name, wanted in _EVENT_REFS.get(str(rec.data.get("type")), ()):
                target = details.get(name)
                if isinstance(target, str) and target not in batch_ids.get("event", ()):
                    out[target] = wanted
        return out


def batches(items: Iterator[RawRecord | Problem], log: ProblemLog | None, size: int | None = None,
            kinds: Collection[str] | None = None) -> Iterator[Batch]:
    """Group records into batches; problems go to the log (or raise, when there is none).

    A source that yields nothing but problems is given up on once the log is full, so junk fails fast.
    """
    size = size or BATCH_RECORDS
    batch = Batch()
    seen = 0
    for item in items:
        if isinstance(item, Problem):
            if log is None:
                raise _changed()
            log.add(item)
            if not seen and log.total >= log.limit:
                log.kept.append(Problem("file", "", "stopped reading: not one valid record before "
                                                    f"{log.limit} problems — is this the right file and format?"))
                return
            continue
        seen += 1
        if kinds is not None and item.kind not in kinds:
            continue
        batch.records.append(item)
        if len(batch.records) >= size:
            yield batch
            batch = Batch()
    if batch.records:
        yield batch


def _run_check(source: RecordSource, store: BulkStore, progress: Progress,
               complete: Knowledge | None) -> tuple[Checker, ProblemLog]:
    log = ProblemLog()
    knowledge = Knowledge(complete=complete)
    if complete is not None:
        knowledge.in_database, knowledge.database_event_types = complete.in_database, complete.database_event_types
    checker = Checker(store, knowledge, log)
    progress.start("checking")
    for batch in batches(source.items(), log):
        checker.check(batch)
        done, total = source.progress()
        progress.update(sum(checker.counts.values()), done / total if total else None)
    return checker, log


def check_source(source: RecordSource, store: BulkStore, progress: Progress) -> Checker:
    """The first pass: validate everything, raising InvalidInput with every problem (capped) if anything is wrong."""
    checker, log = _run_check(source, store, progress, None)
    if log.total < log.limit and not checker.settle():
        # Some reference named nothing; check again knowing the whole file, so each is reported where it is.
        checker, log = _run_check(source, store, progress, checker.k)
    log.raise_if_any()
    checker.k.compact()
    return checker


# -- the second pass: write ------------------------------------------------------------------------------------
def _changed() -> DomainError:
    return DomainError("The file changed while it was being imported; nothing was written. Import it again.")


@dataclass
class Written:
    """What the writing pass has written so far."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    case_ids: set[str] = field(default_factory=set)
    names_in_ids: NamesInIds = field(default_factory=NamesInIds)

    def add(self, cf: CaseFile) -> None:
        """Count a written batch, note the cases it touched and look for names in its ids."""
        self.names_in_ids.add(cf)
        for kind, n in zip(KINDS, (len(cf.people), len(cf.institutions), len(cf.sources), len(cf.cases),
                                   len(cf.events)), strict=True):
            self.counts[kind] += n
        self.case_ids.update(c.id for c in cf.cases)
        for e in cf.events:
            self.case_ids.update(e.case_ids)


def _write_sweep(source: RecordSource, store: BulkStore, knowledge: Knowledge, kinds: Collection[str] | None,
                 written: Written, progress: Progress, total: int) -> None:
    for batch in batches(source.items(), None, kinds=kinds):
        doc, _ = batch.document()
        try:
            cf = parse_case_file(doc, known=_Validated(knowledge, batch.ids()))
        except InvalidInput:
            raise _changed() from None
        store.write(cf, list(created(cf)))
        written.add(cf)
        progress.update(sum(written.counts.values()), sum(written.counts.values()) / total if total else None)


def write_source(source: RecordSource, store: BulkStore, checker: Checker, progress: Progress) -> Written:
    """The second pass: write what the first pass validated, parents first if the file needs it."""
    expected_digest = source.digest()
    written = Written()
    total = sum(checker.counts.values())
    progress.start("writing")
    store.start()
    for kinds in KIND_SWEEPS if checker.k.forward_references() else (None,):
        _write_sweep(source, store, checker.k, kinds, written, progress, total)
        if source.digest() != expected_digest:
            raise _changed()
    if written.counts != checker.counts:
        raise _changed()
    return written


def merge(parts: list[CaseFile]) -> CaseFile:
    """Several checked batches as one, each kind in the order read."""
    if len(parts) == 1:
        return parts[0]
    return CaseFile(people=tuple(r for p in parts for r in p.people),
                    institutions=tuple(r for p in parts for r in p.institutions),
                    sources=tuple(r for p in parts for r in p.sources), cases=tuple(r for p in parts for r in p.cases),
                    events=tuple(r for p in parts for r in p.events))


class _WriteAgain(Exception):
    """The file is valid but names records before defining them: write it again, parents first."""

    def __init__(self, checker: Checker) -> None:
        super().__init__("forward references")
        self.checker = checker


def check_and_write(uow: UnitOfWork, source: RecordSource, store: BulkStore, progress: Progress) -> Written:
    """One pass that validates each batch and, while everything so far is valid and refers only to records already
    written, writes it at once (records, ledger, index, case findings), all in the caller's transaction.

    At the first problem, or the first reference to a record not written yet, writing stops and what was written is
    rolled back; checking goes on to the end so that every problem is reported (InvalidInput). A valid file that
    refers forwards raises `_WriteAgain`, for the two-pass path to write it parents first.
    """
    log = ProblemLog()
    checker = Checker(store, Knowledge(), log)
    written = Written()
    progress.start("importing")
    store.start()
    first = ImportFindings(uow, store.put_findings, store.sync)
    first.start()
    window: ImportFindings | None = first
    held: list[CaseFile] = []  # checked batches that refer to records not read yet (or in the database)

    def write_held(findings: ImportFindings, may_wait: bool) -> None:
        nonlocal held
        if checker.settle(may_wait):
            together = merge(held)  # parents are written before what refers to them
            held = []
            store.write(together, list(created(together)))
            written.add(together)
            findings.add(together)

    for batch in batches(source.items(), log):
        parsed = checker.check(batch)
        if window is not None:
            if parsed is not None:
                held.append(parsed)
                write_held(window, may_wait=len(held) <= MAX_HELD_BATCHES)
            if parsed is None or len(held) > MAX_HELD_BATCHES:  # nothing more is written; checking goes on
                store.close(failed=True)
                uow.rollback()
                window, held = None, []
        done, total = source.progress()
        progress.update(sum(checker.counts.values()), done / total if total else None)
    if window is not None and held and not log.total:
        write_held(window, may_wait=False)  # what is still open must be in the database
    if window is not None and not log.total and not held:
        progress.start("findings")
        window.refresh_rest()
        return written
    if window is not None:
        store.close(failed=True)
        uow.rollback()
    if log.total < log.limit and not checker.settle():
        checker, log = _run_check(source, store, progress, checker.k)
    log.raise_if_any()
    checker.k.compact()
    raise _WriteAgain(checker)


def import_records(uow: U, source: RecordSource, store_factory: StoreFactory[U] = RepositoryStore,
                   progress: Progress | None = None) -> ImportResult:
    """Validate every record of a source and write them all with their ledger and index entries, or nothing.

    This is the one import path (files of every format, and documents through services.import_case_file). Most
    files are checked and written in one pass (`check_and_write`); a file that names records before defining them
    is checked whole first and then written parents first, in a second pass over the source.
    """
    report = progress or NoProgress()
    try:
        with uow, fewer_collections():
            store = store_factory(uow)
            failed = True
            try:
                written = check_and_write(uow, source, store, report)
                size = store.finish()
                failed = False
            except _WriteAgain as again:
                store.close(failed=True)
                uow.rollback()
                store = store_factory(uow)
                written = write_source(source, store, again.checker, report)
                size = store.finish()
                failed = False
                report.start("findings")
                refresh_findings(uow, written.case_ids)  # in the same transaction as the records
            finally:
                store.close(failed)
            report.start("committing")
            uow.commit()
    finally:
        report.finish()
    counts = {SECTION_OF[kind]: n for kind, n in written.counts.items()}
    return ImportResult(counts, size, source.digest(), frozenset(written.case_ids),
                        tuple(written.names_in_ids.warnings()))


@contextmanager
def fewer_collections(threshold: int = 50_000) -> Iterator[None]:
    """Run the garbage collector's youngest generation less often while an import allocates millions of small
    objects that live until their batch is written (restored afterwards)."""
    before = gc.get_threshold()
    gc.set_threshold(max(threshold, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)

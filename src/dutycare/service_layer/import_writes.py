"""Writing an import: batches go to a store (the plain repositories, or a bulk writer for large files), with their
ledger entries, search index entries and the findings of the cases they create, in the caller's transaction.
Most files are checked and written in one pass (`check_and_write`); a valid file that names records before
defining them gets `WriteAgain` back, and is then written parents first in a second pass (`write_source`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from dutycare.domain.errors import IdTaken, InvalidInput
from dutycare.domain.interchange import parse_case_file
from dutycare.domain.model import CaseFile
from dutycare.domain.names_in_ids import NamesInIds
from dutycare.service_layer import import_sources
from dutycare.service_layer.changes import Change, created
from dutycare.service_layer.findings import ImportFindings
from dutycare.service_layer.import_checks import (
    Checker,
    Knowledge,
    RecentKnowledge,
    _Validated,
    check_source,
    run_check,
)
from dutycare.service_layer.import_held import open_references, ready_part
from dutycare.service_layer.import_sources import KINDS, ProblemLog, _changed, batches
from dutycare.service_layer.ports import BulkStore, Progress, RecordSource, UnitOfWork
from dutycare.service_layer.queries import FindingRow
from dutycare.service_layer.search import index_changes

MAX_HELD_BATCHES = 8  # how many batches may wait for records named further on before the import falls back to
# checking the whole file first and then writing it parents first
# When a file names records before defining them, rows must still reach the tables parents first.
KIND_SWEEPS: tuple[tuple[str, ...], ...] = (("person", "institution", "source"), ("case",), ("event",))


U = TypeVar("U", bound=UnitOfWork)
StoreFactory = Callable[[U], BulkStore]  # a store for the unit of work it is given (a SQL store needs a SQL one)


class RepositoryStore(BulkStore):
    """The plain path through the unit of work's repositories; fine for documents of any ordinary size."""

    refuses_taken_ids = False

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

    def withdrawn_kinds(self) -> set[str]:
        """Every kind: the records it is asked about are few."""
        return set(KINDS)

    def withdrawn(self, kind: str, ids: Collection[str]) -> set[str]:
        """Which ids name withdrawn records, asked one by one."""
        return {i for i in ids if self.uow.records.is_withdrawn(kind, i)}

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


@dataclass
class Written:
    """What the writing pass has written so far."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    case_ids: set[str] | None = field(default_factory=set)  # None: not kept (see `check_and_write`)
    names_in_ids: NamesInIds = field(default_factory=NamesInIds)

    def add(self, cf: CaseFile) -> None:
        """Count a written batch, note the cases it touched (when they are kept) and look for names in its ids."""
        self.names_in_ids.add(cf)
        for kind, n in zip(KINDS, (len(cf.people), len(cf.institutions), len(cf.sources), len(cf.cases),
                                   len(cf.events)), strict=True):
            self.counts[kind] += n
        if (case_ids := self.case_ids) is not None:
            case_ids.update(c.id for c in cf.cases)
            for e in cf.events:
                case_ids.update(e.case_ids)


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


def parts_of(cf: CaseFile, size: int) -> Iterator[CaseFile]:
    """A case file in parts of at most ``size`` records, in the same order (each kind after those before it), so
    that held batches written together make their rows, seals and ledger entries one part at a time; the ledger gets
    the same entries in the same order as from one write."""
    sections = (cf.people, cf.institutions, cf.sources, cf.cases, cf.events)
    if sum(map(len, sections)) <= size:
        yield cf
        return
    # Where each section begins when the records are counted across sections in order.
    o_inst = len(cf.people)
    o_src = o_inst + len(cf.institutions)
    o_case = o_src + len(cf.sources)
    o_event = o_case + len(cf.cases)
    for a in range(0, o_event + len(cf.events), size):
        b = a + size
        yield CaseFile(people=cf.people[a:b], institutions=cf.institutions[max(a - o_inst, 0):max(b - o_inst, 0)],
                       sources=cf.sources[max(a - o_src, 0):max(b - o_src, 0)],
                       cases=cf.cases[max(a - o_case, 0):max(b - o_case, 0)],
                       events=cf.events[max(a - o_event, 0):max(b - o_event, 0)])


def merge(parts: list[CaseFile]) -> CaseFile:
    """Several checked batches as one, each kind in the order read."""
    if len(parts) == 1:
        return parts[0]
    return CaseFile(people=tuple(r for p in parts for r in p.people),
                    institutions=tuple(r for p in parts for r in p.institutions),
                    sources=tuple(r for p in parts for r in p.sources), cases=tuple(r for p in parts for r in p.cases),
                    events=tuple(r for p in parts for r in p.events))


@dataclass(frozen=True)
class WriteAgain:
    """The outcome of a one-pass import of a valid file that names records before defining them: nothing was kept,
    and the file is to be written again, parents first, with what checking learnt."""

    checker: Checker


def _go_on_knowing(checker: Checker) -> bool:
    """Whether the one-pass checker still knows the whole file so far, and is made a full check's to go on to the
    end (it has written nothing, so forgotten nothing); otherwise the file is checked again from its start."""
    whole = checker.k.whole() if isinstance(checker.k, RecentKnowledge) else checker.k
    if whole is None:
        return False
    checker.k = whole
    return True


def check_and_write(uow: UnitOfWork, source: RecordSource, store: BulkStore,
                    progress: Progress) -> Written | WriteAgain:
    """One pass that validates each batch and, while everything so far is valid and refers only to records already
    written, writes it at once (records, ledger, index, case findings), all in the caller's transaction.

    At the first problem, or the first reference to a record not written yet, writing stops and what was written is
    rolled back; checking goes on to the end so that every problem is reported (InvalidInput). A valid file that
    refers forwards gets `WriteAgain` back, for the two-pass path to write it parents first.

    With a store that refuses taken ids itself, the pass keeps knowing only recent records (`RecentKnowledge`), so
    its memory stays flat however long the file is. If it stops writing after something was written, it has
    forgotten too much to go on, and the whole file is checked again from its start, against the database as it was
    before the import; so it is when the database refuses an id.
    """
    log = ProblemLog()
    forgets = store.refuses_taken_ids
    checker = Checker(store, RecentKnowledge() if forgets else Knowledge(), log)
    # The cases written are not listed either (about 90 bytes a case): their findings are found as they are written.
    written = Written(case_ids=None if forgets else set())
    progress.start("importing")
    store.start()
    first = ImportFindings(uow, store.put_findings, store.sync)
    first.start()
    window: ImportFindings | None = first
    held: list[CaseFile] = []  # checked batches that refer to records not read yet (or in the database)

    def write_held(findings: ImportFindings, may_wait: bool) -> None:
        nonlocal held
        if checker.settle(may_wait):
            ready, held = held, []
        elif len(held) > 1 and (split := ready_part(held, open_references(checker.k.pending,
                                                                           checker.k.pending_events))):
            ready, held = split  # the newest batch still waits; those before it need not wait with it
        else:
            return
        together = merge(ready)  # parents are written before what refers to them
        for part in parts_of(together, import_sources.BATCH_RECORDS):  # rows for one batch's worth at a time
            store.write(part, list(created(part)))
        checker.k.written()
        written.add(together)
        findings.add(together)

    again = False  # whether the file is to be checked again from its start
    try:
        for batch in batches(source.items(), log):
            parsed = checker.check(batch)
            if window is not None:
                if parsed is not None:
                    held.append(parsed)
                    # The database is asked once a whole batch has waited (what is still open then is a stored or
                    # forgotten record, not one a few lines ahead), and again when no more may wait. Asked only
                    # then, a reference of the newest batch to the next one was still open, and the file was
                    # checked and written again.
                    asks = len(held) == 2 or len(held) > MAX_HELD_BATCHES
                    write_held(window, may_wait=not asks)
                if parsed is None or log.total or len(held) > MAX_HELD_BATCHES:  # nothing more is written
                    store.close(failed=True)
                    uow.rollback()
                    window, held = None, []
                    if forgets and not _go_on_knowing(checker):
                        again = True
                        break
            done, total = source.progress()
            progress.update(sum(checker.counts.values()), done / total if total else None)
        if window is not None and held and not log.total:
            write_held(window, may_wait=False)  # what is still open must be in the database
        if window is not None and not log.total and not held:
            progress.start("findings")
            window.refresh_rest()
            store.sync()  # a refusal by the database surfaces here at the latest
            return written
    except IdTaken:  # a second record with a written one's id (or a concurrent writer's): check it all again
        if not forgets or window is None:
            raise
        again = True
    if window is not None:
        store.close(failed=True)
        uow.rollback()
    if again or (forgets and not _go_on_knowing(checker)):
        return WriteAgain(check_source(source, store, progress))
    if log.total < log.limit and not checker.settle():
        checker, log = run_check(source, store, progress, checker.k)
    log.raise_if_any()
    checker.k.compact()
    return WriteAgain(checker)

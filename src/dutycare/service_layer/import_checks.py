"""Checking an import: each batch is validated by the interchange parser against what the file has defined so far
and the database, keeping only ids and event types, never the records, so memory stays flat however long the file
is. Problems are pointed back at the record's place in the source."""

from __future__ import annotations

import re
from collections import OrderedDict, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from dutycare.domain.errors import InvalidInput, Problem
from dutycare.domain.events import EVENT_SPECS, FieldKind
from dutycare.domain.interchange import (
    EVENT_REF_TYPES,
    parse_case_file,
    references,
)
from dutycare.domain.limits import storable_text
from dutycare.domain.model import CaseFile
from dutycare.service_layer.import_sources import KINDS, Batch, ProblemLog, batches
from dutycare.service_layer.ports import BulkStore, Progress, RecordSource
from dutycare.service_layer.raw_record import RawRecord

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
        found = (self.complete or self).known_type(event_id) or self.database_event_types.get(event_id)
        if found is not None or self.complete is not None or event_id not in assumed:
            return found
        self.pending_events[event_id] = assumed[event_id]
        return assumed[event_id] or "event"

    def known_type(self, event_id: str) -> str | None:
        """The type of an event the file (so far) or the database is known to hold."""
        return self.event_types.get(event_id) or self.database_event_types.get(event_id)

    def found_in_database(self, kind: str, ids: set[str]) -> None:
        """Note records a reference named that the database holds."""
        self.in_database[kind] |= ids

    def found_event_types(self, types: Mapping[str, str]) -> None:
        """Note the types of events the database holds."""
        self.database_event_types.update(types)

    def written(self) -> None:
        """The records remembered so far are written; a full check keeps knowing them."""

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


RECENT_IDS = 1 << 16  # records the one-pass writer keeps knowing once written (about 10 MiB)


_KIND_CODES = {kind: chr(ord("0") + i) for i, kind in enumerate(KINDS)}  # one character, each kind its own


def _recent_key(kind: str, record_id: str) -> str:
    """One string for a record of a kind: the kind's code character, then the id.

    A single string per record, not a (kind, id) pair beside the id, spares about 56 bytes a record remembered."""
    return _KIND_CODES[kind] + record_id


@dataclass
class RecentKnowledge(Knowledge):
    """What the one-pass writer keeps, flat in the size of the file: the ids of records checked but not written yet
    (as Knowledge keeps them), and of at most `limit` records written or found in the database, the least recently
    used forgotten first.

    A forgotten record is in the database by then, in the import's own transaction: a reference to it is asked of the
    database when `Checker.settle` is told not to wait (once a batch has waited for it), and a second record with its
    id is refused by the database itself (the store's IdTaken), after which the whole file is checked again with
    full knowledge.
    """

    limit: int = field(default_factory=lambda: RECENT_IDS)
    recent: OrderedDict[str, str] = field(default_factory=OrderedDict)  # _recent_key -> an event's type, or ""

    def defined(self, kind: str, record_id: str) -> bool:
        """Whether the file defines this record and it is not written yet, or it was written (or found) lately."""
        return super().defined(kind, record_id) or self._touch(kind, record_id) is not None

    def known_type(self, event_id: str) -> str | None:
        """The type of an event not written yet, or written (or found in the database) lately."""
        return self.event_types.get(event_id) or self._touch("event", event_id) or None

    def found_in_database(self, kind: str, ids: set[str]) -> None:
        """Keep knowing the records found in the database, as if written lately."""
        for rid in ids:
            self.recent.setdefault(_recent_key(kind, rid), "")
        self._trim()

    def found_event_types(self, types: Mapping[str, str]) -> None:
        """Keep knowing the types of events found in the database."""
        for eid, etype in types.items():
            self.recent[_recent_key("event", eid)] = etype
        self._trim()

    def written(self) -> None:
        """Move the records remembered so far from those to be written to those written lately."""
        recent = self.recent
        for kind, ids in self.seen.items():
            for rid in ids:
                recent[_recent_key(kind, rid)] = ""
            ids.clear()
        for eid, etype in self.event_types.items():
            recent[_recent_key("event", eid)] = etype
        self.event_types.clear()
        self._trim()

    def whole(self) -> Knowledge | None:
        """The same knowledge as a full check's, while nothing has been written or found in the database yet (so
        nothing can have been forgotten); None after that."""
        if self.recent:
            return None
        return Knowledge(seen=self.seen, event_types=self.event_types, in_database=self.in_database,
                         database_event_types=self.database_event_types, pending=self.pending,
                         pending_events=self.pending_events, saw_forward=self.saw_forward)

    def _touch(self, kind: str, record_id: str) -> str | None:
        key = _recent_key(kind, record_id)
        found = self.recent.get(key)
        if found is not None:
            self.recent.move_to_end(key)
        return found

    def _trim(self) -> None:
        while len(self.recent) > self.limit:
            self.recent.popitem(last=False)


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
        self.withdrawn_kinds = store.withdrawn_kinds()

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
        if parsed is not None and self.withdrawn_kinds:
            for p in self._withdrawn_references(parsed):
                self.log.add(relocate(p, index))
        for rec in batch.records:
            self.k.remember(rec)
            self.counts[rec.kind] += 1
        return parsed if self.log.total == problems_before else None

    def _withdrawn_references(self, parsed: CaseFile) -> list[Problem]:
        """References to withdrawn records, refused as an ordinary write refuses them (one question per kind)."""
        refs = [r for r in references(parsed) if r[2] in self.withdrawn_kinds]
        wanted: dict[str, set[str]] = defaultdict(set)
        for _, _, kind, ref in refs:
            wanted[kind].add(ref)
        gone = {kind: self.store.withdrawn(kind, ids) for kind, ids in wanted.items()}
        return [Problem(where, name, f"refers to {kind} '{ref}', which was withdrawn")
                for where, name, kind, ref in refs if ref in gone[kind]]

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
            k.found_in_database(kind, found)
            k.pending -= {(kind, rid) for rid in found}
        unseen = [e for e in k.pending_events if not k.defined("event", e)]
        if unseen:
            k.found_event_types(self.store.event_types(unseen))
        self._settle_event_references()
        return not k.pending and not k.pending_events

    def _settle_event_references(self) -> None:
        """Drop the event references whose event is now known (in the file or the database) with the wanted type."""
        k = self.k
        for eid, wanted_type in list(k.pending_events.items()):
            found_type = k.known_type(eid)
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


def run_check(source: RecordSource, store: BulkStore, progress: Progress,
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
    checker, log = run_check(source, store, progress, None)
    if log.total < log.limit and not checker.settle():
        # Some reference named nothing; check again knowing the whole file, so each is reported where it is.
        checker, log = run_check(source, store, progress, checker.k)
    log.raise_if_any()
    checker.k.compact()
    return checker



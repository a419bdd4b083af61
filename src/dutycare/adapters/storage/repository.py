"""Reads and writes of case records over one open connection (the unit of work's transaction)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, String, Table, bindparam, cast, func, select

from dutycare.adapters.storage import mapping as m
from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.drafts_store import SqlComplaintDrafts
from dutycare.adapters.storage.pattern_store import SqlPublications
from dutycare.domain.errors import NotFound
from dutycare.domain.events import Citation, Event
from dutycare.domain.evidence import EvidenceFile
from dutycare.domain.interchange import (
    case_to_dict,
    event_to_dict,
    institution_to_dict,
    person_to_dict,
    source_to_dict,
)
from dutycare.domain.limits import storable_text
from dutycare.domain.model import Case, CaseFile, Institution, Person, Source, Timeline
from dutycare.service_layer.ports import Records
from dutycare.service_layer.queries import CaseFilter, CaseRow
from dutycare.service_layer.queries import RecordState as RecordState
from dutycare.service_layer.queries import RowFacts as RowFacts

KIND_TABLES: dict[str, Table] = {
    "person": t.people, "institution": t.institutions, "source": t.sources, "case": t.cases, "event": t.events,
}
BATCH = 2000

# Events are read without their derived date_start/date_end: only SQL filters use them, and a damaged value there
# must not stop a page or a verification from reading the event (verify compares them with the event's date).
EVENT_COLUMNS = tuple(c for c in t.events.c if c.name not in ("date_start", "date_end"))

# The reads of a case page, built once: building a statement costs SQLAlchemy more than SQLite spends running it
# on an indexed key, and a statement object that is reused also keeps its cache key.
_CASE = select(t.cases).where(t.cases.c.id == bindparam("id"), t.cases.c.deleted_at.is_(None))
_PERSON = select(t.people).where(t.people.c.id == bindparam("id"), t.people.c.deleted_at.is_(None))
_ALL_INSTITUTIONS = (select(t.institutions).where(t.institutions.c.deleted_at.is_(None))
                     .order_by(t.institutions.c.position))
_SOURCES = select(t.sources).where(t.sources.c.id.in_(bindparam("ids", expanding=True)),
                                   t.sources.c.deleted_at.is_(None))
_CASE_EVENT_IDS = select(t.event_cases.c.event_id).where(t.event_cases.c.case_id == bindparam("case_id"))
_CASE_EVENTS = (select(*EVENT_COLUMNS).where(t.events.c.id.in_(_CASE_EVENT_IDS), t.events.c.deleted_at.is_(None))
                .order_by(t.events.c.position))
_CASE_EVENT_LINKS = (select(t.event_cases).where(t.event_cases.c.event_id.in_(_CASE_EVENT_IDS))
                     .order_by(t.event_cases.c.ordinal))
_CASE_EVENT_CITATIONS = (select(t.event_sources).where(t.event_sources.c.event_id.in_(_CASE_EVENT_IDS))
                         .order_by(t.event_sources.c.ordinal))
_CASE_EVIDENCE = (select(t.evidence).where(t.evidence.c.event_id.in_(_CASE_EVENT_IDS))
                  .order_by(t.evidence.c.position))


_DERIVED: dict[str, tuple[str, ...]] = {"event": ("date", "date_start", "date_end", "deleted_at", "deleted_reason"),
                                        "person": ("deleted_at", "deleted_reason"),
                                        "institution": ("deleted_at", "deleted_reason"),
                                        "source": ("deleted_at", "deleted_reason"),
                                        "case": ("deleted_at", "deleted_reason"),
                                        "evidence": ("stored_path",)}


def _state(entity: str, record_id: str, case_ids: tuple[str, ...], read: Any) -> RecordState:
    try:
        return RecordState(entity, record_id, case_ids, read())
    except Exception as exc:  # a verifier reports every kind of damage instead of stopping at the first
        return RecordState(entity, record_id, case_ids, None, f"{type(exc).__name__}: {exc}")


def _withdrawn(read: Any) -> Any:
    """A reader of a withdrawn row's state as the ledger records it: a tombstone holding what it said."""
    def tombstone(row: Any) -> dict[str, Any]:
        return {"id": row["id"], "tombstone": True, "at": row["deleted_at"], "reason": row["deleted_reason"],
                "withdrawn": read(row)}
    return tombstone


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class SqlRecords(Records):
    """The case-record repository for SQLite and PostgreSQL."""

    def __init__(self, connection: Connection, sealer: m.Sealer) -> None:
        self.conn = connection
        self.sealer = sealer

    # -- existence -------------------------------------------------------------------------------------
    def has(self, kind: str, record_id: str) -> bool:
        """Whether a record of this kind exists (an id storage cannot hold names none)."""
        if not storable_text(record_id):
            return False
        table = KIND_TABLES[kind]
        return self.conn.execute(select(table.c.id).where(table.c.id == record_id)).first() is not None

    def event_type(self, event_id: str) -> str | None:
        """The type of an existing event, or None."""
        return self.conn.execute(select(t.events.c.type).where(t.events.c.id == event_id)).scalar()

    def count(self, kind: str) -> int:
        """How many records of a kind exist."""
        return int(self.conn.execute(select(func.count()).select_from(KIND_TABLES[kind])).scalar_one())

    def _next_position(self, table: Table) -> int:
        return int(self.conn.execute(select(func.coalesce(func.max(table.c.position), -1))).scalar_one()) + 1

    # -- writes ----------------------------------------------------------------------------------------
    def add_case_file(self, cf: CaseFile) -> None:
        """Insert every record of a validated case file (ids must be new)."""
        s = self.sealer
        self._insert(t.people, cf.people, lambda p, pos: m.person_row(p, pos, 1, s))
        self._insert(t.institutions, cf.institutions, lambda i, pos: m.institution_row(i, pos, 1))
        self._insert(t.sources, cf.sources, lambda x, pos: m.source_row(x, pos, 1, s))
        self._insert(t.cases, cf.cases, lambda c, pos: m.case_row(c, pos, 1, s))
        self._insert(t.events, cf.events, lambda e, pos: m.event_row(e, pos, 1, s))
        self._insert_links(cf.events)

    def add_events(self, events: Sequence[Event]) -> None:
        """Insert new events (ids must be new)."""
        self._insert(t.events, events, lambda e, pos: m.event_row(e, pos, 1, self.sealer))
        self._insert_links(events)

    def _insert(self, table: Table, records: Sequence[Any], to_row: Any) -> None:
        if not records:
            return
        start = self._next_position(table)
        for offset, chunk in enumerate(_chunks(records)):
            base = start + offset * BATCH
            self.conn.execute(table.insert(), [to_row(r, base + i) for i, r in enumerate(chunk)])

    def _insert_links(self, events: Sequence[Event]) -> None:
        links = [{"event_id": e.id, "case_id": c, "ordinal": i} for e in events for i, c in enumerate(e.case_ids)]
        cites = [{"event_id": e.id, "ordinal": i, "source_id": c.source_id, "locator": c.locator}
                 for e in events for i, c in enumerate(e.citations)]
        for chunk in _chunks(links):
            self.conn.execute(t.event_cases.insert(), list(chunk))
        for chunk in _chunks(cites):
            self.conn.execute(t.event_sources.insert(), list(chunk))

    def replace_event(self, event: Event) -> int:
        """Store a new version of an existing event; return the new version number."""
        row = self.conn.execute(select(t.events.c.version, t.events.c.position).where(
            t.events.c.id == event.id, t.events.c.deleted_at.is_(None))).first()
        if row is None:
            raise NotFound(f"There is no event '{event.id}'.")
        version = int(row.version) + 1
        values = m.event_row(event, int(row.position), version, self.sealer)
        self.conn.execute(t.events.update().where(t.events.c.id == event.id).values(**values))
        self.conn.execute(t.event_cases.delete().where(t.event_cases.c.event_id == event.id))
        self.conn.execute(t.event_sources.delete().where(t.event_sources.c.event_id == event.id))
        self._insert_links([event])
        return version

    def replace_record(self, record: Person | Case | Source | Institution) -> int:
        """Store a new version of an existing person, case, source or institution; return its version number."""
        table = {Person: t.people, Case: t.cases, Source: t.sources, Institution: t.institutions}[type(record)]
        kind = {t.people: "person", t.cases: "case", t.sources: "source", t.institutions: "institution"}[table]
        row = self.conn.execute(select(table.c.version, table.c.position).where(table.c.id == record.id)).first()
        if row is None:
            raise NotFound(f"There is no {kind} '{record.id}'.")
        version = int(row.version) + 1
        position, s = int(row.position), self.sealer
        values = (m.person_row(record, position, version, s) if isinstance(record, Person)
                  else m.case_row(record, position, version, s) if isinstance(record, Case)
                  else m.source_row(record, position, version, s) if isinstance(record, Source)
                  else m.institution_row(record, position, version))
        self.conn.execute(table.update().where(table.c.id == record.id).values(**values))
        return version

    def withdraw_record(self, kind: str, record_id: str, at: str, reason: str) -> None:
        """Mark a person, case, source or institution withdrawn (it stays stored; the ledger keeps its history)."""
        table = KIND_TABLES[kind]
        done = self.conn.execute(table.update().where(table.c.id == record_id, table.c.deleted_at.is_(None))
                                 .values(deleted_at=at, deleted_reason=reason))
        if not done.rowcount:
            raise NotFound(f"There is no {kind} '{record_id}'.")

    def is_withdrawn(self, kind: str, record_id: str) -> bool:
        """Whether a stored record was withdrawn (its id stays taken; nothing new may refer to it)."""
        if not storable_text(record_id):
            return False
        table = KIND_TABLES[kind]
        q = select(table.c.id).where(table.c.id == record_id, table.c.deleted_at.is_not(None))
        return self.conn.execute(q).first() is not None

    def tombstone_event(self, event_id: str, at: str, reason: str) -> Event:
        """Mark an event withdrawn (it stays stored, and the ledger keeps its history); return what it said."""
        event = self.event(event_id)
        self.conn.execute(t.events.update().where(t.events.c.id == event_id).values(deleted_at=at,
                                                                                   deleted_reason=reason))
        return event

    # -- reads -----------------------------------------------------------------------------------------
    def person(self, person_id: str) -> Person:
        """One person, or NotFound."""
        row = self.conn.execute(_PERSON, {"id": person_id}).mappings().first() if storable_text(person_id) else None
        if row is None:
            raise NotFound(f"There is no person '{person_id}'.")
        return m.person_from_row(row, self.sealer)

    def case(self, case_id: str) -> Case:
        """One case, or NotFound."""
        row = self.conn.execute(_CASE, {"id": case_id}).mappings().first() if storable_text(case_id) else None
        if row is None:
            raise NotFound(f"There is no case '{case_id}'. 'dutycare cases list' shows the cases there are.")
        return m.case_from_row(row, self.sealer)

    def institutions_by_id(self, ids: Iterable[str] | None = None) -> dict[str, Institution]:
        """Institutions by id (all of them when ids is None)."""
        query = _ALL_INSTITUTIONS
        if ids is not None:
            query = query.where(t.institutions.c.id.in_(sorted(set(ids))))
        return {r["id"]: m.institution_from_row(r) for r in self.conn.execute(query).mappings()}

    def sources_by_id(self, ids: Iterable[str]) -> dict[str, Source]:
        """Sources by id."""
        rows = self.conn.execute(_SOURCES, {"ids": sorted(set(ids))}).mappings()
        return {r["id"]: m.source_from_row(r, self.sealer) for r in rows}

    def source(self, source_id: str) -> Source:
        """One source, or NotFound."""
        found = self.sources_by_id([source_id]) if storable_text(source_id) else {}
        if source_id not in found:
            raise NotFound(f"There is no source '{source_id}'.")
        return found[source_id]

    def institution(self, institution_id: str) -> Institution:
        """One institution, or NotFound."""
        found = self.institutions_by_id([institution_id]) if storable_text(institution_id) else {}
        if institution_id not in found:
            raise NotFound(f"There is no institution '{institution_id}'.")
        return found[institution_id]

    def cases_of_person(self, person_id: str) -> list[str]:
        """The ids of the cases a person is the subject of, in case order."""
        if not storable_text(person_id):
            return []
        q = (select(t.cases.c.id).where(t.cases.c.person_id == person_id, t.cases.c.deleted_at.is_(None))
             .order_by(t.cases.c.position))
        return list(self.conn.execute(q).scalars())

    def cases_citing(self, source_id: str) -> set[str]:
        """The cases of the live events that cite a source."""
        if not storable_text(source_id):
            return set()
        q = (select(t.event_cases.c.case_id).distinct()
             .join(t.event_sources, t.event_sources.c.event_id == t.event_cases.c.event_id)
             .join(t.events, t.events.c.id == t.event_cases.c.event_id)
             .where(t.event_sources.c.source_id == source_id, t.events.c.deleted_at.is_(None)))
        return set(self.conn.execute(q).scalars())

    def all_sources(self) -> list[Source]:
        """Every source, in the order added."""
        rows = self.conn.execute(select(t.sources).where(t.sources.c.deleted_at.is_(None))
                                 .order_by(t.sources.c.position)).mappings()
        return [m.source_from_row(r, self.sealer) for r in rows]

    def event(self, event_id: str) -> Event:
        """One live event, or NotFound."""
        # An id storage cannot hold names nothing (and PostgreSQL would refuse the query).
        found = self._events(select(*EVENT_COLUMNS).where(t.events.c.id == event_id)) if storable_text(event_id) else []
        if not found:
            raise NotFound(f"There is no event '{event_id}'.")
        return found[0]

    def events_of_case(self, case_id: str) -> list[Event]:
        """Every live event linked to a case (three statements, whatever the number of events)."""
        rows = list(self.conn.execute(_CASE_EVENTS, {"case_id": case_id}).mappings())
        links: dict[str, list[str]] = defaultdict(list)
        for r in self.conn.execute(_CASE_EVENT_LINKS, {"case_id": case_id}).mappings():
            links[r["event_id"]].append(r["case_id"])
        cites: dict[str, list[Citation]] = defaultdict(list)
        for r in self.conn.execute(_CASE_EVENT_CITATIONS, {"case_id": case_id}).mappings():
            cites[r["event_id"]].append(Citation(r["source_id"], r["locator"]))
        return [m.event_from_row(r, tuple(links[r["id"]]), tuple(cites[r["id"]]), self.sealer) for r in rows]

    def events_by_case(self, case_ids: Sequence[str], facts_only: bool = False) -> dict[str, list[Event]]:
        """The live events of several cases, grouped by case (an event of several cases appears under each).

        With ``facts_only`` nothing is decrypted: events carry only their non-identifying fields, as rules need.
        """
        wanted = set(case_ids)
        ids = select(t.event_cases.c.event_id).where(t.event_cases.c.case_id.in_(sorted(wanted)))
        query = select(*EVENT_COLUMNS).where(t.events.c.id.in_(ids))
        events = self._event_facts(query) if facts_only else self._events(query)
        grouped: dict[str, list[Event]] = defaultdict(list)
        for event in events:
            for case_id in event.case_ids:
                if case_id in wanted:
                    grouped[case_id].append(event)
        return grouped

    def event_facts_at_institutions(self, institution_ids: Iterable[str],
                                    types: Iterable[str] | None = None) -> list[Event]:
        """The non-identifying facts of the live events at these institutions, of these types if given (nothing is
        decrypted)."""
        query = select(*EVENT_COLUMNS).where(t.events.c.institution_id.in_(sorted(set(institution_ids))))
        if types is not None:
            query = query.where(t.events.c.type.in_(sorted({str(x) for x in types})))
        return self._event_facts(query)

    def event_facts_by_id(self, event_ids: Iterable[str]) -> list[Event]:
        """The non-identifying facts of these live events (those that exist), read in chunks."""
        out: list[Event] = []
        for chunk in _chunks(sorted(set(event_ids))):
            out += self._event_facts(select(*EVENT_COLUMNS).where(t.events.c.id.in_(chunk)))
        return out

    def _event_facts(self, query: Any) -> list[Event]:
        query = query.where(t.events.c.deleted_at.is_(None)).order_by(t.events.c.position)
        rows = list(self.conn.execute(query.with_only_columns(
            t.events.c.id, t.events.c.type, t.events.c.date, t.events.c.institution_id, t.events.c.details,
            maintain_column_froms=True)).mappings())
        links: dict[str, list[str]] = defaultdict(list)
        for chunk in _chunks([r["id"] for r in rows]):
            q = select(t.event_cases).where(t.event_cases.c.event_id.in_(chunk)).order_by(t.event_cases.c.ordinal)
            for r in self.conn.execute(q).mappings():
                links[r["event_id"]].append(r["case_id"])
        return [m.event_facts_from_row(r, tuple(links[r["id"]])) for r in rows]

    def events_of_types(self, types: Iterable[str]) -> list[Event]:
        """Every live event of these types."""
        return self._events(select(*EVENT_COLUMNS).where(t.events.c.type.in_(sorted({str(x) for x in types}))))

    def all_case_ids(self) -> list[str]:
        """Every case id, in the order the cases were recorded."""
        q = select(t.cases.c.id).where(t.cases.c.deleted_at.is_(None)).order_by(t.cases.c.position)
        return [r[0] for r in self.conn.execute(q)]

    def events_at_institutions(self, institution_ids: Iterable[str]) -> list[Event]:
        """Every event that names one of these institutions."""
        return self._events(select(*EVENT_COLUMNS).where(t.events.c.institution_id.in_(sorted(set(institution_ids)))))

    def _events(self, query: Any) -> list[Event]:
        query = query.where(t.events.c.deleted_at.is_(None)).order_by(t.events.c.position)
        rows = list(self.conn.execute(query).mappings())
        ids = [r["id"] for r in rows]
        links: dict[str, list[str]] = defaultdict(list)
        cites: dict[str, list[Citation]] = defaultdict(list)
        for chunk in _chunks(ids):
            q = select(t.event_cases).where(t.event_cases.c.event_id.in_(chunk)).order_by(t.event_cases.c.ordinal)
            for r in self.conn.execute(q).mappings():
                links[r["event_id"]].append(r["case_id"])
            q = select(t.event_sources).where(t.event_sources.c.event_id.in_(chunk)).order_by(
                t.event_sources.c.ordinal)
            for r in self.conn.execute(q).mappings():
                cites[r["event_id"]].append(Citation(r["source_id"], r["locator"]))
        return [m.event_from_row(r, tuple(links[r["id"]]), tuple(cites[r["id"]]), self.sealer) for r in rows]

    def timeline(self, case_id: str, *, case: Case | None = None,
                 institutions: dict[str, Institution] | None = None) -> Timeline:
        """A case with its person, its ordered events, and the institutions and sources they mention.

        A caller that has already read the case, or every institution, passes them in and they are not read again.
        """
        case = case if case is not None else self.case(case_id)
        events = self.events_of_case(case_id)
        if institutions is None:
            inst_ids = {e.institution_id for e in events if e.institution_id}
            inst_ids |= {ref for e in events for f in e.spec.fields if f.kind.value.startswith("institution")
                         for ref in e.refs(f.name)}
            institutions = self.institutions_by_id(inst_ids)
        sources = self.sources_by_id({c.source_id for e in events for c in e.citations})
        return Timeline.build(case, self.person(case.person_id), events, institutions, sources)

    def list_cases(self, flt: CaseFilter, limit: int = 50, offset: int = 0) -> tuple[list[CaseRow], int]:
        """A page of cases matching the filter, and how many match in all."""
        query = select(t.cases).where(t.cases.c.deleted_at.is_(None))
        if flt.status:
            query = query.where(t.cases.c.status == flt.status)
        if flt.region:
            query = query.where(t.cases.c.region == flt.region)
        if flt.case_ids is not None:
            query = query.where(t.cases.c.id.in_(sorted(flt.case_ids)))
        if flt.institution_id:
            linked = (select(t.event_cases.c.case_id).join(t.events, t.events.c.id == t.event_cases.c.event_id)
                      .where(t.events.c.institution_id == flt.institution_id))
            query = query.where(t.cases.c.id.in_(linked))
        total = int(self.conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())
        rows = list(self.conn.execute(query.order_by(t.cases.c.position).limit(limit).offset(offset)).mappings())
        counts: dict[str, int] = dict(self.conn.execute(
            select(t.event_cases.c.case_id, func.count()).where(t.event_cases.c.case_id.in_([r["id"] for r in rows]))
            .group_by(t.event_cases.c.case_id)).all())
        out = []
        for r in rows:
            case = m.case_from_row(r, self.sealer)
            out.append(CaseRow(case, self.person(case.person_id), int(counts.get(case.id, 0))))
        return out, total

    # -- evidence --------------------------------------------------------------------------------------
    def add_evidence(self, ev: EvidenceFile, stored_path: str) -> None:
        """Record an evidence file already written to the vault."""
        secret = {"original_name": ev.original_name, "description": ev.description}
        self.conn.execute(t.evidence.insert().values(
            id=ev.id, position=self._next_position(t.evidence), version=ev.version, event_id=ev.event_id,
            derived_from=ev.derived_from, source_id=ev.source_id, sha256=ev.sha256, size=ev.size,
            media_type=ev.media_type, stored_path=stored_path, added_by=ev.added_by, added_at=ev.added_at,
            sealed=self.sealer.seal("evidence", ev.id, ev.version, secret)))

    def _evidence_from_row(self, row: Any) -> EvidenceFile:
        secret = self.sealer.open("evidence", row["id"], row["version"], row["sealed"])
        return EvidenceFile(id=row["id"], event_id=row["event_id"], sha256=row["sha256"], size=int(row["size"]),
                            media_type=row["media_type"], original_name=str(secret["original_name"]),
                            added_by=row["added_by"], added_at=row["added_at"], source_id=row["source_id"],
                            derived_from=row["derived_from"], description=m._s(secret.get("description")),
                            version=int(row["version"]))

    def evidence(self, evidence_id: str) -> EvidenceFile:
        """One evidence file's record, or NotFound."""
        row = self.conn.execute(select(t.evidence).where(t.evidence.c.id == evidence_id)).mappings().first() \
            if storable_text(evidence_id) else None
        if row is None:
            raise NotFound(f"There is no evidence file '{evidence_id}'. 'dutycare evidence list CASE' shows them.")
        return self._evidence_from_row(row)

    def evidence_of_case(self, case_id: str) -> list[EvidenceFile]:
        """Every evidence file attached to the events of a case."""
        return [self._evidence_from_row(r) for r in self.conn.execute(_CASE_EVIDENCE, {"case_id": case_id}).mappings()]

    def all_evidence(self) -> Iterator[EvidenceFile]:
        """Every evidence record, in the order added."""
        q = select(t.evidence).order_by(t.evidence.c.position)
        for r in self.conn.execute(q).mappings():
            yield self._evidence_from_row(r)

    # -- verification ----------------------------------------------------------------------------------
    def record_states(self) -> Iterator[RecordState]:
        """Every stored record's current full state (or why it cannot be read), for ledger verification."""
        s = self.sealer
        readers: list[tuple[str, Table, Any]] = [
            ("person", t.people, lambda r: person_to_dict(m.person_from_row(r, s))),
            ("institution", t.institutions, lambda r: institution_to_dict(m.institution_from_row(r))),
            ("source", t.sources, lambda r: source_to_dict(m.source_from_row(r, s))),
            ("case", t.cases, lambda r: case_to_dict(m.case_from_row(r, s))),
            ("evidence", t.evidence, lambda r: self._evidence_from_row(r).to_record()),
        ]
        for kind, table, read in readers:
            for row in self.conn.execute(select(table).order_by(table.c.position)).mappings():
                reader = read if row.get("deleted_at") is None else _withdrawn(read)
                yield _state(kind, row["id"], (row["id"],) if kind == "case" else (), lambda r=row, f=reader: f(r))
        yield from self._event_states()
        yield from SqlComplaintDrafts(self.conn, self.sealer).states()
        publications = SqlPublications(self.conn)
        for record in publications.records():
            yield RecordState("publication", str(record["id"]), (), record)

    def _event_states(self) -> Iterator[RecordState]:
        links: dict[str, list[str]] = defaultdict(list)
        for r in self.conn.execute(select(t.event_cases).order_by(t.event_cases.c.ordinal)).mappings():
            links[r["event_id"]].append(r["case_id"])
        cites: dict[str, list[Citation]] = defaultdict(list)
        for r in self.conn.execute(select(t.event_sources).order_by(t.event_sources.c.ordinal)).mappings():
            cites[r["event_id"]].append(Citation(r["source_id"], r["locator"]))
        for row in self.conn.execute(select(*EVENT_COLUMNS).order_by(t.events.c.position)).mappings():
            cases = tuple(links[row["id"]])

            def read(r: Any = row, c: tuple[str, ...] = cases) -> dict[str, Any]:
                event = m.event_from_row(r, c, tuple(cites[r["id"]]), self.sealer)
                if r["deleted_at"] is None:
                    return event_to_dict(event)
                return {"id": event.id, "tombstone": True, "at": r["deleted_at"], "reason": r["deleted_reason"],
                        "withdrawn": event_to_dict(event)}

            yield _state("event", row["id"], cases, read)

    def row_facts(self) -> Iterator[RowFacts]:
        """Every record's position and version, and its derived columns as text (a damaged value stays readable)."""
        for kind, table in (*KIND_TABLES.items(), ("evidence", t.evidence)):
            extra = _DERIVED.get(kind, ())
            cols = [table.c.id, table.c.position, table.c.version, *(cast(table.c[n], String) for n in extra)]
            for row in self.conn.execute(select(*cols).order_by(table.c.id)):
                yield RowFacts(kind, row[0], row[1], row[2], dict(zip(extra, row[3:], strict=True)))
        yield from SqlComplaintDrafts(self.conn, self.sealer).row_facts()

    def link_ordinals(self) -> dict[tuple[str, str], list[object]]:
        """The ordinals of each event's case links and citations, keyed by (table, event id), as stored."""
        found: dict[tuple[str, str], list[object]] = defaultdict(list)
        for table in (t.event_cases, t.event_sources):
            for event_id, ordinal in self.conn.execute(select(table.c.event_id, table.c.ordinal)):
                found[(table.name, event_id)].append(ordinal)
        return found

    # -- export ----------------------------------------------------------------------------------------
    def all_records(self) -> CaseFile:
        """Every record, in the order it was written."""
        def rows(table: Table) -> Iterator[Any]:
            yield from self.conn.execute(select(table).where(table.c.deleted_at.is_(None))
                                         .order_by(table.c.position)).mappings()

        s = self.sealer
        return CaseFile(
            people=tuple(m.person_from_row(r, s) for r in rows(t.people)),
            institutions=tuple(m.institution_from_row(r) for r in rows(t.institutions)),
            sources=tuple(m.source_from_row(r, s) for r in rows(t.sources)),
            cases=tuple(m.case_from_row(r, s) for r in rows(t.cases)),
            events=tuple(self._events(select(*EVENT_COLUMNS))),
        )

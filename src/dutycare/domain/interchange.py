"""dutycare's interchange format: one JSON document of people, institutions, sources, cases and events.

Parsing is strict and total: every problem in the document is collected with its location, and a
document with any problem yields no records at all. Serialising a parsed document gives it back.
Parsing also refuses what storage cannot hold (`dutycare.domain.limits`): over-long ids, regions and
jurisdictions, integers beyond 2**53 - 1, and texts with a NUL or an unpaired surrogate. Every write path
(documents, bulk files, single events from forms and the API) validates here, so all report these alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from dutycare.domain import vocabulary as v
from dutycare.domain.dates import DateParseError, PartialDate
from dutycare.domain.errors import InvalidInput, Problem
from dutycare.domain.events import EVENT_SPECS, Citation, Event, EventType, FieldKind, FieldSpec
from dutycare.domain.limits import (
    MAX_ID_LENGTH,
    MAX_JURISDICTION_LENGTH,
    MAX_REGION_LENGTH,
    MAX_SAFE_INT,
    id_fault,
    shown,
    storable_text,
    text_fault,
)
from dutycare.domain.model import Case, CaseFile, Institution, Person, Source

FORMAT_NAME = "dutycare-case-file"
FORMAT_VERSION = 1
EVENT_REF_TYPES = {"complaint": EventType.COMPLAINT, "request": EventType.RECORDS_REQUESTED}

PERSON_KEYS = ("id", "pseudonym", "role", "service_status", "age", "age_as_of", "birth_year",
               "full_name", "birth_date", "contacts", "notes")
INSTITUTION_KEYS = ("id", "name", "type", "region", "parent", "jurisdiction")
SOURCE_KEYS = ("id", "kind", "title", "reliability", "date", "publisher", "url", "notes")
CASE_KEYS = ("id", "person", "title", "status", "region", "opened", "summary")
EVENT_KEYS = ("id", "type", "date", "cases", "institution", "summary", "sources", "details")
SECTIONS = ("people", "institutions", "sources", "cases", "events")
SECTION_KINDS = {"people": "person", "institutions": "institution", "sources": "source", "cases": "case",
                 "events": "event"}


def with_article(word: str) -> str:
    """A noun with its English indefinite article: 'an institution', 'a case'."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


class KnownRecords(Protocol):
    """Records that already exist outside the document (in the database an import goes into)."""

    def has(self, kind: str, record_id: str) -> bool:
        """Whether a record of this kind ('person', 'institution', 'source', 'case', 'event') exists."""
        ...

    def event_type(self, event_id: str) -> str | None:
        """The type of an existing event, or None."""
        ...


class NothingKnown:
    """No records exist beyond the document."""

    def has(self, kind: str, record_id: str) -> bool:
        """Nothing exists."""
        return False

    def event_type(self, event_id: str) -> str | None:
        """No event exists."""
        return None


@dataclass
class _Reader:
    """Collects problems while reading one document."""

    known: KnownRecords
    replacing: frozenset[str] = frozenset()
    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, set[str]] = field(default_factory=dict)
    forward: dict[str, set[str]] = field(default_factory=dict)
    event_types: dict[str, str] = field(default_factory=dict)

    def problem(self, where: str, name: str, message: str) -> None:
        # Locations and messages quote what was read, which may itself be unprintable.
        self.problems.append(Problem(shown(where), shown(name), shown(message)))

    def storable(self, where: str, name: str, value: str, max_length: int | None = None) -> bool:
        """Whether storage can hold this text; if not, say why."""
        fault = text_fault(value)
        if fault is not None:
            self.problem(where, name, fault)
            return False
        if max_length is not None and len(value) > max_length:
            self.problem(where, name, f"is {len(value)} characters long; at most {max_length}")
            return False
        return True

    def exists(self, kind: str, record_id: str) -> bool:
        return record_id in self.forward.get(kind, set()) or self.known.has(kind, record_id)

    def check_keys(self, where: str, raw: Mapping[str, Any], allowed: Iterable[str]) -> None:
        for key in raw:
            if key not in allowed:
                self.problem(where, key, "unknown field")

    def text(self, where: str, raw: Mapping[str, Any], name: str, required: bool = False,
             max_length: int | None = None) -> str | None:
        value = raw.get(name)
        if value is None:
            if required:
                self.problem(where, name, "is required")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(where, name, "must be a non-empty text")
            return None
        if max_length is None and storable_text(value):
            return value  # the usual case, with one cheap call
        return value if self.storable(where, name, value, max_length) else None

    def integer(self, where: str, raw: Mapping[str, Any], name: str, low: int, high: int) -> int | None:
        value = raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(where, name, f"must be a whole number from {low} to {high}")
            return None
        return value

    def choice(self, where: str, raw: Mapping[str, Any], name: str, enum: type[StrEnum],
               default: StrEnum | None = None) -> Any:
        value = raw.get(name)
        if value is None:
            if default is None:
                self.problem(where, name, "is required")
            return default
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            self.problem(where, name, f"'{value}' is not one of: {allowed}")
            return default

    def date(self, where: str, raw: Mapping[str, Any], name: str, required: bool = False) -> PartialDate | None:
        value = raw.get(name)
        if value is None:
            if required:
                self.problem(where, name, "is required")
            return None
        try:
            return PartialDate.parse(value)
        except DateParseError as exc:
            self.problem(where, name, str(exc))
            return None

    def claim_id(self, where: str, kind: str, raw: Mapping[str, Any]) -> str | None:
        record_id = self.text(where, raw, "id", required=True)
        if record_id is None:
            return None
        if len(record_id) > MAX_ID_LENGTH:
            self.problem(where, "id", f"is {len(record_id)} characters long; ids may have at most {MAX_ID_LENGTH}")
            return None
        fault = id_fault(record_id)
        if fault is not None:
            self.problem(where, "id", fault)
            return None
        if record_id in self.ids.setdefault(kind, set()):
            self.problem(where, "id", f"'{record_id}' is used twice in this file")
        elif record_id not in self.replacing and self.known.has(kind, record_id):
            self.problem(where, "id", f"{with_article(kind)} '{record_id}' already exists in the database")
        self.ids[kind].add(record_id)
        return record_id

    def reference(self, where: str, name: str, kind: str, value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            self.problem(where, name, f"must name {with_article(kind)} by its id")
            return None
        if not storable_text(value):  # found before asking the database about it
            self.storable(where, name, value)
            return None
        if not self.exists(kind, value):
            self.problem(where, name, f"refers to {kind} '{value}', which does not exist")
        return value


def _where(section: str, index: int, raw: Any) -> str:
    rid = raw.get("id") if isinstance(raw, Mapping) else None
    return f"{section}[{index}]" + (f" (id {rid})" if isinstance(rid, str) else "")


def _records(r: _Reader, doc: Mapping[str, Any], section: str) -> list[tuple[str, Mapping[str, Any]]]:
    items = doc.get(section, [])
    if not isinstance(items, list):
        r.problem(section, "", "must be a list")
        return []
    out = []
    for i, raw in enumerate(items):
        where = _where(section, i, raw)
        if not isinstance(raw, Mapping):
            r.problem(where, "", "must be an object")
            continue
        out.append((where, raw))
    return out


def _person(r: _Reader, where: str, raw: Mapping[str, Any]) -> Person | None:
    r.check_keys(where, raw, PERSON_KEYS)
    pid = r.claim_id(where, "person", raw)
    pseudonym = r.text(where, raw, "pseudonym", required=True)
    person = Person(
        id=pid or "",
        pseudonym=pseudonym or "",
        role=r.choice(where, raw, "role", v.PersonRole, v.PersonRole.AFFECTED),
        service_status=r.choice(where, raw, "service_status", v.ServiceStatus, v.ServiceStatus.UNKNOWN),
        age=r.integer(where, raw, "age", 0, 130),
        age_as_of=r.date(where, raw, "age_as_of"),
        birth_year=r.integer(where, raw, "birth_year", 1900, 2100),
        full_name=r.text(where, raw, "full_name"),
        birth_date=r.text(where, raw, "birth_date"),
        contacts=r.text(where, raw, "contacts"),
        notes=r.text(where, raw, "notes"),
    )
    return person if pid and pseudonym else None


def _institution(r: _Reader, where: str, raw: Mapping[str, Any]) -> Institution | None:
    r.check_keys(where, raw, INSTITUTION_KEYS)
    iid = r.claim_id(where, "institution", raw)
    name = r.text(where, raw, "name", required=True)
    kind = r.choice(where, raw, "type", v.InstitutionType)
    inst = Institution(
        id=iid or "", name=name or "", type=kind, region=r.text(where, raw, "region", max_length=MAX_REGION_LENGTH),
        parent_id=r.text(where, raw, "parent"),
        jurisdiction=r.text(where, raw, "jurisdiction", max_length=MAX_JURISDICTION_LENGTH) or "RU",
    )
    return inst if iid and name and kind else None


def _source(r: _Reader, where: str, raw: Mapping[str, Any]) -> Source | None:
    r.check_keys(where, raw, SOURCE_KEYS)
    sid = r.claim_id(where, "source", raw)
    kind = r.choice(where, raw, "kind", v.SourceKind)
    title = r.text(where, raw, "title", required=True)
    grade = r.choice(where, raw, "reliability", v.Reliability)
    src = Source(
        id=sid or "", kind=kind, title=title or "", reliability=grade, date=r.date(where, raw, "date"),
        publisher=r.text(where, raw, "publisher"), url=r.text(where, raw, "url"), notes=r.text(where, raw, "notes"),
    )
    return src if sid and kind and title and grade else None


def _case(r: _Reader, where: str, raw: Mapping[str, Any]) -> Case | None:
    r.check_keys(where, raw, CASE_KEYS)
    cid = r.claim_id(where, "case", raw)
    person = r.reference(where, "person", "person", raw.get("person"))
    title = r.text(where, raw, "title", required=True)
    case = Case(
        id=cid or "", person_id=person or "", title=title or "",
        status=r.choice(where, raw, "status", v.CaseStatus, v.CaseStatus.OPEN),
        region=r.text(where, raw, "region", max_length=MAX_REGION_LENGTH), opened=r.date(where, raw, "opened"),
        summary=r.text(where, raw, "summary"),
    )
    return case if cid and person and title else None


def _detail(r: _Reader, where: str, spec: FieldSpec, value: Any) -> Any:
    name = f"details.{spec.name}"
    k = spec.kind
    if k is FieldKind.TEXT:
        if not isinstance(value, str) or not value.strip():
            r.problem(where, name, "must be a non-empty text")
        elif not storable_text(value):
            r.storable(where, name, value)
        return value
    if k is FieldKind.CHOICE:
        if spec.name == "category" and isinstance(value, str):
            try:
                return v.FitnessCategory.from_text(value).value
            except ValueError as exc:
                r.problem(where, name, str(exc))
                return value
        if value not in spec.choices:
            r.problem(where, name, f"'{value}' is not one of: {', '.join(spec.choices)}")
        return value
    if k is FieldKind.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            r.problem(where, name, "must be a whole number, 0 or more")
        elif value > MAX_SAFE_INT:
            r.problem(where, name, f"is too large; at most {MAX_SAFE_INT} (2**53 - 1)")
        return value
    if k is FieldKind.BOOLEAN:
        if not isinstance(value, bool):
            r.problem(where, name, "must be true or false")
        return value
    if k is FieldKind.DATE:
        try:
            return str(PartialDate.parse(value))
        except DateParseError as exc:
            r.problem(where, name, str(exc))
            return value
    if k in (FieldKind.PEOPLE, FieldKind.INSTITUTIONS):
        kind = "person" if k is FieldKind.PEOPLE else "institution"
        if not isinstance(value, list) or not value:
            r.problem(where, name, f"must be a non-empty list of {kind} ids")
            return value
        return [r.reference(where, name, kind, item) for item in value]
    if k is FieldKind.EVENT:
        return _event_reference(r, where, spec.name, value)
    kind = "person" if k is FieldKind.PERSON else "institution"
    return r.reference(where, name, kind, value)


def _event_reference(r: _Reader, where: str, name: str, value: Any) -> Any:
    wanted = EVENT_REF_TYPES.get(name)
    if not isinstance(value, str):
        r.problem(where, f"details.{name}", "must name an event by its id")
        return value
    if not storable_text(value):  # found before asking the database about it
        r.storable(where, f"details.{name}", value)
        return value
    found = r.event_types.get(value) or r.known.event_type(value)
    if found is None:
        r.problem(where, f"details.{name}", f"refers to event '{value}', which does not exist")
    elif wanted is not None and found != wanted.value:
        r.problem(where, f"details.{name}", f"refers to event '{value}' of type {found}, not {wanted.value}")
    return value


def _details(r: _Reader, where: str, etype: EventType, raw: Any) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        r.problem(where, "details", "must be an object")
        return {}
    spec = EVENT_SPECS[etype]
    out: dict[str, Any] = {}
    for key in raw:
        if spec.field(key) is None:
            allowed = ", ".join(f.name for f in spec.fields)
            r.problem(where, f"details.{key}", f"is not a detail of a {etype.value} event (allowed: {allowed})")
    for fs in spec.fields:
        if raw.get(fs.name) is None:
            if fs.required:
                r.problem(where, f"details.{fs.name}", "is required")
            continue
        out[fs.name] = _detail(r, where, fs, raw[fs.name])
    return out


def _citations(r: _Reader, where: str, raw: Any) -> tuple[Citation, ...]:
    if not isinstance(raw, list) or not raw:
        r.problem(where, "sources", "must cite at least one source: a list of {\"source\": id}")
        return ()
    out = []
    for i, item in enumerate(raw):
        name = f"sources[{i}]"
        if not isinstance(item, Mapping) or set(item) - {"source", "locator"}:
            r.problem(where, name, "must be an object with 'source' and optional 'locator'")
            continue
        sid = r.reference(where, f"{name}.source", "source", item.get("source"))
        locator = item.get("locator")
        if locator is not None and not isinstance(locator, str):
            r.problem(where, f"{name}.locator", "must be a text")
            locator = None
        elif locator is not None and not storable_text(locator):
            r.storable(where, f"{name}.locator", locator)
            locator = None
        if sid:
            out.append(Citation(sid, locator))
    return tuple(out)


def _event(r: _Reader, where: str, raw: Mapping[str, Any]) -> Event | None:
    r.check_keys(where, raw, EVENT_KEYS)
    eid = r.claim_id(where, "event", raw)
    etype: EventType | None = r.choice(where, raw, "type", EventType) if "type" in raw else None
    if etype is None and "type" not in raw:
        r.problem(where, "type", "is required")
    when = r.date(where, raw, "date", required=True)
    cases = raw.get("cases")
    case_ids: list[str] = []
    if not isinstance(cases, list) or not cases:
        r.problem(where, "cases", "must be a non-empty list of case ids")
    else:
        case_ids = [c for c in (r.reference(where, "cases", "case", c) for c in cases) if c]
    institution = None
    if raw.get("institution") is not None:
        institution = r.reference(where, "institution", "institution", raw["institution"])
    elif etype is not None and EVENT_SPECS[etype].institution_required:
        r.problem(where, "institution", f"is required for a {etype.value} event")
    citations = _citations(r, where, raw.get("sources"))
    details = _details(r, where, etype, raw.get("details")) if etype else {}
    summary = r.text(where, raw, "summary")
    if not (eid and etype and when):
        return None
    return Event(eid, etype, when, tuple(case_ids), citations, institution, summary, details)


def parse_case_file(doc: Any, known: KnownRecords | None = None, replacing: frozenset[str] = frozenset()) -> CaseFile:
    """Validate a parsed JSON document and build its records, or raise InvalidInput listing every problem.

    Ids in ``replacing`` may already exist: the document carries new versions of those records.
    """
    r = _Reader(known or NothingKnown(), replacing)
    if not isinstance(doc, Mapping):
        raise InvalidInput([Problem("document", "", "must be a JSON object")])
    if doc.get("format") != FORMAT_NAME:
        r.problem("document", "format", f"must be '{FORMAT_NAME}'")
    if doc.get("format_version") != FORMAT_VERSION:
        r.problem("document", "format_version",
                  f"is {doc.get('format_version')!r}; this dutycare reads version {FORMAT_VERSION}")
    r.check_keys("document", doc, ("format", "format_version", *SECTIONS))
    if r.problems:
        raise InvalidInput(r.problems)
    sections = {section: _records(r, doc, section) for section in SECTIONS}
    # Every id in the file is known up front, so records may refer to ones that come later.
    for section, kind in SECTION_KINDS.items():
        r.forward[kind] = {raw["id"] for _, raw in sections[section] if isinstance(raw.get("id"), str)}
    r.event_types = {raw["id"]: raw["type"] for _, raw in sections["events"]
                     if isinstance(raw.get("id"), str) and isinstance(raw.get("type"), str)}
    builders: dict[str, Callable[[_Reader, str, Mapping[str, Any]], Any]] = {
        "people": _person, "institutions": _institution, "sources": _source, "cases": _case, "events": _event,
    }
    records = {s: [x for x in (builders[s](r, w, raw) for w, raw in sections[s]) if x is not None]
               for s in SECTIONS}
    _check_parents(r, records["institutions"])
    if r.problems:
        raise InvalidInput(r.problems)
    return CaseFile(*(tuple(records[s]) for s in SECTIONS))


def _check_parents(r: _Reader, institutions: list[Institution]) -> None:
    for inst in institutions:
        if inst.parent_id and not r.exists("institution", inst.parent_id):
            r.problem(f"institutions (id {inst.id})", "parent", f"refers to '{inst.parent_id}', which does not exist")


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: val for k, val in d.items() if val is not None}


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def person_to_dict(p: Person) -> dict[str, Any]:
    """The interchange form of a person."""
    return _drop_none({
        "id": p.id, "pseudonym": p.pseudonym, "role": p.role.value, "service_status": p.service_status.value,
        "age": p.age, "age_as_of": _text_or_none(p.age_as_of), "birth_year": p.birth_year,
        "full_name": p.full_name, "birth_date": p.birth_date, "contacts": p.contacts, "notes": p.notes,
    })


def institution_to_dict(i: Institution) -> dict[str, Any]:
    """The interchange form of an institution."""
    return _drop_none({"id": i.id, "name": i.name, "type": i.type.value, "region": i.region,
                       "parent": i.parent_id, "jurisdiction": i.jurisdiction})


def source_to_dict(s: Source) -> dict[str, Any]:
    """The interchange form of a source."""
    return _drop_none({"id": s.id, "kind": s.kind.value, "title": s.title, "reliability": s.reliability.value,
                       "date": _text_or_none(s.date), "publisher": s.publisher, "url": s.url, "notes": s.notes})


def case_to_dict(c: Case) -> dict[str, Any]:
    """The interchange form of a case."""
    return _drop_none({"id": c.id, "person": c.person_id, "title": c.title, "status": c.status.value,
                       "region": c.region, "opened": _text_or_none(c.opened), "summary": c.summary})


def event_to_dict(e: Event) -> dict[str, Any]:
    """The interchange form of an event."""
    cites = [_drop_none({"source": c.source_id, "locator": c.locator}) for c in e.citations]
    return _drop_none({
        "id": e.id, "type": e.type.value, "date": str(e.date), "cases": list(e.case_ids),
        "institution": e.institution_id, "summary": e.summary, "sources": cites,
        "details": dict(e.details) or None,
    })


def case_file_to_dict(cf: CaseFile) -> dict[str, Any]:
    """The interchange document for a set of records."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "people": [person_to_dict(p) for p in cf.people],
        "institutions": [institution_to_dict(i) for i in cf.institutions],
        "sources": [source_to_dict(s) for s in cf.sources],
        "cases": [case_to_dict(c) for c in cf.cases],
        "events": [event_to_dict(e) for e in cf.events],
    }


def single_event_document(raw_event: Any) -> dict[str, Any]:
    """A case-file document holding just one event, for validating a form or API write like an import."""
    return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "events": [raw_event]}


_DETAIL_REF_KINDS = {FieldKind.PERSON: "person", FieldKind.PEOPLE: "person", FieldKind.INSTITUTION: "institution",
                     FieldKind.INSTITUTIONS: "institution", FieldKind.EVENT: "event"}
_DETAIL_REF_FIELDS = {t: tuple((f.name, _DETAIL_REF_KINDS[f.kind]) for f in spec.fields if f.kind in _DETAIL_REF_KINDS)
                      for t, spec in EVENT_SPECS.items()}


def named_by(record: Person | Institution | Source | Case | Event) -> Iterator[tuple[str, str, str]]:
    """Every record one record names, as (field, kind, id): a case's person, an institution's parent, an event's
    cases, sources and institution, and the people, institutions and events of its details."""
    if isinstance(record, Case):
        if record.person_id:
            yield "person", "person", record.person_id
    elif isinstance(record, Institution):
        if record.parent_id:
            yield "parent", "institution", record.parent_id
    elif isinstance(record, Event):
        yield from (("cases", "case", c) for c in record.case_ids)
        yield from ((f"sources[{n}].source", "source", c.source_id) for n, c in enumerate(record.citations))
        if record.institution_id:
            yield "institution", "institution", record.institution_id
        for name, kind in _DETAIL_REF_FIELDS[record.type]:
            yield from ((f"details.{name}", kind, ref) for ref in record.refs(name))


def references(cf: CaseFile) -> Iterator[tuple[str, str, str, str]]:
    """Every reference a parsed case file makes to a person, institution, source or case, as (where, field, kind,
    id referred to), located as the parser locates its problems."""
    for i, case in enumerate(cf.cases):
        yield from ((f"cases[{i}] (id {case.id})", *ref) for ref in named_by(case))
    for inst in cf.institutions:
        yield from ((f"institutions (id {inst.id})", *ref) for ref in named_by(inst))
    for i, e in enumerate(cf.events):
        where = f"events[{i}] (id {e.id})"
        yield from ((where, *ref) for ref in named_by(e) if ref[1] != "event")

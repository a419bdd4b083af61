"""Conversion between domain records and table rows, sealing identifying fields on the way in."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import RowMapping

from dutycare.domain import vocabulary as v
from dutycare.domain.dates import PartialDate
from dutycare.domain.events import EVENT_SPECS, Citation, Event, EventType
from dutycare.domain.model import Case, Institution, Person, Source


class Sealer(Protocol):
    """Encrypts and decrypts the identifying fields of one record, bound to its kind, id and version."""

    def seal(self, kind: str, record_id: str, version: int, fields: Mapping[str, object]) -> bytes:
        """Encrypt the fields of one record version."""
        ...

    def open(self, kind: str, record_id: str, version: int, blob: bytes) -> dict[str, object]:
        """Decrypt the fields of one record version."""
        ...


def _date(text: str | None) -> PartialDate | None:
    return PartialDate.parse(text) if text else None


def _s(value: object) -> str | None:
    return None if value is None else str(value)


def person_row(p: Person, position: int, version: int, sealer: Sealer) -> dict[str, Any]:
    """The row for a person."""
    secret = {"pseudonym": p.pseudonym, "full_name": p.full_name, "birth_date": p.birth_date,
              "contacts": p.contacts, "notes": p.notes}
    return {"id": p.id, "position": position, "version": version, "role": p.role.value,
            "service_status": p.service_status.value, "age": p.age, "age_as_of": _s(p.age_as_of),
            "birth_year": p.birth_year, "sealed": sealer.seal("person", p.id, version, secret)}


def person_from_row(row: RowMapping, sealer: Sealer) -> Person:
    """The person held in a row."""
    secret = sealer.open("person", row["id"], row["version"], row["sealed"])
    return Person(
        id=row["id"], pseudonym=str(secret["pseudonym"]), role=v.PersonRole(row["role"]),
        service_status=v.ServiceStatus(row["service_status"]), age=row["age"], age_as_of=_date(row["age_as_of"]),
        birth_year=row["birth_year"], full_name=_s(secret.get("full_name")), birth_date=_s(secret.get("birth_date")),
        contacts=_s(secret.get("contacts")), notes=_s(secret.get("notes")),
    )


def institution_row(i: Institution, position: int, version: int) -> dict[str, Any]:
    """The row for an institution (public bodies: nothing sealed)."""
    return {"id": i.id, "position": position, "version": version, "name": i.name, "type": i.type.value,
            "region": i.region, "parent_id": i.parent_id, "jurisdiction": i.jurisdiction}


def institution_from_row(row: RowMapping) -> Institution:
    """The institution held in a row."""
    return Institution(id=row["id"], name=row["name"], type=v.InstitutionType(row["type"]), region=row["region"],
                       parent_id=row["parent_id"], jurisdiction=row["jurisdiction"])


def source_row(s: Source, position: int, version: int, sealer: Sealer) -> dict[str, Any]:
    """The row for a source; its title, address and notes may identify someone and are sealed."""
    secret = {"title": s.title, "url": s.url, "notes": s.notes}
    return {"id": s.id, "position": position, "version": version, "kind": s.kind.value,
            "reliability": s.reliability.value, "date": _s(s.date), "publisher": s.publisher,
            "sealed": sealer.seal("source", s.id, version, secret)}


def source_from_row(row: RowMapping, sealer: Sealer) -> Source:
    """The source held in a row."""
    secret = sealer.open("source", row["id"], row["version"], row["sealed"])
    return Source(id=row["id"], kind=v.SourceKind(row["kind"]), title=str(secret["title"]),
                  reliability=v.Reliability(row["reliability"]), date=_date(row["date"]), publisher=row["publisher"],
                  url=_s(secret.get("url")), notes=_s(secret.get("notes")))


def case_row(c: Case, position: int, version: int, sealer: Sealer) -> dict[str, Any]:
    """The row for a case; its title and summary are sealed."""
    secret = {"title": c.title, "summary": c.summary}
    return {"id": c.id, "position": position, "version": version, "person_id": c.person_id,
            "status": c.status.value, "region": c.region, "opened": _s(c.opened),
            "sealed": sealer.seal("case", c.id, version, secret)}


def case_from_row(row: RowMapping, sealer: Sealer) -> Case:
    """The case held in a row."""
    secret = sealer.open("case", row["id"], row["version"], row["sealed"])
    return Case(id=row["id"], person_id=row["person_id"], title=str(secret["title"]),
                status=v.CaseStatus(row["status"]), region=row["region"], opened=_date(row["opened"]),
                summary=_s(secret.get("summary")))


def split_details(event_type: EventType, details: Mapping[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    """Split an event's details into the plaintext part and the sensitive part."""
    spec = EVENT_SPECS[event_type]
    plain: dict[str, object] = {}
    secret: dict[str, object] = {}
    for name, value in details.items():
        fs = spec.field(name)
        (secret if fs is not None and fs.sensitive else plain)[name] = value
    return plain, secret


def event_row(e: Event, position: int, version: int, sealer: Sealer) -> dict[str, Any]:
    """The row for an event; its summary and sensitive details are sealed."""
    plain, secret = split_details(e.type, e.details)
    return {"id": e.id, "position": position, "version": version, "type": e.type.value, "date": str(e.date),
            "date_start": e.date.earliest, "date_end": e.date.latest, "institution_id": e.institution_id,
            "details": json.dumps(plain, ensure_ascii=False, sort_keys=True),
            "sealed": sealer.seal("event", e.id, version, {"summary": e.summary, "details": secret})}


def event_from_row(row: RowMapping, case_ids: tuple[str, ...], citations: tuple[Citation, ...],
                   sealer: Sealer) -> Event:
    """The event held in a row, with its case links and citations."""
    secret = sealer.open("event", row["id"], row["version"], row["sealed"])
    etype = EventType(row["type"])
    hidden = secret.get("details")
    merged = {**json.loads(row["details"]), **(hidden if isinstance(hidden, dict) else {})}
    ordered = {f.name: merged[f.name] for f in EVENT_SPECS[etype].fields if f.name in merged}
    return Event(id=row["id"], type=etype, date=PartialDate.parse(row["date"]), case_ids=case_ids,
                 citations=citations, institution_id=row["institution_id"], summary=_s(secret.get("summary")),
                 details=ordered)


_EVENT_TYPES = {t.value: t for t in EventType}


def event_facts_from_row(row: RowMapping, case_ids: tuple[str, ...]) -> Event:
    """The event's non-identifying facts only (no summary, no sealed details, no citations): what rules read."""
    etype = _EVENT_TYPES.get(row["type"]) or EventType(row["type"])
    plain = json.loads(row["details"])
    ordered = {f.name: plain[f.name] for f in EVENT_SPECS[etype].fields if f.name in plain}
    return Event(id=row["id"], type=etype, date=PartialDate.parse(row["date"]), case_ids=case_ids, citations=(),
                 institution_id=row["institution_id"], summary=None, details=ordered)

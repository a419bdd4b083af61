"""The JSON Schema of the interchange format, derived from the same declarations the parser uses."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from dutycare.domain import vocabulary as v
from dutycare.domain.events import EVENT_SPECS, EventSpec, FieldKind, FieldSpec
from dutycare.domain.interchange import FORMAT_NAME, FORMAT_VERSION
from dutycare.domain.limits import MAX_ID_LENGTH, MAX_JURISDICTION_LENGTH, MAX_REGION_LENGTH, MAX_SAFE_INT

DATE_PATTERN = r"^~?\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$"
ID = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH}
TEXT = {"type": "string", "minLength": 1}
REGION = {"type": "string", "minLength": 1, "maxLength": MAX_REGION_LENGTH}
JURISDICTION = {"type": "string", "minLength": 1, "maxLength": MAX_JURISDICTION_LENGTH}
DATE = {"type": "string", "pattern": DATE_PATTERN,
        "description": "YYYY-MM-DD, YYYY-MM, YYYY, a range A/B, optionally prefixed with ~ (approximate)"}


def _enum(e: type[StrEnum], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", "enum": [m.value for m in e]}
    if description:
        out["description"] = description
    return out


def _record(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


def _field_schema(f: FieldSpec) -> dict[str, Any]:
    if f.kind is FieldKind.TEXT:
        return dict(TEXT)
    if f.kind is FieldKind.CHOICE:
        return {"type": "string", "enum": list(f.choices)}
    if f.kind is FieldKind.INTEGER:
        return {"type": "integer", "minimum": 0, "maximum": MAX_SAFE_INT}
    if f.kind is FieldKind.BOOLEAN:
        return {"type": "boolean"}
    if f.kind is FieldKind.DATE:
        return dict(DATE)
    if f.kind in (FieldKind.PEOPLE, FieldKind.INSTITUTIONS):
        return {"type": "array", "minItems": 1, "items": ID}
    return dict(ID)


def _event_variant(spec: EventSpec) -> dict[str, Any]:
    details = _record({f.name: _field_schema(f) for f in spec.fields}, [f.name for f in spec.fields if f.required])
    branch: dict[str, Any] = {
        "if": {"properties": {"type": {"const": spec.type.value}}},
        "then": {"properties": {"details": details}},
    }
    if spec.institution_required:
        branch["then"]["required"] = ["institution"]
    return branch


def case_file_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a dutycare case file."""
    person = _record({
        "id": ID, "pseudonym": TEXT, "role": _enum(v.PersonRole), "service_status": _enum(v.ServiceStatus),
        "age": {"type": "integer", "minimum": 0, "maximum": 130}, "age_as_of": DATE,
        "birth_year": {"type": "integer", "minimum": 1900, "maximum": 2100},
        "full_name": TEXT, "birth_date": TEXT, "contacts": TEXT, "notes": TEXT,
    }, ["id", "pseudonym"])
    institution = _record({"id": ID, "name": TEXT, "type": _enum(v.InstitutionType), "region": REGION, "parent": ID,
                           "jurisdiction": JURISDICTION}, ["id", "name", "type"])
    source = _record({"id": ID, "kind": _enum(v.SourceKind), "title": TEXT,
                      "reliability": _enum(v.Reliability, "A completely reliable … E unreliable, F cannot be judged"),
                      "date": DATE, "publisher": TEXT, "url": TEXT, "notes": TEXT},
                     ["id", "kind", "title", "reliability"])
    case = _record({"id": ID, "person": ID, "title": TEXT, "status": _enum(v.CaseStatus), "region": REGION,
                    "opened": DATE, "summary": TEXT}, ["id", "person", "title"])
    citation = _record({"source": ID, "locator": {"type": "string"}}, ["source"])
    event = _record({
        "id": ID, "type": {"type": "string", "enum": [t.value for t in EVENT_SPECS]}, "date": DATE,
        "cases": {"type": "array", "minItems": 1, "items": ID}, "institution": ID, "summary": TEXT,
        "sources": {"type": "array", "minItems": 1, "items": citation}, "details": {"type": "object"},
    }, ["id", "type", "date", "cases", "sources"])
    event["allOf"] = [_event_variant(spec) for spec in EVENT_SPECS.values()]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://dutycare.example/schemas/case-file-v1.json",
        "title": "dutycare case file",
        "description": "People, institutions, sources, cases and dated, sourced events, in one document.",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "format_version"],
        "properties": {
            "format": {"const": FORMAT_NAME},
            "format_version": {"const": FORMAT_VERSION},
            "people": {"type": "array", "items": person},
            "institutions": {"type": "array", "items": institution},
            "sources": {"type": "array", "items": source},
            "cases": {"type": "array", "items": case},
            "events": {"type": "array", "items": event},
        },
    }

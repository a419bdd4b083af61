"""Event forms generated from EVENT_SPECS: the inputs of each type, form data to interchange form, and back.

Nothing is validated here: the interchange dict goes to event_writes, which validates it exactly as an import,
and its problems are mapped back to the inputs they concern (``details.category`` → the category input).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dutycare.domain.errors import Problem
from dutycare.domain.events import EVENT_SPECS, Event, EventSpec, EventType, FieldKind, FieldSpec
from dutycare.domain.interchange import event_to_dict

COMMON_INPUTS = ("type", "date", "cases", "institution", "summary", "sources")


@dataclass(frozen=True)
class Input:
    """One input of an event form."""

    name: str
    field: str
    kind: str
    required: bool
    sensitive: bool = False
    choices: tuple[str, ...] = ()
    multiple: bool = False


def _detail_input(spec: FieldSpec) -> Input:
    kind = {FieldKind.TEXT: "textarea", FieldKind.CHOICE: "select", FieldKind.INTEGER: "number",
            FieldKind.BOOLEAN: "boolean", FieldKind.DATE: "date", FieldKind.PERSON: "person",
            FieldKind.PEOPLE: "person",
            FieldKind.INSTITUTION: "institution", FieldKind.INSTITUTIONS: "institution",
            FieldKind.EVENT: "event"}[spec.kind]
    multiple = spec.kind in (FieldKind.PEOPLE, FieldKind.INSTITUTIONS)
    return Input(f"details.{spec.name}", spec.name, kind, spec.required, spec.sensitive, spec.choices, multiple)


def detail_inputs(event_type: EventType) -> list[Input]:
    """The detail inputs of one event type, in declaration order."""
    return [_detail_input(f) for f in EVENT_SPECS[event_type].fields]


def spec_of(event_type: str) -> EventSpec | None:
    """The declaration of an event type named in a request, or None."""
    try:
        return EVENT_SPECS[EventType(event_type)]
    except ValueError:
        return None


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


def _value(spec: FieldSpec, form: Mapping[str, Any], multi: Mapping[str, list[str]]) -> Any:
    name = f"details.{spec.name}"
    if spec.kind in (FieldKind.PEOPLE, FieldKind.INSTITUTIONS):
        chosen = [v for raw in multi.get(name, []) for v in _ids(raw)]
        return chosen or None
    raw = str(form.get(name, "") or "").strip()
    if raw == "":
        return None
    if spec.kind is FieldKind.INTEGER:
        try:
            return int(raw)
        except ValueError:
            return raw  # the validator says what is wrong with it
    if spec.kind is FieldKind.BOOLEAN:
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def to_interchange(form: Mapping[str, Any], multi: Mapping[str, list[str]], *, event_id: str | None = None
                   ) -> dict[str, Any]:
    """The interchange form of a submitted event form (an id is made for new events)."""
    raw: dict[str, Any] = {"id": event_id or f"ev-{uuid.uuid4().hex[:12]}", "type": str(form.get("type", ""))}
    for name in ("date", "institution", "summary"):
        value = str(form.get(name, "") or "").strip()
        if value:
            raw[name] = value
    raw["cases"] = [c for v in multi.get("cases", []) for c in _ids(v)]
    raw["sources"] = [{"source": s} for v in multi.get("sources", []) for s in _ids(v)]
    spec = spec_of(raw["type"])
    if spec is not None:
        details = {f.name: value for f in spec.fields if (value := _value(f, form, multi)) is not None}
        if details:
            raw["details"] = details
    return raw


def from_event(event: Event) -> tuple[dict[str, str], dict[str, list[str]]]:
    """An existing event as form values (single values, and lists for multi-valued inputs)."""
    d = event_to_dict(event)
    single: dict[str, str] = {"type": d["type"], "date": d["date"], "institution": d.get("institution", ""),
                              "summary": d.get("summary", "")}
    multi: dict[str, list[str]] = {"cases": list(d["cases"]), "sources": [c["source"] for c in d["sources"]]}
    for spec in event.spec.fields:
        value = event.details.get(spec.name)
        if value is None:
            continue
        if isinstance(value, list):
            multi[f"details.{spec.name}"] = [str(x) for x in value]
        elif isinstance(value, bool):
            single[f"details.{spec.name}"] = "true" if value else "false"
        else:
            single[f"details.{spec.name}"] = str(value)
    return single, multi


def input_of(problem: Problem, inputs: set[str]) -> str | None:
    """The input a validation problem concerns, or None when it concerns the event as a whole."""
    name = problem.field
    if name.startswith("sources"):
        return "sources"
    if name in inputs:
        return name
    return None


def problems_by_input(problems: list[Problem], inputs: set[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Problems next to their inputs, and those that belong to no input."""
    by_input: dict[str, list[str]] = {}
    general: list[str] = []
    for p in problems:
        target = input_of(p, inputs)
        if target is None:
            general.append(str(p) if p.field else p.message)
        else:
            by_input.setdefault(target, []).append(p.message)
    return by_input, general

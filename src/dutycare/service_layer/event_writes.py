"""Writing single events (from forms and the API), validated exactly as an import is.

The ``add``/``replace``/``withdraw`` steps run inside a unit of work the caller opened and commits; staff
entrypoints reach them only through `staff_events`, which checks the writer's role and case access first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dutycare.domain.errors import InvalidInput, Problem
from dutycare.domain.events import Event
from dutycare.domain.interchange import event_to_dict, parse_case_file, references, single_event_document
from dutycare.service_layer.changes import Action, Change
from dutycare.service_layer.findings import refresh_findings
from dutycare.service_layer.ports import UnitOfWork
from dutycare.service_layer.write_path import apply_changes


def tombstone_record(event: Event, at: str, reason: str) -> dict[str, object]:
    """The state the ledger records for a withdrawn event."""
    return {"id": event.id, "tombstone": True, "at": at, "reason": reason, "withdrawn": event_to_dict(event)}


def parse_event(uow: UnitOfWork, raw: Any, replacing: frozenset[str] = frozenset()) -> Event:
    """One event in interchange form, validated against the open unit of work's records; it may not name a
    case, source, institution or person that was withdrawn."""
    case_file = parse_case_file(single_event_document(raw), known=uow.records, replacing=replacing)
    event = case_file.events[0]
    gone = [Problem(f"event (id {event.id})", name.partition("[")[0], f"refers to {kind} '{ref}', which was withdrawn")
            for _, name, kind, ref in references(case_file) if uow.records.is_withdrawn(kind, ref)]
    if gone:
        raise InvalidInput(gone)
    return event


def add(uow: UnitOfWork, event: Event) -> None:
    """Store a validated new event with its ledger entry, search words and findings (caller commits)."""
    uow.records.add_events((event,))
    apply_changes(uow, [Change(Action.CREATE, "event", event.id, event_to_dict(event))])


def replace(uow: UnitOfWork, event: Event) -> None:
    """Store a validated correction of an existing event (caller commits); the ledger keeps both.

    Cases the correction takes the event off have their findings refreshed too.
    """
    before = uow.records.event(event.id).case_ids
    uow.records.replace_event(event)
    apply_changes(uow, [Change(Action.UPDATE, "event", event.id, event_to_dict(event))])
    refresh_findings(uow, set(before) - set(event.case_ids))


def withdraw(uow: UnitOfWork, event_id: str, reason: str) -> Event:
    """Withdraw an event as a tombstone (caller commits): it leaves timelines, never the ledger."""
    check_reason(reason)
    at = datetime.now(UTC).isoformat()
    event = uow.records.tombstone_event(event_id, at, reason)
    apply_changes(uow, [Change(Action.TOMBSTONE, "event", event_id, tombstone_record(event, at, reason))])
    return event


def check_reason(reason: str) -> None:
    """Refuse a withdrawal without a reason."""
    if not reason.strip():
        raise InvalidInput([Problem("event", "reason", "say why the event is withdrawn")])


def check_same_id(event_id: str, raw: Any) -> Any:
    """The raw correction with its id, refusing one that names another event."""
    if isinstance(raw, dict):
        if raw.get("id", event_id) != event_id:
            raise InvalidInput([Problem("event", "id", "cannot be changed; record a new event instead")])
        return {**raw, "id": event_id}
    return raw


def record_event(uow: UnitOfWork, raw: Any) -> Event:
    """Validate and add one event as the system (no staff user); it and its ledger entry commit together."""
    with uow:
        event = parse_event(uow, raw)
        add(uow, event)
        uow.commit()
    return event


def update_event(uow: UnitOfWork, event_id: str, raw: Any) -> Event:
    """Replace an event with a corrected version as the system; the ledger keeps both."""
    raw = check_same_id(event_id, raw)
    with uow:
        uow.records.event(event_id)
        event = parse_event(uow, raw, frozenset({event_id}))
        replace(uow, event)
        uow.commit()
    return event


def delete_event(uow: UnitOfWork, event_id: str, reason: str) -> Event:
    """Withdraw an event as the system."""
    with uow:
        event = withdraw(uow, event_id, reason)
        uow.commit()
    return event

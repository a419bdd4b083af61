"""Writing single events (from forms and the API), validated exactly as an import is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dutycare.domain.errors import InvalidInput, Problem
from dutycare.domain.events import Event
from dutycare.domain.interchange import event_to_dict, parse_case_file, single_event_document
from dutycare.service_layer.changes import Action, Change
from dutycare.service_layer.ports import UnitOfWork
from dutycare.service_layer.write_path import apply_changes


def tombstone_record(event: Event, at: str, reason: str) -> dict[str, object]:
    """The state the ledger records for a withdrawn event."""
    return {"id": event.id, "tombstone": True, "at": at, "reason": reason, "withdrawn": event_to_dict(event)}


def _one_event(uow: UnitOfWork, raw: Any, replacing: frozenset[str] = frozenset()) -> Event:
    case_file = parse_case_file(single_event_document(raw), known=uow.records, replacing=replacing)
    return case_file.events[0]


def record_event(uow: UnitOfWork, raw: Any) -> Event:
    """Validate and add one event (interchange form); it and its ledger entry commit together."""
    with uow:
        event = _one_event(uow, raw)
        uow.records.add_events((event,))
        changes = [Change(Action.CREATE, "event", event.id, event_to_dict(event))]
        apply_changes(uow, changes)
        uow.commit()
    return event


def update_event(uow: UnitOfWork, event_id: str, raw: Any) -> Event:
    """Replace an event with a corrected version; the ledger keeps both."""
    if isinstance(raw, dict) and raw.get("id", event_id) != event_id:
        raise InvalidInput([Problem("event", "id", "cannot be changed; record a new event instead")])
    with uow:
        uow.records.event(event_id)
        event = _one_event(uow, {**raw, "id": event_id} if isinstance(raw, dict) else raw, frozenset({event_id}))
        uow.records.replace_event(event)
        changes = [Change(Action.UPDATE, "event", event.id, event_to_dict(event))]
        apply_changes(uow, changes)
        uow.commit()
    return event


def delete_event(uow: UnitOfWork, event_id: str, reason: str) -> Event:
    """Withdraw an event as a tombstone: it disappears from timelines, never from the ledger."""
    if not reason.strip():
        raise InvalidInput([Problem("event", "reason", "say why the event is withdrawn")])
    with uow:
        at = datetime.now(UTC).isoformat()
        event = uow.records.tombstone_event(event_id, at, reason)
        record = tombstone_record(event, at, reason)
        changes = [Change(Action.TOMBSTONE, "event", event_id, record)]
        apply_changes(uow, changes)
        uow.commit()
    return event

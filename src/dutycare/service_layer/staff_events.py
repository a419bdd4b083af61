"""Staff writes of timeline events: the writer's role and case access are checked here, once, inside the write's
own transaction, for the web forms and the API alike.

A writer may name only cases they see. Correcting an event shared with a case hidden from the writer keeps that
case's link as it was: the writer neither sees it nor can remove it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dutycare.domain.errors import NotAllowed
from dutycare.domain.events import Event
from dutycare.service_layer import event_writes
from dutycare.service_layer.access import Permission, allows
from dutycare.service_layer.accounts import StaffUnitOfWork, User
from dutycare.service_layer.visibility import Visibility


def _writer(uow: StaffUnitOfWork, writer: User) -> Visibility:
    if not allows(writer.role, Permission.EVENT_WRITE):
        raise NotAllowed("Your role may not add or change events.")
    return Visibility(uow, writer)


def _named_cases(raw: Any) -> list[str]:
    cases = raw.get("cases") if isinstance(raw, dict) else None
    return [c for c in cases if isinstance(c, str)] if isinstance(cases, list) else []


def record_event(uow: StaffUnitOfWork, writer: User, raw: Any) -> Event:
    """Validate and add one event on cases the writer sees; it and its ledger entry commit together."""
    with uow:
        vis = _writer(uow, writer)
        vis.check_writable_cases(_named_cases(raw))
        event = event_writes.parse_event(uow, raw)
        event_writes.add(uow, event)
        uow.commit()
    return vis.event(event) or event


def update_event(uow: StaffUnitOfWork, writer: User, event_id: str, raw: Any) -> Event:
    """Store a corrected version of an event the writer sees; links to cases hidden from them are kept."""
    raw = event_writes.check_same_id(event_id, raw)
    with uow:
        vis = _writer(uow, writer)
        vis.require_event(event_id)
        stored = uow.records.event(event_id)
        hidden = [c for c in stored.case_ids if not vis.sees(c)]
        named = _named_cases(raw)
        vis.check_writable_cases(named, kept=hidden)
        if hidden and isinstance(raw, dict):
            raw = {**raw, "cases": [*named, *(c for c in hidden if c not in named)]}
        event = event_writes.parse_event(uow, raw, frozenset({event_id}))
        event_writes.replace(uow, event)
        uow.commit()
    return vis.event(event) or event


def withdraw_event(uow: StaffUnitOfWork, writer: User, event_id: str, reason: str) -> Event:
    """Withdraw an event the writer sees, with a reason; one shared with cases hidden from the writer is only
    taken off the cases they see, and stays on the others."""
    with uow:
        vis = _writer(uow, writer)
        shown = vis.require_event(event_id)
        stored = uow.records.event(event_id)
        hidden = tuple(c for c in stored.case_ids if not vis.sees(c))
        if hidden:
            event_writes.check_reason(reason)
            event_writes.replace(uow, dataclasses.replace(stored, case_ids=hidden))
        else:
            event_writes.withdraw(uow, event_id, reason)
        uow.commit()
    return shown

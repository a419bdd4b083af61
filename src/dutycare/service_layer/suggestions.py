"""Facts suggested from a testimony's text, for a caseworker to accept one by one; nothing here writes a fact.

The read of the testimony is audited like a case read; the suggestions themselves are computed, shown and
forgotten (never stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from dutycare.domain.errors import NotFound
from dutycare.domain.events import Event, EventType
from dutycare.domain.model import Institution
from dutycare.domain.suggested_facts import FactKind, Suggestion
from dutycare.service_layer import audit
from dutycare.service_layer.access import User
from dutycare.service_layer.ports import FactSuggester, StaffUnitOfWork
from dutycare.service_layer.visibility import Visibility

SUGGESTED_FROM = (EventType.TESTIMONY,)
NEAR_CHARS = 160
TEXT_FIELD = "text"


@dataclass(frozen=True)
class EventSuggestions:
    """A testimony, its text, and the facts suggested from it."""

    event: Event
    case_id: str
    case_title: str
    text: str
    known_date: date | None
    suggestions: list[Suggestion]
    institutions: dict[str, Institution] = field(default_factory=dict)  # those of the case's timeline


def for_event(uow: StaffUnitOfWork, viewer: User, event_id: str, case_id: str, at: datetime,
              suggester: FactSuggester) -> EventSuggestions:
    """The facts suggested from a testimony the viewer may see (NotFound otherwise); the read is audited."""
    with uow:
        event = Visibility(uow, viewer).require_event(event_id)
        if event.type not in SUGGESTED_FROM or not event.text(TEXT_FIELD):
            raise NotFound(f"Event {event_id} is not a testimony with a text; facts are suggested from those.")
        case = case_id if case_id in event.case_ids else event.case_ids[0]
        record = uow.records.case(case)
        institutions = uow.records.timeline(case, case=record).institutions
        audit.note(uow, viewer, audit.AuditAction.READ_CASE, "case", case, at, f"suggested facts of {event_id}")
        uow.commit()
    text = event.text(TEXT_FIELD)
    known = event.date.earliest if event.date.is_exact else None
    return EventSuggestions(event, case, record.title, text, known, suggester.suggest(text, known), institutions)


def institution_for(found: EventSuggestions, s: Suggestion) -> str | None:
    """The case's institution an event suggestion most likely names: the type of the institution suggested last
    before it (else first after it) within a sentence's reach, when exactly one of the case's institutions has
    that type."""
    near = [i for i in found.suggestions if i.kind == FactKind.INSTITUTION.value and isinstance(i.value, dict)
            and abs(i.start - s.start) <= NEAR_CHARS]
    if not near:
        return None
    before = [i for i in near if i.start <= s.start]  # «ВВК признала годным»: the institution comes first
    value = (max(before, key=lambda i: i.start) if before else min(near, key=lambda i: i.start)).value
    wanted = str(value.get("type")) if isinstance(value, dict) else ""
    matching = [inst.id for inst in found.institutions.values() if inst.type.value == wanted]
    return matching[0] if len(matching) == 1 else None


def nearest_date(found: list[Suggestion], s: Suggestion) -> str | None:
    """The date an event suggestion most likely has: the last date suggested before it, else the first after."""
    dates = [d for d in found if d.kind == FactKind.DATE.value and isinstance(d.value, str)]
    before = [d for d in dates if d.start <= s.start]
    chosen = before[-1] if before else (dates[0] if dates else None)
    return str(chosen.value) if chosen else None

"""REST API: events (create, read, correct, withdraw) and the event types they follow."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from dutycare.domain.events import EVENT_SPECS
from dutycare.domain.interchange import event_to_dict
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.json_body import BoundedJsonRoute
from dutycare.entrypoints.web.routers.api_cases import ERRORS
from dutycare.entrypoints.web.schemas import EventCreate, EventPublic, EventTypePublic, EventUpdate
from dutycare.service_layer import case_views, staff_events
from dutycare.service_layer.access import Permission as P

router = APIRouter(prefix="/api/v1", tags=["events"], responses=ERRORS, route_class=BoundedJsonRoute)


@router.post("/events", status_code=status.HTTP_201_CREATED, dependencies=[Needs(P.EVENT_WRITE)])
def create_event(ctx: Ctx, user: CurrentUser, body: EventCreate) -> EventPublic:
    """Record an event; validated exactly as an import (problems name the field, e.g. details.category)."""
    raw = body.interchange()
    if not raw.get("id"):
        raw["id"] = f"ev-{uuid.uuid4().hex[:12]}"
    event = staff_events.record_event(ctx.uow(user), user, raw)
    return EventPublic(**event_to_dict(event))


@router.get("/events/{event_id}", dependencies=[Needs(P.CASE_READ)])
def get_event(ctx: Ctx, user: CurrentUser, event_id: str) -> EventPublic:
    """One event."""
    return EventPublic(**event_to_dict(case_views.check_event_visible(ctx.uow(user), user, event_id)))


@router.put("/events/{event_id}", dependencies=[Needs(P.EVENT_WRITE)])
def update_event(ctx: Ctx, user: CurrentUser, event_id: str, body: EventUpdate) -> EventPublic:
    """Replace an event with a corrected version (the ledger keeps both)."""
    event = staff_events.update_event(ctx.uow(user), user, event_id, body.interchange(event_id))
    return EventPublic(**event_to_dict(event))


@router.delete("/events/{event_id}", dependencies=[Needs(P.EVENT_WRITE)])
def withdraw_event(ctx: Ctx, user: CurrentUser, event_id: str,
                   reason: Annotated[str, Query(min_length=1, max_length=2000)]) -> EventPublic:
    """Withdraw an event with a reason: it leaves timelines, never the ledger."""
    return EventPublic(**event_to_dict(staff_events.withdraw_event(ctx.uow(user), user, event_id, reason)))


@router.get("/event-types", dependencies=[Needs(P.CASE_READ)])
def event_types() -> list[EventTypePublic]:
    """Every event type with its detail fields, kinds, choices and whether each is required."""
    return [EventTypePublic(type=s.type.value, label_ru=s.label_ru, label_en=s.label_en,
                            institution_required=s.institution_required,
                            fields=[{"name": f.name, "kind": f.kind.value, "required": f.required,
                                     "choices": list(f.choices), "encrypted": f.sensitive} for f in s.fields])
            for s in EVENT_SPECS.values()]

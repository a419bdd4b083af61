"""Adding, correcting and withdrawing timeline events through forms generated from EVENT_SPECS."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dutycare.domain.errors import InvalidInput
from dutycare.domain.events import EVENT_SPECS
from dutycare.domain.limits import MAX_DATE_LENGTH
from dutycare.entrypoints.web import forms
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs, WebContext
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import case_views, staff_events, staff_records
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.accounts import User

router = APIRouter(include_in_schema=False)
MAX_PREFILL = 2_000
MAX_PREFILLED_SOURCES = 20


def _form_page(request: Request, ctx: WebContext, user: User, case_id: str, values: dict[str, str],
               multi: dict[str, list[str]], *, event_id: str | None = None, problems: list[Any] | None = None,
               status: int = 200) -> Response:
    view = case_views.case_page(ctx.uow(user), user, case_id, ctx.now())
    etype = values.get("type", "")
    spec = forms.spec_of(etype)
    inputs = forms.detail_inputs(spec.type) if spec else []
    names = set(forms.COMMON_INPUTS) | {i.name for i in inputs}
    by_input, general = forms.problems_by_input(problems or [], names)
    sources = {s.id: s for s in staff_records.visible_sources(ctx.uow(user), user)}
    return page(request, "event_form.html", status_code=status, view=view, t=view.timeline, values=values,
                multi=multi, spec=spec, inputs=inputs, specs=list(EVENT_SPECS.values()), errors=by_input,
                general_errors=general, event_id=event_id, case_id=case_id, sources=sources)


@router.get("/cases/{case_id}/events/new", dependencies=[Needs(P.EVENT_WRITE)])
def new_event(request: Request, ctx: Ctx, user: CurrentUser, case_id: str, type: str = "", source: str = "",
              institution: str = "") -> Response:
    """Choose an event type, then fill in its form (a source or institution just added comes chosen; an accepted
    suggested fact comes with its date, words and details filled in)."""
    chosen = type if forms.spec_of(type) else ""
    values = {"type": chosen, "institution": institution[:200], **_prefill(request, chosen)}
    cited = [s[:200] for s in request.query_params.getlist("source")[:MAX_PREFILLED_SOURCES] if s]
    return _form_page(request, ctx, user, case_id, values, {"cases": [case_id], "sources": cited})


def _prefill(request: Request, event_type: str) -> dict[str, str]:
    """The date, summary and plain detail fields a link may fill in (a suggested fact's), cut to size."""
    spec = forms.spec_of(event_type)
    if spec is None:
        return {}
    names = {"date": MAX_DATE_LENGTH, "summary": MAX_PREFILL}
    names |= {f"details.{f.name}": MAX_PREFILL for f in spec.fields if not f.is_reference}
    query = request.query_params
    return {name: query[name][:limit] for name, limit in names.items() if query.get(name)}


async def _submitted(request: Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    form = await request.form()
    single = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    multi = {k: [str(v) for v in form.getlist(k) if isinstance(v, str)] for k in form}
    return single, multi


@router.post("/cases/{case_id}/events", dependencies=[Needs(P.EVENT_WRITE)])
async def create_event(request: Request, ctx: Ctx, user: CurrentUser, case_id: str) -> Response:
    """Record an event; on invalid input the form comes back with the problems next to the fields."""
    single, multi = await _submitted(request)
    if not forms.spec_of(single.get("type", "")):
        return RedirectResponse(f"/cases/{case_id}/events/new", status_code=303)
    raw = forms.to_interchange(single, multi)
    try:
        event = await run_in_threadpool(staff_events.record_event, ctx.uow(user), user, raw)
    except InvalidInput as exc:
        return await run_in_threadpool(_form_page, request, ctx, user, case_id, single, multi,
                                       problems=exc.problems, status=422)
    return RedirectResponse(f"/cases/{case_id}#event-{event.id}", status_code=303)


@router.get("/events/{event_id}/edit", dependencies=[Needs(P.EVENT_WRITE)])
def edit_event(request: Request, ctx: Ctx, user: CurrentUser, event_id: str, case: str = "") -> Response:
    """The form of an existing event, filled in."""
    event = case_views.check_event_visible(ctx.uow(user), user, event_id)
    case_id = case if case in event.case_ids else event.case_ids[0]
    single, multi = forms.from_event(event)
    return _form_page(request, ctx, user, case_id, single, multi, event_id=event_id)


@router.post("/events/{event_id}/edit", dependencies=[Needs(P.EVENT_WRITE)])
async def update_event(request: Request, ctx: Ctx, user: CurrentUser, event_id: str) -> Response:
    """Store a corrected version of an event (the ledger keeps both)."""
    single, multi = await _submitted(request)
    event = await run_in_threadpool(case_views.check_event_visible, ctx.uow(user), user, event_id)
    case_id = single.get("case_page") if single.get("case_page") in event.case_ids else event.case_ids[0]
    single["type"] = event.type.value
    raw = forms.to_interchange(single, multi, event_id=event_id)
    try:
        await run_in_threadpool(staff_events.update_event, ctx.uow(user), user, event_id, raw)
    except InvalidInput as exc:
        return await run_in_threadpool(_form_page, request, ctx, user, str(case_id), single, multi,
                                       event_id=event_id, problems=exc.problems, status=422)
    return RedirectResponse(f"/cases/{case_id}#event-{event_id}", status_code=303)


@router.post("/events/{event_id}/withdraw", dependencies=[Needs(P.EVENT_WRITE)])
def withdraw_event(ctx: Ctx, user: CurrentUser, event_id: str, reason: Annotated[str, Form()] = "") -> Response:
    """Withdraw an event with a reason; it leaves the timeline, never the ledger."""
    event = staff_events.withdraw_event(ctx.uow(user), user, event_id, reason)
    return RedirectResponse(f"/cases/{event.case_ids[0]}", status_code=303)



"""Suggested facts on a testimony: its text with the suggested facts marked, each to accept into an event form."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dutycare.domain.suggested_facts import FactKind, Suggestion
from dutycare.entrypoints.suggestion_text import describe, segments
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs, language
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import suggestions
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.suggestions import EventSuggestions

router = APIRouter(include_in_schema=False)
MAX_PREFILL = 2_000


def accept_link(found: EventSuggestions, s: Suggestion) -> str | None:
    """Where accepting a suggestion leads: the form of its event, prefilled, citing the testimony's sources."""
    case = found.case_id
    if s.kind == FactKind.INSTITUTION.value and isinstance(s.value, dict):
        return f"/institutions?{urlencode({'case': case, 'q': str(s.value.get('name', ''))[:200]})}"
    if s.event_type is None:
        return None
    params: list[tuple[str, str]] = [("type", s.event_type.value)]
    if (when := suggestions.nearest_date(found.suggestions, s)) is not None:
        params.append(("date", when))
    if (institution := suggestions.institution_for(found, s)) is not None:
        params.append(("institution", institution))
    params.append(("summary", s.quote[:MAX_PREFILL]))
    params += [(f"details.{k}", v[:MAX_PREFILL]) for k, v in s.details().items()]
    params += [("source", c.source_id) for c in found.event.citations]
    return f"/cases/{case}/events/new?{urlencode(params)}"


@router.get("/events/{event_id}/suggestions", dependencies=[Needs(P.CASE_READ)])
async def event_suggestions(request: Request, ctx: Ctx, user: CurrentUser, event_id: str, case: str = "") -> Response:
    """A testimony's text with the facts suggested from it marked; nothing is recorded until one is accepted."""
    found = await run_in_threadpool(suggestions.for_event, ctx.uow(user), user, event_id, case[:200], ctx.now(),
                                    ctx.dutycare.fact_suggester)
    lang = language(request)
    items = [(i, s, describe(s, lang), accept_link(found, s)) for i, s in enumerate(found.suggestions)]
    return page(request, "suggestions.html", found=found, items=items,
                segments=segments(found.text, found.suggestions))

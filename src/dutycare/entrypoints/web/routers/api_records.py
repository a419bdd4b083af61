"""REST API: institutions, deadlines, the ledger, and export."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from dutycare.adapters.calendar_file import calendar_filename, render_calendar
from dutycare.domain.limits import MAX_ID_LENGTH
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.json_body import BoundedJsonRoute
from dutycare.entrypoints.web.routers.api_cases import ERRORS
from dutycare.entrypoints.web.routers.deadlines import calendar_response
from dutycare.entrypoints.web.schemas import (
    DueDatePublic,
    InstitutionPublic,
    IsoDate,
    LedgerPublic,
    VerificationPublic,
)
from dutycare.service_layer import case_views, ledger_service
from dutycare.service_layer.access import Permission as P

router = APIRouter(prefix="/api/v1", tags=["records"], responses=ERRORS, route_class=BoundedJsonRoute)


@router.get("/institutions", dependencies=[Needs(P.CASE_READ)])
def institutions(ctx: Ctx, user: CurrentUser) -> list[InstitutionPublic]:
    """Every institution (public bodies: nothing here identifies a person)."""
    found = case_views.filter_choices(ctx.uow(user), user).institutions
    return [InstitutionPublic(**asdict(i) | {"type": i.type.value}) for i in found]


@router.get("/deadlines", dependencies=[Needs(P.DEADLINES_READ)])
def deadlines(ctx: Ctx, user: CurrentUser, as_of: IsoDate | None = None,
              within_days: Annotated[int | None, Query(ge=0, le=366)] = None,
              case_id: Annotated[str | None, Query(max_length=MAX_ID_LENGTH)] = None) -> list[DueDatePublic]:
    """Every clock of every complaint and records request on cases you see (or on one case), soonest due first,
    judged as of ``as_of`` (default today); ``within_days``: only clocks not yet met that fall due that soon."""
    found = case_views.due_dates(ctx.uow(user), user, as_of, case_id=case_id, within_days=within_days)
    return [DueDatePublic.of(d) for d in found]


@router.get("/deadlines.ics", dependencies=[Needs(P.DEADLINES_READ)],
            responses={200: {"content": {"text/calendar": {}}, "description": "An iCalendar file"}})
def deadlines_calendar(ctx: Ctx, user: CurrentUser, as_of: IsoDate | None = None,
                       case_id: Annotated[str | None, Query(max_length=MAX_ID_LENGTH)] = None,
                       lang: Annotated[str, Query(pattern="^(ru|en)$")] = "ru") -> Response:
    """Every due date of the cases you see (or of one case) as an iCalendar file; the export is audited."""
    found = case_views.deadline_calendar(ctx.uow(user), user, ctx.now(), as_of=as_of, case_id=case_id)
    return calendar_response(render_calendar(found, lang, ctx.now()), calendar_filename(found))


@router.get("/ledger", dependencies=[Needs(P.LEDGER_READ)])
def ledger(ctx: Ctx, user: CurrentUser) -> LedgerPublic:
    """The ledger's size and latest signed checkpoint."""
    return LedgerPublic(**ledger_service.ledger_status(ctx.uow(user), ctx.dutycare.trusted_key()))


@router.post("/ledger/verify", dependencies=[Needs(P.LEDGER_READ)])
def verify(ctx: Ctx, user: CurrentUser) -> VerificationPublic:
    """Re-derive the whole log and check every record and file against it."""
    dc = ctx.dutycare
    result = dc.verify()
    problems = [str(p) for p in result.record_problems] + [str(p) for p in result.log.problems]
    problems += result.access_messages()
    return VerificationPublic(ok=result.ok, summary=result.log.summary(), records_checked=result.records_checked,
                              files_checked=result.files_checked, problems=problems)


@router.get("/export", dependencies=[Needs(P.EXPORT)])
def export(ctx: Ctx, user: CurrentUser) -> dict[str, Any]:
    """Every record of the cases you see, as one interchange document; the export is audited."""
    return case_views.export_visible(ctx.uow(user), user, ctx.now())

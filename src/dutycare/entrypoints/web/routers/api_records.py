"""REST API: institutions, deadlines, the ledger, and export."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.json_body import BoundedJsonRoute
from dutycare.entrypoints.web.routers.api_cases import ERRORS
from dutycare.entrypoints.web.schemas import DueDatePublic, InstitutionPublic, LedgerPublic, VerificationPublic
from dutycare.service_layer import case_views, ledger_service
from dutycare.service_layer.access import Permission as P

router = APIRouter(prefix="/api/v1", tags=["records"], responses=ERRORS, route_class=BoundedJsonRoute)


@router.get("/institutions", dependencies=[Needs(P.CASE_READ)])
def institutions(ctx: Ctx, user: CurrentUser) -> list[InstitutionPublic]:
    """Every institution (public bodies: nothing here identifies a person)."""
    found = case_views.filter_choices(ctx.uow(user), user).institutions
    return [InstitutionPublic(**asdict(i) | {"type": i.type.value}) for i in found]


@router.get("/deadlines", dependencies=[Needs(P.DEADLINES_READ)])
def deadlines(ctx: Ctx, user: CurrentUser) -> list[DueDatePublic]:
    """Every clock of every complaint and records request on cases you see, soonest due first."""
    return [DueDatePublic.of(d) for d in case_views.due_dates(ctx.uow(user), user, ctx.now().date())]


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

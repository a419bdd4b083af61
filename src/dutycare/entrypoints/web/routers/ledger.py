"""The tamper-evident ledger: its size, latest signed checkpoint, and a verification on request."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import ledger_service
from dutycare.service_layer.access import Permission as P

router = APIRouter(include_in_schema=False)


@router.get("/ledger", dependencies=[Needs(P.LEDGER_READ)])
def ledger_page(request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    """The ledger's size and latest checkpoint."""
    status = ledger_service.ledger_status(ctx.uow(user), ctx.dutycare.trusted_key())
    return page(request, "ledger.html", status=status, verification=None)


@router.post("/ledger/verify", dependencies=[Needs(P.LEDGER_READ)])
def ledger_verify(request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    """Re-derive every leaf, root and checkpoint and check the stored records against the log."""
    dc = ctx.dutycare
    verification = dc.verify()
    status = ledger_service.ledger_status(ctx.uow(user), ctx.dutycare.trusted_key())
    return page(request, "ledger.html", status=status, verification=verification)

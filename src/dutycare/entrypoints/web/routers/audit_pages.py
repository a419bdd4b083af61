"""The audit log, for coordinators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import audit
from dutycare.service_layer.access import Permission as P

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 100


@router.get("/audit", dependencies=[Needs(P.AUDIT_READ)])
def audit_page(request: Request, ctx: Ctx, user: CurrentUser, action: str | None = None,
               page_no: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1) -> Response:
    """Who read identifying details, who exported, who changed users, tokens and case access."""
    entries, total = audit.list_entries(ctx.uow(user), PAGE_SIZE, (page_no - 1) * PAGE_SIZE, action)
    names = audit.names_of(ctx.uow(user), entries)
    return page(request, "audit.html", entries=entries, total=total, action=action or "", names=names,
                actions=[a.value for a in audit.AuditAction], page_no=page_no,
                pages=max(1, -(-total // PAGE_SIZE)))

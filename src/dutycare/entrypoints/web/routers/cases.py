"""Case pages: the filtered, searchable list; one case's timeline, findings and complaints; identifying details."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs, Tr
from dutycare.entrypoints.web.render import page
from dutycare.entrypoints.web.routers.deadlines import as_of_field
from dutycare.service_layer import accounts, case_views, complaints
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.case_views import CaseQuery

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/", dependencies=[Needs(P.CASE_READ)])
def home() -> Response:
    """The case list is the start page."""
    return RedirectResponse("/cases", status_code=303)


@router.get("/cases", dependencies=[Needs(P.CASE_READ)])
def case_list(request: Request, ctx: Ctx, user: CurrentUser, tr: Tr,
              q: Annotated[str | None, Query(max_length=200)] = None, status: str | None = None,
              region: str | None = None, institution: str | None = None, rule: str | None = None,
              date_from: str | None = None, date_to: str | None = None,
              page_no: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1) -> Response:
    """Cases the user may see, narrowed by filters and search."""
    query = CaseQuery(status or None, region or None, institution or None, rule or None, _date(date_from),
                      _date(date_to), q or None)
    rows, total, choices = case_views.case_list_page(ctx.uow(user), user, query, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
    params = {k: v for k, v in dict(q=q, status=status, region=region, institution=institution, rule=rule,
                                    date_from=date_from, date_to=date_to).items() if v}
    exact = case_views.total_is_exact(query, total)
    # A common word is counted only so far: the pager then offers the next page while pages come full.
    pages = max(1, -(-total // PAGE_SIZE)) if exact else page_no + (len(rows) == PAGE_SIZE)
    return page(request, "cases.html", rows=rows, total=total if exact else total - 1, exact=exact, choices=choices,
                f=params, page_no=page_no, pages=pages, query_string=lambda n: urlencode({**params, "page": n}))


@router.get("/cases/{case_id}", dependencies=[Needs(P.CASE_READ)])
def case_page(request: Request, ctx: Ctx, user: CurrentUser, tr: Tr, case_id: str,
              as_of: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """A case: person (pseudonym), timeline with sources and evidence, findings, complaints and due dates; as of
    today, or as of a chosen day."""
    chosen, error = as_of_field(as_of, tr)
    view = case_views.case_page(ctx.uow(user), user, case_id, ctx.now(), as_of=chosen)
    users = accounts.list_users(ctx.uow(user)) if user.role == "coordinator" else []
    drafts = complaints.drafts_of_case(ctx.uow(user), user, case_id)
    return page(request, "case.html", view=view, t=view.timeline, person=None, users=users,
                today=chosen or ctx.dutycare.today(), as_of_text=as_of or "", as_of_error=error, drafts=drafts,
                evidence_limit_mb=ctx.dutycare.settings.evidence_limit() >> 20, status_code=422 if error else 200)


@router.get("/cases/{case_id}/person", dependencies=[Needs(P.IDENTIFYING_READ)])
def case_person(request: Request, ctx: Ctx, user: CurrentUser, case_id: str) -> Response:
    """The case page with the person's identifying details shown (the read is audited)."""
    person = case_views.person_details(ctx.uow(user), user, case_id, ctx.now())
    view = case_views.case_page(ctx.uow(user), user, case_id, ctx.now())
    users = accounts.list_users(ctx.uow(user)) if user.role == "coordinator" else []
    drafts = complaints.drafts_of_case(ctx.uow(user), user, case_id)
    return page(request, "case.html", view=view, t=view.timeline, person=person, users=users, drafts=drafts,
                today=ctx.dutycare.today(), as_of_text="", as_of_error="",
                evidence_limit_mb=ctx.dutycare.settings.evidence_limit() >> 20)


@router.post("/cases/{case_id}/access", dependencies=[Needs(P.CASE_RESTRICT)])
async def case_access(request: Request, ctx: Ctx, user: CurrentUser, tr: Tr, case_id: str,
                      restricted: Annotated[str, Form()] = "") -> Response:
    """Restrict a case to named users, or lift the restriction."""
    form = await request.form()
    named = frozenset(str(v) for v in form.getlist("users"))
    case_views.set_case_access(ctx.uow(user), user, case_id, restricted == "yes", named, ctx.now())
    return RedirectResponse(f"/cases/{case_id}#access", status_code=303)

"""Publications: build a draft from the patterns page's filters, preview and approve it, download its files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.render import page
from dutycare.entrypoints.web.routers.patterns import request_of
from dutycare.service_layer import publications as service
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.publications import PublicationRequest

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=200)]


@router.get("/publications", dependencies=[Needs(P.PUBLICATIONS_READ)])
def publications_page(request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    """The publications you may see: drafts for analysts and coordinators, approved ones for everyone."""
    return page(request, "publications.html", records=service.list_publications(ctx.uow(user), user))


@router.post("/publications", dependencies=[Needs(P.PUBLICATION_BUILD)])
def build_publication(ctx: Ctx, user: CurrentUser, title: Field = "", lang: Field = "ru", q: Field = "",
                      status: Field = "", region: Field = "", institution: Field = "", rule: Field = "",
                      date_from: Field = "", date_to: Field = "", summaries: Annotated[str, Form(max_length=2000)] = ""
                      ) -> Response:
    """Build a draft publication of the cases the filters select (the form on the patterns page)."""
    query = request_of(q, status, region, institution, rule, date_from, date_to, None, None).query
    ids = tuple(s for s in summaries.replace(",", " ").split() if s)
    record = service.build_publication(ctx.uow(user), user, PublicationRequest(query, title, lang, ids),
                                       ctx.dutycare.reports(), ctx.now(), ctx.dutycare.settings.disclosure_threshold)
    return RedirectResponse(f"/publications/{record['id']}", status_code=303)


@router.get("/publications/{publication_id}", dependencies=[Needs(P.PUBLICATIONS_READ)])
def publication_page(request: Request, ctx: Ctx, user: CurrentUser, publication_id: str) -> Response:
    """One publication: its files with their SHA-256, a preview, and (for a coordinator) the approval."""
    record = service.publication(ctx.uow(user), user, publication_id)
    return page(request, "publication.html", p=record)


@router.post("/publications/{publication_id}/approve", dependencies=[Needs(P.PUBLICATION_APPROVE)])
def approve_publication(ctx: Ctx, user: CurrentUser, publication_id: str) -> Response:
    """Approve a draft after previewing it."""
    service.approve(ctx.uow(user), user, publication_id, ctx.now())
    return RedirectResponse(f"/publications/{publication_id}", status_code=303)


@router.get("/publications/{publication_id}/files/{name}", dependencies=[Needs(P.PUBLICATIONS_READ)])
def publication_file(ctx: Ctx, user: CurrentUser, publication_id: str, name: str) -> Response:
    """One file of a publication, byte for byte as ledgered (the HTML preview is sandboxed)."""
    body, media = service.publication_file(ctx.uow(user), user, publication_id, name)
    headers = {"Content-Disposition": f'{"inline" if name.endswith((".html", ".pdf")) else "attachment"}; '
                                      f'filename="{publication_id}-{name}"',
               "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"}
    return Response(body, media_type=media, headers=headers)

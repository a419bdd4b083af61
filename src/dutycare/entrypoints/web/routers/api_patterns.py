"""REST API: protected pattern tables; publications, their files, approval and verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.json_body import BoundedJsonRoute
from dutycare.entrypoints.web.routers.api_cases import ERRORS
from dutycare.entrypoints.web.routers.patterns import request_of
from dutycare.entrypoints.web.schemas import PatternTablePublic, PublicationCheckPublic, PublicationPublic
from dutycare.service_layer import patterns, publications
from dutycare.service_layer.access import Permission as P

router = APIRouter(prefix="/api/v1", tags=["patterns"], responses=ERRORS, route_class=BoundedJsonRoute)
Text = Annotated[str | None, Query(max_length=200)]


@router.get("/patterns", dependencies=[Needs(P.PATTERNS_READ)])
def pattern_table(ctx: Ctx, user: CurrentUser, by: Text = None, measure: Text = None, q: Text = None,
                  status: Text = None, region: Text = None, institution: Text = None, rule: Text = None,
                  date_from: Text = None, date_to: Text = None) -> PatternTablePublic:
    """Counts, rates (Wilson 95 % intervals) and tests by facility, commission, region, period or rule, after
    disclosure control; the filters are the case list's."""
    wanted = request_of(q, status, region, institution, rule, date_from, date_to, by, measure)
    table = patterns.pattern_table(ctx.uow(user), user, wanted, ctx.dutycare.settings.disclosure_threshold)
    return PatternTablePublic.model_validate(patterns.table_to_dict(table))


@router.get("/publications", dependencies=[Needs(P.PUBLICATIONS_READ)])
def list_publications(ctx: Ctx, user: CurrentUser) -> list[PublicationPublic]:
    """Publications you may see (a partner: approved ones only), newest first."""
    return [PublicationPublic.model_validate(r) for r in publications.list_publications(ctx.uow(user), user)]


@router.get("/publications/{publication_id}", dependencies=[Needs(P.PUBLICATIONS_READ)])
def get_publication(ctx: Ctx, user: CurrentUser, publication_id: str) -> PublicationPublic:
    """One publication with its files and their SHA-256."""
    return PublicationPublic.model_validate(publications.publication(ctx.uow(user), user, publication_id))


@router.get("/publications/{publication_id}/files/{name}", dependencies=[Needs(P.PUBLICATIONS_READ)],
            response_class=Response)
def publication_file(ctx: Ctx, user: CurrentUser, publication_id: str, name: str) -> Response:
    """One published file, byte for byte."""
    body, media = publications.publication_file(ctx.uow(user), user, publication_id, name)
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/publications/{publication_id}/approve", dependencies=[Needs(P.PUBLICATION_APPROVE)])
def approve_publication(ctx: Ctx, user: CurrentUser, publication_id: str) -> PublicationPublic:
    """Approve a draft (coordinators): partners see it from now on."""
    return PublicationPublic.model_validate(publications.approve(ctx.uow(user), user, publication_id, ctx.now()))


@router.get("/publications/{publication_id}/verify", dependencies=[Needs(P.PUBLICATIONS_READ)])
def verify_publication(ctx: Ctx, user: CurrentUser, publication_id: str) -> PublicationCheckPublic:
    """Check the publication's record against the ledger and every stored file against its SHA-256."""
    publications.publication(ctx.uow(user), user, publication_id)  # NotFound unless the viewer may see it
    check = publications.verify_publication(ctx.uow(user), publication_id)
    return PublicationCheckPublic(publication_id=check.publication_id, ok=check.ok, problems=check.problems,
                                  files_checked=check.files_checked)

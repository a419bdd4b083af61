"""REST API: cases (list with filters and search, detail, identifying details, access restrictions)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from dutycare.domain.interchange import event_to_dict
from dutycare.domain.limits import MAX_ID_LENGTH, MAX_OFFSET, MAX_REGION_LENGTH
from dutycare.domain.vocabulary import CaseStatus
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.json_body import BoundedJsonRoute
from dutycare.entrypoints.web.schemas import (
    CaseAccessPublic,
    CaseAccessUpdate,
    CaseDetailPublic,
    CaseListPublic,
    CasePublic,
    DueDatePublic,
    ErrorPublic,
    EventPublic,
    EvidencePublic,
    FindingPublic,
    InstitutionPublic,
    IsoDate,
    PersonIdentifyingPublic,
    PersonPublic,
    SourcePublic,
)
from dutycare.service_layer import case_views
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.case_views import CaseQuery
from dutycare.service_layer.queries import CaseRow

ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": ErrorPublic}, 401: {"model": ErrorPublic},
                                           403: {"model": ErrorPublic}, 404: {"model": ErrorPublic},
                                           422: {"model": ErrorPublic}}
router = APIRouter(prefix="/api/v1", tags=["cases"], responses=ERRORS, route_class=BoundedJsonRoute)


@router.get("/cases", dependencies=[Needs(P.CASE_READ)])
def list_cases(ctx: Ctx, user: CurrentUser, q: Annotated[str | None, Query(max_length=200)] = None,
               status: CaseStatus | None = None,
               region: Annotated[str | None, Query(max_length=MAX_REGION_LENGTH)] = None,
               institution: Annotated[str | None, Query(max_length=MAX_ID_LENGTH)] = None,
               rule: Annotated[str | None, Query(max_length=MAX_ID_LENGTH)] = None,
               date_from: IsoDate | None = None, date_to: IsoDate | None = None,
               limit: Annotated[int, Query(ge=1, le=case_views.MAX_PAGE)] = 50,
               offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> CaseListPublic:
    """Cases you may see, filtered by status, region, institution, rule found, event dates and text search."""
    query = CaseQuery(status, region, institution, rule, date_from, date_to, q)
    rows, total = case_views.list_cases(ctx.uow(user), user, query, limit, offset)
    return CaseListPublic(total=total, total_exact=case_views.total_is_exact(query, total), limit=limit,
                          offset=offset, cases=[CasePublic.of(r) for r in rows])


@router.get("/cases/{case_id}", dependencies=[Needs(P.CASE_READ)])
def get_case(ctx: Ctx, user: CurrentUser, case_id: str, as_of: IsoDate | None = None) -> CaseDetailPublic:
    """A case with its person (pseudonym only), timeline, sources, findings, due dates and evidence; findings and
    due dates as of ``as_of`` when given (judged again over the record as it stood that day)."""
    view = case_views.case_page(ctx.uow(user), user, case_id, ctx.now(), as_of=as_of)
    t = view.timeline
    counted = CaseRow(t.case, t.person, len(t.events))
    return CaseDetailPublic(
        case=CasePublic.of(counted), person=PersonPublic.of(t.person),
        events=[EventPublic(**event_to_dict(e)) for e in t.events],
        sources=[SourcePublic(id=s.id, kind=s.kind.value, title=s.title, reliability=s.reliability.value,
                              date=str(s.date) if s.date else None, publisher=s.publisher)
                 for s in t.sources.values()],
        institutions=[InstitutionPublic(**asdict(i) | {"type": i.type.value}) for i in t.institutions.values()],
        findings=[FindingPublic.of(f) for f in view.findings],
        due_dates=[DueDatePublic.of(d) for d in view.due_dates],
        evidence=[EvidencePublic(id=e.id, event_id=e.event_id, sha256=e.sha256, size=e.size, media_type=e.media_type,
                                 added_by=e.added_by, added_at=e.added_at)
                  for files in view.evidence.values() for e in files],
        access=CaseAccessPublic(restricted=view.access.restricted, user_ids=sorted(view.access.user_ids)),
    )


@router.get("/cases/{case_id}/person", dependencies=[Needs(P.IDENTIFYING_READ)])
def get_person(ctx: Ctx, user: CurrentUser, case_id: str) -> PersonIdentifyingPublic:
    """The case's person with identifying fields; the read is written to the audit log."""
    return PersonIdentifyingPublic.of(case_views.person_details(ctx.uow(user), user, case_id, ctx.now()))


@router.get("/cases/{case_id}/access", dependencies=[Needs(P.CASE_RESTRICT)])
def get_access(ctx: Ctx, user: CurrentUser, case_id: str) -> CaseAccessPublic:
    """Whether the case is restricted, and to whom."""
    access = case_views.case_access(ctx.uow(user), user, case_id)
    return CaseAccessPublic(restricted=access.restricted, user_ids=sorted(access.user_ids))


@router.put("/cases/{case_id}/access", dependencies=[Needs(P.CASE_RESTRICT)])
def put_access(ctx: Ctx, user: CurrentUser, case_id: str, body: CaseAccessUpdate) -> CaseAccessPublic:
    """Restrict the case to named users (or lift it); partners see only cases that name them."""
    access = case_views.set_case_access(ctx.uow(user), user, case_id, body.restricted, frozenset(body.user_ids),
                                        ctx.now())
    return CaseAccessPublic(restricted=access.restricted, user_ids=sorted(access.user_ids))

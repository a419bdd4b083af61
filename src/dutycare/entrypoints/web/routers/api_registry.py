"""REST API: opening and correcting cases, and the people, sources and institutions a timeline refers to.

Each route hands the acting user to `service_layer.staff_records`, which checks the role and the cases they see,
validates the record exactly as an import does (a 422 names the field), and writes it with its ledger entry,
search words and findings in one transaction.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.json_body import BoundedJsonRoute
from dutycare.entrypoints.web.routers.api_cases import ERRORS
from dutycare.entrypoints.web.schemas import (
    CaseAccessPublic,
    CaseChange,
    CaseCreate,
    CaseOpenedPublic,
    CasePublic,
    InstitutionChange,
    InstitutionCreate,
    InstitutionPublic,
    PersonChange,
    PersonCreate,
    PersonIdentifyingPublic,
    PersonPublic,
    SourceChange,
    SourceCreate,
    SourceDetailPublic,
    case_public,
    institution_public,
)
from dutycare.service_layer import staff_records
from dutycare.service_layer.access import Permission as P

router = APIRouter(prefix="/api/v1", tags=["records"], responses=ERRORS, route_class=BoundedJsonRoute)
Reason = Annotated[str, Query(min_length=1, max_length=2000, description="why the record is withdrawn")]


# -- cases -----------------------------------------------------------------------------------------------------
@router.post("/cases", status_code=status.HTTP_201_CREATED, dependencies=[Needs(P.EVENT_WRITE)])
def open_case(ctx: Ctx, user: CurrentUser, body: CaseCreate) -> CaseOpenedPublic:
    """Open a case: name an existing person (``person``) or describe a new one (``new_person``)."""
    person = body.new_person.changes() if body.new_person is not None else None
    opened = staff_records.open_case(ctx.uow(user), user, body.case_fields(), person, ctx.now(),
                                     restricted=body.restricted, user_ids=frozenset(body.user_ids))
    return CaseOpenedPublic(case=case_public(opened.case, opened.person), person=PersonPublic.of(opened.person),
                            access=CaseAccessPublic(restricted=opened.restricted, user_ids=sorted(opened.user_ids)))


@router.patch("/cases/{case_id}", dependencies=[Needs(P.EVENT_WRITE)])
def update_case(ctx: Ctx, user: CurrentUser, case_id: str, body: CaseChange) -> CasePublic:
    """Correct a case: the fields given change (null removes one); the ledger keeps every version."""
    case = staff_records.update_case(ctx.uow(user), user, case_id, body.changes())
    return case_public(case, staff_records.read_person(ctx.uow(user), user, case.person_id))


@router.delete("/cases/{case_id}", dependencies=[Needs(P.EVENT_WRITE)])
def withdraw_case(ctx: Ctx, user: CurrentUser, case_id: str, reason: Reason) -> CasePublic:
    """Withdraw a case opened by mistake (one with no live event left): it leaves every list, never the ledger."""
    case = staff_records.withdraw_case(ctx.uow(user), user, case_id, reason, ctx.now())
    return case_public(case, staff_records.read_person(ctx.uow(user), user, case.person_id))


# -- people ----------------------------------------------------------------------------------------------------
@router.post("/people", status_code=status.HTTP_201_CREATED, dependencies=[Needs(P.EVENT_WRITE)])
def add_person(ctx: Ctx, user: CurrentUser, body: PersonCreate) -> PersonPublic:
    """Add a person; full name, birth date, contacts and notes are sealed at rest and not returned here."""
    return PersonPublic.of(staff_records.add_person(ctx.uow(user), user, body.changes()))


@router.get("/people/{person_id}", dependencies=[Needs(P.CASE_READ)])
def get_person(ctx: Ctx, user: CurrentUser, person_id: str) -> PersonPublic:
    """A person of a case you see, by pseudonym (no identifying fields)."""
    return PersonPublic.of(staff_records.read_person(ctx.uow(user), user, person_id))


@router.get("/people/{person_id}/identifying", dependencies=[Needs(P.IDENTIFYING_READ)])
def get_person_identifying(ctx: Ctx, user: CurrentUser, person_id: str) -> PersonIdentifyingPublic:
    """A person with identifying fields; the read is written to the audit log."""
    return PersonIdentifyingPublic.of(staff_records.read_person_identifying(ctx.uow(user), user, person_id,
                                                                            ctx.now()))


@router.patch("/people/{person_id}", dependencies=[Needs(P.EVENT_WRITE)])
def update_person(ctx: Ctx, user: CurrentUser, person_id: str, body: PersonChange) -> PersonPublic:
    """Correct a person: the fields given change (null removes one); the ledger keeps every version."""
    return PersonPublic.of(staff_records.update_person(ctx.uow(user), user, person_id, body.changes()))


@router.delete("/people/{person_id}", dependencies=[Needs(P.EVENT_WRITE)])
def withdraw_person(ctx: Ctx, user: CurrentUser, person_id: str, reason: Reason) -> PersonPublic:
    """Withdraw a person no live case or event names."""
    return PersonPublic.of(staff_records.withdraw_person(ctx.uow(user), user, person_id, reason, ctx.now()))


# -- sources ---------------------------------------------------------------------------------------------------
@router.get("/sources", dependencies=[Needs(P.CASE_READ)])
def list_sources(ctx: Ctx, user: CurrentUser) -> list[SourceDetailPublic]:
    """Every source you see: those cited on cases you see, and those no event cites yet."""
    return [SourceDetailPublic.of(s) for s in staff_records.visible_sources(ctx.uow(user), user)]


@router.post("/sources", status_code=status.HTTP_201_CREATED, dependencies=[Needs(P.EVENT_WRITE)])
def add_source(ctx: Ctx, user: CurrentUser, body: SourceCreate) -> SourceDetailPublic:
    """Add a source with its kind, reliability grade (A–F) and date."""
    return SourceDetailPublic.of(staff_records.add_source(ctx.uow(user), user, body.changes()))


@router.get("/sources/{source_id}", dependencies=[Needs(P.CASE_READ)])
def get_source(ctx: Ctx, user: CurrentUser, source_id: str) -> SourceDetailPublic:
    """One source you see."""
    return SourceDetailPublic.of(staff_records.read_source(ctx.uow(user), user, source_id))


@router.patch("/sources/{source_id}", dependencies=[Needs(P.EVENT_WRITE)])
def update_source(ctx: Ctx, user: CurrentUser, source_id: str, body: SourceChange) -> SourceDetailPublic:
    """Correct a source: the fields given change (null removes one); the ledger keeps every version."""
    return SourceDetailPublic.of(staff_records.update_source(ctx.uow(user), user, source_id, body.changes()))


@router.delete("/sources/{source_id}", dependencies=[Needs(P.EVENT_WRITE)])
def withdraw_source(ctx: Ctx, user: CurrentUser, source_id: str, reason: Reason) -> SourceDetailPublic:
    """Withdraw a source no live event cites."""
    return SourceDetailPublic.of(staff_records.withdraw_source(ctx.uow(user), user, source_id, reason, ctx.now()))


# -- institutions ----------------------------------------------------------------------------------------------
@router.get("/institutions/search", dependencies=[Needs(P.CASE_READ)])
def find_institutions(ctx: Ctx, user: CurrentUser,
                      q: Annotated[str, Query(max_length=200)] = "",
                      limit: Annotated[int, Query(ge=1, le=staff_records.MAX_SUGGESTIONS)] = 20,
                      ) -> list[InstitutionPublic]:
    """Institutions whose name or a word of it starts with ``q`` (any case), for a search-as-you-type list."""
    return [institution_public(i) for i in staff_records.find_institutions(ctx.uow(user), user, q, limit)]


@router.post("/institutions", status_code=status.HTTP_201_CREATED, dependencies=[Needs(P.EVENT_WRITE)])
def add_institution(ctx: Ctx, user: CurrentUser, body: InstitutionCreate) -> InstitutionPublic:
    """Add a hospital, commission, unit or authority."""
    return institution_public(staff_records.add_institution(ctx.uow(user), user, body.changes()))


@router.get("/institutions/{institution_id}", dependencies=[Needs(P.CASE_READ)])
def get_institution(ctx: Ctx, user: CurrentUser, institution_id: str) -> InstitutionPublic:
    """One institution."""
    return institution_public(staff_records.read_institution(ctx.uow(user), user, institution_id))


@router.patch("/institutions/{institution_id}", dependencies=[Needs(P.EVENT_WRITE)])
def update_institution(ctx: Ctx, user: CurrentUser, institution_id: str,
                       body: InstitutionChange) -> InstitutionPublic:
    """Correct an institution: the fields given change (null removes one); its findings are evaluated again."""
    return institution_public(staff_records.update_institution(ctx.uow(user), user, institution_id,
                                                               body.changes()))


@router.delete("/institutions/{institution_id}", dependencies=[Needs(P.EVENT_WRITE)])
def withdraw_institution(ctx: Ctx, user: CurrentUser, institution_id: str, reason: Reason) -> InstitutionPublic:
    """Withdraw an institution no live event names and no institution is part of."""
    return institution_public(staff_records.withdraw_institution(ctx.uow(user), user, institution_id, reason,
                                                                 ctx.now()))

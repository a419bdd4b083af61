"""Pages that open a case and add or correct its person, sources and institutions.

The forms post plain fields; this module only turns them into the interchange form and back, and hands them to
`service_layer.staff_records`, which checks and writes. On invalid input the form comes back with every value as
typed and each problem next to the field it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dutycare.domain import vocabulary as v
from dutycare.domain.errors import InvalidInput, Problem
from dutycare.domain.interchange import case_to_dict, institution_to_dict, person_to_dict, source_to_dict
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs, WebContext
from dutycare.entrypoints.web.i18n import N_
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import case_views, staff_records
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.accounts import User

router = APIRouter(include_in_schema=False)

RECORD_LABELS: dict[str, str] = {
    "title": N_("Title"), "status": N_("Status"), "region": N_("Region"), "opened": N_("Opened"),
    "summary": N_("Summary"), "pseudonym": N_("Pseudonym"), "service_status": N_("Service"), "age": N_("Age"),
    "age_as_of": N_("Age as of"), "birth_year": N_("Year of birth"), "full_name": N_("Full name"),
    "birth_date": N_("Birth date"), "contacts": N_("Contacts"), "notes": N_("Notes"),
    "kind": N_("Kind of source"), "reliability": N_("Reliability"), "date": N_("Date"),
    "publisher": N_("Publisher"), "url": N_("Address (URL) or archive reference"),
    "name": N_("Name of the institution"),
    "type": N_("Type of institution"), "parent": N_("Part of"), "jurisdiction": N_("Country"),
}

CHOICE_NAMES: dict[str, str] = {
    # source kinds
    "interview": N_("interview"), "medical_document": N_("medical document"),
    "official_document": N_("official document"), "video_message": N_("video message"),
    "news_report": N_("news report"), "own_account": N_("own account"), "witness_account": N_("witness account"),
    "other": N_("other"),
    # institution types
    "hospital": N_("hospital"), "medical_commission": N_("military medical commission"),
    "military_unit": N_("military unit"), "authority": N_("authority"), "president": N_("President"),
    "prosecutor": N_("prosecutor's office"), "investigative_committee": N_("Investigative Committee"),
    "ombudsman": N_("ombudsman"), "court": N_("court"), "media": N_("media"),
    "ngo": N_("non-governmental organisation"),
}

DATE_HINT = N_("Exact (2024-03-14), month (2024-03), year (2024), range (2024-02/2024-04); ~ before it means "
               "approximately.")


@dataclass(frozen=True)
class Input:
    """One field of a record form."""

    name: str
    kind: str = "text"  # text, textarea, select, number, date
    choices: tuple[str, ...] = ()
    required: bool = False
    sealed: bool = False
    hint: str = ""
    datalist: str = ""


def _choices(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(m.value for m in enum)


CASE_INPUTS = (Input("title", required=True, sealed=True), Input("status", "select", _choices(v.CaseStatus)),
               Input("region"), Input("opened", "date", hint=DATE_HINT), Input("summary", "textarea", sealed=True))
PERSON_INPUTS = (Input("pseudonym", required=True, sealed=True),
                 Input("service_status", "select", _choices(v.ServiceStatus)), Input("age", "number"),
                 Input("birth_year", "number"), Input("full_name", sealed=True), Input("birth_date", sealed=True),
                 Input("contacts", "textarea", sealed=True), Input("notes", "textarea", sealed=True))
SOURCE_INPUTS = (Input("title", required=True, sealed=True), Input("kind", "select", _choices(v.SourceKind), True),
                 Input("reliability", "select", _choices(v.Reliability), True), Input("date", "date", hint=DATE_HINT),
                 Input("publisher"), Input("url", sealed=True), Input("notes", "textarea", sealed=True))
INSTITUTION_INPUTS = (Input("name", required=True, datalist="institution-names"),
                      Input("type", "select", _choices(v.InstitutionType), True), Input("region"),
                      Input("parent", "select"))
NUMBERS = frozenset({"age", "birth_year"})


@dataclass(frozen=True)
class Section:
    """A group of inputs of one record in a form; ``prefix`` keeps two records' fields apart."""

    title: str
    inputs: tuple[Input, ...]
    prefix: str = ""


def _raw(values: Mapping[str, str], inputs: Iterable[Input], prefix: str = "", *, keep_empty: bool) -> dict[str, Any]:
    """The interchange form of the posted fields (an empty field is left out, or None when correcting)."""
    out: dict[str, Any] = {}
    for i in inputs:
        text = values.get(prefix + i.name, "").strip()
        if not text:
            if keep_empty:
                out[i.name] = None
            continue
        out[i.name] = int(text) if i.name in NUMBERS and text.isdigit() and len(text) < 6 else text
    return out


def _shown(record: Mapping[str, Any], inputs: Iterable[Input], prefix: str = "") -> dict[str, str]:
    return {prefix + i.name: "" if record.get(i.name) is None else str(record[i.name]) for i in inputs}


def _errors(problems: Iterable[Problem], person_prefix: str = "") -> tuple[dict[str, list[str]], list[str]]:
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for p in problems:
        name = p.field.split(".")[0]
        if person_prefix and p.location.startswith("people"):
            name = person_prefix + name
        if name:
            by_field.setdefault(name, []).append(p.message)
        else:
            general.append(str(p))
    return by_field, general


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(val) for k, val in form.items() if isinstance(val, str)}


def _form(request: Request, *, heading: str, action: str, sections: list[Section], values: Mapping[str, str],
          back: str, problems: Iterable[Problem] = (), person_prefix: str = "", status: int = 200,
          extra: Mapping[str, Any] | None = None) -> Response:
    errors, general = _errors(problems, person_prefix)
    return page(request, "record_form.html", status_code=status, heading=heading, action=action,
                sections=sections, values=values, errors=errors, general_errors=general, back=back,
                record_label=lambda n: RECORD_LABELS.get(n, n), choice_name=CHOICE_NAMES.get,
                **(extra or {}))


def _institution_extra(ctx: WebContext, user: User, query: str = "") -> dict[str, Any]:
    every = staff_records.find_institutions(ctx.uow(user), user, "", staff_records.MAX_SUGGESTIONS)
    found = staff_records.find_institutions(ctx.uow(user), user, query) if query else every
    return {"institutions": every, "found": found, "query": query}


def _withdrawal(request: Request, action: str) -> dict[str, Any]:
    return {"withdraw_action": action, "withdraw_error": request.query_params.get("withdraw_error", "")[:500]}


async def _withdraw(request: Request, ctx: WebContext, user: User, kind: str, record_id: str, edit: str,
                    done: str) -> Response:
    """Withdraw a record with the reason given; a refusal comes back to its edit page, said there."""
    reason = (await _posted(request)).get("reason", "")
    steps = {"case": staff_records.withdraw_case, "person": staff_records.withdraw_person,
             "source": staff_records.withdraw_source, "institution": staff_records.withdraw_institution}
    try:
        await run_in_threadpool(steps[kind], ctx.uow(user), user, record_id, reason, ctx.now())
    except InvalidInput as exc:
        message = "; ".join(p.message for p in exc.problems)
        joiner = "&" if "?" in edit else "?"
        return RedirectResponse(f"{edit}{joiner}withdraw_error={quote(message)}#withdraw", status_code=303)
    return RedirectResponse(done, status_code=303)


# -- cases -----------------------------------------------------------------------------------------------------
NEW_CASE_SECTIONS = [Section(N_("The case"), CASE_INPUTS), Section(N_("The person"), PERSON_INPUTS, "person.")]


@router.get("/cases/new", dependencies=[Needs(P.EVENT_WRITE)])
def new_case(request: Request, user: CurrentUser) -> Response:
    """The form that opens a case with its person."""
    return _form(request, heading=N_("New case"), action="/cases/new", sections=NEW_CASE_SECTIONS,
                 values={"status": "open", "person.service_status": "unknown"}, back="/cases",
                 extra={"restrictable": True})


@router.post("/cases/new", dependencies=[Needs(P.EVENT_WRITE)])
async def open_case(request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    """Open the case; on invalid input the form comes back with the problems next to the fields."""
    values = await _posted(request)
    raw_case = _raw(values, CASE_INPUTS, keep_empty=False)
    raw_person = _raw(values, PERSON_INPUTS, "person.", keep_empty=False)
    try:
        opened = await run_in_threadpool(staff_records.open_case, ctx.uow(user), user, raw_case, raw_person,
                                         ctx.now(), restricted=values.get("restricted") == "yes")
    except InvalidInput as exc:
        return _form(request, heading=N_("New case"), action="/cases/new", sections=NEW_CASE_SECTIONS,
                     values=values, back="/cases", problems=exc.problems, person_prefix="person.", status=422,
                     extra={"restrictable": True})
    return RedirectResponse(f"/cases/{quote(opened.case.id)}", status_code=303)


@router.get("/cases/{case_id}/edit", dependencies=[Needs(P.EVENT_WRITE)])
def edit_case(request: Request, ctx: Ctx, user: CurrentUser, case_id: str) -> Response:
    """The form of a case, filled in."""
    case = staff_records.read_case(ctx.uow(user), user, case_id)
    return _form(request, heading=N_("Edit case"), action=f"/cases/{quote(case_id)}/edit",
                 sections=[Section(N_("The case"), CASE_INPUTS)], values=_shown(case_to_dict(case), CASE_INPUTS),
                 back=f"/cases/{quote(case_id)}", extra=_withdrawal(request, f"/cases/{quote(case_id)}/withdraw"))


@router.post("/cases/{case_id}/edit", dependencies=[Needs(P.EVENT_WRITE)])
async def update_case(request: Request, ctx: Ctx, user: CurrentUser, case_id: str) -> Response:
    """Store the corrected case (the ledger keeps both versions)."""
    values = await _posted(request)
    try:
        await run_in_threadpool(staff_records.update_case, ctx.uow(user), user, case_id,
                                _raw(values, CASE_INPUTS, keep_empty=True))
    except InvalidInput as exc:
        return _form(request, heading=N_("Edit case"), action=f"/cases/{quote(case_id)}/edit",
                     sections=[Section(N_("The case"), CASE_INPUTS)], values=values,
                     back=f"/cases/{quote(case_id)}", problems=exc.problems, status=422)
    return RedirectResponse(f"/cases/{quote(case_id)}", status_code=303)


# -- people ----------------------------------------------------------------------------------------------------
@router.get("/people/{person_id}/edit", dependencies=[Needs(P.EVENT_WRITE)])
def edit_person(request: Request, ctx: Ctx, user: CurrentUser, person_id: str, case: str = "") -> Response:
    """The form of a person with identifying fields filled in (the read is audited)."""
    person = staff_records.read_person_identifying(ctx.uow(user), user, person_id, ctx.now())
    back = f"/cases/{quote(case)}" if case else "/cases"
    return _form(request, heading=N_("Edit person"), action=f"/people/{quote(person_id)}/edit?case={quote(case)}",
                 sections=[Section(N_("The person"), PERSON_INPUTS)],
                 values=_shown(person_to_dict(person), PERSON_INPUTS), back=back,
                 extra={"audited": True}
                 | _withdrawal(request, f"/people/{quote(person_id)}/withdraw?case={quote(case)}"))


@router.post("/people/{person_id}/edit", dependencies=[Needs(P.EVENT_WRITE)])
async def update_person(request: Request, ctx: Ctx, user: CurrentUser, person_id: str, case: str = "") -> Response:
    """Store the corrected person."""
    values = await _posted(request)
    back = f"/cases/{quote(case)}" if case else "/cases"
    try:
        await run_in_threadpool(staff_records.update_person, ctx.uow(user), user, person_id,
                                _raw(values, PERSON_INPUTS, keep_empty=True))
    except InvalidInput as exc:
        return _form(request, heading=N_("Edit person"),
                     action=f"/people/{quote(person_id)}/edit?case={quote(case)}",
                     sections=[Section(N_("The person"), PERSON_INPUTS)], values=values, back=back,
                     problems=exc.problems, status=422)
    return RedirectResponse(back, status_code=303)


# -- sources ---------------------------------------------------------------------------------------------------
def _back_to(case: str) -> str:
    return f"/cases/{quote(case)}/events/new" if case else "/cases"


@router.get("/sources/new", dependencies=[Needs(P.EVENT_WRITE)])
def new_source(request: Request, ctx: Ctx, user: CurrentUser, case: str = "") -> Response:
    """The form that adds a source; afterwards the event form of the case it came from opens."""
    if case:
        case_views.check_case_visible(ctx.uow(user), user, case)
    return _form(request, heading=N_("New source"), action=f"/sources/new?case={quote(case)}",
                 sections=[Section(N_("The source"), SOURCE_INPUTS)], values={}, back=_back_to(case))


@router.post("/sources/new", dependencies=[Needs(P.EVENT_WRITE)])
async def add_source(request: Request, ctx: Ctx, user: CurrentUser, case: str = "") -> Response:
    """Add the source."""
    values = await _posted(request)
    try:
        source = await run_in_threadpool(staff_records.add_source, ctx.uow(user), user,
                                         _raw(values, SOURCE_INPUTS, keep_empty=False))
    except InvalidInput as exc:
        return _form(request, heading=N_("New source"), action=f"/sources/new?case={quote(case)}",
                     sections=[Section(N_("The source"), SOURCE_INPUTS)], values=values, back=_back_to(case),
                     problems=exc.problems, status=422)
    target = _back_to(case)
    return RedirectResponse(f"{target}?source={quote(source.id)}" if case else target, status_code=303)


@router.get("/sources/{source_id}/edit", dependencies=[Needs(P.EVENT_WRITE)])
def edit_source(request: Request, ctx: Ctx, user: CurrentUser, source_id: str, case: str = "") -> Response:
    """The form of a source, filled in."""
    source = staff_records.read_source(ctx.uow(user), user, source_id)
    back = f"/cases/{quote(case)}" if case else "/cases"
    return _form(request, heading=N_("Edit source"), action=f"/sources/{quote(source_id)}/edit?case={quote(case)}",
                 sections=[Section(N_("The source"), SOURCE_INPUTS)],
                 values=_shown(source_to_dict(source), SOURCE_INPUTS), back=back,
                 extra=_withdrawal(request, f"/sources/{quote(source_id)}/withdraw?case={quote(case)}"))


@router.post("/sources/{source_id}/edit", dependencies=[Needs(P.EVENT_WRITE)])
async def update_source(request: Request, ctx: Ctx, user: CurrentUser, source_id: str, case: str = "") -> Response:
    """Store the corrected source."""
    values = await _posted(request)
    back = f"/cases/{quote(case)}" if case else "/cases"
    try:
        await run_in_threadpool(staff_records.update_source, ctx.uow(user), user, source_id,
                                _raw(values, SOURCE_INPUTS, keep_empty=True))
    except InvalidInput as exc:
        return _form(request, heading=N_("Edit source"),
                     action=f"/sources/{quote(source_id)}/edit?case={quote(case)}",
                     sections=[Section(N_("The source"), SOURCE_INPUTS)], values=values, back=back,
                     problems=exc.problems, status=422)
    return RedirectResponse(back, status_code=303)


# -- institutions ----------------------------------------------------------------------------------------------
@router.get("/institutions", dependencies=[Needs(P.CASE_READ)])
def institutions(request: Request, ctx: Ctx, user: CurrentUser, q: str = "", case: str = "") -> Response:
    """Find an institution by the start of its name (a plain search; the name field suggests as you type), and
    add one."""
    extra = _institution_extra(ctx, user, q[:200]) | {"case": case, "institution_search": True}
    return _form(request, heading=N_("Institutions"), action=f"/institutions?case={quote(case)}",
                 sections=[Section(N_("New institution"), INSTITUTION_INPUTS)], values={"name": q[:200]},
                 back=_back_to(case), extra=extra)


@router.post("/institutions", dependencies=[Needs(P.EVENT_WRITE)])
async def add_institution(request: Request, ctx: Ctx, user: CurrentUser, case: str = "") -> Response:
    """Add the institution; afterwards the event form of the case it came from opens."""
    values = await _posted(request)
    try:
        inst = await run_in_threadpool(staff_records.add_institution, ctx.uow(user), user,
                                       _raw(values, INSTITUTION_INPUTS, keep_empty=False))
    except InvalidInput as exc:
        extra = await run_in_threadpool(_institution_extra, ctx, user)
        return _form(request, heading=N_("Institutions"), action=f"/institutions?case={quote(case)}",
                     sections=[Section(N_("New institution"), INSTITUTION_INPUTS)], values=values,
                     back=_back_to(case), problems=exc.problems, status=422,
                     extra=extra | {"case": case, "institution_search": True})
    target = _back_to(case)
    return RedirectResponse(f"{target}?institution={quote(inst.id)}" if case else "/institutions", status_code=303)


@router.get("/institutions/{institution_id}/edit", dependencies=[Needs(P.EVENT_WRITE)])
def edit_institution(request: Request, ctx: Ctx, user: CurrentUser, institution_id: str) -> Response:
    """The form of an institution, filled in."""
    inst = staff_records.read_institution(ctx.uow(user), user, institution_id)
    return _form(request, heading=N_("Edit institution"), action=f"/institutions/{quote(institution_id)}/edit",
                 sections=[Section(N_("The institution"), INSTITUTION_INPUTS)],
                 values=_shown(institution_to_dict(inst), INSTITUTION_INPUTS), back="/institutions",
                 extra=_institution_extra(ctx, user) | _withdrawal(request,
                                                                   f"/institutions/{quote(institution_id)}/withdraw"))


@router.post("/institutions/{institution_id}/edit", dependencies=[Needs(P.EVENT_WRITE)])
async def update_institution(request: Request, ctx: Ctx, user: CurrentUser, institution_id: str) -> Response:
    """Store the corrected institution."""
    values = await _posted(request)
    try:
        await run_in_threadpool(staff_records.update_institution, ctx.uow(user), user, institution_id,
                                _raw(values, INSTITUTION_INPUTS, keep_empty=True))
    except InvalidInput as exc:
        extra = await run_in_threadpool(_institution_extra, ctx, user)
        return _form(request, heading=N_("Edit institution"),
                     action=f"/institutions/{quote(institution_id)}/edit",
                     sections=[Section(N_("The institution"), INSTITUTION_INPUTS)], values=values,
                     back="/institutions", problems=exc.problems, status=422, extra=extra)
    return RedirectResponse("/institutions", status_code=303)


@router.post("/cases/{case_id}/withdraw", dependencies=[Needs(P.EVENT_WRITE)])
async def withdraw_case(request: Request, ctx: Ctx, user: CurrentUser, case_id: str) -> Response:
    """Withdraw a case with no live event left; it leaves the lists, never the ledger."""
    return await _withdraw(request, ctx, user, "case", case_id, f"/cases/{quote(case_id)}/edit", "/cases")


@router.post("/people/{person_id}/withdraw", dependencies=[Needs(P.EVENT_WRITE)])
async def withdraw_person(request: Request, ctx: Ctx, user: CurrentUser, person_id: str, case: str = "") -> Response:
    """Withdraw a person no live case or event names."""
    return await _withdraw(request, ctx, user, "person", person_id,
                           f"/people/{quote(person_id)}/edit?case={quote(case)}", "/cases")


@router.post("/sources/{source_id}/withdraw", dependencies=[Needs(P.EVENT_WRITE)])
async def withdraw_source(request: Request, ctx: Ctx, user: CurrentUser, source_id: str, case: str = "") -> Response:
    """Withdraw a source no live event cites."""
    return await _withdraw(request, ctx, user, "source", source_id,
                           f"/sources/{quote(source_id)}/edit?case={quote(case)}",
                           f"/cases/{quote(case)}" if case else "/cases")


@router.post("/institutions/{institution_id}/withdraw", dependencies=[Needs(P.EVENT_WRITE)])
async def withdraw_institution(request: Request, ctx: Ctx, user: CurrentUser, institution_id: str) -> Response:
    """Withdraw an institution no live event names."""
    return await _withdraw(request, ctx, user, "institution", institution_id,
                           f"/institutions/{quote(institution_id)}/edit", "/institutions")

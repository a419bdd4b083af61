"""Complaint pages: draft one from a case, edit it, make it final, download its letters, record what happened."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from dutycare.domain import complaint_drafts as cd
from dutycare.domain import vocabulary as v
from dutycare.domain.errors import InvalidInput, Problem
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs, WebContext
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import complaints as service
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.accounts import User

router = APIRouter(include_in_schema=False)
MAX_ANSWER_FILE = 6 << 20


def _form_to_raw(form: FormData) -> dict[str, Any]:
    """A draft's form as its input: lists for the repeated fields, one entry per applicant row."""
    def one(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def many(name: str) -> list[str]:
        return [x for x in form.getlist(name) if isinstance(x, str) and x]

    persons, names, addresses = (form.getlist(k) for k in ("applicant_person", "applicant_full_name",
                                                            "applicant_address"))
    applicants = [{"person": str(p), "full_name": str(n), "address": str(a)}
                  for p, n, a in zip(persons, names, addresses, strict=False) if isinstance(p, str) and p]
    addressees = [{"institution": i, "template": one(f"template_{i}") or cd.LetterTemplate.AUTHORITY.value,
                   "official": one(f"official_{i}")} for i in many("to")]
    raw: dict[str, Any] = {
        "cases": many("cases"), "findings": many("findings"), "applicants": applicants, "addressees": addressees,
        "requests": many("requests"), "evidence": many("evidence"), "subject": one("subject"),
        "substance": one("substance"), "letter_date": one("letter_date") or None,
        "will_sign": one("will_sign") == "yes", "kind": one("kind") or None, "respondent": one("respondent") or None,
        "follows": one("follows") or None}
    if one("rep_person"):
        raw["representative"] = {"person": one("rep_person"), "full_name": one("rep_full_name"),
                                 "address": one("rep_address"), "authority": one("rep_authority")}
    return raw


def _form_page(request: Request, ctx: WebContext, user: User, case_id: str, raw: dict[str, Any], *,
               draft_id: str | None = None, problems: list[Problem] | None = None, status: int = 200) -> Response:
    cases = [c for c in raw.get("cases") or [case_id] if isinstance(c, str)]
    choices = service.draft_choices(ctx.uow(user), user, cases)
    people = {a.get("person"): a for a in raw.get("applicants") or [] if isinstance(a, dict)}
    return page(request, "complaint_form.html", status_code=status, case_id=case_id, raw=raw, choices=choices,
                people=people, chosen_to={a.get("institution"): a for a in raw.get("addressees") or []},
                draft_id=draft_id, problems=problems or [], templates=list(cd.LetterTemplate),
                requests=list(cd.ComplaintRequest), kinds=service.complaint_kinds(),
                default_template={i: cd.DEFAULT_TEMPLATE.get(inst.type.value, cd.LetterTemplate.AUTHORITY).value
                                  for i, inst in choices.institutions.items()})


@router.get("/cases/{case_id}/complaints/new", dependencies=[Needs(P.COMPLAINT_WRITE)])
def new_complaint(request: Request, ctx: Ctx, user: CurrentUser, case_id: str) -> Response:
    """The form of a new complaint from a case (more cases can be joined: they are ticked in the form)."""
    cases = [c for c in request.query_params.getlist("cases") if c] or [case_id]
    raw = service.new_draft_input(ctx.uow(user), user, cases)
    return _form_page(request, ctx, user, case_id, raw)


@router.post("/cases/{case_id}/complaints", dependencies=[Needs(P.COMPLAINT_WRITE)])
async def create_complaint(request: Request, ctx: Ctx, user: CurrentUser, case_id: str) -> Response:
    """Store a new draft; bad input brings the form back with every problem named."""
    form = await request.form()
    raw = _form_to_raw(form)
    if form.get("refresh"):
        fresh = await run_in_threadpool(service.new_draft_input, ctx.uow(user), user, raw["cases"] or [case_id])
        return await run_in_threadpool(_form_page, request, ctx, user, case_id, {**fresh, **{
            k: raw[k] for k in ("addressees", "requests", "subject", "substance", "letter_date") if raw.get(k)}})
    try:
        made = await run_in_threadpool(service.draft_complaint, ctx.uow(user), user, raw)
    except InvalidInput as exc:
        return await run_in_threadpool(_form_page, request, ctx, user, case_id, raw, problems=exc.problems,
                                       status=422)
    return RedirectResponse(f"/complaints/{made.id}", status_code=303)


def _complaint_page(request: Request, ctx: WebContext, user: User, complaint_id: str,
                    problems: list[Problem] | None = None, status: int = 200) -> Response:
    view = service.read_draft(ctx.uow(user), user, complaint_id, ctx.now())
    choices = service.draft_choices(ctx.uow(user), user, list(view.draft.case_ids)) if view.draft.editable else None
    raw = cd.draft_to_input(view.draft)
    return page(request, "complaint.html", status_code=status, view=view, d=view.draft, problems=problems or [],
                choices=choices, raw=raw, people={a["person"]: a for a in raw["applicants"]},
                chosen_to={a["institution"]: a for a in raw["addressees"]}, templates=list(cd.LetterTemplate),
                requests=list(cd.ComplaintRequest), kinds=service.complaint_kinds(),
                channels=list(v.Channel), outcomes=list(v.AnswerOutcome), steps=list(cd.Step),
                default_template={i: cd.DEFAULT_TEMPLATE.get(inst.type.value, cd.LetterTemplate.AUTHORITY).value
                                  for i, inst in view.institutions.items()},
                draft_id=complaint_id, case_id=view.draft.case_ids[0])


@router.get("/complaints/{complaint_id}", dependencies=[Needs(P.IDENTIFYING_READ)])
def complaint_page(request: Request, ctx: Ctx, user: CurrentUser, complaint_id: str) -> Response:
    """A complaint: its requisites, letters, lifecycle, due dates, findings and next steps (the read is audited)."""
    return _complaint_page(request, ctx, user, complaint_id)


@router.post("/complaints/{complaint_id}", dependencies=[Needs(P.COMPLAINT_WRITE)])
async def edit_complaint(request: Request, ctx: Ctx, user: CurrentUser, complaint_id: str) -> Response:
    """Store the edited draft (the ledger keeps every version)."""
    raw = _form_to_raw(await request.form())
    try:
        await run_in_threadpool(service.update_draft, ctx.uow(user), user, complaint_id, raw)
    except InvalidInput as exc:
        return await run_in_threadpool(_complaint_page, request, ctx, user, complaint_id, exc.problems, 422)
    return RedirectResponse(f"/complaints/{complaint_id}#requisites", status_code=303)


@router.post("/complaints/{complaint_id}/finalise", dependencies=[Needs(P.COMPLAINT_WRITE)])
def finalise_complaint(request: Request, ctx: Ctx, user: CurrentUser, complaint_id: str) -> Response:
    """Make the letters final, or come back naming every requisite still missing."""
    try:
        service.finalise(ctx.uow(user), user, ctx.dutycare.vault(), ctx.dutycare.letters(), complaint_id)
    except InvalidInput as exc:
        return _complaint_page(request, ctx, user, complaint_id, exc.problems, 422)
    return RedirectResponse(f"/complaints/{complaint_id}#letters", status_code=303)


@router.get("/complaints/{complaint_id}/letters/{institution_id}.{fmt}", dependencies=[Needs(P.IDENTIFYING_READ)])
def complaint_letter(ctx: Ctx, user: CurrentUser, complaint_id: str, institution_id: str, fmt: str) -> Response:
    """One addressee's letter as PDF (the stored final one once final) or DOCX; audited."""
    if fmt not in ("pdf", "docx"):
        raise HTTPException(404)
    made = service.letter_file(ctx.uow(user), user, ctx.dutycare.vault(), ctx.dutycare.letters(), complaint_id,
                               institution_id, fmt, ctx.now())
    return Response(made.content, media_type=made.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{made.name}"'})


async def _answer_file(form: FormData, folder: Path) -> Path | None:
    upload = form.get("answer_file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read(MAX_ANSWER_FILE + 1)
    if len(data) > MAX_ANSWER_FILE:
        raise InvalidInput([Problem(cd.LOCATION, "answer_file", f"must be at most {MAX_ANSWER_FILE >> 20} MiB")])
    path = folder / (Path(upload.filename).name or "answer")
    path.write_bytes(data)
    return path


@router.post("/complaints/{complaint_id}/steps", dependencies=[Needs(P.COMPLAINT_WRITE)])
async def record_step(request: Request, ctx: Ctx, user: CurrentUser, complaint_id: str) -> Response:
    """Record a lifecycle step; refused, naming the field, when the record contradicts it (nothing written)."""
    form = await request.form()
    raw = {k: str(x) for k, x in form.items() if isinstance(x, str) and k != "csrf_token" and x != ""}
    try:
        with tempfile.TemporaryDirectory(prefix="dutycare-answer-") as tmp:
            path = await _answer_file(form, Path(tmp))
            await run_in_threadpool(service.record_step, ctx.uow(user), user, complaint_id, raw, ctx.now(), path,
                                    ctx.dutycare.vault() if path else None)
    except InvalidInput as exc:
        return await run_in_threadpool(_complaint_page, request, ctx, user, complaint_id, exc.problems, 422)
    return RedirectResponse(f"/complaints/{complaint_id}#lifecycle", status_code=303)


@router.post("/complaints/{complaint_id}/next", dependencies=[Needs(P.COMPLAINT_WRITE)])
async def draft_next(request: Request, ctx: Ctx, user: CurrentUser, complaint_id: str) -> Response:
    """Draft the next complaint this one offers."""
    form = await request.form()
    template, institution = (str(form.get(k) or "") for k in ("template", "institution"))
    try:
        made = await run_in_threadpool(service.draft_next, ctx.uow(user), user, complaint_id, template, institution,
                                       ctx.now())
    except InvalidInput as exc:
        return await run_in_threadpool(_complaint_page, request, ctx, user, complaint_id, exc.problems, 422)
    return RedirectResponse(f"/complaints/{made.id}", status_code=303)

"""Triage of the public intake: the queue, one submission with its suggested facts highlighted, spam, replies,
and a case made from the facts a person accepted. Decrypted text exists only in memory and in the page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dutycare.domain.errors import InvalidInput, Problem
from dutycare.domain.suggested_facts import Suggestion
from dutycare.domain.vocabulary import InstitutionType
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs, WebContext
from dutycare.entrypoints.web.i18n import N_
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import intake_triage as triage
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.accounts import User
from dutycare.service_layer.intake import IntakeLimits
from dutycare.service_layer.intake_records import SubmissionStatus
from dutycare.service_layer.intake_triage import AcceptedFact, CaseDraft, SubmissionView
from dutycare.service_layer.ports import FactSuggester, IntakeStore

router = APIRouter(include_in_schema=False)

FACT_LABELS = {
    "person": N_("person"), "age": N_("age"), "date": N_("date"), "institution": N_("institution"),
    "injury": N_("injury"), "body_part": N_("body part"), "fitness_decision": N_("fitness decision"),
    "recommendation": N_("treatment recommended"), "refusal": N_("treatment refused"),
    "malingering": N_("labelled a malingerer"), "deployment": N_("sent back to the front"),
    "complaint": N_("complaint"),
}
INSTITUTION_LABELS = {
    "hospital": N_("hospital"), "medical_commission": N_("military medical commission"),
    "military_unit": N_("military unit"), "authority": N_("authority"), "president": N_("the President"),
    "prosecutor": N_("prosecutor's office"), "investigative_committee": N_("Investigative Committee"),
    "ombudsman": N_("ombudsman"), "court": N_("court"), "media": N_("media"), "ngo": N_("civic organisation"),
}
STATUS_LABELS = {"new": N_("new"), "spam": N_("spam"), "case": N_("made into a case")}
STATUS_ONE = {"new": N_("new submission"), "spam": N_("spam"), "case": N_("made into a case")}
FACT_FIELDS = {"where": N_("Hospital or commission"), "when": N_("When"), "injured": N_("Who was injured"),
               "decision": N_("What was decided")}

PROBLEM_FIELDS = {"pseudonym": N_("Pseudonym"), "title": N_("Case title"), "text": N_("Reply"),
                  "status": N_("State")}
# The triage services' messages, translated where they are shown.
TRIAGE_MESSAGES = (N_("give the person a pseudonym (never their real name)"), N_("give the case a title"),
                   N_("write a reply of 1 to 5000 characters"),
                   N_("the intake database is full; the reply was not stored"),
                   N_("a case was already made from this submission"), N_("choose spam or new"))


@dataclass(frozen=True)
class Segment:
    """A stretch of the account: plain, or the words a suggestion came from."""

    text: str
    index: int | None = None
    kind: str = ""


@dataclass(frozen=True)
class Row:
    """One suggestion as the form offers it."""

    index: int
    suggestion: Suggestion
    values: list[str]
    value_json: str
    date: str
    makes_event: bool


def segments(text: str, found: Sequence[Suggestion]) -> list[Segment]:
    """The account cut into plain stretches and highlighted ones (an overlapping suggestion is listed, not marked)."""
    out, at = [], 0
    for i, s in sorted(enumerate(found), key=lambda p: (p[1].start, -p[1].end)):
        if s.start < at or not 0 <= s.start < s.end <= len(text):
            continue
        if s.start > at:
            out.append(Segment(text[at:s.start]))
        out.append(Segment(text[s.start:s.end], i, s.kind))
        at = s.end
    if at < len(text):
        out.append(Segment(text[at:]))
    return out


def _values(value: dict[str, object] | str) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value.values() if isinstance(v, (str, int)) and not isinstance(v, bool)]


def _nearest_date(found: Sequence[Suggestion], s: Suggestion) -> str:
    dates = [d for d in found if d.kind == "date" and isinstance(d.value, str)]
    before = [d for d in dates if d.start <= s.start]
    chosen = max(before, key=lambda d: d.start) if before else (min(dates, key=lambda d: d.start) if dates else None)
    return str(chosen.value) if chosen else ""


def rows(found: Sequence[Suggestion]) -> list[Row]:
    """The suggestions, each with its value shown, carried and a date to prefill its event with."""
    return [Row(i, s, _values(s.value), json.dumps(s.value, ensure_ascii=False), _nearest_date(found, s),
                s.kind in triage.EVENT_OF_KIND) for i, s in enumerate(found)]


def _store(ctx: WebContext) -> IntakeStore | None:
    return ctx.dutycare.intake_store()


def _suggester(ctx: WebContext) -> FactSuggester:
    return ctx.dutycare.fact_suggester


def _not_set_up(request: Request, status: int = 200) -> Response:
    return page(request, "intake_queue.html", status_code=status, store=False, items=[], unlocked=False,
                status_filter="new", status_labels=STATUS_LABELS, status_one=STATUS_ONE, problem="")


@router.get("/intake", dependencies=[Needs(P.INTAKE_TRIAGE)])
def intake_queue(request: Request, ctx: Ctx, user: CurrentUser, status: str = "new", problem: str = "") -> Response:
    """Submissions waiting for triage (the start of each account once the intake key is unlocked)."""
    store = _store(ctx)
    if store is None:
        return _not_set_up(request)
    chosen = SubmissionStatus(status) if status in set(SubmissionStatus) else SubmissionStatus.NEW
    items = triage.queue(ctx.uow(user), user, store, ctx.intake_keyring, ctx.now(), chosen)
    return page(request, "intake_queue.html", store=True, items=items,
                unlocked=ctx.intake_keyring.current(ctx.now()) is not None, until=ctx.intake_keyring.until(),
                status_filter=chosen.value, status_labels=STATUS_LABELS, status_one=STATUS_ONE, problem=problem)


@router.post("/intake/unlock", dependencies=[Needs(P.INTAKE_UNLOCK)])
def intake_unlock(ctx: Ctx, user: CurrentUser, passphrase: Annotated[str, Form()] = "") -> Response:
    """Unlock the intake key with its passphrase (kept in this process's memory only)."""
    lock = ctx.dutycare.intake_key_lock()
    done = triage.unlock(ctx.uow(user), user, ctx.intake_keyring, lock, passphrase, ctx.now())
    if done is triage.Unlock.UNLOCKED:
        return RedirectResponse("/intake", status_code=303)
    return RedirectResponse(f"/intake?problem={done.value}", status_code=303)


@router.post("/intake/lock", dependencies=[Needs(P.INTAKE_TRIAGE)])
def intake_lock(ctx: Ctx, user: CurrentUser) -> Response:
    """Lock the intake key again."""
    triage.lock_key(ctx.uow(user), user, ctx.intake_keyring, ctx.now())
    return RedirectResponse("/intake", status_code=303)


def _locked(request: Request, ctx: WebContext) -> Response | None:
    store = _store(ctx)
    if store is None:
        return _not_set_up(request, 409)
    if ctx.intake_keyring.current(ctx.now()) is None:
        return RedirectResponse("/intake?problem=locked", status_code=303)
    return None


def _submission_page(request: Request, ctx: WebContext, user: User, submission_id: str, *, contact: str | None = None,
                     problems: list[Any] | None = None, notice: str = "", status: int = 200) -> Response:
    store = _store(ctx)
    assert store is not None
    view: SubmissionView = triage.open_submission(ctx.uow(user), user, store, ctx.intake_keyring, submission_id,
                                                  ctx.now(), _suggester(ctx))
    institution = next((s for s in view.suggestions if s.kind == "institution"), None)
    return page(request, "intake_submission.html", status_code=status, view=view,
                segments=segments(view.account, view.suggestions), rows=rows(view.suggestions),
                fact_labels=FACT_LABELS, fact_fields=FACT_FIELDS, problem_fields=PROBLEM_FIELDS,
                status_labels=STATUS_LABELS, status_one=STATUS_ONE, contact=contact,
                problems=problems or [], notice=notice, institution_types=[t.value for t in InstitutionType],
                institution_labels=INSTITUTION_LABELS,
                suggested_institution=institution)


@router.get("/intake/{submission_id}", dependencies=[Needs(P.INTAKE_TRIAGE)])
def intake_submission(request: Request, ctx: Ctx, user: CurrentUser, submission_id: str) -> Response:
    """One submission decrypted in memory, its suggested facts highlighted in the text."""
    return _locked(request, ctx) or _submission_page(request, ctx, user, submission_id)


@router.get("/intake/{submission_id}/contact", dependencies=[Needs(P.INTAKE_TRIAGE)])
def intake_contact(request: Request, ctx: Ctx, user: CurrentUser, submission_id: str) -> Response:
    """The submission with how to reach its sender shown (the read is audited)."""
    if (answer := _locked(request, ctx)) is not None:
        return answer
    store = _store(ctx)
    assert store is not None
    contact = triage.read_contact(ctx.uow(user), user, store, ctx.intake_keyring, submission_id, ctx.now())
    return _submission_page(request, ctx, user, submission_id, contact=contact)


@router.get("/intake/{submission_id}/files/{uid}", dependencies=[Needs(P.INTAKE_TRIAGE)])
def intake_file(request: Request, ctx: Ctx, user: CurrentUser, submission_id: str, uid: str) -> Response:
    """An attached file, decrypted in memory and sent as a download (audited)."""
    if (answer := _locked(request, ctx)) is not None:
        return answer
    store = _store(ctx)
    assert store is not None
    found, data = triage.attachment(ctx.uow(user), user, store, ctx.intake_keyring, submission_id, uid, ctx.now())
    name = quote(found.name or "attachment")
    return Response(data, media_type=found.media_type or "application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


@router.post("/intake/{submission_id}/status", dependencies=[Needs(P.INTAKE_TRIAGE)])
def intake_status(request: Request, ctx: Ctx, user: CurrentUser, submission_id: str,
                  status: Annotated[str, Form()] = "") -> Response:
    """Mark a submission as spam, or back as new."""
    store = _store(ctx)
    if store is None:
        return _not_set_up(request, 409)
    if status not in (SubmissionStatus.SPAM.value, SubmissionStatus.NEW.value):
        raise InvalidInput([Problem("intake", "status", "choose spam or new")])
    triage.mark(ctx.uow(user), user, store, submission_id, SubmissionStatus(status), ctx.now())
    return RedirectResponse("/intake", status_code=303)


@router.post("/intake/{submission_id}/reply", dependencies=[Needs(P.INTAKE_TRIAGE)])
def intake_reply(request: Request, ctx: Ctx, user: CurrentUser, submission_id: str,
                 text: Annotated[str, Form()] = "") -> Response:
    """Reply to the sender: sealed to their receipt code, which alone opens it."""
    if (answer := _locked(request, ctx)) is not None:
        return answer
    store = _store(ctx)
    assert store is not None
    try:
        triage.reply(ctx.uow(user), user, store, ctx.intake_keyring, submission_id, text, ctx.now(),
                     IntakeLimits().quota_bytes)
    except InvalidInput as exc:
        return _submission_page(request, ctx, user, submission_id, problems=exc.problems, status=422)
    return RedirectResponse(f"/intake/{submission_id}?replied=1#reply", status_code=303)


def _int(text: str) -> int | None:
    digits = "".join(c for c in text if c.isdigit())[:3]
    return int(digits) if digits else None


def draft_from_form(form: dict[str, str]) -> CaseDraft:
    """The draft a submitted case form describes: only the suggestions ticked as accepted, as edited."""
    facts = []
    age = _int(form.get("age", ""))
    institution_name, institution_type = form.get("institution_name", ""), form.get("institution_type", "")
    for key in form:
        if not key.startswith("accept-") or form[key] != "yes":
            continue
        n = key.removeprefix("accept-")
        try:
            value = json.loads(form.get(f"value-{n}", "{}"))
        except ValueError:
            value = {}
        kind, summary = form.get(f"kind-{n}", ""), form.get(f"summary-{n}", "").strip()
        if kind == "age" and age is None:
            age = _int(summary)
        elif kind == "institution" and not institution_name.strip():
            institution_name = summary
            if isinstance(value, dict) and not institution_type:
                institution_type = str(value.get("type", ""))
        facts.append(AcceptedFact(kind, summary, value if isinstance(value, dict) else {},
                                  form.get(f"date-{n}", "").strip()))
    return CaseDraft(pseudonym=form.get("pseudonym", ""), title=form.get("title", ""), age=age,
                     region=form.get("region", ""), institution_name=institution_name,
                     institution_type=institution_type, testimony_date=form.get("testimony_date", "").strip(),
                     facts=tuple(facts))


@router.post("/intake/{submission_id}/case", dependencies=[Needs(P.INTAKE_TRIAGE)])
async def intake_case(request: Request, ctx: Ctx, user: CurrentUser, submission_id: str) -> Response:
    """Make a case from the submission and the suggested facts a person accepted (and nothing else)."""
    if (answer := _locked(request, ctx)) is not None:
        return answer
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    store = _store(ctx)
    assert store is not None
    try:
        case_id = await run_in_threadpool(triage.create_case, ctx.uow(user), user, store, ctx.intake_keyring,
                                          submission_id, draft_from_form(values), ctx.now(), ctx.dutycare.vault())
    except InvalidInput as exc:
        problems = exc.problems
        return await run_in_threadpool(lambda: _submission_page(request, ctx, user, submission_id,
                                                                problems=problems, status=422))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)

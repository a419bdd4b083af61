"""REST API: complaint drafts (create, read, change, finalise, letters), their lifecycle and next steps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from dutycare.domain.complaint_drafts import draft_to_input
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.json_body import BoundedJsonRoute
from dutycare.entrypoints.web.routers.api_cases import ERRORS
from dutycare.entrypoints.web.schemas import (
    ComplaintCreate,
    ComplaintNextCreate,
    ComplaintPublic,
    ComplaintStepCreate,
    ProblemPublic,
)
from dutycare.service_layer import complaints as service
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.accounts import User
from dutycare.service_layer.complaints import DraftPage

router = APIRouter(prefix="/api/v1", tags=["complaints"], responses=ERRORS, route_class=BoundedJsonRoute)


def public(page: DraftPage) -> ComplaintPublic:
    """A complaint as the API shows it."""
    d = page.draft
    return ComplaintPublic(
        id=d.id, status=d.status.value, draft=draft_to_input(d), complaint_event=d.complaint_event_id,
        missing=[ProblemPublic(location=p.location, field=p.field, message=p.message) for p in page.missing],
        letters=[{"institution": x.institution_id, "sha256": x.sha256, "size": x.size} for x in d.letters],
        due_dates=[{"kind": x.kind.value, "addressee": x.addressee_id, "due": x.due.isoformat(),
                    "earliest_due": x.earliest_due.isoformat(), "status": x.status.value,
                    "rule": x.rule.id} for x in page.due_dates],
        findings=[{"rule_id": f.rule_id, "certainty": f.certainty, "explanation_ru": f.explanation_ru,
                   "explanation_en": f.explanation_en} for f in page.complaint_findings],
        next_steps=[{"template": s.template.value, "reason_ru": s.reason_ru, "reason_en": s.reason_en,
                     "institutions": list(s.institution_ids),
                     "last_day": s.last_day.isoformat() if s.last_day else None} for s in page.next_steps])


def _page(ctx: Ctx, user: User, complaint_id: str) -> ComplaintPublic:
    return public(service.read_draft(ctx.uow(user), user, complaint_id, ctx.now()))


@router.post("/complaints", status_code=status.HTTP_201_CREATED, dependencies=[Needs(P.COMPLAINT_WRITE)])
def create_complaint(ctx: Ctx, user: CurrentUser, body: ComplaintCreate) -> ComplaintPublic:
    """Draft a complaint; problems name the field (e.g. applicants[0].person, addressees[1].template)."""
    made = service.draft_complaint(ctx.uow(user), user, body.raw())
    return _page(ctx, user, made.id)


@router.get("/complaints/{complaint_id}", dependencies=[Needs(P.IDENTIFYING_READ)])
def get_complaint(ctx: Ctx, user: CurrentUser, complaint_id: str) -> ComplaintPublic:
    """A complaint with its applicants' names and addresses (the read is audited)."""
    return _page(ctx, user, complaint_id)


@router.put("/complaints/{complaint_id}", dependencies=[Needs(P.COMPLAINT_WRITE)])
def update_complaint(ctx: Ctx, user: CurrentUser, complaint_id: str, body: ComplaintCreate) -> ComplaintPublic:
    """Replace a draft's fields (refused once the letter is final)."""
    service.update_draft(ctx.uow(user), user, complaint_id, body.raw())
    return _page(ctx, user, complaint_id)


@router.post("/complaints/{complaint_id}/finalise", dependencies=[Needs(P.COMPLAINT_WRITE)])
def finalise_complaint(ctx: Ctx, user: CurrentUser, complaint_id: str) -> ComplaintPublic:
    """Make the letters final (refused, naming each missing requisite); the PDFs are stored in the vault."""
    service.finalise(ctx.uow(user), user, ctx.dutycare.vault(), ctx.dutycare.letters(), complaint_id)
    return _page(ctx, user, complaint_id)


@router.get("/complaints/{complaint_id}/letters/{institution_id}", dependencies=[Needs(P.IDENTIFYING_READ)],
            response_class=Response, responses={200: {"content": {service.PDF: {}, service.DOCX: {}}}})
def complaint_letter(ctx: Ctx, user: CurrentUser, complaint_id: str, institution_id: str,
                     format: Annotated[str, Query(pattern="^(pdf|docx)$")] = "pdf") -> Response:
    """One addressee's letter, PDF (the stored final one once final) or DOCX; audited."""
    made = service.letter_file(ctx.uow(user), user, ctx.dutycare.vault(), ctx.dutycare.letters(), complaint_id,
                               institution_id, format, ctx.now())
    return Response(made.content, media_type=made.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{made.name}"'})


@router.post("/complaints/{complaint_id}/steps", status_code=status.HTTP_201_CREATED,
             dependencies=[Needs(P.COMPLAINT_WRITE)])
def record_complaint_step(ctx: Ctx, user: CurrentUser, complaint_id: str, body: ComplaintStepCreate) -> ComplaintPublic:
    """Record a lifecycle step; refused, naming the field, when the record contradicts it (nothing written)."""
    service.record_step(ctx.uow(user), user, complaint_id, body.raw(), ctx.now())
    return _page(ctx, user, complaint_id)


@router.post("/complaints/{complaint_id}/next", status_code=status.HTTP_201_CREATED,
             dependencies=[Needs(P.COMPLAINT_WRITE)])
def draft_next_complaint(ctx: Ctx, user: CurrentUser, complaint_id: str, body: ComplaintNextCreate) -> ComplaintPublic:
    """Draft the next complaint this one offers (prosecutor, or the court while the КАС ст. 219 window is open)."""
    made = service.draft_next(ctx.uow(user), user, complaint_id, body.template, body.institution, ctx.now())
    return _page(ctx, user, made.id)

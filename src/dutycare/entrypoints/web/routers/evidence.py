"""Evidence files in the browser and the API: upload on an event (streamed to the vault), take out the original
(audited), and preview images and PDFs inline under a sandbox.

Uploads are read part by part by `web.uploads` in a worker thread and handed to `service_layer.evidence.add_files`,
which checks the writer, stores each file encrypted, and records it with its ledger entry, or keeps nothing.
Taking a file out goes through `evidence.export_evidence`, the audited path the command line uses too.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, status
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from dutycare.domain.errors import InvalidInput
from dutycare.domain.evidence import EvidenceFile
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs, WebContext
from dutycare.entrypoints.web.routers.api_cases import ERRORS
from dutycare.entrypoints.web.schemas import EvidenceFilePublic
from dutycare.entrypoints.web.uploads import MAX_FIELD, MAX_UPLOAD_REQUEST, Upload, request_chunks
from dutycare.service_layer import evidence
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.accounts import User

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["evidence"], responses=ERRORS)

PREVIEW_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"
UPLOAD_FORM = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "case": {"type": "string", "maxLength": 80, "description": "the case of the event the upload is for"},
            "source": {"type": "string", "maxLength": 80, "description": "the source the files came from"},
            "description": {"type": "string", "maxLength": MAX_FIELD, "description": "what the files show; for a "
                            "derived copy, why it was made"},
            "derived_from": {"type": "string", "maxLength": 80,
                             "description": "an original on the same event that these files are copies of"},
            "file": {"type": "array", "items": {"type": "string", "format": "binary"}, "maxItems": 20,
                     "description": "one or more files (after the other fields)"},
        }}}}},
}


def _upload(request: Request, ctx: WebContext, user: User, event_id: str) -> list[EvidenceFile]:
    """Read the upload and store it (in a worker thread: the body is pulled from the event loop as it is read)."""
    dc = ctx.dutycare
    limit = dc.settings.evidence_limit()
    reader = Upload(request_chunks(request), request.headers.get("content-type"),
                    max_size=limit * evidence.MAX_FILES_PER_UPLOAD + (4 << 20))
    fields, files = reader.read()
    return evidence.add_files(ctx.uow(user), dc.vault(), user, event_id, files, limit=limit, at=ctx.now(),
                              case_id=fields.get("case") or None, source_id=fields.get("source") or None,
                              description=fields.get("description") or None,
                              derived_from=fields.get("derived_from") or None)


def _taken_out(ctx: WebContext, user: User, evidence_id: str, *, inline: bool) -> Response:
    """The decrypted original through the audited export (checked against its SHA-256), removed once sent."""
    folder = Path(tempfile.mkdtemp(prefix="dutycare-out-"))
    try:
        out = folder / "original"
        ev = evidence.export_evidence(ctx.uow(user), ctx.dutycare.vault(), evidence_id, out, viewer=user,
                                      at=ctx.now())
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    previewable = inline and ev.media_type in evidence.PREVIEWABLE
    answer = FileResponse(out, media_type=ev.media_type if previewable else "application/octet-stream",
                          filename=ev.original_name, content_disposition_type="inline" if previewable else "attachment",
                          background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))
    answer.headers["Content-Security-Policy"] = PREVIEW_CSP
    answer.headers["X-Content-Type-Options"] = "nosniff"
    answer.headers["X-Evidence-SHA256"] = ev.sha256
    return answer


# -- pages -----------------------------------------------------------------------------------------------------
@router.post("/events/{event_id}/evidence", dependencies=[Needs(P.EVENT_WRITE)], max_body_size=MAX_UPLOAD_REQUEST)
async def upload_page(request: Request, ctx: Ctx, user: CurrentUser, event_id: str, case: str = "") -> Response:
    """Add one or several files to an event; the case page then shows each with its SHA-256."""
    back = f"/cases/{quote(case)}" if case else "/cases"
    try:
        added = await run_in_threadpool(_upload, request, ctx, user, event_id)
    except ClientDisconnect:
        return Response(status_code=400)
    except InvalidInput as exc:
        message = "; ".join(p.message for p in exc.problems)
        return RedirectResponse(f"{back}?upload_error={quote(message[:500])}#event-{quote(event_id)}",
                                status_code=303)
    shown = ",".join(e.id for e in added)
    return RedirectResponse(f"{back}?uploaded={quote(shown)}#event-{quote(event_id)}", status_code=303)


@router.get("/evidence/{evidence_id}/download", dependencies=[Needs(P.IDENTIFYING_READ)])
def download_page(ctx: Ctx, user: CurrentUser, evidence_id: str) -> Response:
    """The original file as it was added (the taking out is written to the audit log)."""
    return _taken_out(ctx, user, evidence_id, inline=False)


@router.get("/evidence/{evidence_id}/preview", dependencies=[Needs(P.IDENTIFYING_READ)])
def preview_page(ctx: Ctx, user: CurrentUser, evidence_id: str) -> Response:
    """An image or PDF shown in the browser under a sandbox (other kinds are downloaded); audited."""
    return _taken_out(ctx, user, evidence_id, inline=True)


# -- API -------------------------------------------------------------------------------------------------------
@api_router.post("/events/{event_id}/evidence", status_code=status.HTTP_201_CREATED,
                 dependencies=[Needs(P.EVENT_WRITE)], max_body_size=MAX_UPLOAD_REQUEST, openapi_extra=UPLOAD_FORM)
async def upload_api(request: Request, ctx: Ctx, user: CurrentUser, event_id: str) -> list[EvidenceFilePublic]:
    """Add one or several files to an event (multipart/form-data, fields before files); each is streamed to the
    vault, and its SHA-256 entered in the ledger. Over the size limit or empty: 422, and nothing is kept."""
    try:
        added = await run_in_threadpool(_upload, request, ctx, user, event_id)
    except ClientDisconnect:
        return []
    return [EvidenceFilePublic.of(e) for e in added]


@api_router.get("/evidence/{evidence_id}", dependencies=[Needs(P.CASE_READ)])
def get_evidence(ctx: Ctx, user: CurrentUser, evidence_id: str) -> EvidenceFilePublic:
    """One evidence file's record: name, type, size, SHA-256, source, who added it and when, what it derives from."""
    return EvidenceFilePublic.of(evidence.read_evidence(ctx.uow(user), user, evidence_id))


@api_router.get("/evidence/{evidence_id}/content", dependencies=[Needs(P.IDENTIFYING_READ)],
                responses={200: {"content": {"application/octet-stream": {}}}})
def get_evidence_content(ctx: Ctx, user: CurrentUser, evidence_id: str) -> Any:
    """The original file (checked against its recorded SHA-256; the taking out is audited)."""
    return _taken_out(ctx, user, evidence_id, inline=False)

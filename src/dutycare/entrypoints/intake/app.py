"""The public intake application: its own factory, process and database; nothing of the staff application.

No accounts, no cookies, no JavaScript and nothing loaded from elsewhere (Tor Browser's safest mode works). The
language travels in the address (?lang=) and in a hidden field. Every part of a submission is sealed to the
organisation's intake public key in the request handler, as it is read; this process has no private key.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dutycare.adapters.crypto.intake_box import IntakeSealer
from dutycare.entrypoints.intake.form_reader import BadBody, FieldProblem, ReadForm, SealedFile, read_form
from dutycare.entrypoints.intake.messages import LANGUAGE_NAMES, LANGUAGES, Texts, choose_language
from dutycare.service_layer import intake
from dutycare.service_layer.intake import Accepted, IntakeLimits, ReceiptAccess, Refusal, Refused
from dutycare.service_layer.intake_guard import FormTickets, TicketVerdict, TokenBucket
from dutycare.service_layer.intake_records import PartKind, SealedPart, part_aad
from dutycare.service_layer.ports import IntakeStore, ReceiptMaker

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
FIELD_LABEL_KEYS = {"account": "account", "injured": "injured", "when": "when", "where": "where",
                    "decision": "decision", "contact": "contact", "addition": "addition", "files": "files"}


@dataclass
class IntakeContext:
    """Everything the intake routes share, built once by the factory."""

    store: IntakeStore
    sealer: IntakeSealer
    receipts: ReceiptMaker
    limits: IntakeLimits
    tickets: FormTickets
    submissions: TokenBucket
    checks: TokenBucket
    today: Callable[[], date]
    templates: Environment
    uploads: threading.BoundedSemaphore


class PublicHeaders:
    """Strict headers on every answer: nothing cached, framed, sniffed, referred, or loaded from elsewhere.

    It also ends any error unseen by the route handlers with a fixed page, and does not pass it on: Starlette's
    outermost middleware would re-raise it for the server to log, and a log must hold nothing a person sent.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"set-cookie"]
                headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
                            (b"cache-control", b"no-store"), (b"cross-origin-opener-policy", b"same-origin"),
                            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            if not started:
                body = FALLBACK_PAGE.encode("utf-8")
                await with_headers({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})


FALLBACK_PAGE = ("<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>Не получилось</title></head>"
                 "<body><h1>Не получилось</h1><p>Запрос не удалось выполнить, ничего не сохранено. Попробуйте ещё раз."
                 "</p><p lang=\"en\">The request could not be completed; nothing was stored. Please try again.</p>"
                 "<p><a href=\"/\">На главную / Back to the form</a></p></body></html>")


def _ctx(request: Request) -> IntakeContext:
    ctx: IntakeContext = request.app.state.intake
    return ctx


def _lang(request: Request, asked: str | None = None) -> str:
    return choose_language(asked or request.query_params.get("lang"), request.headers.get("accept-language", ""))


def _page_of(request: Request) -> str:
    """Where a language link goes: the page itself, or for an answer to a form, the page with that form."""
    if request.method == "GET":
        return request.url.path
    return "/receipt" if request.url.path.startswith("/receipt") else "/"


def _render(request: Request, name: str, lang: str, status: int = 200, **values: Any) -> HTMLResponse:
    ctx = _ctx(request)
    t = Texts(lang)
    html = ctx.templates.get_template(name).render(
        t=t, lang=lang, languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES], path=_page_of(request),
        title=values.pop("title", t("title")), limits=ctx.limits, **values)
    return HTMLResponse(html, status_code=status)


def _error(request: Request, lang: str, status: int, key: str, **values: object) -> HTMLResponse:
    return _render(request, "error.html", lang, status, message=Texts(lang)(key, **values),
                   title=Texts(lang)("e_title"))


def _problem_text(t: Texts, p: FieldProblem) -> str:
    values = dict(p.values)
    if p.key in ("p_too_long", "p_encoding"):
        values.setdefault("field", t(FIELD_LABEL_KEYS.get(p.field, "account")))
    return t(p.key, **values)


def _form_page(request: Request, lang: str, values: dict[str, str], problems: list[str], status: int = 200,
               ) -> HTMLResponse:
    ctx = _ctx(request)
    return _render(request, "form.html", lang, status, values=values, problems=problems, ticket=ctx.tickets.issue(),
                   wait_seconds=ctx.tickets.wait_seconds)


def _length_problems(form: ReadForm, limits: dict[str, int]) -> list[FieldProblem]:
    found = []
    for name, limit in limits.items():
        count = len(form.fields.get(name, ""))
        if count > limit:
            found.append(FieldProblem(name, "p_too_long", {"limit": limit, "count": count}))
    return found


def _file_index(files: list[SealedFile]) -> list[dict[str, object]]:
    return [{"uid": f.uid, "name": f.name, "media_type": f.media_type, "size": f.size} for f in files]


def _file_parts(files: list[SealedFile]) -> list[SealedPart]:
    return [SealedPart(f.uid, PartKind.ATTACHMENT, f.sealed) for f in files]


def _seal(ctx: IntakeContext, kind: PartKind, document: dict[str, object]) -> SealedPart:
    uid = intake.new_part_uid()
    payload = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return SealedPart(uid, kind, ctx.sealer.seal(payload, part_aad(uid, kind)))


async def _read(request: Request, ctx: IntakeContext) -> ReadForm | BadBody:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > ctx.limits.body_bytes:
        return BadBody.TOO_LARGE
    return await read_form(request.stream(), request.headers.get("content-type", ""), ctx.sealer, ctx.limits)


def _bad_body(request: Request, lang: str, bad: BadBody, ctx: IntakeContext) -> HTMLResponse:
    if bad is BadBody.TOO_LARGE:
        return _error(request, lang, 413, bad.value, size=ctx.limits.body_bytes >> 20)
    return _error(request, lang, 400, bad.value)


def _refusal(request: Request, lang: str, refused: Refused) -> HTMLResponse:
    return _error(request, lang, 507 if refused.reason is Refusal.FULL else 429,
                  "e_full" if refused.reason is Refusal.FULL else "e_limit")


def build_router(app: FastAPI) -> None:
    """The intake routes."""

    @app.get("/")
    def form(request: Request) -> Response:
        """The form."""
        return _form_page(request, _lang(request), {}, [])

    @app.post("/submit")
    async def submit(request: Request) -> Response:
        """Take a submission: read and seal it, check it, store it, and show its receipt code once."""
        ctx = _ctx(request)
        lang = _lang(request)
        if not ctx.uploads.acquire(blocking=False):
            return _error(request, lang, 503, "e_busy")
        try:
            read = await _read(request, ctx)
        finally:
            ctx.uploads.release()
        if isinstance(read, BadBody):
            return _bad_body(request, lang, read, ctx)
        lang = _lang(request, read.fields.get("lang"))
        t = Texts(lang)
        values = {k: read.fields.get(k, "") for k in ("account", "injured", "when", "where", "decision", "contact")}
        problems = list(read.problems)
        if not values["account"].strip():
            problems.insert(0, FieldProblem("account", "p_account_empty"))
        lim = ctx.limits
        problems += _length_problems(read, {"account": lim.account_chars, "injured": lim.field_chars,
                                            "when": lim.field_chars, "where": lim.field_chars,
                                            "decision": lim.field_chars, "contact": lim.contact_chars})
        if read.fields.get("website", ""):
            problems.append(FieldProblem("website", "p_honeypot"))
        if not problems:
            check = ctx.tickets.check(read.fields.get("ticket", ""), read.fields.get("nonce", ""))
            if check.verdict is TicketVerdict.TOO_SOON:
                problems.append(FieldProblem("ticket", "p_too_soon", {"seconds": check.wait}))
            elif check.verdict is TicketVerdict.EXPIRED:
                problems.append(FieldProblem("ticket", "p_ticket"))
        if problems:
            return _form_page(request, lang, values, [_problem_text(t, p) for p in problems], 422)
        if not ctx.submissions.take():
            return _error(request, lang, 503, "e_busy")
        facts = {k: values[k].strip() for k in ("injured", "when", "where", "decision") if values[k].strip()}
        parts = [_seal(ctx, PartKind.ACCOUNT, {"v": 1, "lang": lang, "account": values["account"], "facts": facts,
                                               "attachments": _file_index(read.files)})]
        if values["contact"].strip():
            parts.append(_seal(ctx, PartKind.CONTACT, {"v": 1, "contact": values["contact"].strip()}))
        parts += _file_parts(read.files)
        outcome = await run_in_threadpool(intake.accept, ctx.store, ctx.receipts, parts, ctx.today(), ctx.limits)
        if isinstance(outcome, Refused):
            return _refusal(request, lang, outcome)
        assert isinstance(outcome, Accepted)
        return _render(request, "received.html", lang, code=outcome.code, files=len(read.files),
                       title=t("received_title"))

    @app.get("/receipt")
    def receipt_form(request: Request) -> Response:
        """Where a receipt code is entered."""
        return _render(request, "receipt.html", _lang(request), title=Texts(_lang(request))("check_title"))

    async def _open(request: Request, ctx: IntakeContext, code: str) -> ReceiptAccess | None:
        return await run_in_threadpool(intake.open_receipt, ctx.store, ctx.receipts, code)

    def _status(request: Request, lang: str, access: ReceiptAccess, code: str, notice: str = "",
                problems: list[str] | None = None, status: int = 200) -> HTMLResponse:
        ctx = _ctx(request)
        shown = intake.replies(ctx.store, access)
        return _render(request, "status.html", lang, status, replies=shown, code=code, notice=notice,
                       problems=problems or [], title=Texts(lang)("check_title"))

    @app.post("/receipt")
    async def receipt(request: Request) -> Response:
        """Open a submission with its code: the organisation's replies, and a form to add more."""
        ctx = _ctx(request)
        lang = _lang(request)
        read = await _read(request, ctx)
        if isinstance(read, BadBody):
            return _bad_body(request, lang, read, ctx)
        lang = _lang(request, read.fields.get("lang"))
        code = read.fields.get("code", "").strip()
        if not code:
            return _render(request, "receipt.html", lang, 422, problem=Texts(lang)("p_code"))
        if not ctx.checks.take():
            return _error(request, lang, 503, "e_busy")
        access = await _open(request, ctx, code)
        if access is None:
            return _render(request, "receipt.html", lang, 404, problem=Texts(lang)("no_such_code"))
        return await run_in_threadpool(_status, request, lang, access, code)

    @app.post("/receipt/add")
    async def add(request: Request) -> Response:
        """Add information (text, files) to the submission a code opens."""
        ctx = _ctx(request)
        lang = _lang(request)
        if not ctx.uploads.acquire(blocking=False):
            return _error(request, lang, 503, "e_busy")
        try:
            read = await _read(request, ctx)
        finally:
            ctx.uploads.release()
        if isinstance(read, BadBody):
            return _bad_body(request, lang, read, ctx)
        lang = _lang(request, read.fields.get("lang"))
        t = Texts(lang)
        code = read.fields.get("code", "").strip()
        if not code or not ctx.checks.take():
            return _render(request, "receipt.html", lang, 422 if not code else 503,
                           problem=t("p_code") if not code else t("e_busy"))
        access = await _open(request, ctx, code)
        if access is None:
            return _render(request, "receipt.html", lang, 404, problem=t("no_such_code"))
        text = read.fields.get("addition", "")
        problems = list(read.problems) + _length_problems(read, {"addition": ctx.limits.account_chars})
        if not text.strip() and not read.files:
            problems.append(FieldProblem("addition", "p_addition_empty"))
        if problems:
            return await run_in_threadpool(_status, request, lang, access, code, "",
                                           [_problem_text(t, p) for p in problems], 422)
        if not ctx.submissions.take():
            return _error(request, lang, 503, "e_busy")
        parts = [_seal(ctx, PartKind.ADDITION, {"v": 1, "text": text, "attachments": _file_index(read.files)}),
                 *_file_parts(read.files)]
        refused = await run_in_threadpool(intake.add_information, ctx.store, access, parts, ctx.today(), ctx.limits)
        if refused is not None:
            return _refusal(request, lang, refused)
        return await run_in_threadpool(_status, request, lang, access, code, t("added"))


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        lang = _lang(request)
        if exc.status_code == 404:
            return _error(request, lang, 404, "e_not_found")
        if exc.status_code == 405:
            answer = _error(request, lang, 405, "e_method")
            answer.headers["Allow"] = "GET, POST"
            return answer
        return _error(request, lang, exc.status_code, "e_unexpected")



def create_intake_app(store: IntakeStore, receipts: ReceiptMaker, *, limits: IntakeLimits | None = None,
                      tickets: FormTickets, submissions: TokenBucket, checks: TokenBucket,
                      today: Callable[[], date]) -> FastAPI:
    """The public intake application over an intake database that holds the intake public key."""
    public_key = store.public_key()
    if public_key is None:
        raise RuntimeError("The intake database has no intake public key: run 'dutycare intake keygen' first.")
    limits = limits or IntakeLimits()
    # The multipart parser logs a byte of a malformed body; nothing a person sent may reach a log.
    logging.getLogger("python_multipart").setLevel(logging.CRITICAL)
    app = FastAPI(title="dutycare intake", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(),
                            trim_blocks=True, lstrip_blocks=True)
    app.state.intake = IntakeContext(store, IntakeSealer(public_key), receipts, limits, tickets, submissions,
                                     checks, today, templates, threading.BoundedSemaphore(limits.concurrent_uploads))
    app.add_middleware(PublicHeaders)
    _install_error_handlers(app)
    build_router(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    return app

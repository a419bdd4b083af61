"""The staff web application and its REST API: one factory, nothing done at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dutycare.adapters.crypto.errors import CryptoError
from dutycare.bootstrap import Dutycare
from dutycare.domain.errors import DomainError, InvalidInput, NotAllowed, NotFound, Problem, SearchIndexDamaged
from dutycare.entrypoints.web import routers
from dutycare.entrypoints.web.deps import (
    Clock,
    CsrfRefused,
    Forbidden,
    SignInNeeded,
    WebContext,
    is_api,
    route_permission,
    served_routes,
    utc_now,
)
from dutycare.entrypoints.web.i18n import Translator, load_translations
from dutycare.entrypoints.web.labels import labeller, problem_translator
from dutycare.entrypoints.web.render import make_templates, page
from dutycare.service_layer.accounts import SessionPolicy

STATIC = Path(__file__).resolve().parent / "static"
API_DESCRIPTION = (
    "The REST API of dutycare: everything the staff pages do. Authenticate scripts with "
    "`Authorization: Bearer <token>` (tokens come from `dutycare users token NAME` or a coordinator's users page). "
    "Errors are JSON: `{\"error\": message, \"problems\": [{\"location\", \"field\", \"message\"}]}`."
)
REQUEST_THREADS = 8
MAX_REQUEST_BODY = 8 << 20  # no form or API body comes near it; evidence uploads are streamed, bounded by a setting
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class SecurityHeaders:
    """Headers that keep pages out of caches and frames and confine what they may load.

    A plain ASGI middleware: it only adds headers to the response start, so it needs none of the task and
    stream machinery of Starlette's BaseHTTPMiddleware, which every request would pay for.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # A seized laptop must not hold case pages in its browser cache.
        no_store = not scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if no_store:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _problems_json(status: int, message: str, problems: list[Problem]) -> JSONResponse:
    return JSONResponse({"error": message, "problems": [
        {"location": p.location, "field": p.field, "message": p.message} for p in problems]}, status_code=status)


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    if is_api(request):
        return JSONResponse({"error": message, "problems": []}, status_code=status)
    return page(request, "error.html", status_code=status, title=title, message=message)


def _request_problem(err: Mapping[str, Any]) -> Problem:
    """One of FastAPI's validation errors as a problem; broken JSON says what broke and where."""
    loc = [str(x) for x in err.get("loc", ())]
    where = loc[0] if loc else "request"
    if err.get("type") == "json_invalid":
        position = f" (at character {int(loc[1]) + 1})" if len(loc) > 1 and loc[1].isdigit() else ""
        return Problem(where, "", f"{err.get('ctx', {}).get('error', 'malformed JSON')}{position}")
    return Problem(where, ".".join(loc[1:]), str(err.get("msg", "is not valid")))


def _allowed_methods(request: Request) -> str:
    """The methods every route at the request's path serves (several routes may share a path)."""
    methods: set[str] = set()
    for pattern, served in request.app.state.route_methods:
        if pattern.match(request.url.path):
            methods |= served
    return ", ".join(m for m in METHOD_ORDER if m in methods)


def _install_error_handlers(app: FastAPI) -> None:
    def gettext(request: Request) -> Translator:
        from dutycare.entrypoints.web.deps import translator

        return translator(request)

    @app.exception_handler(SignInNeeded)
    async def sign_in_needed(request: Request, exc: SignInNeeded) -> Response:
        if is_api(request):
            return JSONResponse({"error": "Sign in first: send 'Authorization: Bearer <token>'.", "problems": []},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    @app.exception_handler(NotAllowed)
    async def forbidden(request: Request, exc: Exception) -> Response:
        _ = gettext(request).gettext
        return _error_page(request, 403, _("Not allowed"), _("Your role does not allow this."))

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        _ = gettext(request).gettext
        return _error_page(request, 403, _("The form has expired"),
                           _("Reload the page and submit the form again."))

    @app.exception_handler(InvalidInput)
    async def invalid_input(request: Request, exc: InvalidInput) -> Response:
        if is_api(request):
            return _problems_json(422, exc.summary(), exc.problems)
        _ = gettext(request).gettext
        said = problem_translator(_)
        first = exc.problems[0] if exc.problems else None
        where = labeller(_)(first.field) if first and first.field else (first.location if first else "")
        summary = _("%(num)s problem(s) found; nothing was written.") % {"num": exc.total}
        return _error_page(request, 422, _("The input was rejected"),
                           f"{summary} {where}: {said(first.message)}" if first else summary)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        _ = gettext(request).gettext
        return _error_page(request, 404, _("Not found"), problem_translator(_)(str(exc)))

    @app.exception_handler(SearchIndexDamaged)
    async def search_index_damaged(request: Request, exc: SearchIndexDamaged) -> Response:
        _ = gettext(request).gettext
        return _error_page(request, 409, _("The database was altered"),
                           _("The search index key is missing; the database was altered. Ask a coordinator to run "
                             "'dutycare ledger verify'."))

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        _ = gettext(request).gettext
        return _error_page(request, 400, _("That did not work"), problem_translator(_)(str(exc)))

    @app.exception_handler(CryptoError)
    async def crypto_error(request: Request, exc: CryptoError) -> Response:
        _ = gettext(request).gettext
        return _error_page(request, 503, _("Encrypted data could not be read"), str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [_request_problem(err) for err in exc.errors()]
        if is_api(request):
            return _problems_json(422, f"{len(problems)} problem(s) in the request", problems)
        _ = gettext(request).gettext
        said = problem_translator(_)
        return _error_page(request, 422, _("The input was rejected"),
                           "; ".join(f"{p.field or p.location}: {said(p.message)}" for p in problems))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        _ = gettext(request).gettext
        if exc.status_code == 404:
            return _error_page(request, 404, _("Not found"), _("There is no such page."))
        if exc.status_code == 405:
            answer = _error_page(request, 405, _("Not allowed"), _("This address does not accept that method."))
            answer.headers["Allow"] = _allowed_methods(request)  # RFC 9110 §15.5.6: every 405 names them
            return answer
        if exc.status_code == 413:
            return _error_page(request, 413, _("The request is too large"),
                               _("Send less at once: at most %(size)s MiB.") % {"size": MAX_REQUEST_BODY >> 20})
        return _error_page(request, exc.status_code, _("That did not work"), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        _ = gettext(request).gettext
        return _error_page(request, 500, _("Something went wrong"),
                           _("The request could not be completed. Nothing was changed."))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Routes are plain functions run in worker threads, and their work is mostly Python holding the GIL: a few
    # threads serve a process as fast as forty, without forty requests taking turns on one core.
    to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    yield


def create_app(dutycare: Dutycare, *, policy: SessionPolicy | None = None, secure_cookies: bool = True,
               clock: Clock = utc_now) -> FastAPI:
    """The staff application for an opened dutycare database."""
    app = FastAPI(title="dutycare", version="1", description=API_DESCRIPTION, openapi_url="/api/v1/openapi.json",
                  docs_url=None, redoc_url=None, lifespan=_lifespan, max_body_size=MAX_REQUEST_BODY)
    app.state.web = WebContext(dutycare, make_templates(),
                               {lang: Translator(lang, t) for lang, t in load_translations().items()},
                               policy or SessionPolicy(), secure_cookies, clock)
    app.add_middleware(SecurityHeaders)
    _install_error_handlers(app)
    for router in routers.all_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    served = served_routes(app.routes)
    app.state.route_methods = [(compile_path(r.path)[0], r.methods) for r in served if r.methods]
    undeclared = [r.path for r in served if route_permission(r) is None]
    if undeclared:
        raise RuntimeError(f"routes without a permission in the role table: {undeclared}")
    return app

"""The staff web application and its REST API: one factory, nothing done at import time."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from dutycare.adapters.crypto.errors import CryptoError
from dutycare.bootstrap import Dutycare
from dutycare.domain.errors import DomainError, InvalidInput, NotFound, Problem
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
from dutycare.entrypoints.web.render import make_templates, page
from dutycare.service_layer.accounts import SessionPolicy

STATIC = Path(__file__).resolve().parent / "static"
API_DESCRIPTION = (
    "The REST API of dutycare: everything the staff pages do. Authenticate scripts with "
    "`Authorization: Bearer <token>` (tokens come from `dutycare users token NAME` or a coordinator's users page). "
    "Errors are JSON: `{\"error\": message, \"problems\": [{\"location\", \"field\", \"message\"}]}`."
)
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class SecurityHeaders(BaseHTTPMiddleware):
    """Headers that keep pages out of caches and frames and confine what they may load."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if not request.url.path.startswith("/static/"):
            # A seized laptop must not hold case pages in its browser cache.
            response.headers["Cache-Control"] = "no-store"
        return response


def _problems_json(status: int, message: str, problems: list[Problem]) -> JSONResponse:
    return JSONResponse({"error": message, "problems": [
        {"location": p.location, "field": p.field, "message": p.message} for p in problems]}, status_code=status)


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    if is_api(request):
        return JSONResponse({"error": message, "problems": []}, status_code=status)
    return page(request, "error.html", status_code=status, title=title, message=message)


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
    async def forbidden(request: Request, exc: Forbidden) -> Response:
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
        return _error_page(request, 422, _("The input was rejected"), exc.summary())

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        _ = gettext(request).gettext
        return _error_page(request, 404, _("Not found"), str(exc))

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        _ = gettext(request).gettext
        return _error_page(request, 400, _("That did not work"), str(exc))

    @app.exception_handler(CryptoError)
    async def crypto_error(request: Request, exc: CryptoError) -> Response:
        _ = gettext(request).gettext
        return _error_page(request, 503, _("Encrypted data could not be read"), str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ())]
            where = loc[0] if loc else "request"
            problems.append(Problem(where, ".".join(loc[1:]), str(err.get("msg", "is not valid"))))
        if is_api(request):
            return _problems_json(422, f"{len(problems)} problem(s) in the request", problems)
        _ = gettext(request).gettext
        return _error_page(request, 422, _("The input was rejected"), "; ".join(str(p) for p in problems))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        _ = gettext(request).gettext
        if exc.status_code == 404:
            return _error_page(request, 404, _("Not found"), _("There is no such page."))
        if exc.status_code == 405:
            return _error_page(request, 405, _("Not allowed"), _("This address does not accept that method."))
        return _error_page(request, exc.status_code, _("That did not work"), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        _ = gettext(request).gettext
        return _error_page(request, 500, _("Something went wrong"),
                           _("The request could not be completed. Nothing was changed."))


def create_app(dutycare: Dutycare, *, policy: SessionPolicy | None = None, secure_cookies: bool = True,
               clock: Clock = utc_now) -> FastAPI:
    """The staff application for an opened dutycare database."""
    app = FastAPI(title="dutycare", version="1", description=API_DESCRIPTION, openapi_url="/api/v1/openapi.json",
                  docs_url=None, redoc_url=None)
    app.state.web = WebContext(dutycare, make_templates(),
                               {lang: Translator(lang, t) for lang, t in load_translations().items()},
                               policy or SessionPolicy(), secure_cookies, clock)
    app.add_middleware(SecurityHeaders)
    _install_error_handlers(app)
    for router in routers.all_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    undeclared = [r.path for r in served_routes(app.routes) if route_permission(r) is None]
    if undeclared:
        raise RuntimeError(f"routes without a permission in the role table: {undeclared}")
    return app

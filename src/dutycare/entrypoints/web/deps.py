"""What every route depends on: the application context, who is asking, what they may do, CSRF, the language.

Every route declares exactly one permission with ``dependencies=[Needs(Permission.X)]``; the app refuses to
start with a route that does not, and the role × route test reads the same declarations.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.routing import BaseRoute, Mount

from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.bootstrap import Dutycare
from dutycare.entrypoints.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator
from dutycare.service_layer import accounts
from dutycare.service_layer.access import Permission, allows
from dutycare.service_layer.accounts import SessionInfo, SessionPolicy, User
from dutycare.service_layer.intake_triage import IntakeKeyring

SESSION_COOKIE = "dc_session"
LOGIN_COOKIE = "dc_login"
LANG_COOKIE = "dc_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


@dataclass
class WebContext:
    """Everything the routes share, built once by the app factory (no module-level state)."""

    dutycare: Dutycare
    templates: Jinja2Templates
    translators: dict[str, Translator]
    policy: SessionPolicy = field(default_factory=SessionPolicy)
    secure_cookies: bool = True
    clock: Clock = utc_now
    intake_keyring: IntakeKeyring = field(default_factory=IntakeKeyring)  # the intake key, in this process only

    def uow(self, actor: User | None = None) -> StaffSqlUnitOfWork:
        """A unit of work whose ledger entries name the signed-in user."""
        base = self.dutycare.uow()
        if actor is not None:
            base.actor = f"web:{actor.name}"
        return StaffSqlUnitOfWork.like(base)

    def now(self) -> datetime:
        """The current time."""
        return self.clock()


def context(request: Request) -> WebContext:
    """The application context."""
    ctx: WebContext = request.app.state.web
    return ctx


async def _context_dependency(request: Request) -> WebContext:
    # Dependencies declared with a plain def run in a worker thread; this one does no I/O, so it runs inline.
    return context(request)


Ctx = Annotated[WebContext, Depends(_context_dependency)]


class SignInNeeded(Exception):
    """The request needs a signed-in user (401 for the API, a redirect to the sign-in page for pages)."""


class Forbidden(Exception):
    """The signed-in user's role does not allow this."""


class CsrfRefused(Exception):
    """An unsafe request without a matching CSRF token."""


def is_api(request: Request) -> bool:
    """True for requests to the REST API."""
    return request.url.path.startswith("/api/")


def client_of(request: Request) -> str:
    """The client address, for counting failed sign-ins."""
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Principal:
    """Who is asking, and how they proved it."""

    user: User
    session: SessionInfo | None  # None for API tokens


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def principal(request: Request) -> Principal | None:
    """The user behind a bearer token or a session cookie (with its second factor done), or None."""
    if hasattr(request.state, "principal"):
        found: Principal | None = request.state.principal
        return found
    ctx = context(request)
    found = None
    token = _bearer(request)
    if token is not None and is_api(request):
        user = accounts.token_user(ctx.uow(), token, ctx.now())
        found = Principal(user, None) if user else None
    elif (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
        session = accounts.current_session(ctx.uow(), cookie, ctx.now(), ctx.policy)
        if session is not None and session.second_factor_done:
            found = Principal(session.user, session)
    request.state.principal = found
    return found


async def _check_csrf(request: Request, session: SessionInfo) -> None:
    if request.method in SAFE_METHODS:
        return
    offered = request.headers.get(CSRF_HEADER)
    if offered is None and not is_api(request):
        if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            # An upload is streamed to the vault by its route, so its form is not read here: the upload form
            # carries the token in its address instead.
            offered = request.query_params.get(CSRF_FIELD)
        else:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            offered = value if isinstance(value, str) else None
    if not offered or not hmac.compare_digest(offered, session.csrf):
        raise CsrfRefused()


class PermissionCheck:
    """A route's one permission: checks sign-in, role and (for cookie sessions) the CSRF token."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __repr__(self) -> str:
        return f"PermissionCheck({self.permission.value})"

    async def __call__(self, request: Request) -> None:
        if self.permission is Permission.PUBLIC:
            return
        who = await run_in_threadpool(principal, request)
        if who is None:
            raise SignInNeeded()
        if not allows(who.user.role, self.permission):
            raise Forbidden()
        if who.session is not None:
            await _check_csrf(request, who.session)


def Needs(permission: Permission) -> Any:
    """The dependency that declares and enforces a route's permission."""
    return Depends(PermissionCheck(permission))


async def current_user(request: Request) -> User:
    """The signed-in user (the route's Needs has already checked them, so this is only a look-up)."""
    who = request.state.principal if hasattr(request.state, "principal") else await run_in_threadpool(
        principal, request)
    if who is None:
        raise SignInNeeded()
    return who.user


CurrentUser = Annotated[User, Depends(current_user)]


def language(request: Request) -> str:
    """The reader's language: the language cookie, else Russian."""
    lang = request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translator(request: Request) -> Translator:
    """The translator for the reader's language."""
    return context(request).translators[language(request)]


async def _translator_dependency(request: Request) -> Translator:
    return translator(request)


Tr = Annotated[Translator, Depends(_translator_dependency)]


def route_permission(info: RouteInfo) -> Permission | None:
    """The permission a route declares (static files and the API description are public)."""
    route = info.route
    if isinstance(route, Mount):
        return Permission.PUBLIC
    if isinstance(route, APIRoute):
        found = [d.call.permission for d in route.dependant.dependencies if isinstance(d.call, PermissionCheck)]
        return found[0] if len(found) == 1 else None
    return Permission.PUBLIC if info.path in PUBLIC_FRAMEWORK_PATHS else None


PUBLIC_FRAMEWORK_PATHS = frozenset({"/api/v1/openapi.json"})


@dataclass(frozen=True)
class RouteInfo:
    """One route as served: its full path, methods and the route object that declares its permission."""

    path: str
    methods: frozenset[str]
    route: BaseRoute


def served_routes(routes: Sequence[BaseRoute]) -> list[RouteInfo]:
    """Every route an app serves, with routers' prefixes applied (FastAPI may keep included routers lazy)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI versions that flatten included routers
        return [RouteInfo(str(getattr(r, "path", "")), frozenset(getattr(r, "methods", None) or ()), r)
                for r in routes]
    return [RouteInfo(str(c.path), frozenset(c.methods or ()), c.original_route) for c in iter_route_contexts(routes)]


def new_login_token() -> str:
    """A random token that ties the sign-in form to the browser that loaded it."""
    return secrets.token_urlsafe(24)

"""Sign-in (password, then the second factor where set up), sign-out and the language switch."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from dutycare.entrypoints.web.deps import (
    LANG_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Ctx,
    CurrentUser,
    Needs,
    Tr,
    WebContext,
    client_of,
    new_login_token,
)
from dutycare.entrypoints.web.i18n import LANGUAGES
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import accounts
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.accounts import LoginRefused

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/cases"


def _set_cookie(response: Response, ctx: WebContext, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=ctx.secure_cookies, samesite="strict",
                        path="/")


def _login_page(request: Request, ctx: WebContext, next_: str, error: str = "", status: int = 200) -> Response:
    token = new_login_token()
    response = page(request, "login.html", status_code=status, next=_safe_next(next_), login_token=token,
                    error=error)
    _set_cookie(response, ctx, LOGIN_COOKIE, token, 900)
    return response


@router.get("/login", dependencies=[Needs(P.PUBLIC)])
def login_form(request: Request, ctx: Ctx, next: str = "/cases") -> Response:
    """The sign-in form."""
    return _login_page(request, ctx, next)


def _login_cookie_ok(request: Request, offered: str) -> bool:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    return bool(expected) and hmac.compare_digest(expected, offered)


@router.post("/login", dependencies=[Needs(P.PUBLIC)])
def login(request: Request, ctx: Ctx, tr: Tr, name: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", login_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/cases") -> Response:
    """Check the password; open a session (pending the second factor where one is set up)."""
    _ = tr.gettext
    if not _login_cookie_ok(request, login_token):
        return _login_page(request, ctx, next, _("The form has expired. Please sign in again."), 400)
    try:
        token, session = accounts.sign_in(ctx.uow(), name, password, client_of(request), ctx.now(), ctx.policy)
    except accounts.TooManyAttempts:
        return _login_page(request, ctx, next, _("Too many failed sign-ins. Wait a quarter of an hour."), 429)
    except LoginRefused:
        return _login_page(request, ctx, next, _("The name or the password is wrong."), 400)
    target = _safe_next(next) if session.second_factor_done else f"/login/second-factor?next={_safe_next(next)}"
    response = RedirectResponse(target, status_code=303)
    _set_cookie(response, ctx, SESSION_COOKIE, token, int(ctx.policy.absolute.total_seconds()))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.get("/login/second-factor", dependencies=[Needs(P.PUBLIC)])
def second_factor_form(request: Request, next: str = "/cases") -> Response:
    """The form for the code from an authenticator app."""
    if SESSION_COOKIE not in request.cookies:
        return RedirectResponse("/login", status_code=303)
    return page(request, "second_factor.html", next=_safe_next(next), error="")


@router.post("/login/second-factor", dependencies=[Needs(P.PUBLIC)])
def second_factor(request: Request, ctx: Ctx, tr: Tr, code: Annotated[str, Form()] = "",
                  next: Annotated[str, Form()] = "/cases") -> Response:
    """Check the code and complete the sign-in (the session cookie ties it to the password step)."""
    _ = tr.gettext
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return RedirectResponse("/login", status_code=303)
    try:
        accounts.second_factor(ctx.uow(), token, code, client_of(request), ctx.now(), ctx.policy)
    except accounts.TooManyAttempts:
        return page(request, "second_factor.html", status_code=429, next=_safe_next(next),
                    error=_("Too many failed sign-ins. Wait a quarter of an hour."))
    except LoginRefused:
        return page(request, "second_factor.html", status_code=400, next=_safe_next(next),
                    error=_("The code is wrong or has expired."))
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Needs(P.SIGNED_IN)])
def logout(request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    """End the session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.sign_out(ctx.uow(user), token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language", dependencies=[Needs(P.PUBLIC)])
def set_language(ctx: Ctx, lang: Annotated[str, Form()] = "ru", back: Annotated[str, Form()] = "/cases") -> Response:
    """Switch the language of the pages (kept in a cookie)."""
    response = RedirectResponse(_safe_next(back), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, secure=ctx.secure_cookies,
                            samesite="strict", path="/")
    return response

"""One's own account: password, second factor (TOTP), own API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from dutycare.domain.errors import InvalidInput
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs, WebContext
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import accounts
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.accounts import User

router = APIRouter(include_in_schema=False)


def _account_page(request: Request, ctx: WebContext, user: User, *, status: int = 200, **extra: object) -> Response:
    fresh = accounts.get_user(ctx.uow(user), user.id)
    values = {"me": fresh, "tokens": accounts.list_tokens(ctx.uow(user), user.id), "errors": {}, "secret": None,
              "totp_secret": None, "totp_uri": None, "done": "", **extra}
    return page(request, "account.html", status_code=status, **values)


@router.get("/account", dependencies=[Needs(P.SIGNED_IN)])
def account_page(request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    """Password, second factor and tokens."""
    return _account_page(request, ctx, user)


@router.post("/account/password", dependencies=[Needs(P.SIGNED_IN)])
def change_password(request: Request, ctx: Ctx, user: CurrentUser, current_password: Annotated[str, Form()] = "",
                    new_password: Annotated[str, Form()] = "") -> Response:
    """Change one's password; every session ends, so sign in again."""
    try:
        accounts.change_password(ctx.uow(user), user.id, current_password, new_password, ctx.now())
    except InvalidInput as exc:
        return _account_page(request, ctx, user, status=422, errors={p.field: p.message for p in exc.problems})
    return RedirectResponse("/login", status_code=303)


@router.post("/account/second-factor", dependencies=[Needs(P.SIGNED_IN)])
def begin_second_factor(request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    """Show a new TOTP secret to add to an authenticator app, with a field for the first code."""
    secret = accounts.new_totp_secret()
    return _account_page(request, ctx, user, totp_secret=secret, totp_uri=accounts.totp_uri(secret, user))


@router.post("/account/second-factor/confirm", dependencies=[Needs(P.SIGNED_IN)])
def confirm_second_factor(request: Request, ctx: Ctx, user: CurrentUser, secret: Annotated[str, Form()] = "",
                          code: Annotated[str, Form()] = "") -> Response:
    """Turn the second factor on once the app's code matches."""
    try:
        accounts.enable_second_factor(ctx.uow(user), user.id, secret, code, ctx.now())
    except InvalidInput as exc:
        secret = secret if accounts.valid_totp_secret(secret) else accounts.new_totp_secret()
        return _account_page(request, ctx, user, status=422, totp_secret=secret,
                             totp_uri=accounts.totp_uri(secret, user),
                             errors={p.field: p.message for p in exc.problems})
    return _account_page(request, ctx, user, done="second_factor")


@router.post("/account/tokens", dependencies=[Needs(P.SIGNED_IN)])
def create_own_token(request: Request, ctx: Ctx, user: CurrentUser, label: Annotated[str, Form()] = "") -> Response:
    """Create an API token for oneself; the secret is shown once."""
    try:
        _token, secret = accounts.create_token(ctx.uow(user), user.id, label, ctx.now(), by=user)
    except InvalidInput as exc:
        return _account_page(request, ctx, user, status=422, errors={p.field: p.message for p in exc.problems})
    return _account_page(request, ctx, user, secret=secret)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[Needs(P.SIGNED_IN)])
def revoke_own_token(ctx: Ctx, user: CurrentUser, token_id: str) -> Response:
    """Revoke one of one's own tokens."""
    accounts.revoke_token(ctx.uow(user), token_id, ctx.now(), by=user, owner=user.id)
    return RedirectResponse("/account", status_code=303)
